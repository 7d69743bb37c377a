/**
 * The report's charts read true: each legend lists exactly the series its chart draws, in the
 * colours it draws them, and an algorithm keeps one colour in every chart.
 */
import { parseHTML } from "linkedom";
import { assert, assertEquals } from "../../assert.ts";
import {
  ALGORITHM_PALETTE,
  algorithmColor,
  alphaChart,
  BEHAVIOUR_COLOR,
  type Chart,
  globalLocalChart,
  histogramCharts,
  learningCurveCharts,
} from "../../../workflows/report/charts.ts";
import { ALGORITHM_NAMES } from "../../../core/learn/mod.ts";
import { sweepFixture } from "./fixture.ts";

/** A shape's own colour attribute or the nearest ancestor's (SVG presentation inheritance). */
function inherited(element: Element, attribute: string): string | null {
  for (let e: Element | null = element; e !== null; e = e.parentElement) {
    const value = e.getAttribute(attribute);
    if (value !== null) return value;
  }
  return null;
}

/** The colours a chart's marks paint its shapes in (axes and grids, in currentColor, left out). */
function drawnColors(chart: Chart): Set<string> {
  const { document } = parseHTML(`<html><body>${chart.markup}</body></html>`);
  const shapes = document.querySelectorAll(
    "svg g[aria-label] path, svg g[aria-label] rect, svg g[aria-label] line, svg g[aria-label] circle",
  );
  const colors = new Set<string>();
  for (const shape of shapes) {
    for (const attribute of ["fill", "stroke"]) {
      const value = inherited(shape, attribute);
      if (value?.startsWith("#")) colors.add(value);
    }
  }
  return colors;
}

/** The dashed rules a chart draws in `color`. */
function dashedRules(chart: Chart, color: string): number {
  const { document } = parseHTML(`<html><body>${chart.markup}</body></html>`);
  return [...document.querySelectorAll('g[aria-label="rule"] line')].filter((line) =>
    inherited(line, "stroke") === color && inherited(line, "stroke-dasharray") !== null
  ).length;
}

function allCharts(): Chart[] {
  const results = sweepFixture();
  return [
    ...learningCurveCharts(results),
    alphaChart(results)!,
    globalLocalChart(results)!,
    ...histogramCharts(results.datasets),
  ];
}

Deno.test("every chart's legend lists exactly the colours its marks draw", () => {
  for (const chart of allCharts()) {
    if (chart.name.startsWith("histogram-")) {
      assertEquals(chart.legend, [], "a histogram draws one series and needs no legend");
      continue;
    }
    assert(chart.legend.length > 0, `${chart.name} has no legend`);
    assertEquals(
      [...drawnColors(chart)].sort(),
      chart.legend.map((entry) => entry.color).sort(),
      `${chart.name}: legend ${JSON.stringify(chart.legend)}`,
    );
  }
});

Deno.test("the global-vs-local legend names only the bars it draws, not bc", () => {
  const chart = globalLocalChart(sweepFixture())!;
  assertEquals(chart.legend.map((entry) => entry.label), ["omiga", "omiga-local"]);
  assertEquals(chart.legend.map((entry) => entry.mark), ["bar", "bar"]);
});

Deno.test("the behaviour reference line has its legend entry wherever it is drawn", () => {
  const results = sweepFixture();
  for (const chart of [...learningCurveCharts(results), alphaChart(results)!]) {
    const entry = chart.legend.find((e) => e.label === "behaviour data");
    assertEquals(entry, { label: "behaviour data", color: BEHAVIOUR_COLOR, mark: "dashed" });
    assert(dashedRules(chart, BEHAVIOUR_COLOR) > 0, `${chart.name} draws no behaviour line`);
  }
});

Deno.test("the alpha chart draws what its caption names: a panel and a behaviour line per dataset", () => {
  const results = sweepFixture();
  const chart = alphaChart(results)!;
  assertEquals(dashedRules(chart, BEHAVIOUR_COLOR), results.datasets.length);
  for (const dataset of results.datasets) {
    assert(chart.markup.includes(`>${dataset.name}<`), `no panel titled ${dataset.name}`);
  }
  assert(chart.caption.includes("one panel per dataset") && chart.caption.includes("dashed"));
  assert(!/higher alpha stays closer/i.test(chart.caption), "a claim the chart cannot show");
});

Deno.test("an algorithm has one colour in every chart, and each algorithm its own", () => {
  const colorOf = new Map<string, string>();
  for (const chart of allCharts()) {
    for (const entry of chart.legend) {
      const seen = colorOf.get(entry.label) ?? entry.color;
      assertEquals(entry.color, seen, `${entry.label} in ${chart.name}`);
      colorOf.set(entry.label, entry.color);
    }
  }
  assertEquals(colorOf.get("omiga"), algorithmColor("omiga"));
  const palette = ALGORITHM_NAMES.map((name) => ALGORITHM_PALETTE[name]);
  assert(palette.every((color) => color !== undefined), "an algorithm without a colour");
  assertEquals(new Set([...palette, BEHAVIOUR_COLOR]).size, ALGORITHM_NAMES.length + 1);
});
