/**
 * The report's charts as SVG strings, drawn with Observable Plot on a server-side DOM
 * (linkedom), so the HTML needs no script to show them. Each chart carries its legend: one entry
 * per series it draws, in the colour it draws it, so the legend never names what the chart lacks.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import {
  alphaSensitivity,
  learningCurves,
  type SweepDataset,
  type SweepResults,
  tableRows,
} from "./results.ts";

/** One legend entry: what a colour stands for, and how the chart draws it. */
export interface LegendEntry {
  label: string;
  color: string;
  /** A solid line, a dashed reference line, or a filled bar. */
  mark: "line" | "dashed" | "bar";
}

/** A chart ready to embed: a name for tests and anchors, a caption, its legend and its markup. */
export interface Chart {
  name: string;
  caption: string;
  legend: LegendEntry[];
  markup: string;
}

/**
 * Every algorithm's colour, the same in every chart and every report (Tableau 10, in the order
 * of `--algorithm`'s names). An algorithm not listed takes one of the spare colours.
 */
export const ALGORITHM_PALETTE: Readonly<Record<string, string>> = {
  omiga: "#4e79a7",
  "omiga-local": "#f28e2c",
  bc: "#e15759",
  "bcq-ma": "#76b7b2",
  "cql-ma": "#59a14f",
  icq: "#edc949",
  omar: "#af7aa1",
};
const SPARE_COLORS = ["#ff9da7", "#9c755f", "#bab0ab"];

/** The behaviour data's reference lines. */
export const BEHAVIOUR_COLOR = "#7f7f7f";
const BEHAVIOUR_DASH = "4,3";
/** The histograms' bars (no series: one colour, no legend). */
const HISTOGRAM_COLOR = "#4682b4";

/**
 * The colour an algorithm is drawn in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { algorithmColor } from "./charts.ts";
 * assert.equal(algorithmColor("omiga"), algorithmColor("omiga"));
 * assert.notEqual(algorithmColor("omiga"), algorithmColor("bc"));
 * ```
 */
export function algorithmColor(algorithm: string): string {
  const known = ALGORITHM_PALETTE[algorithm];
  if (known !== undefined) return known;
  let hash = 0;
  for (const char of algorithm) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return SPARE_COLORS[hash % SPARE_COLORS.length];
}

/** The colour scale of the algorithms a chart draws: their palette colours, no Plot legend. */
function colorScale(algorithms: string[]): Plot.ScaleOptions {
  return { type: "ordinal", domain: algorithms, range: algorithms.map(algorithmColor) };
}

/** The legend of the algorithms a chart draws, in the order given. */
function algorithmLegend(algorithms: string[], mark: LegendEntry["mark"]): LegendEntry[] {
  return algorithms.map((label) => ({ label, color: algorithmColor(label), mark }));
}

const BEHAVIOUR_LEGEND: LegendEntry = {
  label: "behaviour data",
  color: BEHAVIOUR_COLOR,
  mark: "dashed",
};

/** Distinct values in first-seen order. */
function distinct<T>(values: T[]): T[] {
  return [...new Set(values)];
}

const WIDTH = 640;
const HEIGHT = 260;

function render(options: Plot.PlotOptions): string {
  const { document } = parseHTML("<!doctype html><html><body></body></html>");
  const element = Plot.plot({
    width: WIDTH,
    height: HEIGHT,
    style: { fontSize: "12px", background: "white" },
    ...options,
    document: document as unknown as Document,
  });
  return element.outerHTML;
}

/** Normalised score against training iterations at the main alpha, one chart per dataset. */
export function learningCurveCharts(results: SweepResults): Chart[] {
  const curves = learningCurves(results);
  return results.datasets.map((dataset) => {
    const points = curves.filter((p) => p.dataset === dataset.id);
    const algorithms = distinct(points.map((p) => p.algorithm));
    return {
      name: `curve-${dataset.id}`,
      caption: `Learning curves on ${dataset.name} (alpha ${results.mainAlpha}; ` +
        "line: mean over seeds, band: +-1 std; dashed: the behaviour data's score)",
      legend: [...algorithmLegend(algorithms, "line"), BEHAVIOUR_LEGEND],
      markup: render({
        x: { label: "iteration" },
        y: { label: "normalised score", grid: true },
        color: colorScale(algorithms),
        marks: [
          Plot.areaY(points, {
            x: "iteration",
            y1: "low",
            y2: "high",
            z: "algorithm",
            fill: "algorithm",
            fillOpacity: 0.15,
          }),
          // z named: a curve may hold one evaluation, which Plot would warn about if z were
          // implicit.
          Plot.lineY(points, {
            x: "iteration",
            y: "mean",
            z: "algorithm",
            stroke: "algorithm",
            marker: "dot",
          }),
          Plot.ruleY([dataset.behaviourScore], {
            stroke: BEHAVIOUR_COLOR,
            strokeDasharray: BEHAVIOUR_DASH,
          }),
        ],
      }),
    };
  });
}

