import { assert, assertEquals, assertRejects } from "../../assert.ts";
import { selectBackend } from "../../../core/backend/mod.ts";
import { BackendError } from "../../../core/errors.ts";
import { tf } from "../../../core/tf.ts";

async function hasHardwareGpu(): Promise<boolean> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  const adapter = await gpu?.requestAdapter() as
    | { info?: { isFallbackAdapter?: boolean; description?: string } }
    | null
    | undefined;
  if (!adapter) return false;
  return !(adapter.info?.isFallbackAdapter ?? /llvmpipe/.test(adapter.info?.description ?? ""));
}

Deno.test("default selection without a GPU is wasm with SIMD on", async () => {
  const report = await selectBackend();
  if (await hasHardwareGpu()) {
    assertEquals(report.backend, "webgpu");
    return;
  }
  assertEquals(report.backend, "wasm");
  assertEquals(report.forced, false);
  assertEquals(report.wasm?.simd, true);
  assertEquals(tf.getBackend(), "wasm");
  const skipped = report.attempts.filter((a) => !a.ok).map((a) => a.backend);
  assertEquals(skipped, ["tensorflow", "webgpu"]);
});

Deno.test("forcing tensorflow without tfjs-node-gpu fails clearly and changes nothing", async () => {
  await selectBackend({ backend: "cpu" });
  const error = await assertRejects(
    () => selectBackend({ backend: "tensorflow" }),
    BackendError,
    "tfjs-node-gpu is not installed",
  );
  assertEquals(error.code, "backend_unavailable");
  assertEquals(tf.getBackend(), "cpu");
  assertEquals(tf.findBackend("tensorflow"), null);
  const sum = tf.tidy(() => tf.add(tf.scalar(2), tf.scalar(3)).arraySync());
  assertEquals(sum, 5);
});

Deno.test("forcing webgpu on a software adapter is refused unless allowed", async () => {
  if (await hasHardwareGpu()) return;
  await selectBackend({ backend: "cpu" });
  await assertRejects(
    () => selectBackend({ backend: "webgpu" }),
    BackendError,
    "only a software WebGPU adapter",
  );
  assertEquals(tf.getBackend(), "cpu");
});

Deno.test("the CLI exits non-zero with the reason when a forced backend cannot start", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/omiga.ts", "backend", "--backend", "tensorflow"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(output.code, 1);
  const stderr = new TextDecoder().decode(output.stderr);
  assert(stderr.includes("tfjs-node-gpu is not installed"), stderr);
  assertEquals(new TextDecoder().decode(output.stdout), "");
});

Deno.test("the CLI reports wasm with SIMD on by default", async () => {
  if (await hasHardwareGpu()) return;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/omiga.ts", "backend", "--json"],
    stdout: "piped",
    stderr: "piped",
    env: { OMIGA_BACKEND: "" },
  }).output();
  assertEquals(output.code, 0, new TextDecoder().decode(output.stderr));
  const report = JSON.parse(new TextDecoder().decode(output.stdout));
  assertEquals(report.backend, "wasm");
  assertEquals(report.wasm.simd, true);
});

Deno.test("an unknown backend in OMIGA_BACKEND is rejected with the allowed names", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/omiga.ts", "backend"],
    stdout: "piped",
    stderr: "piped",
    env: { OMIGA_BACKEND: "cuda" },
  }).output();
  assertEquals(output.code, 2); // a bad setting, as a bad flag
  const stderr = new TextDecoder().decode(output.stderr);
  assert(stderr.includes('OMIGA_BACKEND: unknown backend "cuda"'), stderr);
});
