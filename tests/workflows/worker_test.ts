import { z } from "zod";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { ValidationError } from "../../core/errors.ts";
import {
  defineWorkflow,
  hashChainWorkflow,
  inWorker,
  NonRetriableError,
  RunCancelledError,
  type StepContext,
} from "../../workflows/mod.ts";
import { Collective, type TeamMemory } from "../../core/learn/parallel/collective.ts";
import { chainDigest } from "../../workflows/demo/hash_chain_body.ts";
import { eventsOf, Gate, nextEvent, openTestEngine } from "./test_engine.ts";

const bodies = new URL("./fixtures/worker_bodies.ts", import.meta.url);

/** A context that records what the Worker relays. */
function recordingContext(signal = new AbortController().signal) {
  const seen = { progress: [] as unknown[], logs: [] as string[], saved: [] as Uint8Array[] };
  const firstProgress = new Gate();
  const ctx: StepContext = {
    runId: "run",
    stepId: "step",
    attempt: 1,
    signal,
    home: "/nonexistent",
    artifactsDir: "/nonexistent",
    store: { home: "/nonexistent", url: "sqlite", artifacts: "/nonexistent" },
    cores: 1,
    checkpoint: {
      save: (bytes) => Promise.resolve(seen.saved.push(bytes)),
      load: () => Promise.resolve(seen.saved.at(-1)),
    },
    progress: (p) => {
      seen.progress.push(p);
      firstProgress.open();
    },
    log: (message) => void seen.logs.push(message),
    annotate: () => {},
  };
  return { ctx, seen, firstProgress };
}

Deno.test("the main thread's timers keep firing while a Worker step is CPU-bound", async () => {
  // The Worker spins without yielding until it sees the 5th tick of a main-thread timer, so
  // the step can only finish if this thread stays free while the Worker computes.
  const ticks = new Int32Array(new SharedArrayBuffer(4));
  const timer = setInterval(() => Atomics.add(ticks, 0, 1), 5);
  try {
    const { ctx } = recordingContext();
    const body = inWorker<
      { ticks: Int32Array; more: number },
      { spins: number; ticksAtStart: number; ticksAtEnd: number }
    >(bodies, "spinUntilMainTicks");
    const output = await body({ ticks, more: 5 }, ctx);
    // The Worker was busy from its first tick count to its last: the main thread ticked
    // 5 more times meanwhile.
    assert(output.spins > 0);
    assert(output.ticksAtEnd - output.ticksAtStart >= 5, JSON.stringify(output));
  } finally {
    clearInterval(timer);
  }
});

Deno.test("a CPU-bound chain in a Worker checkpoints through the engine and matches the reference", async () => {
  using t = openTestEngine([hashChainWorkflow]);
  const params = { iterations: 60, roundsPerIteration: 5_000, checkpointEvery: 10, seed: 3 };
  const { run } = t.engine.submit("hash-chain", params);
  const finished = await t.engine.execute(run.id);
  assertEquals(finished.state, "succeeded", finished.error ?? "");
  const plan = t.store.runs.steps(run.id)[0].output as { start: number };
  const digest = chainDigest({ start: plan.start, iterations: 60, roundsPerIteration: 5_000 });
  assertEquals((finished.output as { digest: string }).digest, digest);
  assertEquals(
    eventsOf(t.store, run.id, "step.checkpoint").map((e) =>
      (e.payload as { sequence: number }).sequence
    ),
    [1, 2, 3, 4, 5, 6],
  );
  assertEquals(eventsOf(t.store, run.id, "step.progress").length, 6);
  const files = [...Deno.readDirSync(`${t.home}/runs/${run.id}/checkpoints/chain`)].map((e) =>
    e.name
  )
    .sort();
  assertEquals(files, ["00000005.ckpt", "00000006.ckpt"]);
});

