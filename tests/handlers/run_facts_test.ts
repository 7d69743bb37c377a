import { assertEquals } from "../assert.ts";
import { runFacts } from "../../handlers/dashboard/run_facts.ts";
import type { Json, RunRecord } from "../../workflows/mod.ts";

function run(workflow: string, params: Json, output: Json | null = null): RunRecord {
  return {
    id: "6aa8132b-8a0f-4843-9556-a140a2fe1bfb",
    workflow,
    state: output === null ? "running" : "succeeded",
    params,
    output,
    idempotencyKey: null,
    scheduleId: null,
    error: null,
    errorCode: null,
    annotations: {},
    requestHash: "",
    createdAt: 0,
    updatedAt: 0,
    startedAt: 0,
    finishedAt: output === null ? null : 1,
  };
}

Deno.test("the run table's alpha: recorded, given, or the default a running run trains with", () => {
  const alpha = (r: RunRecord) => runFacts(r, 10).alpha;
  // Before its output: the default of its environment, for an algorithm that has an alpha.
  assertEquals(
    alpha(run("train-evaluate", { env: "spread", tier: "medium", algorithm: "omiga" })),
    0.1,
  );
  assertEquals(
    alpha(run("train-evaluate", { env: "spread", tier: "medium", algorithm: "bc" })),
    undefined,
  );
  assertEquals(alpha(run("train-evaluate", { env: "spread", algorithm: "omiga", alpha: 3 })), 3);
  // A stored dataset's environment is known only once the run has read it.
  assertEquals(alpha(run("train-evaluate", { dataset: "mine", algorithm: "omiga" })), undefined);
  assertEquals(
    alpha(run("train-evaluate", { dataset: "mine", algorithm: "omiga" }, { alpha: 10 })),
    10,
  );
  assertEquals(
    alpha(run("train-evaluate", { env: "spread", algorithm: "retired-algo" })),
    undefined,
  );
  assertEquals(alpha(run("sweep", { preset: "smoke" })), undefined);
});
