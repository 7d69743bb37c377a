/**
 * `sweep`: the paper's comparative evaluation as one run, a graph of steps. One
 * `dataset/<env>-<tier>` step per built-in dataset (generate, store, describe), all free to run
 * at once; one `cell/<dataset>/<algorithm>/a<alpha>/s<seed>` step per cell of datasets x
 * algorithms x alphas x seeds, each after its own dataset (train then evaluate, in Workers,
 * checkpointed, under the `cpu` concurrency key: as many at once as the home allows, by default
 * one per core); then `report` (HTML, JSON, CSV) after every cell. The steps are derived from
 * the validated parameters when the run is submitted, so the engine's guarantees (memoised
 * outputs, leases, takeover, resume, cancellation) hold for every cell. Cells are
 * deterministic, so the results do not depend on how many ran at once.
 *
 * @module
 */
import { trainInput } from "../train_evaluate/train_input.ts";
import { defineWorkflow } from "../definition.ts";
import { preflightSweep } from "./preflight.ts";
import { CPU_KEY } from "../store/limit_store.ts";
import { cellPath, cellStepId, datasetStepId, type SweepCellKey, sweepCells } from "./cells.ts";
import { type SweepCellInput, trainAndEvaluateCell } from "./cell_step.ts";
import {
  describeSweepDataset,
  type SweepDatasetInput,
  type SweepDatasetOutput,
} from "./dataset_step.ts";
import { resolveSweep, sweepParams } from "./params.ts";
import type { SweepPlan } from "./presets.ts";
import { type SweepReportInput, writeSweepReport } from "./report_step.ts";

export { cellPath, cellStepId, datasetStepId, type SweepCellKey, sweepCells } from "./cells.ts";
export type { SweepCellInput, SweepCellOutput } from "./cell_step.ts";
export type { SweepDatasetInput, SweepDatasetOutput } from "./dataset_step.ts";
export { DATASET_KEY, resolveSweep, type SweepParams, sweepParams } from "./params.ts";
export {
  SWEEP_PRESET_NAMES,
  SWEEP_PRESETS,
  type SweepPlan,
  type SweepPresetName,
} from "./presets.ts";
export {
  type SweepReportInput,
  type SweepReportOutput,
  sweepResults,
  type SweepTableLine,
} from "./report_step.ts";

/** The input of a cell's step, from the plan and its dataset's step output. */
function cellInput(
  plan: SweepPlan,
  cell: SweepCellKey,
  dataset: SweepDatasetOutput,
): SweepCellInput {
  const { evaluation, noEvaluation } = dataset.ingest;
  return {
    cell,
    train: trainInput({
      datasetId: dataset.ingest.datasetId,
      algorithm: cell.algorithm,
      seed: cell.seed,
      alpha: cell.alpha,
      batchSize: plan.batchSize,
      hiddenSize: plan.hiddenSize,
      iterations: plan.iterations,
      checkpointEvery: plan.checkpointEvery,
      backend: plan.backend,
      evalEvery: plan.evalEvery,
      folder: `cells/${cellPath(cell)}`,
      evaluation,
      ...(plan.threads !== undefined ? { threads: plan.threads } : {}),
    }),
    evaluate: {
      backend: plan.backend,
      ...(evaluation ? { evaluation } : {}),
      ...(noEvaluation ? { noEvaluation } : {}),
    },
  };
}

/** The output of `stepId` in a group's record (a step a graph bug would leave out: an error). */
function outputOf<T>(group: Readonly<Record<string, T>> | undefined, stepId: string): T {
  const output = group?.[stepId];
  if (output === undefined) throw new Error(`step "${stepId}" has no output yet`);
  return output;
}

/** The `sweep` workflow. */
export const sweepWorkflow = defineWorkflow({
  name: "sweep",
  description: "datasets x algorithms x alphas x seeds, each trained and evaluated; a report",
  params: sweepParams,
  preflight: preflightSweep,
})
  .expand("dataset", {
    steps: (params) => {
      const plan = resolveSweep(params);
      return plan.datasets.map((key) => ({
        id: datasetStepId(key),
        input: (): SweepDatasetInput => ({
          key,
          episodes: plan.episodes,
          datasetSeed: plan.datasetSeed,
          evalEpisodes: plan.evalEpisodes,
          evalSeeds: plan.evalSeeds,
        }),
        run: describeSweepDataset,
      }));
    },
  })
  .expand("cell", {
    after: ["dataset"],
    steps: (params) => {
      const plan = resolveSweep(params);
      return sweepCells(plan).map((cell) => ({
        id: cellStepId(cell),
        // Only its own dataset: a cell may start while other datasets are being generated.
        after: [datasetStepId(cell.dataset)],
        concurrency: CPU_KEY,
        retry: { maxAttempts: 5, baseDelayMs: 500 },
        input: ({ outputs }): SweepCellInput =>
          cellInput(plan, cell, outputOf(outputs.dataset, datasetStepId(cell.dataset))),
        run: trainAndEvaluateCell,
      }));
    },
  })
  .step("report", {
    after: ["dataset", "cell"],
    input: ({ params, outputs }): SweepReportInput => {
      const plan = resolveSweep(params);
      return {
        plan,
        datasets: plan.datasets.map((key) => outputOf(outputs.dataset, datasetStepId(key))),
        cells: sweepCells(plan).map((cell) => outputOf(outputs.cell, cellStepId(cell))),
      };
    },
    run: writeSweepReport,
  })
  .build();
