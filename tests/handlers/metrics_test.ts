import { z } from "zod";
import { assert, assertEquals } from "../assert.ts";
import { defineWorkflow } from "../../workflows/mod.ts";
import { Gate, nextEvent, withDeadline } from "../workflows/test_engine.ts";
import { openTestApp, QUICK_CHAIN } from "./test_app.ts";

/** Reports a known training rate, then waits for the test to let it finish. */
const release = new Map<string, Gate>();
const pacedTraining = defineWorkflow({
  name: "paced-training",
  description: "test",
  params: z.object({ rate: z.number() }),
})
  .step("train", {
    concurrency: "cpu",
    input: ({ params }) => params.rate,
    run: async (rate, ctx) => {
      ctx.progress({ unit: "iteration", done: 10, total: 20, perSecond: rate });
      await release.get(ctx.runId)!.promise;
      return rate;
    },
  })
  .build();

function sample(text: string, metric: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(metric + " "));
  return line === undefined ? undefined : Number(line.slice(metric.length + 1));
}

Deno.test("metrics count runs by state and time finished steps", async () => {
  using t = openTestApp();
  const submit = (params: unknown) =>
    t.call("/v1/runs", { method: "POST", json: { workflow: "hash-chain", params } });
  const done = await (await submit(QUICK_CHAIN)).json();
  const cancelled = await (await submit({ ...QUICK_CHAIN, seed: 1 })).json();
  await submit({ ...QUICK_CHAIN, seed: 2 });
  await t.call(`/v1/runs/${cancelled.id}/cancel`, { method: "POST" });
  await t.engine.execute(done.id);
  const text = await (await t.call("/metrics")).text();
  assertEquals(sample(text, 'omiga_runs{state="succeeded"}'), 1);
  assertEquals(sample(text, 'omiga_runs{state="cancelled"}'), 1);
  assertEquals(sample(text, 'omiga_runs{state="queued"}'), 1);
  assertEquals(sample(text, 'omiga_runs{state="failed"}'), 0);
  for (const step of ["plan", "chain", "report"]) {
    const count =
      `omiga_step_duration_seconds_count{workflow="hash-chain",step="${step}",outcome="succeeded"}`;
    assertEquals(sample(text, count), 1, count);
  }
  const again = await (await t.call("/metrics")).text();
  assertEquals(
    sample(
      again,
      'omiga_step_duration_seconds_count{workflow="hash-chain",step="chain",outcome="succeeded"}',
    ),
    1,
    "a step is observed once",
  );
});

Deno.test("metrics show the training rate of a running step and drop it when it ends", async () => {
  using t = openTestApp({ workflows: [pacedTraining] });
  const response = await t.call("/v1/runs", {
    method: "POST",
    json: { workflow: "paced-training", params: { rate: 42.5 } },
  });
  const { id } = await response.json();
  const gate = new Gate();
  release.set(id, gate);
  const execution = t.engine.execute(id);
  await nextEvent(t.store, id, (event) => event.type === "step.progress");
  const metric = `omiga_training_iterations_per_second{run_id="${id}",step="train"}`;
  assertEquals(sample(await (await t.call("/metrics")).text(), metric), 42.5);
  gate.open();
  assertEquals((await withDeadline(execution, 30_000, "the paced run")).state, "succeeded");
  const after = await (await t.call("/metrics")).text();
  assertEquals(sample(after, metric), undefined);
  assert(after.includes('omiga_runs{state="succeeded"} 1'));
});
