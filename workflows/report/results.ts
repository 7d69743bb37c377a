/**
 * The numbers a sweep produces, and their aggregates: the paper-style table, learning curves,
 * alpha sensitivity, global-vs-local comparison and the weights' effective sample size, all computed here once so that the HTML, the
 * JSON and the CSV report the same values.
 *
 * @module
 */
import { z } from "zod";

/** One dataset of a sweep, with what the report shows about the data itself. */
export const SweepDatasetSchema = z.object({
  id: z.string(),
  name: z.string(),
  env: z.string(),
  tier: z.string(),
  /** Normalised score of the behaviour data's mean return. */
  behaviourScore: z.number(),
  /** Histogram of episode returns: `counts[i]` episodes in [edges[i], edges[i+1]). */
  returnHistogram: z.object({ edges: z.array(z.number()), counts: z.array(z.number()) }),
});

/** One train+evaluate cell of a sweep: dataset x algorithm x alpha x seed. */
export const SweepCellSchema = z.object({
  dataset: z.string(),
  algorithm: z.string(),
  /** The regularisation alpha; null for algorithms that have none (bc). */
  alpha: z.number().nullable(),
  seed: z.number().int(),
  /** Final normalised score. */
  score: z.number(),
  /** Final mean team return. */
  teamReturn: z.number(),
  /**
   * The effective sample size of the policy loss's weights exp(z) at the last iteration,
   * (sum w)^2 / (n sum w^2) over the batch; null for algorithms that weigh no samples, and for
   * a cell whose last attempt ran no training step (its checkpoint already held every iteration).
   */
  weightEss: z.number().nullable(),
  /** Normalised score at evaluation points during training. */
  curve: z.array(z.object({ iteration: z.number().int(), score: z.number() })),
});

/** Everything a sweep report is drawn from. */
export const SweepResultsSchema = z.object({
  sweepId: z.string(),
  preset: z.string(),
  createdAt: z.string(),
  backend: z.string(),
  /** The alpha the main table and the curves use. */
  mainAlpha: z.number(),
  iterations: z.number().int(),
  datasets: z.array(SweepDatasetSchema),
  cells: z.array(SweepCellSchema),
});

export type SweepDataset = z.infer<typeof SweepDatasetSchema>;
export type SweepCell = z.infer<typeof SweepCellSchema>;
export type SweepResults = z.infer<typeof SweepResultsSchema>;

/** Mean and sample standard deviation of a group of seeds. */
export interface ScoreSummary {
  mean: number;
  std: number;
  n: number;
}

/** A row of the main table: one dataset, every algorithm's score at the main alpha. */
export interface TableRow {
  dataset: SweepDataset;
  scores: Record<string, ScoreSummary>;
  /** The algorithm with the highest mean (bold in the table). */
  best: string;
}

/** A point of an aggregated learning curve. */
export interface CurvePoint {
  dataset: string;
  algorithm: string;
  iteration: number;
  mean: number;
  low: number;
  high: number;
}

/** A point of the alpha-sensitivity plot. */
export interface AlphaPoint {
  dataset: string;
  algorithm: string;
  alpha: number;
  mean: number;
  std: number;
}

/** The weight ESS of one dataset, algorithm and alpha over its seeds. */
export interface WeightEssSummary {
  dataset: string;
  algorithm: string;
  alpha: number;
  mean: number;
  min: number;
  max: number;
  n: number;
}

/**
 * Mean and sample standard deviation (n - 1; 0 for a single value).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summarise } from "./results.ts";
 * assert.ok(summarise([1, 3]).mean === 2);
 * ```
 */
export function summarise(values: number[]): ScoreSummary {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN, n: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance), n };
}

/** Algorithms in the order they first appear in the cells. */
export function algorithmsOf(results: SweepResults): string[] {
  return [...new Set(results.cells.map((c) => c.algorithm))];
}

/** Cells at the main alpha (and every alpha-free cell). */
function mainCells(results: SweepResults): SweepCell[] {
  return results.cells.filter((c) => c.alpha === null || c.alpha === results.mainAlpha);
}

