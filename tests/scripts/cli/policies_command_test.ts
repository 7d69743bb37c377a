/** `policies list|show|promote|rollback` on a registry with three versions. */
import { assert, assertEquals } from "../../assert.ts";
import { WorkflowStore } from "../../../workflows/mod.ts";
import { join } from "node:path";
import { loadPolicy } from "../../../core/learn/mod.ts";
import { packObservations } from "../../../workflows/policies/observations.ts";
import { cli } from "../run_cli.ts";
import {
  DISCRETE,
  randomBatch,
  randomPolicy,
  registerPolicy,
} from "../../workflows/policies/fixtures.ts";

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

Deno.test("policies act prints the actions in-process act gives for the batch in a file", async () => {
  const home = Deno.makeTempDirSync({ prefix: "omiga-policies-act-" });
  const exported = randomPolicy(DISCRETE, 4);
  {
    using store = WorkflowStore.open({ home });
    await registerPolicy(store, "picker", "run-a", exported);
  }
  const batch = randomBatch(DISCRETE, 3, 5);
  const file = join(home, "batch.json");
  Deno.writeTextFileSync(file, JSON.stringify(batch));
  Deno.env.set("OMIGA_HOME", home);
  try {
    const result = await cli("policies", "act", "picker@1", "--obs", file);
    assertEquals(result.code, 0, result.err);
    const printed = JSON.parse(result.out);
    const policy = loadPolicy(exported.weights);
    const packed = packObservations(DISCRETE, batch);
    assertEquals(
      Int32Array.from(printed.actions.flat()),
      await policy.act(packed.obs, packed.avail),
    );
    policy.dispose();
    Deno.writeTextFileSync(file, JSON.stringify({ observations: [[[1, 2, 3]]] }));
    const bad = await cli("policies", "act", "picker", "--obs", file);
    assertEquals(bad.code, 2);
    assert(bad.err.includes("expected 2 rows (nAgents) of shape [B, 2, 4]"), bad.err);
  } finally {
    Deno.env.delete("OMIGA_HOME");
    Deno.removeSync(home, { recursive: true });
  }
});
