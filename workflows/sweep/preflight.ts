/**
 * What `sweep` checks before a run is queued: every MuJoCo tier it names has a dataset that a
 * `behaviour` run stored on this home, and fits every algorithm of the sweep. Without this a
 * sweep naming a tier nobody stored was queued, ran its built-in datasets' steps and only then
 * failed at that tier's `dataset` step; now it is refused at submission (CLI exit 2, HTTP 404 or
 * 400) with every missing tier and the command that stores it.
 *
 * @module
 */
import { isMujocoTask } from "../../core/envs/mujoco/tasks.ts";
import { DatasetError, listDatasets } from "../../data/mod.ts";
import type { PreflightContext } from "../definition.ts";
import { checkDatasetFits } from "../train_evaluate/preflight.ts";
import { missingTiersMessage, storedBehaviourDataset } from "./dataset_step.ts";
import { DATASET_KEY, resolveSweep, type SweepParams } from "./params.ts";

/** The workflow's preflight (see the module doc). */
export async function preflightSweep(
  params: SweepParams,
  { home }: PreflightContext,
): Promise<void> {
  const plan = resolveSweep(params);
  const tiers = plan.datasets.filter((key) => {
    const env = DATASET_KEY.exec(key)?.[1];
    return env !== undefined && isMujocoTask(env);
  });
  if (tiers.length === 0) return;
  const stored = await listDatasets({ home }); // one listing for every tier
  const missing: string[] = [];
  for (const key of tiers) {
    const manifest = storedBehaviourDataset(key, stored);
    if (manifest === undefined) {
      missing.push(key);
      continue;
    }
    for (const algorithm of plan.algorithms) checkDatasetFits(manifest, algorithm);
  }
  if (missing.length > 0) {
    throw new DatasetError("not_found", missingTiersMessage(missing), { field: "datasets" });
  }
}