Deno.test("a chain resumed from a checkpoint ends with the same digest as one run straight through", async () => {
  using t = openTestEngine([hashChainWorkflow]);
  const params = { iterations: 2_000, roundsPerIteration: 20_000, checkpointEvery: 20, seed: 9 };
  const straight = await t.engine.execute(t.engine.submit("hash-chain", params).run.id);
  // The same chain again, cancelled after its second checkpoint, then resumed.
  const { run } = t.engine.submit("hash-chain", params, { idempotencyKey: "second" });
  const execution = t.engine.execute(run.id);
  await nextEvent(
    t.store,
    run.id,
    (e) => e.type === "step.checkpoint" && (e.payload as { sequence: number }).sequence >= 2,
  );
  t.engine.cancel(run.id);
  assertEquals((await execution).state, "cancelled");
  t.engine.resume(run.id);
  const resumed = await t.engine.execute(run.id);
  assertEquals(resumed.state, "succeeded");
  assertEquals(
    (resumed.output as { digest: string }).digest,
    (straight.output as { digest: string }).digest,
  );
  const chain = t.store.runs.steps(run.id)[1].output as { resumedFrom: number };
  assert(chain.resumedFrom >= 40 && chain.resumedFrom < 2_000, `resumed from ${chain.resumedFrom}`);
  assertEquals(eventsOf(t.store, run.id, "step.restored").length, 1);
});

Deno.test("cancellation is relayed into the Worker, which stops with the run's reason", async () => {
  const abort = new AbortController();
  const { ctx, seen, firstProgress } = recordingContext(abort.signal);
  const body = inWorker<null, never>(bodies, "waitForAbort");
  const result = body(null, ctx);
  // Progress and logs are relayed; once the first arrives the Worker is waiting on its signal.
  await firstProgress.promise;
  abort.abort(new RunCancelledError("run"));
  await assertRejects(() => result, RunCancelledError, "cancelled");
  assertEquals(seen.logs, ["waiting for cancellation"]);
  assertEquals(seen.progress, [{ unit: "tick", done: 1, total: 2 }]);
});

Deno.test("a Worker killed past its grace stops the team of training threads it started", async () => {
  const abort = new AbortController();
  const { ctx, firstProgress } = recordingContext(abort.signal);
  let team: TeamMemory | undefined;
  ctx.annotate = (name, value) => {
    if (name === "team") team = value as unknown as TeamMemory;
  };
  const body = inWorker<null, never>(bodies, "trainIgnoringAbort", { abortGraceMs: 200 });
  const result = body(null, ctx);
  await firstProgress.promise;
  assert(team !== undefined, "the body's team was posted");
  const seenBy = new Collective(team, 1);
  assertEquals(seenBy.stopReason, undefined);
  abort.abort(new RunCancelledError("run"));
  await assertRejects(() => result, RunCancelledError, "cancelled");
  // Its helper would otherwise sleep on until the heartbeat timeout (docs/threads.md).
  assertEquals(seenBy.stopReason, "the Worker running trainIgnoringAbort was stopped");
});

Deno.test("a non-retriable error in a Worker stays non-retriable and fails the run at once", async () => {
  let outside = 0;
  const workflow = defineWorkflow({ name: "reject", description: "test", params: z.object({}) })
    .step("check", {
      retry: { maxAttempts: 4, baseDelayMs: 1 },
      input: () => ({ field: "dataset" }),
      run: (input, ctx) => {
        outside++;
        return inWorker<{ field: string }, never>(bodies, "rejectInput")(input, ctx);
      },
    })
    .build();
  using t = openTestEngine([workflow]);
  const failed = await t.engine.execute(t.engine.submit("reject", {}).run.id);
  assertEquals(failed.state, "failed");
  assertEquals(failed.error, 'field "dataset" must not be empty');
  assertEquals(failed.errorCode, new ValidationError("").code);
  assertEquals(outside, 1);
});

Deno.test("a missing Worker export is a non-retriable error naming it", async () => {
  const { ctx } = recordingContext();
  await assertRejects(
    () => inWorker<null, never>(bodies, "noSuchBody")(null, ctx),
    NonRetriableError,
    "noSuchBody",
  );
});

Deno.test("a retriable error in a Worker is retried", async () => {
  const workflow = defineWorkflow({ name: "flaky", description: "test", params: z.object({}) })
    .step("call", {
      retry: { maxAttempts: 2, baseDelayMs: 1 },
      input: () => null,
      run: inWorker<null, never>(bodies, "flaky"),
    })
    .build();
  using t = openTestEngine([workflow]);
  const failed = await t.engine.execute(t.engine.submit("flaky", {}).run.id);
  assertEquals(failed.error, "the device was busy");
  assertEquals(t.store.runs.steps(failed.id)[0].attempt, 2);
});
