import type { Page } from "playwright-core";
import { assert, assertEquals } from "../../assert.ts";
import { browserUnavailable, chartMarks, launchBrowser } from "../../browser.ts";
import { writeReport } from "../../../workflows/report/mod.ts";
import { sweepFixture } from "./fixture.ts";

Deno.test({
  name: "the report renders in Chromium with marks in every chart and the expected table rows",
  ignore: browserUnavailable(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const folder = await Deno.makeTempDir();
    const browser = await launchBrowser();
    try {
      const files = await writeReport(folder, sweepFixture());
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(`file://${files.html}`);
      const charts = await chartMarks(page);
      assertEquals(charts.map((c) => c.name), [
        "curve-ds0",
        "curve-ds1",
        "alpha",
        "global-local",
        "histogram-ds0",
        "histogram-ds1",
      ]);
      for (const chart of charts) assert(chart.drawn > 0, `chart ${chart.name} drew no marks`);
      const rows = await page.$$eval(
        "#main-table tbody tr",
        (trs) =>
          trs.map((
            tr,
          ) => [tr.querySelector("th")?.textContent, tr.querySelector("strong")?.textContent]),
      );
      assertEquals(rows, [["spread-medium", "61.0 ± 1.0"], ["skirmish-medium", "61.0 ± 1.0"]]);
      const headers = await page.$$eval(
        "#main-table thead th",
        (ths) => ths.map((th) => th.textContent),
      );
      assertEquals(headers, ["dataset", "behaviour", "omiga", "omiga-local", "bc"]);
      for (const chart of await chartColors(page)) {
        if (chart.legend.length === 0) continue;
        assertEquals(
          chart.drawn,
          [...new Set(chart.legend.map((entry) => entry.color))].sort(),
          `${chart.name}: the legend lists what the chart draws (${JSON.stringify(chart.legend)})`,
        );
      }
      assertEquals(errors, []);
      await page.screenshot({ path: `${folder}/report.png`, fullPage: true });
    } finally {
      await browser.close();
      await Deno.remove(folder, { recursive: true });
    }
  },
});

Deno.test({
  name: "an algorithm is painted the same colour in every chart of the rendered report",
  ignore: browserUnavailable(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const folder = await Deno.makeTempDir();
    const browser = await launchBrowser();
    try {
      const files = await writeReport(folder, sweepFixture());
      const page = await browser.newPage();
      await page.goto(`file://${files.html}`);
      const colorsOf = new Map<string, Set<string>>();
      const charts = await chartColors(page);
      for (const chart of charts) {
        for (const { label, color } of chart.legend) {
          colorsOf.set(label, (colorsOf.get(label) ?? new Set()).add(color));
        }
      }
      // omiga and omiga-local in the curves, the alpha and the global-vs-local charts.
      for (const algorithm of ["omiga", "omiga-local"]) {
        const inCharts = charts.filter((c) => c.legend.some((e) => e.label === algorithm));
        assertEquals(inCharts.length, 4, `${algorithm} in ${inCharts.map((c) => c.name)}`);
      }
      for (const [label, colors] of colorsOf) {
        assertEquals(colors.size, 1, `${label} is drawn in ${[...colors].join(", ")}`);
      }
      assertEquals(new Set([...colorsOf.values()].map((c) => [...c][0])).size, colorsOf.size);
    } finally {
      await browser.close();
      await Deno.remove(folder, { recursive: true });
    }
  },
});

/**
 * Each chart's legend entries with their swatch's computed colour, and the distinct computed
 * colours its marks paint (axes, grids and error bars in the text colour left out).
 */
function chartColors(page: Page): Promise<
  { name: string; legend: { label: string; color: string }[]; drawn: string[] }[]
> {
  return page.$$eval("figure.chart", (figures) =>
    figures.map((figure) => {
      const text = getComputedStyle(figure).color;
      const legend = [...figure.querySelectorAll(".legend li")].map((li) => {
        const shape = li.querySelector("line, rect")!;
        const style = getComputedStyle(shape);
        const color = shape.tagName.toLowerCase() === "rect" ? style.fill : style.stroke;
        return { label: li.getAttribute("data-label") ?? "", color };
      });
      const drawn = new Set<string>();
      const shapes = figure.querySelectorAll(
        "svg g[aria-label] :is(path, rect, circle, line)",
      );
      for (const shape of shapes) {
        const box = (shape as SVGGraphicsElement).getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;
        const style = getComputedStyle(shape);
        for (const color of [style.fill, style.stroke]) {
          if (color.startsWith("rgb") && color !== text) drawn.add(color);
        }
      }
      return { name: figure.getAttribute("data-chart") ?? "", legend, drawn: [...drawn].sort() };
    }));
}
