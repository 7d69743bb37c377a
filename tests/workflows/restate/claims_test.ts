/**
 * The claims the Restate driver makes: one named step, and the live lease of an earlier attempt
 * of the same invocation taken over at once (a live lease of anyone else never is), within the
 * concurrency limit the superseded lease held.
 */
import { z } from "zod";
import { assertEquals } from "../../assert.ts";
import { defineWorkflow } from "../../../workflows/mod.ts";
import { openTestEngine } from "../test_engine.ts";

const pair = defineWorkflow({ name: "pair", description: "test", params: z.object({}) })
  .step("left", { after: [], concurrency: "cpu", input: () => 1, run: (x) => Promise.resolve(x) })
  .step("right", { after: [], concurrency: "cpu", input: () => 2, run: (x) => Promise.resolve(x) })
  .build();

const LEASE_MS = 60_000;

Deno.test("a claim may name its step, and supersedes only the owners it is told of", () => {
  using t = openTestEngine([pair]);
  const { run } = t.engine.submit("pair", {});
  const claim = (owner: string, stepId?: string, supersedes?: (o: string) => boolean) =>
    t.store.steps.claim({
      owner,
      now: Date.now(),
      leaseMs: LEASE_MS,
      limitOf: () => 1,
      workflows: ["pair"],
      runId: run.id,
      stepId,
      supersedes,
    });
  // The named step, not the first ready one.
  const first = claim("restate:inv_a:1", "right");
  assertEquals(first?.step.stepId, "right");
  // The limit (1) is held: nothing else may start, named or not.
  assertEquals(claim("other", "left"), null);
  assertEquals(claim("other"), null);
  // Someone else's live lease is never taken over, whatever it supersedes...
  assertEquals(claim("restate:inv_b:1", "right", (o) => o.startsWith("restate:inv_b:")), null);
  // ...but a later attempt of the same invocation takes its own earlier one at once, in the slot
  // that lease held.
  const second = claim("restate:inv_a:2", "right", (o) => o.startsWith("restate:inv_a:"));
  assertEquals(second?.step.stepId, "right");
  assertEquals(second?.previousOwner, "restate:inv_a:1");
  assertEquals(second?.step.attempt, 2);
  // The earlier attempt's writes are fenced off.
  assertEquals(t.store.steps.succeed(run.id, "right", "restate:inv_a:1", 9), false);
  assertEquals(t.store.steps.succeed(run.id, "right", "restate:inv_a:2", 2), true);
  assertEquals(claim("restate:inv_a:2", "left")?.step.stepId, "left");
});
