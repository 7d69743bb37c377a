/**
 * The policy registry's store: the promotion gate both ways on the same episodes, never across
 * different episodes, by hand, rollback as a stack, an event for every change of latest, one
 * version per run.
 */
import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { NotFoundError, RunStateError, WorkflowStore } from "../../../workflows/mod.ts";
import type { NewPolicyVersion } from "../../../workflows/store/policy_store.ts";

function openStore() {
  const home = Deno.makeTempDirSync({ prefix: "omiga-policies-" });
  const store = WorkflowStore.open({ home });
  return {
    store,
    [Symbol.dispose]() {
      store.close();
      Deno.removeSync(home, { recursive: true });
    },
  };
}

const entry = (
  runId: string,
  score: number | undefined,
  evaluationHash: string | null = "same-episodes",
  tolerance = 0,
): NewPolicyVersion => ({
  name: "nightly",
  runId,
  metrics: score === undefined ? {} : { score, scoreKind: "normalised_score", teamReturn: score },
  lineage: {
    runId,
    scheduleId: "nightly",
    datasetId: "d",
    datasetName: "spread-medium",
    datasetContentHash: "c",
    algorithm: "omiga",
    config: {},
    backend: "cpu",
    codeVersion: "0.1.0",
  },
  files: { policy: "p", architecture: "a" },
  evaluationHash: score === undefined ? null : evaluationHash,
  tolerance,
});

Deno.test("the first evaluated version becomes latest and its promotion is an event", () => {
  using t = openStore();
  const v1 = t.store.policies.register(entry("r1", 40));
  assertEquals([v1.version, v1.latest, v1.decision.promoted], [1, true, true]);
  assertEquals(t.store.policies.get("nightly").latestVersion, 1);
  const events = t.store.policies.events("nightly");
  assertEquals(events.map((e) => [e.type, e.fromVersion, e.toVersion, e.runId]), [
    ["promoted", null, 1, "r1"],
  ]);
});

Deno.test("promotion gate: a lower score stays a candidate, within the tolerance it is promoted", () => {
  using t = openStore();
  t.store.policies.register(entry("r1", 40));
  const worse = t.store.policies.register(entry("r2", 39));
  assertEquals([worse.version, worse.latest], [2, false]);
  assert(worse.decision.reason.includes("< latest v1's 40.000"), worse.decision.reason);
  assertEquals(t.store.policies.get("nightly").latestVersion, 1);

  const tolerated = t.store.policies.register(entry("r3", 39, "same-episodes", 1.5));
  assertEquals([tolerated.version, tolerated.latest], [3, true]);
  assert(tolerated.decision.reason.includes(">= latest v1's 40.000 - tolerance 1.5"));
  const better = t.store.policies.register(entry("r4", 45));
  assertEquals(better.latest, true, "better than v3 on the same episodes");
  assertEquals(t.store.policies.events("nightly").map((e) => e.toVersion), [1, 3, 4]);
});

Deno.test("promotion gate: scores on other episodes, or none, are never compared", () => {
  using t = openStore();
  t.store.policies.register(entry("r1", 40));
  const elsewhere = t.store.policies.register(entry("r2", 90, "other-episodes"));
  assertEquals(elsewhere.latest, false);
  assert(elsewhere.decision.reason.includes("other episodes"), elsewhere.decision.reason);
  const unevaluated = t.store.policies.register(entry("r3", undefined));
  assertEquals(unevaluated.latest, false);
  assert(unevaluated.decision.reason.includes("not evaluated"));
  assertEquals(t.store.policies.get("nightly").latestVersion, 1);
});

Deno.test("a run registers one version: registering it again returns the same one", () => {
  using t = openStore();
  const first = t.store.policies.register(entry("r1", 40));
  const again = t.store.policies.register(entry("r1", 99));
  assertEquals(again.version, first.version);
  assertEquals(again.metrics.score, 40);
  assertEquals(t.store.policies.versions("nightly").length, 1);
  assertEquals(t.store.policies.byRun("r1")?.version, 1);
});

Deno.test("promote by hand, then roll back: latest returns to what it was, each change an event", () => {
  using t = openStore();
  t.store.policies.register(entry("r1", 40));
  t.store.policies.register(entry("r2", 30));
  t.store.policies.register(entry("r3", 50));
  assertEquals(t.store.policies.get("nightly").latestVersion, 3);
  t.store.policies.promote("nightly", 2);
  assertEquals(t.store.policies.version("nightly").version, 2);
  assertThrows(() => t.store.policies.promote("nightly", 2), RunStateError, "already the latest");
  assertThrows(() => t.store.policies.promote("nightly", 9), NotFoundError, "no version 9");

  const back = t.store.policies.rollback("nightly");
  assertEquals([back.fromVersion, back.toVersion], [2, 3]);
  const again = t.store.policies.rollback("nightly");
  assertEquals([again.fromVersion, again.toVersion], [3, 1]);
  assertThrows(() => t.store.policies.rollback("nightly"), RunStateError, "no earlier latest");
  assertEquals(t.store.policies.events("nightly").map((e) => [e.type, e.toVersion]), [
    ["promoted", 1],
    ["promoted", 3],
    ["promoted", 2],
    ["rolled_back", 3],
    ["rolled_back", 1],
  ]);
  assertEquals(
    t.store.policies.versions("nightly").map((v) => v.latest),
    [true, false, false],
  );
});

Deno.test("an unknown policy is a NotFoundError that says how to list them", () => {
  using t = openStore();
  assertThrows(() => t.store.policies.get("nope"), NotFoundError, "policies list");
  assertThrows(
    () => t.store.policies.register({ ...entry("r1", 1), name: "Bad Name" }),
    Error,
    "lower-case",
  );
});
