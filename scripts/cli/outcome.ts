/**
 * What a command that ran a run (`run`, `runs resume`) ends with: the run's state and, for a
 * success, what the workflow's own command prints (train-evaluate: the table `start` ends with;
 * sweep: the main table and where the report is), else the output's human summary. The whole
 * output is one flag away (`--json`, or `runs show ID --json`), never dumped on the terminal.
 *
 * @module
 */
import { resolveSweep, type SweepReportOutput } from "../../workflows/sweep/mod.ts";
import type { RunRecord } from "../../workflows/mod.ts";
import {
  comparisonTable,
  type TrainEvaluateReport,
} from "../../workflows/train_evaluate/report_step.ts";
import { sweepOutcome } from "./sweep.ts";

/** The closing text of a succeeded run, by workflow. */
const RESULT_VIEWS: Readonly<Record<string, (run: RunRecord) => string>> = {
  "train-evaluate": (run) => {
    const report = run.output as unknown as TrainEvaluateReport;
    return `${comparisonTable([report])}\n\nparameters and details: ` +
      `${report.artifacts.summary}`;
  },
  sweep: (run) =>
    sweepOutcome(
      resolveSweep(run.params as Parameters<typeof resolveSweep>[0]),
      run.output as unknown as SweepReportOutput,
    ),
};

/**
 * The last lines of a command that ran `run`: its state, its result (see the module doc) or
 * error, and how to see everything or resume it.
 */
export function describeOutcome(run: RunRecord): string {
  if (run.state === "succeeded") {
    const full = `full output: deno task omiga runs show ${run.id} --json`;
    const view = RESULT_VIEWS[run.workflow];
    if (view !== undefined) return `run ${run.id} succeeded\n\n${view(run)}\n${full}`;
    const summary = (run.output as { summary?: unknown } | null)?.summary;
    if (typeof summary === "string") return `run ${run.id} succeeded\n\n${summary}\n\n${full}`;
    return `run ${run.id} succeeded; ${full}`;
  }
  const resume = `resume it with: deno task omiga runs resume ${run.id}`;
  if (run.state === "failed") return `run ${run.id} failed: ${run.error}\n${resume}`;
  if (run.state === "cancelled") return `run ${run.id} is cancelled\n${resume}`;
  return `run ${run.id} is ${run.state}`;
}