/**
 * Final score against alpha (log scale), one panel per dataset and one line per algorithm, with
 * the behaviour data's score; undefined when no cell has an alpha.
 */
export function alphaChart(results: SweepResults): Chart | undefined {
  const datasetName = new Map(results.datasets.map((d) => [d.id, d.name]));
  const points = alphaSensitivity(results).map((p) => ({
    ...p,
    panel: datasetName.get(p.dataset) ?? p.dataset,
    low: p.mean - p.std,
    high: p.mean + p.std,
  }));
  if (points.length === 0) return undefined;
  const alphas = distinct(points.map((p) => p.alpha)).sort((a, b) => a - b);
  const algorithms = distinct(points.map((p) => p.algorithm));
  const panels = results.datasets.map((d) => d.name).filter((name) =>
    points.some((p) => p.panel === name)
  );
  const behaviour = results.datasets
    .filter((d) => panels.includes(d.name))
    .map((d) => ({ panel: d.name, score: d.behaviourScore }));
  return {
    name: "alpha",
    caption: "Sensitivity to alpha: final normalised score (mean +- std over seeds) against " +
      "alpha, one panel per dataset; dashed: the behaviour data's score, which the paper " +
      "expects a higher alpha to stay closer to.",
    legend: [...algorithmLegend(algorithms, "line"), BEHAVIOUR_LEGEND],
    markup: render({
      marginBottom: 40,
      fx: { label: null, domain: panels },
      // Ticks at the sweep's alphas, written as numbers (not SI: "100m" for 0.1).
      x: {
        type: "log",
        label: "alpha",
        ticks: alphas,
        tickFormat: (alpha: number) => `${alpha}`,
        inset: 12,
      },
      y: { label: "normalised score", grid: true },
      color: colorScale(algorithms),
      marks: [
        Plot.ruleY(behaviour, {
          fx: "panel",
          y: "score",
          stroke: BEHAVIOUR_COLOR,
          strokeDasharray: BEHAVIOUR_DASH,
        }),
        Plot.ruleX(points, { fx: "panel", x: "alpha", y1: "low", y2: "high", stroke: "algorithm" }),
        // z named: a series may hold one alpha, which Plot would warn about if z were implicit.
        Plot.lineY(points, {
          fx: "panel",
          x: "alpha",
          y: "mean",
          z: "algorithm",
          stroke: "algorithm",
          marker: "circle",
        }),
      ],
    }),
  };
}

/**
 * OMIGA against purely local regularisation, per dataset, at the main alpha; undefined when the
 * sweep has neither.
 */
export function globalLocalChart(results: SweepResults): Chart | undefined {
  const bars = tableRows(results).flatMap((row) =>
    ["omiga", "omiga-local"].filter((a) => a in row.scores).map((algorithm) => ({
      dataset: row.dataset.name,
      algorithm,
      mean: row.scores[algorithm].mean,
      low: row.scores[algorithm].mean - row.scores[algorithm].std,
      high: row.scores[algorithm].mean + row.scores[algorithm].std,
    }))
  );
  if (bars.length === 0) return undefined;
  const algorithms = distinct(bars.map((b) => b.algorithm));
  return {
    name: "global-local",
    caption: "Global (omiga) against local (omiga-local) value regularisation: mean +- std " +
      "normalised score.",
    legend: algorithmLegend(algorithms, "bar"),
    markup: render({
      marginBottom: 60,
      fx: { label: null, tickRotate: -20, domain: distinct(bars.map((b) => b.dataset)) },
      x: { axis: null, domain: algorithms },
      y: { label: "normalised score", grid: true },
      color: colorScale(algorithms),
      marks: [
        Plot.barY(bars, { fx: "dataset", x: "algorithm", y: "mean", fill: "algorithm" }),
        Plot.ruleX(bars, { fx: "dataset", x: "algorithm", y1: "low", y2: "high" }),
        Plot.ruleY([0]),
      ],
    }),
  };
}

/** The distribution of episode returns in each dataset. */
export function histogramCharts(datasets: SweepDataset[]): Chart[] {
  return datasets.map((dataset) => {
    const { edges, counts } = dataset.returnHistogram;
    const bins = counts.map((count, i) => ({ x1: edges[i], x2: edges[i + 1], count }));
    return {
      name: `histogram-${dataset.id}`,
      caption: `Episode returns in ${dataset.name}`,
      legend: [],
      markup: render({
        height: 200,
        x: { label: "episode return" },
        y: { label: "episodes", grid: true },
        marks: [
          Plot.rectY(bins, { x1: "x1", x2: "x2", y: "count", fill: HISTOGRAM_COLOR, inset: 0.5 }),
          Plot.ruleY([0]),
        ],
      }),
    };
  });
}
