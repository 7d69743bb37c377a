/** `policies list|show|promote|rollback` on a registry with three versions. */
import { assert, assertEquals } from "../../assert.ts";
import { WorkflowStore } from "../../../workflows/mod.ts";
import { cli } from "../run_cli.ts";

function registry(home: string): void {
  using store = WorkflowStore.open({ home });
  for (const [runId, score] of [["run-one", 40], ["run-two", 30], ["run-three", 50]] as const) {
    store.policies.register({
      name: "nightly",
      runId,
      metrics: { score, scoreKind: "normalised_score" },
      lineage: {
        runId,
        scheduleId: "nightly",
        datasetId: "d1",
        datasetName: "spread-medium",
        datasetContentHash: "ab".repeat(32),
        algorithm: "omiga",
        config: { hiddenSize: 16 },
        backend: "cpu",
        codeVersion: "0.1.0",
      },
      files: { policy: "p", architecture: "a" },
      evaluationHash: "h",
      tolerance: 0,
    });
  }
}

Deno.test("policies list, show, promote and rollback work on the registry", async () => {
  const home = Deno.makeTempDirSync({ prefix: "omiga-policies-cli-" });
  registry(home);
  Deno.env.set("OMIGA_HOME", home);
  try {
    const list = await cli("policies", "list");
    assertEquals(list.code, 0, list.err);
    assert(list.out.includes("nightly  latest v3 (score 50.000)  3 versions"), list.out);

    const show = await cli("policies", "show", "nightly");
    assert(show.out.includes("v2  score 30.000"), show.out);
    assert(show.out.includes("promoted v1 -> v3"), show.out);
    const one = await cli("policies", "show", "nightly@2", "--json");
    assertEquals(JSON.parse(one.out).decision.promoted, false);

    assertEquals((await cli("policies", "promote", "nightly@2")).out, "nightly: latest v3 -> v2");
    const back = await cli("policies", "rollback", "nightly");
    assertEquals(back.out, "nightly: rolled back, latest v2 -> v3");
    const json = JSON.parse((await cli("policies", "show", "nightly", "--json")).out);
    assertEquals(json.latestVersion, 3);
    assertEquals(json.events.length, 4);

    const missing = await cli("policies", "show", "nope");
    assertEquals(missing.code, 2);
    assert(missing.err.includes('no policy named "nope"'), missing.err);
    const noVersion = await cli("policies", "promote", "nightly");
    assertEquals(noVersion.code, 2);
    assert(noVersion.err.includes("nightly@N"), noVersion.err);
  } finally {
    Deno.env.delete("OMIGA_HOME");
    Deno.removeSync(home, { recursive: true });
  }
});
