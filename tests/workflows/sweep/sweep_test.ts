/**
 * `sweep` end to end on tiny budgets: two generated datasets x omiga, omiga-local (alphas 1 and
 * 10) and bc, trained and evaluated cell by cell in Workers; the worker process is killed
 * part-way and an engine resumes without redoing the finished cells; the report's files hold
 * every cell and the HTML renders in Chromium with marks in every chart.
 */
import { join } from "node:path";
import { assert, assertEquals } from "../../assert.ts";
import { browserUnavailable, chartMarks, launchBrowser } from "../../browser.ts";
import {
  defaultRegistry,
  Engine,
  runArtifactsDir,
  type RunEvent,
  WorkflowStore,
} from "../../../workflows/mod.ts";
import type { SweepResults } from "../../../workflows/report/mod.ts";
import {
  cellStepId,
  resolveSweep,
  sweepCells,
  type SweepReportOutput,
} from "../../../workflows/sweep/mod.ts";
import { eventsOf, nextEvent, openTestEngine, spawnWorker, TEST_ENGINE } from "../test_engine.ts";
import { mostAtOnce } from "../../../scripts/bench/sweep.ts";
import { ALGORITHM_NAMES, algorithmOf } from "../../../core/learn/mod.ts";

/** Tiny networks, few iterations and episodes: the whole sweep is ten short cells. */
const TINY_SWEEP = {
  preset: "smoke",
  datasets: "spread-medium,skirmish-medium",
  episodes: 8,
  alphas: "1,10",
  seeds: 1,
  iterations: 20,
  evalEvery: 10,
  evalEpisodes: 2,
  checkpointEvery: 10,
  hiddenSize: 16,
  batchSize: 16,
  backend: "cpu",
};

Deno.test({
  name: "a sweep killed part-way resumes without redoing finished cells and writes its report",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "omiga-sweep-" });
    using store = WorkflowStore.open({ home });
    const { run } = new Engine(store, defaultRegistry(), TEST_ENGINE).submit("sweep", TINY_SWEEP);
    const cellIds = sweepCells(resolveSweep(run.params as never)).map(cellStepId);
    assertEquals(cellIds.length, 2 * (2 + 2 + 1));
    assertEquals(store.runs.steps(run.id).map((s) => s.stepId), [
      "dataset/spread-medium",
      "dataset/skirmish-medium",
      ...cellIds,
      "report",
    ]);

    // A worker process is killed (SIGKILL) once three cells are done.
    const worker = spawnWorker(home, "null");
    let succeededCells = 0;
    await nextEvent(
      store,
      run.id,
      (e: RunEvent) => {
        if (e.type === "step.succeeded" && e.stepId?.startsWith("cell/")) succeededCells++;
        return succeededCells === 3;
      },
      0,
      120_000,
    );
    worker.kill("SIGKILL");
    assertEquals((await worker.status).signal, "SIGKILL");
    const done = store.runs.steps(run.id).filter((s) => s.state === "succeeded");
    const doneCells = done.map((s) => s.stepId).filter((id) => id.startsWith("cell/"));
    assert(doneCells.length >= 3, `3 cells should be done, got ${doneCells.join(", ")}`);
    assert(doneCells.length < cellIds.length, "the sweep stopped before its end");

    // An engine here takes the orphaned cell over once its lease expires and finishes the run.
    const second = new Engine(store, defaultRegistry(), TEST_ENGINE);
    const finished = await second.execute(run.id);
    assertEquals(finished.state, "succeeded", finished.error ?? "");
    const started = eventsOf(store, run.id, "step.started").map((e) => e.stepId);
    for (const id of doneCells) {
      assertEquals(started.filter((s) => s === id).length, 1, `${id} ran once`);
    }
    for (const id of cellIds) assert(started.includes(id), `${id} ran`);

    // The report's files hold every cell.
    const output = finished.output as unknown as SweepReportOutput;
    const folder = runArtifactsDir(home, run.id);
    assertEquals(output.files.html, join(folder, "report.html"));
    assertEquals(output.cells, cellIds.length);
    const results = JSON.parse(await Deno.readTextFile(output.files.json)) as SweepResults;
    assertEquals(results.sweepId, run.id);
    assertEquals(results.backend, "cpu");
    assertEquals(results.datasets.map((d) => d.name), ["spread-medium", "skirmish-medium"]);
    const cellKeys = results.cells.map((c) => `${c.algorithm}/${c.alpha}/${c.seed}`).sort();
    assertEquals(cellKeys, [
      "bc/null/0",
      "bc/null/0",
      "omiga-local/1/0",
      "omiga-local/1/0",
      "omiga-local/10/0",
      "omiga-local/10/0",
      "omiga/1/0",
      "omiga/1/0",
      "omiga/10/0",
      "omiga/10/0",
    ]);
    for (const cell of results.cells) {
      assert(Number.isFinite(cell.score), "every cell has a score");
      assertEquals(cell.curve.map((p) => p.iteration), [10, 20]);
      // The weights' ESS comes from training, for the cells that weigh samples (an alpha); a
      // cell whose checkpoint already held every iteration ran no step to read it from.
      if (cell.alpha === null) assertEquals(cell.weightEss, null);
      else if (cell.weightEss !== null) {
        assert(cell.weightEss > 0 && cell.weightEss <= 1 + 1e-6, `ESS ${cell.weightEss}`);
      }
    }
    assert(results.cells.some((c) => c.weightEss !== null), "no cell recorded its weight ESS");
    for (const dataset of results.datasets) {
      assertEquals(dataset.returnHistogram.counts.reduce((a, b) => a + b, 0), 8);
    }
    const cellsCsv = await Deno.readTextFile(output.files.cellsCsv);
    assertEquals(cellsCsv.trim().split("\n").length, 1 + cellIds.length);
    assertEquals(output.table.length, 2 * 3);
    // Each cell's files live in its own folder.
    await Deno.stat(join(folder, "cells/spread-medium/omiga/a10/s0/policy.safetensors"));
    await Deno.stat(join(folder, "cells/skirmish-medium/bc/s0/curve.json"));

    if (!browserUnavailable()) await assertRendersInChromium(output.files.html);
    await Deno.remove(home, { recursive: true });
  },
});

