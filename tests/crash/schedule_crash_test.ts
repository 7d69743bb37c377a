import { assert, assertEquals } from "../assert.ts";
import { Scheduler } from "../../workflows/scheduler.ts";
import { DUE_AT, openEngine, SCHEDULE_ID } from "./fixtures/operations.ts";
import { assertDatabaseIntact, wholeRuns } from "./fixtures/workflow_checks.ts";
import { killAtEveryPoint } from "./harness.ts";

Deno.test("a schedule firing killed at any crash point yields at most one run, exactly one after restart", async () => {
  const points = await killAtEveryPoint("fire", (home) => {
    const engine = openEngine(home);
    try {
      assertDatabaseIntact(home);
      const before = wholeRuns(engine.store);
      assert(before.length <= 1, `${before.length} runs for one due time after the kill`);
      const schedule = engine.store.schedules.get(SCHEDULE_ID);
      if (schedule.nextRunAt !== DUE_AT) {
        // Advanced: only after its run was submitted, and it names that run.
        assertEquals(before.map((r) => r.id), [schedule.lastRunId]);
      }

      // After the restart the scheduler catches up: one run for the due time, none twice.
      const scheduler = new Scheduler(engine);
      scheduler.tick(DUE_AT + 2_000);
      scheduler.tick(DUE_AT + 3_000);
      const after = wholeRuns(engine.store);
      assertEquals(after.length, 1);
      if (before.length === 1) assertEquals(after[0].id, before[0].id);
      assertEquals(after[0].scheduleId, SCHEDULE_ID);
      const advanced = engine.store.schedules.get(SCHEDULE_ID);
      assertEquals([advanced.nextRunAt, advanced.lastRunId], [DUE_AT + 60_000, after[0].id]);
    } finally {
      engine.store.close();
    }
    return Promise.resolve();
  });
  console.log(`schedule firing: killed at ${points} crash points`);
});
