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
      assertEquals(errors, []);
      await page.screenshot({ path: `${folder}/report.png`, fullPage: true });
    } finally {
      await browser.close();
      await Deno.remove(folder, { recursive: true });
    }
  },
});