async function assertRendersInChromium(html: string): Promise<void> {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`file://${html}`);
    const charts = await chartMarks(page);
    // Two learning curves, alpha sensitivity, global vs local, two histograms.
    assertEquals(charts.length, 6, JSON.stringify(charts));
    for (const chart of charts) assert(chart.drawn > 0, `chart ${chart.name} drew no marks`);
    const rows = await page.$$eval(
      "#main-table tbody tr",
      (trs) => trs.map((tr) => tr.querySelector("th")?.textContent),
    );
    assertEquals(rows, ["spread-medium", "skirmish-medium"]);
    assertEquals(errors, []);
  } finally {
    await browser.close();
  }
}

/** Runs the sweep `params` in a fresh home under `limits`; its table and cell files' bytes. */
async function sweepFiles(params: Record<string, unknown>, limits: Record<string, number>) {
  using t = openTestEngine(defaultRegistry(), { limits });
  const { run } = t.engine.submit("sweep", params);
  const finished = await t.engine.execute(run.id);
  assertEquals(finished.state, "succeeded", finished.error ?? "");
  const output = finished.output as unknown as SweepReportOutput;
  return {
    table: await Deno.readFile(output.files.tableCsv),
    cells: await Deno.readFile(output.files.cellsCsv),
    // The most cells that held a lease at the same time.
    most: mostAtOnce(t.store.events.list(run.id, 0, 100_000), "cell/"),
  };
}

Deno.test({
  name: "a sweep run with cells side by side writes the same table as one run cell by cell",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const params = {
      ...TINY_SWEEP,
      algorithms: "omiga,bc",
      alphas: "10",
      iterations: 10,
      evalEvery: 10,
      // Pinned: by default a cell takes its share of the cores, so the two limits would train
      // on different thread counts, whose sums round differently (docs/threads.md).
      threads: 1,
    };
    const sequential = await sweepFiles(params, { cpu: 1 });
    const parallel = await sweepFiles(params, { cpu: 4 });
    assertEquals(sequential.most, 1);
    assert(parallel.most >= 2, `cells should overlap, at most ${parallel.most} did`);
    assertEquals(
      new TextDecoder().decode(parallel.table),
      new TextDecoder().decode(sequential.table),
    );
    assertEquals(parallel.table, sequential.table);
    assertEquals(parallel.cells, sequential.cells);
  },
});

Deno.test({
  name:
    "a sweep of every algorithm on a smoke budget writes a report whose table and curves hold each",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const params = {
      ...TINY_SWEEP,
      algorithms: ALGORITHM_NAMES.join(","),
      alphas: "10",
      iterations: 10,
      evalEvery: 10,
    };
    using t = openTestEngine(defaultRegistry(), { limits: { cpu: 2 } });
    const { run } = t.engine.submit("sweep", params);
    const finished = await t.engine.execute(run.id);
    assertEquals(finished.state, "succeeded", finished.error ?? "");
    const output = finished.output as unknown as SweepReportOutput;
    const results = JSON.parse(await Deno.readTextFile(output.files.json)) as SweepResults;
    const html = await Deno.readTextFile(output.files.html);
    for (const name of ALGORITHM_NAMES) {
      const kinds = algorithmOf(name).actionKinds;
      const covered = results.datasets.filter((d) =>
        kinds.includes(d.name.startsWith("spread") ? "continuous" : "discrete")
      );
      const cells = results.cells.filter((c) => c.algorithm === name);
      assertEquals(cells.length, covered.length, `${name}: one cell per dataset it covers`);
      for (const cell of cells) assert(Number.isFinite(cell.score), `${name}: a finite score`);
      assert(html.includes(`data-algorithm="${name}"`), `${name} is in the table`);
      const lines = output.table.filter((line) => line.algorithm === name);
      assertEquals(lines.length, covered.length, `${name}: a table line per dataset it covers`);
    }
    // The learning-curve charts' legends name every algorithm.
    const curves = html.split('data-chart="curve-').slice(1).join("");
    for (const name of ALGORITHM_NAMES) assert(curves.includes(name), `${name} is in the curves`);
  },
});
