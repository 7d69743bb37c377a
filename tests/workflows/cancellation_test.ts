import { z } from "zod";
import { assert, assertEquals } from "../assert.ts";
import { defineWorkflow, RunCancelledError } from "../../workflows/mod.ts";
import { eventsOf, Gate, nextEvent, openTestEngine } from "./test_engine.ts";

function cancellable(seen: { reasons: unknown[]; finishes: number }, started: () => void) {
  return defineWorkflow({
    name: "long",
    description: "test",
    params: z.object({}),
  })
    .step("train", {
      concurrency: "cpu",
      input: () => null,
      run: async (_input, ctx) => {
        started();
        if (ctx.attempt === 1 && seen.reasons.length === 0) {
          // Training checks its signal between iterations; here it just waits for it.
          await new Promise<void>((resolve) =>
            ctx.signal.addEventListener("abort", () => resolve(), { once: true })
          );
          seen.reasons.push(ctx.signal.reason);
          ctx.signal.throwIfAborted();
        }
        seen.finishes++;
        return "trained";
      },
    })
    .step("evaluate", { input: ({ outputs }) => outputs.train, run: (x) => Promise.resolve(x) })
    .build();
}

Deno.test("cancelling a run aborts its running step's signal, and the run can be resumed", async () => {
  const seen = { reasons: [] as unknown[], finishes: 0 };
  const started = new Gate();
  using t = openTestEngine([cancellable(seen, () => started.open())]);
  const { run } = t.engine.submit("long", {});
  const execution = t.engine.execute(run.id);
  await started.promise;
  t.engine.cancel(run.id);
  const cancelled = await execution;
  assertEquals(cancelled.state, "cancelled");
  assert(seen.reasons[0] instanceof RunCancelledError);
  assertEquals(t.store.runs.steps(run.id).map((s) => s.state), ["cancelled", "cancelled"]);
  assertEquals(eventsOf(t.store, run.id, "step.cancelled").length, 1);

  t.engine.resume(run.id);
  const resumed = await t.engine.execute(run.id);
  assertEquals(resumed.state, "succeeded");
  assertEquals(resumed.output, "trained");
  // The interrupted attempt was given back, not counted as a failure.
  assertEquals(t.store.runs.steps(run.id)[0].attempt, 1);
});

Deno.test("a cancel from another process reaches the step through its heartbeat", async () => {
  const seen = { reasons: [] as unknown[], finishes: 0 };
  const started = new Gate();
  using worker = openTestEngine([cancellable(seen, () => started.open())]);
  using other = openTestEngine(worker.engine.registry, {}, worker.home, false);
  const { run } = other.engine.submit("long", {});
  const execution = worker.engine.execute(run.id);
  await started.promise;
  other.engine.cancel(run.id); // no step of this run runs in `other`
  assertEquals((await execution).state, "cancelled");
  assert(seen.reasons[0] instanceof RunCancelledError);
  await nextEvent(worker.store, run.id, (e) => e.type === "step.cancelled");
});
