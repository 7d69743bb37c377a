/**
 * Writes a sweep report's files into a folder.
 *
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic } from "../../core/checkpoint/atomic_file.ts";
import { renderReportHtml } from "./html.ts";
import { cellsCsv, type SweepResults, SweepResultsSchema, tableCsv, tableRows } from "./results.ts";

/** The files {@link writeReport} writes, by role. */
export interface ReportFiles {
  html: string;
  json: string;
  cellsCsv: string;
  tableCsv: string;
}

const writeText = (path: string, text: string) =>
  writeFileAtomic(path, new TextEncoder().encode(text));

/**
 * Validates the results and writes `report.html`, `report.json` (the results and the table),
 * `cells.csv` and `table.csv` into `folder`.
 */
export async function writeReport(folder: string, results: SweepResults): Promise<ReportFiles> {
  const checked = SweepResultsSchema.parse(results);
  await Deno.mkdir(folder, { recursive: true });
  const files: ReportFiles = {
    html: join(folder, "report.html"),
    json: join(folder, "report.json"),
    cellsCsv: join(folder, "cells.csv"),
    tableCsv: join(folder, "table.csv"),
  };
  const table = tableRows(checked).map((row) => ({
    dataset: row.dataset.name,
    behaviourScore: row.dataset.behaviourScore,
    scores: row.scores,
    best: row.best,
  }));
  await writeText(files.json, JSON.stringify({ ...checked, table }, null, 2));
  await writeText(files.cellsCsv, cellsCsv(checked));
  await writeText(files.tableCsv, tableCsv(checked));
  await writeText(files.html, renderReportHtml(checked));
  return files;
}
