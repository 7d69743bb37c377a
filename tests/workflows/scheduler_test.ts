import { z } from "zod";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import { ValidationError } from "../../core/errors.ts";
import {
  defineWorkflow,
  type Firing,
  nextFiring,
  runEngineService,
  Scheduler,
} from "../../workflows/mod.ts";
import { Gate, openTestEngine, withDeadline } from "./test_engine.ts";

const nightly = defineWorkflow({
  name: "retrain",
  description: "test",
  params: z.object({ dataset: z.string().min(1), iterations: z.number().int().default(100) }),
})
  .step("train", {
    input: ({ params }) => params,
    run: (p) => Promise.resolve(`${p.dataset}:${p.iterations}`),
  })
  .build();

const at = (iso: string) => Date.parse(iso);

Deno.test("a due schedule submits exactly one run, even when ticked twice or by two schedulers", () => {
  using t = openTestEngine([nightly]);
  using other = openTestEngine(t.engine.registry, {}, t.home, false);
  const scheduler = new Scheduler(t.engine);
  const added = scheduler.add(
    { id: "nightly", cron: "0 3 * * *", workflow: "retrain", params: { dataset: "spread" } },
    at("2026-01-01T12:00:00Z"),
  );
  assertEquals(added.nextRunAt, at("2026-01-02T03:00:00Z"));
  assertEquals(added.params, { dataset: "spread", iterations: 100 });
  assertEquals(scheduler.tick(at("2026-01-02T02:59:59Z")), []);

  const due = at("2026-01-02T03:00:00Z");
  const [firing] = scheduler.tick(due);
  assertEquals(firing.dueAt, due);
  assert(firing.runId !== null);
  assertEquals(scheduler.tick(due), []);
  assertEquals(new Scheduler(other.engine).tick(due + 1_000), []);
  const runs = t.store.runs.list();
  assertEquals(runs.length, 1);
  assertEquals(runs[0].scheduleId, "nightly");
  assertEquals(runs[0].idempotencyKey, "schedule:nightly:2026-01-02T03:00:00.000Z");
  assertEquals(t.store.schedules.get("nightly").nextRunAt, at("2026-01-03T03:00:00Z"));
});

Deno.test("a restarted scheduler that re-reads a due time it already fired does not submit again", () => {
  using t = openTestEngine([nightly]);
  const scheduler = new Scheduler(t.engine);
  scheduler.add(
    { id: "hourly", cron: "0 * * * *", workflow: "retrain", params: { dataset: "d" } },
    at("2026-01-01T00:30:00Z"),
  );
  const due = at("2026-01-01T01:00:00Z");
  // A crash after submitting but before advancing: the schedule still says it is due.
  const { run } = t.engine.submit("retrain", { dataset: "d" }, {
    idempotencyKey: `schedule:hourly:${new Date(due).toISOString()}`,
    scheduleId: "hourly",
  });
  using restarted = openTestEngine(t.engine.registry, {}, t.home, false);
  const [firing] = new Scheduler(restarted.engine).tick(due + 5_000);
  assertEquals(firing.runId, run.id);
  assertEquals(t.store.runs.list().length, 1);
});

Deno.test("firings missed while the process was down collapse into one run", () => {
  using t = openTestEngine([nightly]);
  const scheduler = new Scheduler(t.engine);
  scheduler.add(
    { id: "often", cron: "*/5 * * * *", workflow: "retrain", params: { dataset: "d" } },
    at("2026-01-01T00:01:00Z"),
  );
  // Down from 00:01 to 00:32: six firings were missed.
  const firings = scheduler.tick(at("2026-01-01T00:32:00Z"));
  assertEquals(firings.length, 1);
  assertEquals(firings[0].dueAt, at("2026-01-01T00:05:00Z"));
  assertEquals(t.store.schedules.get("often").nextRunAt, at("2026-01-01T00:35:00Z"));
  assertEquals(t.store.runs.list().length, 1);
});

