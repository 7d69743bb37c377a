/**
 * `deno task omiga sweep --preset smoke`: runs the `sweep` workflow in this process with
 * progress (a line per finished cell with the sweep's ETA, a bar for the cell in training), then
 * prints the main table and where `report.html` is. Any piece of the preset can be overridden:
 * `--datasets spread-medium,skirmish-medium --alphas 1,10 --seeds 3 --iterations 500
 * --backend wasm`. The same run can be submitted as `run sweep ...` or through the HTTP API.
 *
 * @module
 */
import type { RunEvent } from "../../workflows/mod.ts";
import {
  resolveSweep,
  SWEEP_PRESET_NAMES,
  sweepCells,
  type SweepPlan,
  type SweepReportOutput,
  sweepWorkflow,
} from "../../workflows/sweep/mod.ts";
import type { Command } from "./command.ts";
import { describeFlags, parseFlags } from "./flags.ts";
import { formatDuration, ProgressView } from "./progress_view.ts";
import { executeWithProgress, openEngine } from "./workflow_engine.ts";

/** Shows a sweep: dataset and cell results as lines, each running cell's progress as a bar. */
export class SweepProgressView extends ProgressView {
  readonly #cells: number;
  #finished = 0;
  #startedAt: number | undefined;

  constructor(cells: number, terminal = Deno.stdout.isTerminal(), print = console.log) {
    super(terminal, print);
    this.#cells = cells;
  }

  override show(event: RunEvent): void {
    const stepId = event.stepId ?? "";
    const payload = event.payload as Record<string, unknown>;
    if (event.type === "step.started" && stepId.startsWith("cell/")) {
      this.#startedAt ??= event.time;
      return;
    }
    if (event.type === "step.succeeded") {
      this.endStep(stepId);
      return this.line(this.#succeeded(stepId, payload.output, event.time));
    }
    if (event.type === "run.succeeded") return this.line(`sweep ${event.runId} succeeded`);
    // The cells' own log lines and backend notes would repeat for every cell.
    if ((event.type === "step.log" || event.type === "run.annotated") && this.#startedAt) return;
    super.show(event);
  }

  #succeeded(stepId: string, output: unknown, time: number): string {
    if (stepId.startsWith("dataset/")) {
      const d = output as { ingest: { datasetId: string; episodes: number } };
      const score = (output as { behaviourScore: number | null }).behaviourScore;
      return `${stepId}: ${d.ingest.datasetId}, ${d.ingest.episodes} episodes, behaviour ` +
        `score ${score?.toFixed(1) ?? "n/a"}`;
    }
    if (stepId.startsWith("cell/")) {
      this.#finished++;
      const e = (output as { evaluate: { normalisedScore?: number; teamReturn?: number } })
        .evaluate;
      const elapsed = (time - (this.#startedAt ?? time)) / 1000;
      const eta = (elapsed / this.#finished) * (this.#cells - this.#finished);
      return `[${this.#finished}/${this.#cells}] ${stepId}: score ${
        e.normalisedScore?.toFixed(1) ?? "n/a"
      }, return ${e.teamReturn?.toFixed(2) ?? "n/a"} (sweep ETA ${formatDuration(eta)})`;
    }
    return `${stepId}: done`;
  }
}

/** The main table as aligned text: mean +- std per dataset and algorithm, best marked `*`. */
export function sweepTable(output: SweepReportOutput): string {
  const datasets = [...new Set(output.table.map((l) => l.dataset))];
  const algorithms = [...new Set(output.table.map((l) => l.algorithm))];
  const header = ["dataset", "behaviour", ...algorithms];
  const rows = datasets.map((dataset) => {
    const lines = output.table.filter((l) => l.dataset === dataset);
    return [
      dataset,
      lines[0].behaviourScore.toFixed(1),
      ...algorithms.map((algorithm) => {
        const l = lines.find((x) => x.algorithm === algorithm);
        return l === undefined
          ? "-"
          : `${l.mean.toFixed(1)} +- ${l.std.toFixed(1)}${l.best ? " *" : ""}`;
      }),
    ];
  });
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => r[i].length)));
  return [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd())
    .join("\n");
}

/** What a finished sweep ends with: the main table and where the report and its numbers are. */
export function sweepOutcome(plan: SweepPlan, output: SweepReportOutput): string {
  return [
    `normalised scores at alpha ${plan.mainAlpha} (mean +- std over ${plan.seeds} seeds; * best)`,
    sweepTable(output),
    "",
    `report: ${output.files.html}`,
    `numbers: ${output.files.json}, ${output.files.tableCsv}, ${output.files.cellsCsv}`,
  ].join("\n");
}

export const sweepCommand: Command = {
  name: "sweep",
  summary: "the paper's comparison: datasets x algorithms x alphas x seeds, and a report",
  usage: `sweep [--preset ${SWEEP_PRESET_NAMES.join("|")}] [overrides: ${
    describeFlags(sweepWorkflow.params).filter((f) => !f.startsWith("--preset")).join(" ")
  }]`,
  async run(args) {
    const params = parseFlags(sweepWorkflow, args);
    const plan = resolveSweep(params);
    const cells = sweepCells(plan).length;
    const engine = openEngine();
    const { run } = await engine.submitChecked(sweepWorkflow.name, params);
    console.log(
      `omiga-flow sweep (${plan.preset}): ${plan.datasets.length} datasets x ` +
        `${plan.algorithms.join("/")} x alphas ${plan.alphas.join("/")} x ${plan.seeds} seeds = ` +
        `${cells} cells, ${plan.iterations} iterations each; run ${run.id}`,
    );
    const finished = await executeWithProgress(engine, run.id, 0, new SweepProgressView(cells));
    if (finished.state !== "succeeded") {
      console.error(
        `sweep ${run.id} ${finished.state}${finished.error ? `: ${finished.error}` : ""}`,
      );
      console.error(`resume it with: deno task omiga runs resume ${run.id}`);
      return 1;
    }
    console.log(`\n${sweepOutcome(plan, finished.output as unknown as SweepReportOutput)}`);
    return 0;
  },
};
