/**
 * The sweep's `report` step: every cell's numbers gathered into the sweep results, written as
 * `report.html` (self-contained, SVG charts), `report.json`, `cells.csv` and `table.csv` in the
 * sweep run's artifact folder.
 *
 * @module
 */
import { DATASET_KEY } from "./params.ts";
import { type ReportFiles, type SweepResults, tableRows, writeReport } from "../report/mod.ts";
import { NonRetriableError } from "../errors.ts";
import type { StepContext } from "../step.ts";
import { cellStepId } from "./cells.ts";
import type { SweepCellOutput } from "./cell_step.ts";
import type { SweepDatasetOutput } from "./dataset_step.ts";
import type { SweepPlan } from "./presets.ts";

/** The step's input: the plan and the outputs of the steps before it. */
export interface SweepReportInput {
  plan: SweepPlan;
  datasets: SweepDatasetOutput[];
  cells: SweepCellOutput[];
}

/** One line of the main table as the run's output shows it. */
export interface SweepTableLine {
  dataset: string;
  algorithm: string;
  mean: number;
  std: number;
  seeds: number;
  behaviourScore: number;
  best: boolean;
}

/** The step's output (the sweep run's output). */
export interface SweepReportOutput {
  files: ReportFiles;
  cells: number;
  backend: string;
  table: SweepTableLine[];
}

/** The sweep results from the plan and the step outputs. */
export function sweepResults(
  sweepId: string,
  input: SweepReportInput,
  createdAt = new Date().toISOString(),
): SweepResults {
  const idOf = new Map(input.datasets.map((d) => [d.key, d.ingest.datasetId]));
  const datasets = input.datasets.map((d) => {
    const env = DATASET_KEY.exec(d.key)?.[1] ?? d.key;
    if (d.behaviourScore === null) {
      throw new NonRetriableError(`dataset ${d.key} has no reference returns to score against`);
    }
    return {
      id: d.ingest.datasetId,
      name: d.key,
      env,
      tier: d.ingest.tier ?? d.key.slice(env.length + 1),
      behaviourScore: d.behaviourScore,
      returnHistogram: d.returnHistogram,
    };
  });
  const cells = input.cells.map(({ cell, train, evaluate }) => {
    const score = evaluate.normalisedScore;
    if (score === undefined || evaluate.teamReturn === undefined) {
      throw new NonRetriableError(
        `cell ${cellStepId(cell)} has no normalised score: ${evaluate.skipped ?? "not evaluated"}`,
      );
    }
    return {
      dataset: idOf.get(cell.dataset) ?? cell.dataset,
      algorithm: cell.algorithm,
      alpha: cell.alpha,
      seed: cell.seed,
      score,
      teamReturn: evaluate.teamReturn,
      // Only the cells with an alpha weigh samples by exp(z) (bc weighs every sample 1).
      weightEss: cell.alpha === null ? null : train.losses.weightEss ?? null,
      curve: train.curve.flatMap((p) =>
        p.score === undefined ? [] : [{ iteration: p.iteration, score: p.score }]
      ),
    };
  });
  return {
    sweepId,
    preset: input.plan.preset,
    createdAt,
    backend: input.cells[0]?.train.backend ?? input.plan.backend,
    mainAlpha: input.plan.mainAlpha,
    iterations: input.plan.iterations,
    datasets,
    cells,
  };
}

/** Runs the step. */
export async function writeSweepReport(
  input: SweepReportInput,
  ctx: StepContext,
): Promise<SweepReportOutput> {
  const results = sweepResults(ctx.runId, input);
  const files = await writeReport(ctx.artifactsDir, results);
  ctx.log(`report written to ${files.html}`);
  const table = tableRows(results).flatMap((row) =>
    Object.entries(row.scores).map(([algorithm, s]) => ({
      dataset: row.dataset.name,
      algorithm,
      mean: s.mean,
      std: s.std,
      seeds: s.n,
      behaviourScore: row.dataset.behaviourScore,
      best: algorithm === row.best,
    }))
  );
  return { files, cells: results.cells.length, backend: results.backend, table };
}
