/**
 * From a stored dataset to the trainer's arrays in one call.
 *
 * @module
 */
import type { TransitionArrays } from "../core/dataset.ts";
import type { StoreOptions } from "./home.ts";
import type { DatasetManifest } from "./manifest.ts";
import { loadDataset } from "./store.ts";
import { toTransitions } from "./transitions.ts";

/** A stored dataset's manifest and its training transitions. */
export interface TrainingData {
  manifest: DatasetManifest;
  transitions: TransitionArrays;
}

/**
 * Loads a stored dataset (by id, or by a unique name) and builds its training transitions.
 *
 * @example
 * ```ts ignore
 * const { manifest, transitions } = await loadTrainingData("spread-expert-0123456789ab");
 * // core/learn's trainer samples seeded batches from `transitions`.
 * ```
 */
export async function loadTrainingData(
  idOrName: string,
  options: StoreOptions = {},
): Promise<TrainingData> {
  const { manifest, dataset } = await loadDataset(idOrName, options);
  return { manifest, transitions: toTransitions(dataset) };
}
