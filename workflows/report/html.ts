/**
 * The sweep report as one self-contained HTML file: the paper-style table, learning curves, the
 * alpha sensitivity plot, the weights' effective sample size, global vs local, and the dataset
 * return histograms. No script, no
 * external resource: it reads the same from a file on disk as from the server.
 *
 * @module
 */
import {
  alphaChart,
  type Chart,
  globalLocalChart,
  histogramCharts,
  learningCurveCharts,
  type LegendEntry,
} from "./charts.ts";
import { algorithmsOf, type SweepResults, tableRows, weightEss } from "./results.ts";

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

const format = (value: number) => Number.isFinite(value) ? value.toFixed(1) : "n/a";

function table(results: SweepResults): string {
  const algorithms = algorithmsOf(results);
  const head = ["dataset", "behaviour", ...algorithms].map((h) => `<th>${escapeHtml(h)}</th>`);
  const rows = tableRows(results).map((row) => {
    const cells = algorithms.map((algorithm) => {
      const s = row.scores[algorithm];
      if (s === undefined) return "<td>-</td>";
      const text = `${format(s.mean)} &plusmn; ${format(s.std)}`;
      return `<td data-algorithm="${escapeHtml(algorithm)}">${
        algorithm === row.best ? `<strong>${text}</strong>` : text
      }</td>`;
    });
    return `<tr data-dataset="${escapeHtml(row.dataset.id)}"><th scope="row">${
      escapeHtml(row.dataset.name)
    }</th><td>${format(row.dataset.behaviourScore)}</td>${cells.join("")}</tr>`;
  });
  return `<table id="main-table"><thead><tr>${head.join("")}</tr></thead><tbody>${
    rows.join("\n")
  }</tbody></table>`;
}

/**
 * The weight ESS table: one row per dataset, one column per algorithm and alpha; each cell the
 * mean over seeds and, where the seeds differ, their range. Undefined when no cell has one.
 */
function weightEssTable(results: SweepResults): string | undefined {
  const summaries = weightEss(results);
  if (summaries.length === 0) return undefined;
  const columnOf = (s: { algorithm: string; alpha: number }) => `${s.algorithm} (alpha ${s.alpha})`;
  const columns = [...new Set(summaries.map(columnOf))];
  const head = ["dataset", ...columns].map((h) => `<th>${escapeHtml(h)}</th>`);
  const ess = (value: number) => value.toFixed(4);
  const rows = results.datasets.map((dataset) => {
    const cells = columns.map((column) => {
      const s = summaries.find((s) => s.dataset === dataset.id && columnOf(s) === column);
      if (s === undefined) return "<td>-</td>";
      const range = s.min === s.max ? "" : ` (${ess(s.min)}&ndash;${ess(s.max)})`;
      return `<td data-column="${escapeHtml(column)}">${ess(s.mean)}${range}</td>`;
    });
    return `<tr data-dataset="${escapeHtml(dataset.id)}"><th scope="row">${
      escapeHtml(dataset.name)
    }</th>${cells.join("")}</tr>`;
  });
  return `<table id="weight-ess"><thead><tr>${head.join("")}</tr></thead><tbody>${
    rows.join("\n")
  }</tbody></table>`;
}

/** A legend entry's swatch: a short line (dashed for a reference line) or a square. */
function swatch(entry: LegendEntry): string {
  const color = escapeHtml(entry.color);
  const shape = entry.mark === "bar"
    ? `<rect x="4" y="0" width="10" height="10" fill="${color}"/>`
    : `<line x1="0" y1="5" x2="18" y2="5" stroke="${color}" stroke-width="2.5"${
      entry.mark === "dashed" ? ' stroke-dasharray="4,3"' : ""
    }/>`;
  return `<svg width="18" height="10" aria-hidden="true">${shape}</svg>`;
}

function legend(entries: LegendEntry[]): string {
  if (entries.length === 0) return "";
  const items = entries.map((entry) =>
    `<li data-label="${escapeHtml(entry.label)}" data-color="${escapeHtml(entry.color)}">${
      swatch(entry)
    }${escapeHtml(entry.label)}</li>`
  );
  return `<ul class="legend">${items.join("")}</ul>`;
}

