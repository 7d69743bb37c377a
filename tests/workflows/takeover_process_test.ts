/**
 * Durability across real process deaths: `worker --until-idle` processes are killed with
 * SIGKILL in the middle of a checkpointed Worker step, and fresh ones take the step over once
 * its lease expires and resume it from its last checkpoint.
 */
import { assert, assertEquals } from "../assert.ts";
import {
  defaultRegistry,
  Engine,
  runArtifactsDir,
  type RunEvent,
  WorkflowStore,
} from "../../workflows/mod.ts";
import { CHAIN_ARTIFACT, chainDigest, encode } from "../../workflows/demo/hash_chain_body.ts";
import { eventsOf, nextEvent, spawnWorker } from "./test_engine.ts";

async function kill(child: Deno.ChildProcess): Promise<void> {
  child.kill("SIGKILL");
  const { signal } = await child.output();
  assertEquals(signal, "SIGKILL");
}

const payload = (event: RunEvent) => event.payload as Record<string, unknown>;

Deno.test("a step killed mid-way (twice) is taken over and resumed from its checkpoint", async () => {
  const home = Deno.makeTempDirSync({ prefix: "omiga-kill-" });
  const store = WorkflowStore.open({ home });
  const engine = new Engine(store, defaultRegistry());
  const params = { iterations: 4_000, roundsPerIteration: 100_000, checkpointEvery: 50, seed: 5 };
  const { run } = engine.submit("hash-chain", params);
  const isCheckpoint = (minimum: number) => (e: RunEvent) =>
    e.type === "step.checkpoint" && Number(payload(e).sequence) >= minimum;

  // First worker: killed after its third checkpoint.
  const first = spawnWorker(home);
  const third = await nextEvent(store, run.id, isCheckpoint(3));
  await kill(first);
  const orphan = store.runs.steps(run.id)[1];
  assertEquals(orphan.state, "running"); // nobody released it: the process just vanished

  // Second worker: takes over after the lease expires, resumes, is killed three checkpoints on.
  const second = spawnWorker(home);
  const takeover = await nextEvent(
    store,
    run.id,
    (e) => e.type === "step.started" && e.stepId === "chain",
    third.seq,
  );
  assertEquals(payload(takeover).takeoverFrom, orphan.leaseOwner);
  const restored = await nextEvent(store, run.id, (e) => e.type === "step.restored", takeover.seq);
  assert(Number(payload(restored).sequence) >= 3);
  const later = await nextEvent(
    store,
    run.id,
    isCheckpoint(Number(payload(restored).sequence) + 3),
    restored.seq,
  );
  await kill(second);

  // Third worker: finishes the run and exits by itself.
  const third_ = spawnWorker(home);
  const { code, stdout } = await third_.output();
  assertEquals(code, 0, new TextDecoder().decode(stdout));

  const finished = store.runs.get(run.id);
  assertEquals(finished.state, "succeeded", finished.error ?? "");
  const plan = store.runs.steps(run.id)[0].output as { start: number };
  const reference = chainDigest({ start: plan.start, ...params });
  assertEquals((finished.output as { digest: string }).digest, reference);
  // The run's artifact is byte-identical to the one an uninterrupted chain writes.
  assertEquals(
    Deno.readFileSync(`${runArtifactsDir(home, run.id)}/${CHAIN_ARTIFACT}`),
    encode(params.iterations, parseInt(reference, 16)),
  );
  // Finished steps were not run again; the chain ran three times, resuming twice.
  const starts = eventsOf(store, run.id, "step.started");
  assertEquals(starts.filter((e) => e.stepId === "plan").length, 1);
  assertEquals(starts.filter((e) => e.stepId === "report").length, 1);
  const chainStarts = starts.filter((e) => e.stepId === "chain");
  assertEquals(chainStarts.length, 3);
  assert(chainStarts.slice(1).every((e) => payload(e).takeoverFrom !== null));
  const resumedAt = eventsOf(store, run.id, "step.restored").map((e) =>
    Number(payload(e).sequence)
  );
  assertEquals(resumedAt.length, 2);
  assert(resumedAt[1] >= Number(payload(later).sequence), `${resumedAt}`);
  assert((store.runs.steps(run.id)[1].output as { resumedFrom: number }).resumedFrom > 0);
  store.close();
  Deno.removeSync(home, { recursive: true });
});

Deno.test("two worker processes on one store run every step exactly once", async () => {
  const home = Deno.makeTempDirSync({ prefix: "omiga-two-" });
  const store = WorkflowStore.open({ home });
  const engine = new Engine(store, defaultRegistry());
  const runs = Array.from({ length: 6 }, (_, seed) =>
    engine.submit("hash-chain", {
      iterations: 40,
      roundsPerIteration: 2_000,
      checkpointEvery: 10,
      seed,
    }).run);
  const results = await Promise.all([spawnWorker(home).output(), spawnWorker(home).output()]);
  for (const result of results) {
    assertEquals(result.code, 0, new TextDecoder().decode(result.stderr));
  }
  for (const run of runs) {
    assertEquals(store.runs.get(run.id).state, "succeeded");
    const starts = eventsOf(store, run.id, "step.started").map((e) => e.stepId);
    assertEquals(starts, ["plan", "chain", "report"]);
  }
  store.close();
  Deno.removeSync(home, { recursive: true });
});
