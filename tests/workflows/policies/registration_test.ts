/**
 * Runs register their policies: on success only, under `policyName` or the schedule's id, with
 * lineage and files; the gate decides on the same episodes and the summary says why.
 */
import { join } from "node:path";
import { assert, assertEquals } from "../../assert.ts";
import { selectBackend } from "../../../core/backend/mod.ts";
import { loadPolicy } from "../../../core/learn/mod.ts";
import { defaultRegistry, Engine, Scheduler, WorkflowStore } from "../../../workflows/mod.ts";
import type { TrainEvaluateReport } from "../../../workflows/train_evaluate/mod.ts";
import { TEST_ENGINE } from "../test_engine.ts";

const TINY = {
  env: "spread",
  tier: "medium",
  episodes: 8,
  iterations: 10,
  hiddenSize: 16,
  batchSize: 16,
  evalEpisodes: 2,
  checkpointEvery: 10,
  seed: 2,
  backend: "cpu",
};

async function runToEnd(engine: Engine, params: Record<string, unknown>) {
  const { run } = engine.submit("train-evaluate", params);
  return await engine.execute(run.id);
}

Deno.test({
  name: "a successful run registers a version with lineage and files; a failed one registers none",
  sanitizeResources: false,
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "omiga-register-" });
    using store = WorkflowStore.open({ home });
    const engine = new Engine(store, defaultRegistry(), TEST_ENGINE);

    const unnamed = await runToEnd(engine, TINY);
    assertEquals(unnamed.state, "succeeded", unnamed.error ?? "");
    assertEquals(store.policies.list(), [], "no name, no registration");

    const named = await runToEnd(engine, { ...TINY, policyName: "spread" });
    assertEquals(named.state, "succeeded", named.error ?? "");

    // A dataset removed after submission fails the run's first step: nothing is registered.
    const doomed = engine.submit("train-evaluate", {
      ...TINY,
      env: undefined,
      tier: undefined,
      dataset: (unnamed.output as unknown as TrainEvaluateReport).dataset.id,
      policyName: "spread",
    });
    await Deno.remove(join(home, "datasets"), { recursive: true });
    assertEquals((await engine.execute(doomed.run.id)).state, "failed");
    assertEquals(store.policies.byRun(doomed.run.id), undefined, "a failed run registers nothing");
    assertEquals(store.policies.versions("spread").length, 1);

    const version = store.policies.byRun(named.id)!;
    assertEquals([version.name, version.version, version.latest], ["spread", 1, true]);
    const report = named.output as unknown as TrainEvaluateReport;
    assertEquals(version.metrics.score, report.policy?.normalisedScore);
    assertEquals(version.metrics.scoreKind, "normalised_score");
    assert(Number.isFinite(version.metrics.weightEss), "weight ESS recorded");
    assertEquals(version.lineage.datasetId, report.dataset.id);
    assertEquals(version.lineage.datasetContentHash.length, 64);
    assertEquals(version.lineage.algorithm, "omiga");
    assertEquals((version.lineage.config as Record<string, unknown>).hiddenSize, 16);
    assertEquals(version.lineage.backend, "cpu");
    assert(version.lineage.codeVersion.startsWith("0."), version.lineage.codeVersion);
    assertEquals(report.registry?.version, 1);
    assert(report.summary.includes("spread v1, now latest"), report.summary);
    await selectBackend({ backend: "cpu" });
    const policy = loadPolicy(await Deno.readFile(join(home, version.files.policy)));
    assertEquals(policy.spec.nAgents, 3, "the registry holds a loadable copy of the policy");
    policy.dispose();
    assertEquals(version.files.onnx?.split("/").at(-1), "policy.onnx", "and of its ONNX form");
    assert((await Deno.stat(join(home, version.files.onnx!))).size > 0);
  },
});

Deno.test({
  name: "promotion gate on the same episodes both ways: the better run wins whichever came first",
  sanitizeResources: false,
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "omiga-gate-" });
    using store = WorkflowStore.open({ home });
    const engine = new Engine(store, defaultRegistry(), TEST_ENGINE);
    // Two trainings evaluated on the same episodes (same seed, episodes, environment).
    const short = { ...TINY, iterations: 2 };
    const long = { ...TINY, iterations: 30 };
    const scores: number[] = [];
    for (const [name, first, second] of [["a", short, long], ["b", long, short]] as const) {
      const one = await runToEnd(engine, { ...first, policyName: name });
      const two = await runToEnd(engine, { ...second, policyName: name });
      assertEquals([one.state, two.state], ["succeeded", "succeeded"]);
      const v1 = store.policies.byRun(one.id)!;
      const v2 = store.policies.byRun(two.id)!;
      assertEquals(v1.evaluationHash, v2.evaluationHash, "the same episodes");
      scores.push(v1.metrics.score!, v2.metrics.score!);
      const summary = (two.output as unknown as TrainEvaluateReport).summary;
      assert(summary.includes(v2.decision.reason), summary);
      assertEquals(v2.decision.promoted, v2.metrics.score! >= v1.metrics.score!);
    }
    const [aShort, aLong] = scores;
    assert(aShort !== aLong, `the two trainings score differently (${scores})`);
    // One of the two second registrations was promoted and the other refused.
    const promoted = ["a", "b"].map((name) => store.policies.get(name).latestVersion);
    assertEquals(promoted.sort(), [1, 2]);
  },
});

Deno.test({
  name: "a scheduled run registers under the schedule's id",
  sanitizeResources: false,
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "omiga-scheduled-" });
    using store = WorkflowStore.open({ home });
    const engine = new Engine(store, defaultRegistry(), TEST_ENGINE);
    const scheduler = new Scheduler(engine);
    scheduler.add(
      { id: "nightly", cron: "0 3 * * *", workflow: "train-evaluate", params: TINY },
      0,
    );
    const [firing] = scheduler.tick(Date.UTC(2030, 0, 1));
    const run = await engine.execute(firing.runId!);
    assertEquals(run.state, "succeeded", run.error ?? "");
    assertEquals(store.policies.byRun(run.id)?.name, "nightly");
    assertEquals(store.policies.get("nightly").latestVersion, 1);
  },
});
