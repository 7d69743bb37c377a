/**
 * `sweep`: the paper's comparative evaluation as one run. One `dataset/<env>-<tier>` step per
 * built-in dataset (generate, store, describe), one `cell/<dataset>/<algorithm>/a<alpha>/s<seed>`
 * step per cell of datasets x algorithms x alphas x seeds (train then evaluate, in Workers,
 * checkpointed, under the training concurrency limit), then `report` (HTML, JSON, CSV). The
 * steps are derived from the validated parameters when the run is submitted, so the engine's
 * guarantees (memoised outputs, leases, takeover, resume, cancellation) hold for every cell.
 *
 * @module
 */
import { trainInput } from "../train_evaluate/train_input.ts";
import { defineWorkflow } from "../definition.ts";
import { cellPath, cellStepId, datasetStepId, type SweepCellKey, sweepCells } from "./cells.ts";
import { type SweepCellInput, type SweepCellOutput, trainAndEvaluateCell } from "./cell_step.ts";
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
    }),
    evaluate: {
      backend: plan.backend,
      ...(evaluation ? { evaluation } : {}),
      ...(noEvaluation ? { noEvaluation } : {}),
    },
  };
}

function outputOf<T>(outputs: Record<string, unknown>, stepId: string): T {
  const output = outputs[stepId];
  if (output === undefined) throw new Error(`step "${stepId}" has no output yet`);
  return output as T;
}

/** The `sweep` workflow. */
export const sweepWorkflow = defineWorkflow({
  name: "sweep",
  description: "datasets x algorithms x alphas x seeds, each trained and evaluated; a report",
  params: sweepParams,
})
  .expand((params) => {
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
  })
  .expand((params) => {
    const plan = resolveSweep(params);
    return sweepCells(plan).map((cell) => ({
      id: cellStepId(cell),
      kind: "training" as const,
      retry: { maxAttempts: 5, baseDelayMs: 500 },
      input: ({ outputs }: { outputs: Record<string, unknown> }): SweepCellInput =>
        cellInput(
          plan,
          cell,
          outputOf<SweepDatasetOutput>(outputs, datasetStepId(cell.dataset)),
        ),
      run: trainAndEvaluateCell,
    }));
  })
  .step("report", {
    input: ({ params, outputs }): SweepReportInput => {
      const plan = resolveSweep(params);
      const all = outputs as Record<string, unknown>;
      return {
        plan,
        datasets: plan.datasets.map((key) => outputOf(all, datasetStepId(key))),
        cells: sweepCells(plan).map((cell) => outputOf<SweepCellOutput>(all, cellStepId(cell))),
      };
    },
    run: writeSweepReport,
  })
  .build();
