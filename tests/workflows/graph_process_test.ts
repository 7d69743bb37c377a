/**
 * Graphs across real processes (`deno task omiga worker`): a process killed (SIGKILL) while it
 * runs two steps at once leaves both to be taken over, each resuming from its checkpoint; and a
 * concurrency key's limit holds across two worker processes on one home.
 */
import { assert, assertEquals } from "../assert.ts";
import { chainStepId, defaultRegistry, type RunEvent } from "../../workflows/mod.ts";
import { chainDigest } from "../../workflows/demo/hash_chain_body.ts";
import { chainStarts } from "../../workflows/demo/hash_chain.ts";
import { eventsOf, nextEvent, openTestEngine, spawnWorker } from "./test_engine.ts";

/** The digests uninterrupted chains of `hash-fan` end with. */
function expectedDigests(
  params: { chains: number; seed: number; iterations: number; rounds: number },
) {
  return chainStarts(params.seed, params.chains).map((start) =>
    chainDigest({ start, iterations: params.iterations, roundsPerIteration: params.rounds })
  );
}

Deno.test({
  name: "kill -9 of a process running two steps at once: both are taken over and resume",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    using t = openTestEngine(defaultRegistry());
    const { home, store, engine } = t;
    store.limits.set("cpu", 2);
    // Long enough that neither chain can end before the other has checkpointed.
    const params = {
      chains: 2,
      iterations: 3_000,
      roundsPerIteration: 20_000,
      checkpointEvery: 20,
    };
    const { run } = engine.submit("hash-fan", params);

    // Kill the worker once both chains have written a checkpoint: both were running at once.
    const worker = spawnWorker(home, "null");
    const checkpointed = new Set<string>();
    await nextEvent(
      store,
      run.id,
      (e: RunEvent) => {
        if (e.type === "step.checkpoint" && e.stepId !== null) checkpointed.add(e.stepId);
        return checkpointed.size === 2;
      },
      0,
      120_000,
    );
    worker.kill("SIGKILL");
    assertEquals((await worker.status).signal, "SIGKILL");
    const states = store.runs.steps(run.id).map((s) => s.state);
    assertEquals(states.slice(1, 3), ["running", "running"], "both chains were mid-way");

    // An engine here takes both over once their leases expire.
    const finished = await engine.execute(run.id);
    assertEquals(finished.state, "succeeded", finished.error ?? "");
    const output = finished.output as { digests: string[]; resumedFrom: number[] };
    assertEquals(
      output.digests,
      expectedDigests({ chains: 2, seed: 0, iterations: 3_000, rounds: 20_000 }),
    );
    for (const [i, from] of output.resumedFrom.entries()) {
      assert(from > 0, `chain ${i} resumed from a checkpoint, not from the start`);
    }
    const takeovers = eventsOf(store, run.id, "step.started")
      .filter((e) => (e.payload as { takeoverFrom: string | null }).takeoverFrom !== null)
      .map((e) => e.stepId).sort();
    assertEquals(takeovers, [chainStepId(0), chainStepId(1)]);
    assertEquals(eventsOf(store, run.id, "step.restored").length, 2);
  },
});

Deno.test({
  name: "a concurrency key's limit holds across two worker processes on one home",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    using t = openTestEngine(defaultRegistry());
    const { home, store, engine } = t;
    store.limits.set("cpu", 1);
    const params = { chains: 4, iterations: 60, roundsPerIteration: 20_000, checkpointEvery: 20 };
    const { run } = engine.submit("hash-fan", params);
    const workers = [spawnWorker(home, "null"), spawnWorker(home, "null")];
    const statuses = await Promise.all(workers.map((w) => w.status));
    assertEquals(statuses.map((s) => s.code), [0, 0]);
    assertEquals(store.runs.get(run.id).state, "succeeded");

    // Each chain's lease, from its claim to its release: no two may overlap in the event log
    // (sequence numbers are assigned in the same transactions as the state changes).
    const events = store.events.list(run.id, 0, 100_000);
    const spans = Array.from({ length: params.chains }, (_, i) => {
      const id = chainStepId(i);
      const start = events.find((e) => e.type === "step.started" && e.stepId === id)!.seq;
      const end = events.find((e) => e.type === "step.succeeded" && e.stepId === id)!.seq;
      return { id, start, end };
    }).sort((a, b) => a.start - b.start);
    for (let i = 1; i < spans.length; i++) {
      assert(
        spans[i].start > spans[i - 1].end,
        `${spans[i].id} started before ${spans[i - 1].id} finished: ${JSON.stringify(spans)}`,
      );
    }
    assertEquals(
      (store.runs.get(run.id).output as { digests: string[] }).digests,
      expectedDigests({ chains: 4, seed: 0, iterations: 60, rounds: 20_000 }),
    );
  },
});
