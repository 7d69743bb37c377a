/**
 * The report's charts as SVG strings, drawn with Observable Plot on a server-side DOM
 * (linkedom), so the HTML needs no script to show them.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import {
  algorithmsOf,
  alphaSensitivity,
  learningCurves,
  type SweepDataset,
  type SweepResults,
  tableRows,
} from "./results.ts";

/** A chart ready to embed: a name for tests and anchors, a caption, and its markup. */
export interface Chart {
  name: string;
  caption: string;
  markup: string;
}

const WIDTH = 640;

/** The same colour for an algorithm in every chart. */
function algorithmColors(results: SweepResults): Plot.ScaleOptions {
  return { legend: true, domain: algorithmsOf(results), scheme: "tableau10" };
}
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
  const color = algorithmColors(results);
  return results.datasets.map((dataset) => {
    const points = curves.filter((p) => p.dataset === dataset.id);
    return {
      name: `curve-${dataset.id}`,
      caption: `Learning curves on ${dataset.name} (alpha ${results.mainAlpha}; ` +
        "line: mean over seeds, band: +-1 std)",
      markup: render({
        x: { label: "iteration" },
        y: { label: "normalised score", grid: true },
        color,
        marks: [
          Plot.areaY(points, {
            x: "iteration",
            y1: "low",
            y2: "high",
            fill: "algorithm",
            fillOpacity: 0.15,
          }),
          Plot.lineY(points, { x: "iteration", y: "mean", stroke: "algorithm", marker: "dot" }),
          Plot.ruleY([dataset.behaviourScore], { stroke: "gray", strokeDasharray: "4,3" }),
        ],
      }),
    };
  });
}

/**
 * Final score against alpha (log scale), one line per dataset and algorithm; undefined when no
 * cell has an alpha.
 */
export function alphaChart(results: SweepResults): Chart | undefined {
  const datasetName = new Map(results.datasets.map((d) => [d.id, d.name]));
  const points = alphaSensitivity(results).map((p) => ({
    ...p,
    series: `${datasetName.get(p.dataset) ?? p.dataset} / ${p.algorithm}`,
    low: p.mean - p.std,
    high: p.mean + p.std,
  }));
  if (points.length === 0) return undefined;
  const alphas = [...new Set(points.map((p) => p.alpha))].sort((a, b) => a - b);
  return {
    name: "alpha",
    caption: "Sensitivity to alpha: final normalised score (mean +- std over seeds). Higher " +
      "alpha stays closer to the behaviour data.",
    markup: render({
      // Ticks at the sweep's alphas, written as numbers (not SI: "100m" for 0.1).
      x: { type: "log", label: "alpha", ticks: alphas, tickFormat: (alpha: number) => `${alpha}` },
      y: { label: "normalised score", grid: true },
      color: { legend: true, type: "ordinal" },
      marks: [
        Plot.ruleX(points, { x: "alpha", y1: "low", y2: "high", stroke: "series" }),
        // z named: a series may hold one alpha, which Plot would warn about if z were implicit.
        Plot.lineY(points, {
          x: "alpha",
          y: "mean",
          z: "series",
          stroke: "series",
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
  return {
    name: "global-local",
    caption: "Global (omiga) against local (omiga-local) value regularisation: mean +- std " +
      "normalised score.",
    markup: render({
      marginBottom: 60,
      fx: { label: null, tickRotate: -20 },
      x: { axis: null },
      y: { label: "normalised score", grid: true },
      color: algorithmColors(results),
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
      markup: render({
        height: 200,
        x: { label: "episode return" },
        y: { label: "episodes", grid: true },
        marks: [
          Plot.rectY(bins, { x1: "x1", x2: "x2", y: "count", fill: "steelblue", inset: 0.5 }),
          Plot.ruleY([0]),
        ],
      }),
    };
  });
}
