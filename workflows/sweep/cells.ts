/**
 * The cells of a sweep (dataset x algorithm x alpha x seed) and the deterministic step ids and
 * artifact folders they get: `cell/spread-medium/omiga/a10/s0`, `cell/spread-medium/bc/s0`.
 *
 * @module
 */
import { envActionKind } from "../../core/envs/mod.ts";
import { type AlgorithmName, algorithmOf, hasAlpha } from "../../core/learn/mod.ts";
import { DATASET_KEY } from "./params.ts";
import type { SweepPlan } from "./presets.ts";

/** One train+evaluate cell. */
export interface SweepCellKey {
  /** The dataset's key, `<env>-<tier>`. */
  dataset: string;
  algorithm: AlgorithmName;
  /** Null for an algorithm without a regularisation temperature (bc). */
  alpha: number | null;
  seed: number;
}

/**
 * Every cell of a plan, seed by seed (so that a sweep stopped early has whole seeds), then
 * dataset, algorithm and alpha; bc once per dataset and seed. An algorithm gets no cells on a
 * dataset whose action kind it does not cover (omar on a discrete one): its table entry is "-".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sweepCells } from "./cells.ts";
 * import { resolveSweep } from "./params.ts";
 * const cells = sweepCells(resolveSweep({ preset: "smoke" }));
 * assert.equal(cells.length, 2 * (2 + 2 + 1) * 3);
 * ```
 */
export function sweepCells(plan: SweepPlan): SweepCellKey[] {
  const cells: SweepCellKey[] = [];
  for (let seed = 0; seed < plan.seeds; seed++) {
    for (const dataset of plan.datasets) {
      const kind = envActionKind(DATASET_KEY.exec(dataset)?.[1] ?? dataset);
      for (const algorithm of plan.algorithms) {
        if (!algorithmOf(algorithm).actionKinds.includes(kind)) continue;
        for (const alpha of hasAlpha(algorithm) ? plan.alphas : [null]) {
          cells.push({ dataset, algorithm, alpha, seed });
        }
      }
    }
  }
  return cells;
}

/** The cell's path: `spread-medium/omiga/a10/s0` (its folder under `cells/`, and its step id). */
export function cellPath(cell: SweepCellKey): string {
  const alpha = cell.alpha === null ? [] : [`a${cell.alpha}`];
  return [cell.dataset, cell.algorithm, ...alpha, `s${cell.seed}`].join("/");
}

/** The cell's step id. */
export function cellStepId(cell: SweepCellKey): string {
  return `cell/${cellPath(cell)}`;
}

/** The step id of the step that generates and describes a dataset. */
export function datasetStepId(dataset: string): string {
  return `dataset/${dataset}`;
}