Deno.test("a schedule does not overlap itself: a firing while its last run is active is skipped", async () => {
  using t = openTestEngine([nightly]);
  const scheduler = new Scheduler(t.engine);
  scheduler.add(
    { id: "often", cron: "*/5 * * * *", workflow: "retrain", params: { dataset: "d" } },
    at("2026-01-01T00:01:00Z"),
  );
  const [first] = scheduler.tick(at("2026-01-01T00:05:00Z"));
  const [second] = scheduler.tick(at("2026-01-01T00:10:00Z"));
  assertEquals(second.runId, null);
  assert(second.skipped?.includes(first.runId!), second.skipped);
  await t.engine.execute(first.runId!);
  const [third] = scheduler.tick(at("2026-01-01T00:15:00Z"));
  assert(third.runId !== null && third.runId !== first.runId);
});

Deno.test("bad cron expressions, parameters and workflows are refused when adding", () => {
  using t = openTestEngine([nightly]);
  const scheduler = new Scheduler(t.engine);
  const base = { id: "s", cron: "0 3 * * *", workflow: "retrain", params: { dataset: "d" } };
  assertThrows(() => scheduler.add({ ...base, cron: "every night" }), ValidationError, "cron");
  assertThrows(
    () => scheduler.add({ ...base, params: { dataset: "" } }),
    ValidationError,
    "dataset",
  );
  assertThrows(() => scheduler.add({ ...base, workflow: "nope" }), Error, "no workflow");
  assertThrows(() => scheduler.add({ ...base, id: "Bad Id" }), ValidationError, "schedule id");
  scheduler.add(base);
  assertThrows(() => scheduler.add(base), ValidationError, "already exists");
  assertEquals(scheduler.list().map((s) => s.id), ["s"]);
  scheduler.remove("s");
  assertEquals(scheduler.list(), []);
});

Deno.test("cron times are read in the schedule's time zone", () => {
  const after = at("2026-06-01T00:00:00Z");
  assertEquals(nextFiring("0 3 * * *", null, after), at("2026-06-01T03:00:00Z"));
  assertEquals(nextFiring("0 3 * * *", "Europe/Paris", after), at("2026-06-01T01:00:00Z"));
});

Deno.test("the running scheduler submits a run when a schedule comes due", async () => {
  using t = openTestEngine([nightly]);
  const scheduler = new Scheduler(t.engine);
  scheduler.add({
    id: "every-second",
    cron: "* * * * * *",
    workflow: "retrain",
    params: { dataset: "d" },
  });
  const submitted = new Gate<string>();
  const unsubscribe = t.store.events.subscribe((runId, type) => {
    if (type === "run.submitted") submitted.open(runId);
  });
  const stop = new AbortController();
  const running = scheduler.run(stop.signal, 1_000);
  try {
    const runId = await withDeadline(submitted.promise, 30_000, "a scheduled run");
    assertEquals(t.store.runs.get(runId).scheduleId, "every-second");
  } finally {
    stop.abort();
    await running;
    unsubscribe();
  }
});

Deno.test("the engine service catches up a schedule missed while down and runs it once", async () => {
  using t = openTestEngine([nightly]);
  new Scheduler(t.engine).add(
    { id: "nightly", cron: "0 3 * * *", workflow: "retrain", params: { dataset: "d" } },
    Date.now() - 3 * 86_400_000, // added three days ago; three firings were missed
  );
  const firings: Firing[] = [];
  await runEngineService(t.engine, { untilIdle: true, onFiring: (f) => firings.push(f) });
  assertEquals(firings.length, 1);
  const [run] = t.store.runs.list();
  assertEquals(run.state, "succeeded");
  assertEquals(run.output, "d:100");
  assert(t.store.schedules.get("nightly").nextRunAt! > Date.now());
});

Deno.test("an unknown time zone is a validation error naming it, not a crash", () => {
  using t = openTestEngine([nightly]);
  const error = assertThrows(
    () =>
      new Scheduler(t.engine).add({
        id: "nightly",
        cron: "0 3 * * *",
        timezone: "Mars/Olympus_Mons",
        workflow: "retrain",
        params: { dataset: "d" },
      }),
    ValidationError,
  );
  assert(error.message.includes("Mars/Olympus_Mons"), error.message);
  assertEquals(t.store.schedules.list(), []);
});