/** A chart, or a note saying why there is none (the sweep has no cells it could draw). */
function optionalFigure(chart: Chart | undefined, absent: string): string {
  return chart === undefined ? `<p class="no-chart">${escapeHtml(absent)}</p>` : figure(chart);
}

/** A table with its explanation, or a note saying why there is none. */
function optionalSection(table: string | undefined, explanation: string, absent: string): string {
  return table === undefined
    ? `<p class="no-chart">${escapeHtml(absent)}</p>`
    : `<p>${explanation}</p>${table}`;
}

function figure(chart: Chart): string {
  return `<figure class="chart" data-chart="${escapeHtml(chart.name)}">${
    legend(chart.legend)
  }${chart.markup}` +
    `<figcaption>${escapeHtml(chart.caption)}</figcaption></figure>`;
}

const STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 980px; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2.2rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: .35rem .7rem; text-align: right; }
th[scope=row], thead th:first-child { text-align: left; }
figure { margin: 1.2rem 0; } figcaption { color: #555; font-size: .9rem; }
.meta { color: #555; }
#weight-ess td { white-space: nowrap; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: .3rem 1rem; margin: 0 0 .3rem;
  padding: 0; font-size: .85rem; }
.legend svg { margin-right: .3rem; vertical-align: middle; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 1rem; }
`;

/**
 * Renders the whole report.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderReportHtml } from "./html.ts";
 * const html = renderReportHtml({
 *   sweepId: "s", preset: "smoke", createdAt: "2026-01-01", backend: "wasm", mainAlpha: 10,
 *   iterations: 10, datasets: [], cells: [],
 * });
 * assert.ok(html.includes("<table"));
 * ```
 */
export function renderReportHtml(results: SweepResults): string {
  const sections = [
    `<h2>Normalised scores</h2><p>Mean &plusmn; std over seeds of the normalised score ` +
    `100 &times; (R &minus; R<sub>random</sub>) / (R<sub>expert</sub> &minus; R<sub>random</sub>), ` +
    `alpha ${results.mainAlpha}; best per dataset in bold; behaviour = the dataset's own ` +
    `episodes.</p>${table(results)}`,
    `<h2>Learning curves</h2><div class="grid">${
      learningCurveCharts(results).map(figure).join("\n")
    }</div>`,
    `<h2>Sensitivity to alpha</h2>${
      optionalFigure(alphaChart(results), "No cell of this sweep has an alpha (bc only).")
    }`,
    `<h2>Weight effective sample size</h2>${
      optionalSection(
        weightEssTable(results),
        "The effective sample size (sum w)<sup>2</sup> / (n sum w<sup>2</sup>) of the policy " +
          "loss's weights w = exp(z) over a batch at the last iteration, mean over the seeds " +
          "that record it (their range in brackets). Near 1 the weights hardly differ and the " +
          "policy loss is behaviour cloning's (alpha too large for the advantages the critics " +
          "have learned); it falls as the critics tell good actions from bad.",
        "No cell of this sweep records a weight ESS.",
      )
    }`,
    `<h2>Global vs local value regularisation</h2>${
      optionalFigure(
        globalLocalChart(results),
        "This sweep has neither omiga nor omiga-local cells.",
      )
    }`,
    `<h2>Datasets</h2><div class="grid">${
      histogramCharts(results.datasets).map(figure).join("\n")
    }</div>`,
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>omiga-flow sweep ${escapeHtml(results.sweepId)}</title>
<style>${STYLE}</style></head>
<body>
<h1>omiga-flow sweep report</h1>
<p class="meta">sweep ${escapeHtml(results.sweepId)} &middot; preset ${
    escapeHtml(results.preset)
  } &middot; ${results.iterations} iterations &middot; backend ${
    escapeHtml(results.backend)
  } &middot; ${escapeHtml(results.createdAt)}</p>
${sections.join("\n")}
</body></html>
`;
}
