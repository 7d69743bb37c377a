import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { runArtifactsDir } from "../../workflows/mod.ts";
import { errorOf, openTestApp, QUICK_CHAIN } from "./test_app.ts";

async function finishedChain(t: ReturnType<typeof openTestApp>): Promise<string> {
  const response = await t.call("/v1/runs", {
    method: "POST",
    json: { workflow: "hash-chain", params: QUICK_CHAIN },
  });
  const { id } = await response.json();
  await t.engine.execute(id);
  return id;
}

Deno.test("a run's artifacts are listed and downloaded byte for byte", async () => {
  using t = openTestApp();
  const id = await finishedChain(t);
  const { artifacts } = await (await t.call(`/v1/runs/${id}/artifacts`)).json();
  assertEquals(artifacts.map((a: { name: string }) => a.name), ["chain.bin"]);
  const download = await t.call(`/v1/runs/${id}/artifacts/chain.bin`);
  assertEquals(download.status, 200);
  assertEquals(download.headers.get("content-type"), "application/octet-stream");
  assertEquals(download.headers.get("content-disposition"), 'attachment; filename="chain.bin"');
  const bytes = new Uint8Array(await download.arrayBuffer());
  assertEquals(bytes, await Deno.readFile(join(runArtifactsDir(t.home, id), "chain.bin")));
  assertEquals(bytes.length, Number(artifacts[0].bytes));
});

Deno.test("artifact names cannot leave the run's folder", async () => {
  using t = openTestApp();
  const id = await finishedChain(t);
  const dir = runArtifactsDir(t.home, id);
  const secret = join(t.home, "secret.txt");
  await Deno.writeTextFile(secret, "do not serve");
  await Deno.symlink(secret, join(dir, "link.txt"));
  for (
    const name of [
      "..%2Fstate.db",
      "%2E%2E%2F%2E%2E%2Fsecret.txt",
      "%2Fetc%2Fpasswd",
      "..",
      ".hidden",
      "checkpoints",
      "a%00b",
      "..%5Cstate.db",
    ]
  ) {
    const response = await t.call(`/v1/runs/${id}/artifacts/${name}`);
    const error = await errorOf(response);
    assert([400, 404].includes(error.status), `${name} -> ${error.status}`);
  }
  const link = await errorOf(await t.call(`/v1/runs/${id}/artifacts/link.txt`));
  assertEquals(link.status, 404, "a symlink is not served");
  const listed = await (await t.call(`/v1/runs/${id}/artifacts`)).json();
  assertEquals(listed.artifacts.map((a: { name: string }) => a.name), ["chain.bin"]);
  const otherRun = await errorOf(await t.call("/v1/runs/..%2F../artifacts/chain.bin"));
  assertEquals(otherRun.status, 404);
});

Deno.test("a run without artifacts lists none; a missing artifact is a 404", async () => {
  using t = openTestApp();
  const response = await t.call("/v1/runs", {
    method: "POST",
    json: { workflow: "hash-chain", params: QUICK_CHAIN },
  });
  const { id } = await response.json();
  assertEquals(await (await t.call(`/v1/runs/${id}/artifacts`)).json(), { artifacts: [] });
  const missing = await errorOf(await t.call(`/v1/runs/${id}/artifacts/policy.safetensors`));
  assertEquals([missing.status, missing.code], [404, "not_found"]);
});
