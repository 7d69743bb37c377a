/**
 * `train-evaluate` end to end on tiny budgets: generate, train in a Worker, evaluate, report;
 * and a training process killed mid-run resumes to the same policy bytes as an uninterrupted
 * run.
 */
import { join } from "node:path";
import { assert, assertEquals } from "../../assert.ts";
import { selectBackend } from "../../../core/backend/mod.ts";
import { decodeSafetensors } from "../../../core/checkpoint/mod.ts";
import { loadPolicy } from "../../../core/learn/mod.ts";
import {
  defaultRegistry,
  Engine,
  runArtifactsDir,
  type RunEvent,
  WorkflowStore,
} from "../../../workflows/mod.ts";
import { BUILT_IN_ALPHA, type TrainEvaluateReport } from "../../../workflows/train_evaluate/mod.ts";
import { nextEvent, spawnWorker, TEST_ENGINE } from "../test_engine.ts";

/** Small enough for a slow machine: tiny networks, few iterations, few episodes. */
const TINY = {
  env: "spread",
  tier: "medium",
  episodes: 8,
  iterations: 40,
  hiddenSize: 16,
  batchSize: 16,
  evalEpisodes: 2,
  evalEvery: 20,
  checkpointEvery: 10,
  seed: 2,
  backend: "cpu",
};

Deno.test({
  name: "train-evaluate generates, trains, evaluates and reports, with a learning curve",
  sanitizeResources: false,
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "omiga-te-" });
    using store = WorkflowStore.open({ home });
    const engine = new Engine(store, defaultRegistry(), TEST_ENGINE);
    const { run } = engine.submit("train-evaluate", TINY);
    const finished = await engine.execute(run.id);
    assertEquals(finished.state, "succeeded", finished.error ?? "");
    const report = finished.output as unknown as TrainEvaluateReport;
    assertEquals(report.training.iterations, 40);
    assertEquals(report.training.backend, "cpu");
    assertEquals(report.training.curve.map((p) => p.iteration), [20, 40]);
    assert(Number.isFinite(report.policy?.teamReturn), "the policy was evaluated");
    assert(Number.isFinite(report.policy?.normalisedScore), "with a normalised score");
    assertEquals(report.policy?.episodes, 2);
    assert(Number.isFinite(report.behaviour?.normalisedScore), "behaviour score from the manifest");
    assert(report.summary.includes("omiga score"), report.summary);
    // Without --alpha, a built-in environment trains at its tuned alpha, not the paper's 10;
    // the summary shows every effective parameter.
    assertEquals(report.alpha, BUILT_IN_ALPHA);
    assertEquals(report.config?.batchSize, 16);
    assertEquals(report.run?.checkpointEvery, 10);
    for (
      const shown of [
        `alpha 0.1 (the default for built-in environments)`,
        "batchSize 16, gamma 0.99",
        "hiddenSize 16, mixerHiddenSize 64, policyLr 0.0005",
        "seed 2, iterations 40, evalEvery 20, checkpointEvery 10, evalEpisodes 2",
      ]
    ) assert(report.summary.replace(/ +/g, " ").includes(shown), report.summary);

    const folder = runArtifactsDir(home, run.id);
    const onDisk = JSON.parse(await Deno.readTextFile(join(folder, "report.json")));
    assertEquals(onDisk.training.iterations, 40);
    // The policy is a plain safetensors file plus its architecture JSON.
    const weights = await Deno.readFile(join(folder, "policy.safetensors"));
    const tensors = decodeSafetensors(weights).tensors;
    assert(Object.keys(tensors).length >= 6, "three layers, weight and bias each");
    const architecture = JSON.parse(await Deno.readTextFile(join(folder, "policy.json")));
    await selectBackend({ backend: "cpu" });
    const policy = loadPolicy(weights, architecture);
    const actions = await policy.act(new Float32Array(2 * 3 * 14)) as Float32Array;
    assertEquals(actions.length, 2 * 3 * 2);
    assert(actions.every((a) => a >= -1 && a <= 1));
    policy.dispose();
    assertEquals(
      (finished.annotations.backend as { backend?: string } | undefined)?.backend,
      "cpu",
    );
    await Deno.remove(home, { recursive: true });
  },
});

