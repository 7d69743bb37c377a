import { assert, assertEquals } from "../assert.ts";
import { IDEMPOTENCY_KEY, openEngine, probeWorkflow } from "./fixtures/operations.ts";
import { assertDatabaseIntact, wholeRuns } from "./fixtures/workflow_checks.ts";
import { killAtEveryPoint } from "./harness.ts";

Deno.test("a keyed submission killed at any crash point gives exactly one whole run on retry", async () => {
  const points = await killAtEveryPoint("submit", (home) => {
    const engine = openEngine(home); // a restart: opening recovers the file and migrates it
    try {
      assertDatabaseIntact(home);
      const before = wholeRuns(engine.store);
      assert(before.length <= 1, `${before.length} runs after the kill`);
      const { run, created } = engine.submit(probeWorkflow.name, { seed: 7 }, {
        idempotencyKey: IDEMPOTENCY_KEY,
      });
      assertEquals(created, before.length === 0);
      assertEquals(wholeRuns(engine.store).map((r) => r.id), [run.id]);
      if (before.length === 1) assertEquals(run.id, before[0].id);
    } finally {
      engine.store.close();
    }
    return Promise.resolve();
  });
  console.log(`run submission: killed at ${points} crash points`);
});
