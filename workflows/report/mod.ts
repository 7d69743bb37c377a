/**
 * Sweep reports: the numbers (JSON, CSV) and one self-contained HTML page with real SVG charts.
 *
 * @module
 */
export * from "./results.ts";
export { renderReportHtml } from "./html.ts";
export { type ReportFiles, writeReport } from "./write.ts";
