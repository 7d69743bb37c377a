import { assert, assertClose, assertEquals } from "../../assert.ts";
import {
  alphaSensitivity,
  cellsCsv,
  learningCurves,
  renderReportHtml,
  summarise,
  tableCsv,
  tableRows,
  toCsv,
  weightEss,
} from "../../../workflows/report/mod.ts";
import { alphaChart } from "../../../workflows/report/charts.ts";
import { sweepFixture } from "./fixture.ts";

Deno.test("summarise gives the mean and the sample standard deviation", () => {
  const s = summarise([2, 4, 9]);
  assertClose(s.mean, 5, 1e-12);
  // ((2-5)^2 + (4-5)^2 + (9-5)^2) / 2 = 13
  assertClose(s.std, Math.sqrt(13), 1e-12);
  assertEquals(summarise([7]).std, 0);
});

Deno.test("the table uses the main alpha, averages seeds and marks the best algorithm", () => {
  const rows = tableRows(sweepFixture());
  assertEquals(rows.length, 2);
  const first = rows[0];
  // omiga at alpha 10: 60, 61, 62; the alpha-1 cells (50, 51, 52) must not enter.
  assertClose(first.scores.omiga.mean, 61, 1e-12);
  assertClose(first.scores.omiga.std, 1, 1e-12);
  assertEquals(first.scores.omiga.n, 3);
  assertClose(first.scores.bc.mean, 46, 1e-12);
  assertEquals(first.best, "omiga");
});

Deno.test("learning curves give mean and a one-std band per iteration", () => {
  const points = learningCurves(sweepFixture()).filter((p) =>
    p.dataset === "ds0" && p.algorithm === "omiga" && p.iteration === 50
  );
  assertEquals(points.length, 1);
  // scores at iteration 50: 30, 30.5, 31 -> mean 30.5, std 0.5
  assertClose(points[0].mean, 30.5, 1e-12);
  assertClose(points[0].high - points[0].low, 1, 1e-12);
});

Deno.test("alpha sensitivity has one point per alpha and skips alpha-free algorithms", () => {
  const points = alphaSensitivity(sweepFixture()).filter((p) => p.dataset === "ds1");
  assertEquals(points.map((p) => `${p.algorithm}@${p.alpha}`).sort(), [
    "omiga-local@1",
    "omiga-local@10",
    "omiga@1",
    "omiga@10",
  ]);
  assertClose(points.find((p) => p.algorithm === "omiga" && p.alpha === 1)!.mean, 51, 1e-12);
});

Deno.test("CSV quotes fields that need it and leaves non-finite numbers empty", () => {
  assertEquals(toCsv(["a", "b"], [["x,y", NaN], ['say "hi"', 2]]), 'a,b\n"x,y",\n"say ""hi""",2\n');
  const lines = tableCsv(sweepFixture()).trim().split("\n");
  assertEquals(lines.length, 1 + 2 * 3);
  assert(lines[1].startsWith("spread-medium,omiga,61,1,3,40"), lines[1]);
});

Deno.test("the HTML report escapes names and holds one chart per figure", () => {
  const results = sweepFixture();
  results.datasets[0].name = "<script>alert(1)</script>";
  const html = renderReportHtml(results);
  assert(!html.includes("<script>alert"), "dataset names must be escaped");
  assert(html.includes("&lt;script&gt;"));
  // 2 learning curves + alpha + global-local + 2 histograms
  assertEquals(html.match(/<figure class="chart"/g)?.length, 6);
  assertEquals(html.match(/<svg/g)!.length >= 6, true);
  assert(!/<script/i.test(html), "the report needs no script");
});

Deno.test("a bc-only sweep's report says why it has no alpha or global-vs-local chart", () => {
  const results = sweepFixture();
  results.cells = results.cells.filter((c) => c.algorithm === "bc");
  const html = renderReportHtml(results);
  assert(html.includes("No cell of this sweep has an alpha"), "a note instead of the alpha chart");
  assert(html.includes("neither omiga nor omiga-local"), "a note instead of global vs local");
  assert(!html.includes('data-chart="alpha"'), "no empty alpha chart");
  assertEquals((html.match(/data-chart="curve-/g) ?? []).length, 2);
});

Deno.test("the alpha chart's axis names the sweep's alphas as numbers, 0.1 not 100m", () => {
  const results = sweepFixture();
  results.cells = results.cells.map((c) => c.alpha === 1 ? { ...c, alpha: 0.1 } : c);
  const chart = alphaChart(results)!.markup;
  const ticks = [...chart.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  assert(ticks.includes("0.1") && ticks.includes("10"), `alpha ticks: ${ticks.join(", ")}`);
  assert(!chart.includes("100m"), "SI prefixes on the alpha axis");
});

Deno.test("a sweep with one alpha draws its alpha chart without Plot's warning mark", () => {
  const results = sweepFixture();
  results.cells = results.cells.filter((c) => c.alpha !== 1);
  const chart = alphaChart(results)!.markup;
  assert(!chart.includes("⚠"), "Plot drew its warning sign into the chart");
});

Deno.test("the weight ESS is summarised per dataset, algorithm and alpha over seeds", () => {
  const summaries = weightEss(sweepFixture());
  // 2 datasets x (omiga, omiga-local) x alphas 1 and 10; bc weighs no samples.
  assertEquals(summaries.length, 2 * 2 * 2);
  assert(summaries.every((s) => s.algorithm !== "bc" && s.n === 3));
  const omiga10 = summaries.find((s) =>
    s.dataset === "ds0" && s.algorithm === "omiga" &&
    s.alpha === 10
  )!;
  // 1 - 0.1 / 10 - 0.01 * seed for seeds 0, 1, 2
  assertClose(omiga10.mean, 0.98, 1e-12);
  assertClose(omiga10.min, 0.97, 1e-12);
  assertClose(omiga10.max, 0.99, 1e-12);
});

Deno.test("the report shows the weight ESS per algorithm and alpha, and cells.csv holds it", () => {
  const html = renderReportHtml(sweepFixture());
  const table = html.slice(html.indexOf('<table id="weight-ess"'));
  assert(table.length > 0, "no weight ESS table");
  assert(table.includes("<th>omiga (alpha 10)</th>"), "a column per algorithm and alpha");
  assert(table.includes("0.9800 (0.9700&ndash;0.9900)"), "mean and range over seeds");
  assert(!table.slice(0, table.indexOf("</table>")).includes(">bc"), "bc has no ESS column");
  const [header, first] = cellsCsv(sweepFixture()).split("\n");
  assert(header.endsWith(",weight_ess"), header);
  assert(first.endsWith(",0.9"), first); // omiga, alpha 1, seed 0: 1 - 0.1
});

Deno.test("a sweep without weighted cells says so instead of an empty ESS table", () => {
  const results = sweepFixture();
  results.cells = results.cells.filter((c) => c.algorithm === "bc");
  const html = renderReportHtml(results);
  assert(!html.includes('id="weight-ess"'));
  assert(html.includes("No cell of this sweep records a weight ESS."));
});
