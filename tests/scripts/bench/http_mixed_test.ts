/**
 * The API under mixed load, scaled down to fit the test suite (the bench's defaults are
 * hundreds of streams): a training step running, event streams following it, submissions and
 * reads at once; no 5xx, and every stream gets every event of its run, once, in order.
 */
import { assert, assertEquals } from "../../assert.ts";
import { benchHttpMixed } from "../../../scripts/bench/http_mixed.ts";

Deno.test({
  name: "under submissions, reads and event streams while training: no 5xx and no lost event",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const result = await benchHttpMixed({
      trainings: 1,
      subscribers: 40,
      submitters: 2,
      connections: 4,
      durationMs: 2_000,
      iterations: 1_000_000,
    });
    const subscribers = result.subscribers as Record<string, number>;
    assertEquals(result.serverErrors, 0);
    assertEquals(
      [subscribers.lost, subscribers.repeated, subscribers.outOfOrder, subscribers.refused],
      [0, 0, 0, 0],
    );
    assertEquals(subscribers.endedWithTheRun, 40, "every stream ends with the run");
    assert(subscribers.delivered >= 40 * 4, `events delivered: ${subscribers.delivered}`);
    const submissions = result.submissions as {
      requests: number;
      statuses: Record<string, number>;
    };
    assertEquals(submissions.statuses["201"], submissions.requests, "every submission is a 201");
    assertEquals(result.ok, true);
  },
});
