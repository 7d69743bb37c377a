/**
 * Tensor backend selection (README, "Tensor backends").
 *
 * Order when nothing is forced: `tensorflow` (tfjs-node-gpu, if it loads and sees a GPU) ->
 * `webgpu` (a real, non-fallback adapter) -> `wasm` (SIMD) -> `cpu`. A forced backend that
 * cannot start is a {@link BackendError} saying why, never a silent fallback, and leaves the
 * previously active backend in place.
 *
 * @module
 */
import { createRequire } from "node:module";
import { getThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { BackendError, ValidationError } from "../errors.ts";
import { registerHeapSlice } from "../kernels/heap_slice.ts";
import { tf } from "../tf.ts";

/** The backends this project knows, in the order they are tried. */
export const BACKEND_NAMES = ["tensorflow", "webgpu", "wasm", "cpu"] as const;

/** A tensor backend. */
export type BackendName = typeof BACKEND_NAMES[number];

/** What a caller may ask for: a backend by name, or `auto` for the default order. */
export type BackendChoice = BackendName | "auto";

/** Options for {@link selectBackend}. */
export interface BackendOptions {
  /** Force one backend; `auto` or absent tries them in order. */
  backend?: BackendChoice;
  /**
   * Accept a software WebGPU adapter (Mesa llvmpipe) when `webgpu` is forced. It is slow and
   * never chosen automatically, but it runs the GPU code path on machines without a GPU.
   */
  allowSoftwareGpu?: boolean;
}

/** Facts about the wasm backend once it runs. */
export interface WasmFacts {
  simd: boolean;
  threads: boolean;
  threadCount: number;
}

/** Facts about the WebGPU adapter in use. */
export interface WebGpuFacts {
  adapter: string;
  software: boolean;
}

/** One backend that was considered, and why it was or was not used. */
export interface BackendAttempt {
  backend: BackendName;
  ok: boolean;
  reason: string;
}

/** The outcome of a selection: logged and stored with every run. */
export interface BackendReport {
  backend: BackendName;
  reason: string;
  forced: boolean;
  wasm?: WasmFacts;
  webgpu?: WebGpuFacts;
  attempts: BackendAttempt[];
}

type Probe =
  | { ok: true; reason: string; wasm?: WasmFacts; webgpu?: WebGpuFacts }
  | { ok: false; reason: string };

/**
 * Parses a backend name from a flag or `OMIGA_BACKEND`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseBackendChoice } from "./select.ts";
 * assert.ok(parseBackendChoice("wasm") === "wasm");
 * assert.ok(parseBackendChoice(undefined) === "auto");
 * ```
 */
export function parseBackendChoice(value: string | undefined, source = "backend"): BackendChoice {
  if (value === undefined || value === "" || value === "auto") return "auto";
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new ValidationError(
    `${source}: unknown backend "${value}"; expected one of auto, ${BACKEND_NAMES.join(", ")}`,
  );
}

/**
 * The backend asked for by a flag value, else by `OMIGA_BACKEND`, else `auto`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backendChoiceFrom } from "./select.ts";
 * assert.ok(backendChoiceFrom("cpu") === "cpu");
 * ```
 */
export function backendChoiceFrom(flag: string | undefined): BackendChoice {
  if (flag !== undefined) return parseBackendChoice(flag, "--backend");
  return parseBackendChoice(Deno.env.get("OMIGA_BACKEND"), "OMIGA_BACKEND");
}

/**
 * Starts a tensor backend and makes it the active one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectBackend } from "./select.ts";
 * const report = await selectBackend({ backend: "cpu" });
 * assert.ok(report.backend === "cpu");
 * ```
 */
export async function selectBackend(options: BackendOptions = {}): Promise<BackendReport> {
  const choice = options.backend ?? "auto";
  if (choice !== "auto") {
    const probe = await startBackend(choice, options.allowSoftwareGpu ?? false);
    if (!probe.ok) throw new BackendError(choice, probe.reason);
    return report(choice, probe, true, [{ backend: choice, ok: true, reason: probe.reason }]);
  }
  const attempts: BackendAttempt[] = [];
  for (const backend of BACKEND_NAMES) {
    const probe = await startBackend(backend, false);
    attempts.push({ backend, ok: probe.ok, reason: probe.reason });
    if (probe.ok) return report(backend, probe, false, attempts);
  }
  const tried = attempts.map((a) => `${a.backend}: ${a.reason}`).join("; ");
  throw new BackendError("auto", `no backend could start (${tried})`);
}

/**
 * One line for logs: the backend, why, and the facts that matter for speed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeBackend } from "./select.ts";
 * const line = describeBackend({ backend: "cpu", reason: "forced", forced: true, attempts: [] });
 * assert.ok(line.startsWith("backend cpu"));
 * ```
 */
export function describeBackend(report: BackendReport): string {
  const parts = [`backend ${report.backend}`, report.forced ? "(forced)" : "(auto)"];
  if (report.wasm) {
    parts.push(
      `simd ${report.wasm.simd ? "on" : "off"}`,
      `threads ${report.wasm.threads ? `on (${report.wasm.threadCount})` : "off"}`,
    );
  }
  if (report.webgpu) {
    parts.push(`adapter "${report.webgpu.adapter}"${report.webgpu.software ? " (software)" : ""}`);
  }
  return `${parts.join(", ")}: ${report.reason}`;
}

function report(
  backend: BackendName,
  probe: Probe & { ok: true },
  forced: boolean,
  attempts: BackendAttempt[],
): BackendReport {
  const result: BackendReport = { backend, reason: probe.reason, forced, attempts };
  if (probe.wasm) result.wasm = probe.wasm;
  if (probe.webgpu) result.webgpu = probe.webgpu;
  return result;
}

function startBackend(backend: BackendName, allowSoftwareGpu: boolean): Promise<Probe> {
  switch (backend) {
    case "tensorflow":
      return startTensorflow();
    case "webgpu":
      return startWebGpu(allowSoftwareGpu);
    case "wasm":
      return startWasm();
    case "cpu":
      return startCpu();
  }
}

async function startCpu(): Promise<Probe> {
  const probe = await activate("cpu", "always available (plain JavaScript kernels)");
  // The cpu backend greets Node users once, suggesting tfjs-node; the backend report says why
  // cpu runs, so the greeting is noise in logs and test output.
  if (probe.ok) Object.assign(tf.backend(), { firstUse: false });
  return probe;
}

/** Makes `name` the active backend; on failure the previous backend stays active. */
async function activate(name: BackendName, reason: string): Promise<Probe> {
  const previous = currentBackendName();
  let started = false;
  let failure = "";
  try {
    started = await tf.setBackend(name);
  } catch (error) {
    failure = `: ${errorMessage(error)}`;
  }
  if (started) {
    await tf.ready();
    return { ok: true, reason };
  }
  // tfjs leaves a failed backend unset; put the previous one back so nothing is half-switched.
  if (previous !== undefined && previous !== name) await tf.setBackend(previous);
  return { ok: false, reason: `tfjs could not initialise the ${name} backend${failure}` };
}

function currentBackendName(): string | undefined {
  try {
    return tf.engine().backendName ?? undefined;
  } catch {
    return undefined;
  }
}

async function startTensorflow(): Promise<Probe> {
  const require = createRequire(import.meta.url);
  try {
    require.resolve("@tensorflow/tfjs-node-gpu");
  } catch {
    return {
      ok: false,
      reason: "tfjs-node-gpu is not installed (npm package @tensorflow/tfjs-node-gpu; its " +
        "install step downloads libtensorflow with CUDA, which needs network access and an " +
        "NVIDIA driver)",
    };
  }
  try {
    require("@tensorflow/tfjs-node-gpu");
  } catch (error) {
    return {
      ok: false,
      reason: `tfjs-node-gpu is installed but failed to load: ${errorMessage(error)}`,
    };
  }
  if (tf.findBackendFactory("tensorflow") === null) {
    return {
      ok: false,
      reason: "tfjs-node-gpu loaded but registered with a different copy of tfjs; install the " +
        "same version as @tensorflow/tfjs",
    };
  }
  const probe = await activate("tensorflow", "tfjs-node-gpu (libtensorflow) on a CUDA GPU");
  if (!probe.ok) return probe;
  const binding = (tf.backend() as unknown as { binding?: { isUsingGpuDevice?: () => boolean } })
    .binding;
  if (binding?.isUsingGpuDevice?.() !== true) {
    await tf.setBackend("cpu");
    tf.removeBackend("tensorflow");
    return { ok: false, reason: "tfjs-node-gpu loaded but libtensorflow sees no CUDA GPU" };
  }
  return probe;
}

interface GpuAdapterLike {
  info?: { description?: string; vendor?: string; device?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

async function startWebGpu(allowSoftwareGpu: boolean): Promise<Probe> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu;
  if (gpu === undefined) {
    return { ok: false, reason: "WebGPU is not available in this runtime (no navigator.gpu)" };
  }
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (error) {
    return { ok: false, reason: `no WebGPU adapter: ${errorMessage(error)}` };
  }
  if (adapter === null) return { ok: false, reason: "no WebGPU adapter" };
  const info = adapter.info ?? {};
  const name = info.description || `vendor ${info.vendor ?? "?"} device ${info.device ?? "?"}`;
  const software = info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? /llvmpipe|swiftshader/i
    .test(name);
  if (software && !allowSoftwareGpu) {
    return {
      ok: false,
      reason: `only a software WebGPU adapter (${name}) was found; it is slower than wasm. ` +
        "Force it with --allow-software-gpu (or OMIGA_ALLOW_SOFTWARE_GPU=1) to test the GPU path",
    };
  }
  const probe = await activate(
    "webgpu",
    software ? `software WebGPU adapter ${name}, allowed explicitly` : `WebGPU adapter ${name}`,
  );
  return probe.ok ? { ...probe, webgpu: { adapter: name, software } } : probe;
}

/** The `dist/` folder of the installed wasm backend package, as a `file://` URL. */
export function wasmBinaryFolder(): URL {
  return new URL("./", import.meta.resolve("@tensorflow/tfjs-backend-wasm"));
}

async function startWasm(): Promise<Probe> {
  const folder = wasmBinaryFolder();
  const binary = new URL("tfjs-backend-wasm-simd.wasm", folder);
  try {
    await Deno.stat(binary);
  } catch {
    return {
      ok: false,
      reason: `the wasm binaries are missing at ${folder.pathname}; run \`deno install\``,
    };
  }
  setWasmPaths(folder.href);
  const probe = await activate("wasm", "WebAssembly kernels");
  if (!probe.ok) return probe;
  registerHeapSlice();
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT") === true;
  const threads = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT") === true;
  return {
    ok: true,
    reason: `WebAssembly kernels${simd ? " with SIMD" : " without SIMD (slow)"}`,
    wasm: { simd, threads, threadCount: getThreadsCount() },
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