Deno.test({
  name: "train-evaluate trains a baseline (bcq-ma's composite policy) and reports it by name",
  sanitizeResources: false,
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "omiga-te-" });
    using store = WorkflowStore.open({ home });
    const engine = new Engine(store, defaultRegistry(), TEST_ENGINE);
    const params = { ...TINY, algorithm: "bcq-ma", iterations: 10, evalEvery: 0 };
    const { run } = engine.submit("train-evaluate", params);
    const finished = await engine.execute(run.id);
    assertEquals(finished.state, "succeeded", finished.error ?? "");
    const report = finished.output as unknown as TrainEvaluateReport;
    assertEquals(report.algorithm, "bcq-ma");
    assertEquals(report.alpha, undefined);
    assert(Number.isFinite(report.policy?.normalisedScore), "the policy was evaluated");
    assert(report.summary.includes("bcq-ma score"), report.summary);
    assert(!report.summary.includes("alpha"), report.summary);
    const folder = runArtifactsDir(home, run.id);
    const architecture = JSON.parse(await Deno.readTextFile(join(folder, "policy.json")));
    assertEquals(architecture.algorithm, "bcq-ma");
    await selectBackend({ backend: "cpu" });
    const policy = loadPolicy(await Deno.readFile(join(folder, "policy.safetensors")));
    const actions = await policy.act(new Float32Array(2 * 3 * 14)) as Float32Array;
    assert(actions.length === 2 * 3 * 2 && actions.every((a) => a >= -1 && a <= 1));
    policy.dispose();
    await Deno.remove(home, { recursive: true });
  },
});

Deno.test({
  name: "train-evaluate rejects bad parameters naming the field",
  fn() {
    const home = Deno.makeTempDirSync({ prefix: "omiga-te-" });
    using store = WorkflowStore.open({ home });
    const engine = new Engine(store, defaultRegistry(), TEST_ENGINE);
    for (
      const [params, field] of [
        [{ iterations: 10 }, "dataset"],
        [{ env: "spread", iterations: 10 }, "tier"],
        [{ env: "spread", tier: "medium", iterations: -3 }, "iterations"],
        [{ env: "spread", tier: "medium", backend: "cuda" }, "backend"],
        [{ dataset: "x", env: "spread", tier: "medium" }, "dataset"],
        [{ env: "skirmish", tier: "medium", algorithm: "omar" }, "omar covers continuous"],
        [{ env: "spread", tier: "medium", algorithm: "cql-ma", alpha: 1 }, "alpha"],
        [{ env: "hopper-3x1", tier: "expert" }, "only the random tier"],
      ] as const
    ) {
      let message = "";
      try {
        engine.submit("train-evaluate", params);
      } catch (error) {
        message = (error as Error).message;
      }
      assert(
        message.includes(field),
        `${JSON.stringify(params)}: "${message}" should name ${field}`,
      );
    }
    assertEquals(store.runs.list().length, 0);
    Deno.removeSync(home, { recursive: true });
  },
});

Deno.test({
  name: "training killed twice mid-run resumes to the same policy bytes as an unbroken run",
  sanitizeResources: false,
  async fn() {
    const params = { ...TINY, iterations: 200, evalEvery: 0, checkpointEvery: 20, hiddenSize: 32 };
    const policyOf = async (home: string, runId: string) =>
      await Deno.readFile(join(runArtifactsDir(home, runId), "policy.safetensors"));

    // Reference: one uninterrupted run in this process.
    const reference = await Deno.makeTempDir({ prefix: "omiga-te-ref-" });
    let expected: Uint8Array;
    {
      using store = WorkflowStore.open({ home: reference });
      const engine = new Engine(store, defaultRegistry(), TEST_ENGINE);
      const { run } = engine.submit("train-evaluate", params);
      assertEquals((await engine.execute(run.id)).state, "succeeded");
      expected = await policyOf(reference, run.id);
    }

    // Broken: worker processes are killed twice mid-training, at different checkpoints.
    const home = await Deno.makeTempDir({ prefix: "omiga-te-kill-" });
    using store = WorkflowStore.open({ home });
    const engine = new Engine(store, defaultRegistry(), TEST_ENGINE);
    const { run } = engine.submit("train-evaluate", params);
    const trainCheckpoint = (minimum: number) => (e: RunEvent) =>
      e.type === "step.checkpoint" && e.stepId === "train" &&
      Number((e.payload as { sequence: number }).sequence) >= minimum;
    let after = 0;
    for (const killAt of [2, 4]) {
      const worker = spawnWorker(home);
      const checkpoint = await nextEvent(store, run.id, trainCheckpoint(killAt), after);
      worker.kill("SIGKILL");
      assertEquals((await worker.output()).signal, "SIGKILL");
      assertEquals(store.runs.steps(run.id).find((s) => s.stepId === "train")?.state, "running");
      after = checkpoint.seq;
    }

    const last = spawnWorker(home);
    const status = await last.output();
    assertEquals(status.code, 0, new TextDecoder().decode(status.stderr));
    const events = store.events.list(run.id, 0, 100_000);
    assertEquals(events.filter((e) => e.type === "step.restored").length, 2, "resumed twice");
    const started = (stepId: string) =>
      events.filter((e) => e.type === "step.started" && e.stepId === stepId).length;
    assertEquals(started("ingest"), 1, "a finished step is not run again");
    assertEquals(started("train"), 3);
    assertEquals(store.runs.get(run.id).state, "succeeded");
    const resumed = await policyOf(home, run.id);
    assertEquals(resumed, expected, "resumed training must give the same policy bytes");
    await Deno.remove(home, { recursive: true });
    await Deno.remove(reference, { recursive: true });
  },
});
