/**
 * The `behaviour` workflow end to end with tiny networks: SAC trains on hopper-3x1, the five
 * tiers are stored under `<task>-<tier>` with the run, the actor's step and the reference
 * returns in their manifests, and a sweep trains on one of them by name; a sweep naming a task
 * no behaviour run has stored is refused at submission, naming every missing tier and how to
 * store it (and fails saying so if the tier is removed after submission).
 */
import { assert, assertEquals, assertRejects } from "../../assert.ts";
import { DatasetError, listDatasets } from "../../../data/mod.ts";
import { defaultRegistry } from "../../../workflows/mod.ts";
import type { BehaviourReport } from "../../../workflows/behaviour/mod.ts";
import { openTestEngine } from "../test_engine.ts";

Deno.test({
  name: "behaviour stores five tiers a sweep trains on; a missing tier names the fix",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    using t = openTestEngine(defaultRegistry());
    const { run } = t.engine.submit("behaviour", {
      env: "hopper-3x1",
      steps: 400,
      warmupSteps: 150,
      snapshotEvery: 150,
      snapshotEpisodes: 2,
      checkpointEvery: 150,
      hiddenSize: 16,
      batchSize: 16,
      tierEpisodes: 3,
      backend: "cpu",
    });
    const finished = await t.engine.execute(run.id);
    assertEquals(finished.state, "succeeded", finished.error ?? "");
    const report = finished.output as unknown as BehaviourReport;
    assert(report.summary.includes("medium-replay"), report.summary);
    assertEquals(report.tiers.tiers.map((x) => x.tier), [
      "random",
      "medium",
      "expert",
      "medium-replay",
      "medium-expert",
    ]);

    const stored = await listDatasets({ home: t.home });
    assertEquals(stored.length, 5);
    const byName = new Map(stored.map((m) => [m.name, m]));
    const expert = byName.get("hopper-3x1-expert")!;
    assertEquals(expert.source, "behaviour");
    assertEquals(expert.behaviour?.run, run.id);
    assertEquals(expert.behaviour?.algorithm, "sac");
    assertEquals(expert.reference, report.tiers.reference);
    assertEquals(expert.episodes, 3);
    assertEquals(byName.get("hopper-3x1-medium-expert")!.episodes, 6);
    const replay = byName.get("hopper-3x1-medium-replay")!;
    assertEquals(replay.behaviour?.step, report.tiers.medium.step);
    assertEquals(byName.get("hopper-3x1-random")!.behaviour?.algorithm, "random");

    const sweep = await t.engine.submitChecked("sweep", {
      preset: "smoke",
      datasets: ["hopper-3x1-medium-replay"],
      algorithms: ["bc"],
      seeds: 1,
      iterations: 10,
      evalEvery: 10,
      evalEpisodes: 1,
      checkpointEvery: 10,
      batchSize: 16,
      hiddenSize: 16,
      backend: "cpu",
    });
    const swept = await t.engine.execute(sweep.run.id);
    assertEquals(swept.state, "succeeded", swept.error ?? "");

    const unstored = {
      preset: "smoke",
      datasets: [
        "hopper-3x1-medium",
        "halfcheetah-6x1-medium",
        "spread-medium",
        "halfcheetah-6x1-expert",
      ],
      algorithms: ["bc"],
      seeds: 1,
      iterations: 10,
      evalEvery: 10,
      backend: "cpu",
    };
    const refused = await assertRejects(
      () => t.engine.submitChecked("sweep", unstored),
      DatasetError,
      "datasets: no stored dataset halfcheetah-6x1-medium, halfcheetah-6x1-expert: the MuJoCo " +
        "tiers come from a behaviour run; store them with " +
        "`deno task omiga run behaviour --env halfcheetah-6x1` on this home first",
    );
    assertEquals(refused.code, "not_found");
    assertEquals(t.store.runs.list().filter((r) => r.workflow === "sweep").length, 1);
    // Past the preflight (a schedule's firing, or a tier removed since): the step says the same.
    const missing = t.engine.submit("sweep", { ...unstored, datasets: ["halfcheetah-6x1-medium"] });
    const failed = await t.engine.execute(missing.run.id);
    assertEquals(failed.state, "failed");
    assert(failed.error?.includes("run behaviour --env halfcheetah-6x1"), failed.error ?? "");
  },
});
