import { z } from "zod";
import { assertEquals, assertThrows } from "../../assert.ts";
import { ValidationError } from "../../../core/errors.ts";
import { defineWorkflow, NotFoundError } from "../../../workflows/mod.ts";
import { openTestEngine } from "../test_engine.ts";

const twoSteps = defineWorkflow({
  name: "two-steps",
  description: "test",
  params: z.object({ fail: z.boolean().default(false) }),
})
  .step("first", {
    input: ({ params }) => params.fail,
    run: (fail, ctx) => {
      ctx.progress({ unit: "iteration", done: 1, total: 2, perSecond: 3 });
      ctx.progress({ unit: "iteration", done: 2, total: 2, perSecond: 4 });
      if (fail) return Promise.reject(new Error("planned failure"));
      return Promise.resolve(1);
    },
  })
  .step("second", { input: () => null, run: () => Promise.resolve(2) })
  .build();

Deno.test("run pages walk every run once, newest first, within a filter", () => {
  using t = openTestEngine([twoSteps]);
  const ids = Array.from({ length: 7 }, () => t.engine.submit("two-steps", {}).run.id);
  t.engine.cancel(ids[2]);
  t.engine.cancel(ids[5]);
  const seen: string[] = [];
  let before: number | undefined;
  for (let pages = 0; pages < 10; pages++) {
    const page = t.store.runs.page({ limit: 3, before });
    seen.push(...page.runs.map((run) => run.id));
    if (page.next === null) break;
    before = page.next;
  }
  assertEquals(seen, [...ids].reverse());
  const cancelled = t.store.runs.page({ state: "cancelled", limit: 1 });
  assertEquals(cancelled.runs.map((run) => run.id), [ids[5]]);
  const rest = t.store.runs.page({ state: "cancelled", limit: 1, before: cancelled.next! });
  assertEquals([rest.runs.map((run) => run.id), rest.next], [[ids[2]], null]);
  assertEquals(t.store.runs.page({ workflow: "other", limit: 5 }), { runs: [], next: null });
});

Deno.test("runs are counted by state, steps found by finish time, the latest event by type", async () => {
  using t = openTestEngine([twoSteps]);
  const started = Date.now();
  const ok = t.engine.submit("two-steps", {}).run.id;
  const failing = t.engine.submit("two-steps", { fail: true }).run.id;
  t.engine.submit("two-steps", {});
  await t.engine.execute(ok);
  await t.engine.execute(failing);
  const counts = t.store.runs.countByState();
  assertEquals(counts, { queued: 1, running: 0, succeeded: 1, failed: 1, cancelled: 0 });
  const finished = t.store.steps.finishedBetween(started, Date.now() + 1);
  const outcomes = finished.map((s) => `${s.runId === ok ? "ok" : "bad"}:${s.stepId}:${s.state}`);
  assertEquals(outcomes.sort(), ["bad:first:failed", "ok:first:succeeded", "ok:second:succeeded"]);
  assertEquals(finished.every((s) => s.workflow === "two-steps"), true);
  assertEquals(t.store.steps.finishedBetween(0, started), []);
  const latest = t.store.events.latest(ok, "step.progress");
  assertEquals((latest?.payload as { done: number }).done, 2);
  assertEquals(t.store.events.latest(ok, "no.such.type"), undefined);
});

Deno.test("a run id prefix names its run when one run has it, and is refused when several do", () => {
  using t = openTestEngine([twoSteps]);
  const insert = (id: string) =>
    t.store.runs.insert({ id, workflow: "two-steps", params: {}, requestHash: id, steps: [] });
  insert("abcd1234-0000-4000-8000-000000000001");
  insert("abcd1299-0000-4000-8000-000000000002");
  insert("ffee0000-0000-4000-8000-000000000003");
  assertEquals(t.store.runs.resolveId("ffee"), "ffee0000-0000-4000-8000-000000000003");
  assertThrows(() => t.store.runs.resolveId("ABCD12"), ValidationError, "is ambiguous");
  assertEquals(t.store.runs.resolveId("abcd123"), "abcd1234-0000-4000-8000-000000000001");
  assertEquals(
    t.store.runs.resolveId("abcd1299-0000-4000-8000-000000000002"),
    "abcd1299-0000-4000-8000-000000000002",
  );
  assertThrows(() => t.store.runs.resolveId("abcd12"), ValidationError, "is ambiguous");
  assertThrows(() => t.store.runs.resolveId("abc"), NotFoundError, 'no run with id "abc"');
  assertThrows(() => t.store.runs.resolveId("0000"), NotFoundError);
  assertThrows(() => t.store.runs.resolveId("ab%d"), NotFoundError);
});
