import { z } from "zod";
import { assertEquals } from "../assert.ts";
import { defineWorkflow } from "../../workflows/mod.ts";
import { eventsOf, openTestEngine } from "./test_engine.ts";

const counting = (executions: string[]) =>
  defineWorkflow({ name: "count", description: "test", params: z.object({ n: z.number() }) })
    .step("first", {
      input: ({ params }) => params.n,
      run: async (n, ctx) => {
        executions.push(`${ctx.runId}/first`);
        await new Promise((resolve) => setTimeout(resolve, 1));
        return n + 1;
      },
    })
    .step("second", {
      concurrency: "cpu",
      input: ({ outputs }) => outputs.first,
      run: async (n, ctx) => {
        executions.push(`${ctx.runId}/second`);
        await new Promise((resolve) => setTimeout(resolve, 1));
        return n * 2;
      },
    })
    .build();

Deno.test("a step whose owner stopped heartbeating is taken over after its lease expires", async () => {
  const executions: string[] = [];
  using t = openTestEngine([counting(executions)], { leaseMs: 300, heartbeatMs: 50 });
  const { run } = t.engine.submit("count", { n: 1 });
  // A process that claimed the first step and then died: it holds a lease it never renews.
  const dead = t.store.steps.claim({
    owner: "dead-process",
    now: Date.now(),
    leaseMs: 300,
    limitOf: () => 1,
    workflows: ["count"],
  });
  assertEquals(dead?.step.stepId, "first");
  const finished = await t.engine.execute(run.id);
  assertEquals(finished.state, "succeeded");
  assertEquals(finished.output, 4);
  const starts = eventsOf(t.store, run.id, "step.started").filter((e) => e.stepId === "first");
  assertEquals(starts.map((e) => (e.payload as { takeoverFrom: string | null }).takeoverFrom), [
    null,
    "dead-process",
  ]);
  assertEquals(t.store.runs.steps(run.id)[0].attempt, 2);
  // The old owner coming back cannot overwrite the result.
  assertEquals(t.store.steps.succeed(run.id, "first", "dead-process", 99), false);
  assertEquals(t.store.runs.steps(run.id)[0].output, 2);
});

Deno.test("two engines on one store never run the same step twice", async () => {
  const executions: string[] = [];
  const workflow = counting(executions);
  using a = openTestEngine([workflow], { concurrency: 3, limits: { cpu: 2 } });
  using b = openTestEngine(
    a.engine.registry,
    { concurrency: 3, limits: { cpu: 2 } },
    a.home,
    false,
  );
  const runs = Array.from({ length: 12 }, (_, n) => a.engine.submit("count", { n }).run);
  await Promise.all([a.engine.work({ untilIdle: true }), b.engine.work({ untilIdle: true })]);
  for (const run of runs) assertEquals(a.store.runs.get(run.id).state, "succeeded");
  assertEquals(executions.length, 24);
  assertEquals(new Set(executions).size, 24);
  const owners = new Set(
    runs.flatMap((run) =>
      eventsOf(a.store, run.id, "step.started").map((e) => (e.payload as { owner: string }).owner)
    ),
  );
  // Each engine claimed steps before its first await, so both did part of the work.
  assertEquals(owners.size, 2);
});