/** The paper-style table: mean +- std normalised score per dataset and algorithm. */
export function tableRows(results: SweepResults): TableRow[] {
  const cells = mainCells(results);
  return results.datasets.map((dataset) => {
    const scores: Record<string, ScoreSummary> = {};
    for (const algorithm of algorithmsOf(results)) {
      const values = cells
        .filter((c) => c.dataset === dataset.id && c.algorithm === algorithm)
        .map((c) => c.score);
      if (values.length > 0) scores[algorithm] = summarise(values);
    }
    const ranked = Object.entries(scores).sort(([, a], [, b]) => b.mean - a.mean);
    return { dataset, scores, best: ranked[0]?.[0] ?? "" };
  });
}

/** Learning curves at the main alpha: mean and a +-1 std band over seeds at each iteration. */
export function learningCurves(results: SweepResults): CurvePoint[] {
  const groups = new Map<
    string,
    { dataset: string; algorithm: string; iteration: number; v: number[] }
  >();
  for (const cell of mainCells(results)) {
    for (const point of cell.curve) {
      const key = `${cell.dataset}\u0000${cell.algorithm}\u0000${point.iteration}`;
      const group = groups.get(key) ??
        { dataset: cell.dataset, algorithm: cell.algorithm, iteration: point.iteration, v: [] };
      group.v.push(point.score);
      groups.set(key, group);
    }
  }
  return [...groups.values()].map(({ dataset, algorithm, iteration, v }) => {
    const { mean, std } = summarise(v);
    return { dataset, algorithm, iteration, mean, low: mean - std, high: mean + std };
  }).sort((a, b) => a.iteration - b.iteration);
}

/** Final score against alpha for every algorithm that has an alpha. */
export function alphaSensitivity(results: SweepResults): AlphaPoint[] {
  const groups = new Map<
    string,
    { dataset: string; algorithm: string; alpha: number; v: number[] }
  >();
  for (const cell of results.cells) {
    if (cell.alpha === null) continue;
    const key = `${cell.dataset}\u0000${cell.algorithm}\u0000${cell.alpha}`;
    const group = groups.get(key) ??
      { dataset: cell.dataset, algorithm: cell.algorithm, alpha: cell.alpha, v: [] };
    group.v.push(cell.score);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ dataset, algorithm, alpha, v }) => {
    const { mean, std } = summarise(v);
    return { dataset, algorithm, alpha, mean, std };
  }).sort((a, b) => a.alpha - b.alpha);
}

/**
 * The weight ESS at the last iteration per dataset, algorithm and alpha (cells without one left
 * out), in the cells' order.
 */
export function weightEss(results: SweepResults): WeightEssSummary[] {
  const groups = new Map<
    string,
    { dataset: string; algorithm: string; alpha: number; v: number[] }
  >();
  for (const cell of results.cells) {
    if (cell.alpha === null || cell.weightEss === null) continue;
    const key = `${cell.dataset}\u0000${cell.algorithm}\u0000${cell.alpha}`;
    const group = groups.get(key) ??
      { dataset: cell.dataset, algorithm: cell.algorithm, alpha: cell.alpha, v: [] };
    group.v.push(cell.weightEss);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ dataset, algorithm, alpha, v }) => ({
    dataset,
    algorithm,
    alpha,
    mean: summarise(v).mean,
    min: Math.min(...v),
    max: Math.max(...v),
    n: v.length,
  }));
}

/** CSV text: a header and one line per row; fields quoted where needed. */
export function toCsv(header: string[], rows: (string | number)[][]): string {
  const field = (value: string | number) => {
    const text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : value;
    return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [header, ...rows].map((row) => row.map(field).join(",")).join("\n") + "\n";
}

/** Every cell as CSV. */
export function cellsCsv(results: SweepResults): string {
  return toCsv(
    ["dataset", "algorithm", "alpha", "seed", "score", "team_return", "weight_ess"],
    results.cells.map((c) => [
      c.dataset,
      c.algorithm,
      c.alpha ?? "",
      c.seed,
      c.score,
      c.teamReturn,
      c.weightEss ?? "",
    ]),
  );
}

/** The main table as CSV: one line per dataset and algorithm. */
export function tableCsv(results: SweepResults): string {
  const rows: (string | number)[][] = [];
  for (const row of tableRows(results)) {
    for (const [algorithm, s] of Object.entries(row.scores)) {
      rows.push([row.dataset.name, algorithm, s.mean, s.std, s.n, row.dataset.behaviourScore]);
    }
  }
  return toCsv(
    ["dataset", "algorithm", "mean_score", "std_score", "seeds", "behaviour_score"],
    rows,
  );
}
