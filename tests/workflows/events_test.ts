import { z } from "zod";
import { assertEquals } from "../assert.ts";
import { defineWorkflow, type RunEvent } from "../../workflows/mod.ts";
import { openTestEngine } from "./test_engine.ts";

const progressing = defineWorkflow({
  name: "progress",
  description: "test",
  params: z.object({ total: z.number().int() }),
})
  .step("loop", {
    input: ({ params }) => params.total,
    run: async (total, ctx) => {
      for (let i = 1; i <= total; i++) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        ctx.progress({ unit: "iteration", done: i, total, metrics: { loss: 1 / i } });
      }
      ctx.log("done looping", { total });
      return total;
    },
  })
  .build();

async function collect(events: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const all: RunEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

Deno.test("events replay from a sequence number and end with the run", async () => {
  using t = openTestEngine([progressing]);
  const { run } = t.engine.submit("progress", { total: 5 });
  await t.engine.execute(run.id);
  const all = t.store.events.list(run.id);
  assertEquals(all.map((e) => e.seq), all.map((_, i) => i + 1));
  assertEquals(all.filter((e) => e.type === "step.progress").length, 5);
  const tail = await collect(t.engine.events(run.id, { afterSeq: 4 }));
  assertEquals(tail, all.slice(4));
  assertEquals(tail.at(-1)?.type, "run.succeeded");
  const progress = all.filter((e) => e.type === "step.progress").map((e) => e.payload);
  assertEquals((progress[4] as { metrics: { loss: number } }).metrics.loss, 0.2);
});

Deno.test("a follower started before the run sees every event live, in order", async () => {
  using t = openTestEngine([progressing]);
  const { run } = t.engine.submit("progress", { total: 20 });
  const following = collect(t.engine.events(run.id));
  await t.engine.execute(run.id);
  const seen = await following;
  assertEquals(seen, t.store.events.list(run.id));
  assertEquals(seen[0].type, "run.submitted");
  assertEquals(seen.at(-1)?.type, "run.succeeded");
});

Deno.test("a follower on another connection sees events written elsewhere (polling)", async () => {
  using writer = openTestEngine([progressing]);
  using reader = openTestEngine(writer.engine.registry, {}, writer.home, false);
  const { run } = writer.engine.submit("progress", { total: 10 });
  const following = collect(reader.store.events.follow(run.id, { afterSeq: 1, pollMs: 20 }));
  await writer.engine.execute(run.id);
  const seen = await following;
  assertEquals(seen.map((e) => e.seq), writer.store.events.list(run.id).slice(1).map((e) => e.seq));
});

Deno.test("progress reports get a rate and an ETA when a total is known", async () => {
  using t = openTestEngine([progressing]);
  const { run } = t.engine.submit("progress", { total: 3 });
  await t.engine.execute(run.id);
  const reports = t.store.events.list(run.id).filter((e) => e.type === "step.progress")
    .map((e) => e.payload as { perSecond?: number; etaSeconds?: number; done: number });
  assertEquals(reports[0].perSecond, undefined);
  for (const report of reports.slice(1)) {
    assertEquals(typeof report.perSecond, "number");
    assertEquals(typeof report.etaSeconds, "number");
  }
  assertEquals(reports.at(-1)?.etaSeconds, 0);
});

Deno.test("replaying a run that failed and was resumed goes on past the old failure", async () => {
  let tries = 0;
  const workflow = defineWorkflow({ name: "second-try", description: "test", params: z.object({}) })
    .step("work", {
      retry: { maxAttempts: 1 },
      input: () => null,
      run: () => (++tries === 1
        ? Promise.reject(new Error("first try fails"))
        : Promise.resolve(tries)),
    })
    .build();
  using t = openTestEngine([workflow]);
  const { run } = t.engine.submit("second-try", {});
  assertEquals((await t.engine.execute(run.id)).state, "failed");
  t.engine.resume(run.id);
  await t.engine.execute(run.id);
  const types = (await collect(t.engine.events(run.id))).map((e) => e.type);
  assertEquals(types.filter((type) => type.startsWith("run.")), [
    "run.submitted",
    "run.started",
    "run.failed",
    "run.resumed",
    "run.started",
    "run.succeeded",
  ]);
});

Deno.test("a reader that resumes after a finished run's last event ends at once", async () => {
  using t = openTestEngine([progressing]);
  const { run } = t.engine.submit("progress", { total: 2 });
  await t.engine.execute(run.id);
  const last = t.store.events.list(run.id).at(-1)!.seq;
  assertEquals(await collect(t.engine.events(run.id, { afterSeq: last })), []);
  assertEquals(await collect(t.engine.events(run.id, { afterSeq: last + 10 })), []);
});
