/**
 * Shows a run's progress on the terminal: a cli-progress bar per counting step when stdout is a
 * terminal, plain lines (`chain: iteration 200/600 (33%) 1520/s ETA 0:12`) otherwise.
 *
 * @module
 */
// @ts-types="./cli_progress.d.ts"
import cliProgress from "cli-progress";
import { formatDuration } from "../../core/format.ts";
import type { RunEvent, StepProgress } from "../../workflows/mod.ts";

export { formatDuration };

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e5) ? value.toExponential(3) : value.toFixed(4);
}

/**
 * One plain progress line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { progressLine } from "./progress_view.ts";
 * const line = progressLine("train", { unit: "iteration", done: 200, total: 600 });
 * assert.ok(line.startsWith("train: iteration 200/600"));
 * ```
 */
export function progressLine(stepId: string, progress: StepProgress): string {
  const parts = [`${stepId}: ${progress.unit} ${progress.done}`];
  if (progress.total !== undefined) {
    parts[0] += `/${progress.total} (${Math.floor((100 * progress.done) / progress.total)}%)`;
  }
  if (progress.perSecond !== undefined) parts.push(`${progress.perSecond.toFixed(1)}/s`);
  if (progress.etaSeconds !== undefined) parts.push(`ETA ${formatDuration(progress.etaSeconds)}`);
  for (const [name, value] of Object.entries(progress.metrics ?? {})) {
    parts.push(`${name}=${formatNumber(value)}`);
  }
  if (progress.message) parts.push(progress.message);
  return parts.join(" ");
}

/** Payload fields too long for a log line (`runs show` and `--json` have them). */
const VERBOSE_FIELDS = new Set(["output", "attempts"]);

/** One line for a non-progress event (state changes, logs, failures). */
export function eventLine(event: RunEvent): string {
  const time = new Date(event.time).toISOString().slice(11, 23);
  const where = event.stepId ? ` ${event.stepId}` : "";
  const payload = event.payload as Record<string, unknown>;
  if (event.type === "step.progress") {
    return `${time} ${progressLine(event.stepId ?? "", payload as unknown as StepProgress)}`;
  }
  if (event.type === "step.log") return `${time}${where}: ${payload.message}`;
  const details = Object.entries(payload)
    .filter(([k, v]) => v !== null && v !== undefined && !VERBOSE_FIELDS.has(k))
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  return `${time} ${event.type}${where}${details ? ` ${details}` : ""}`;
}

/** Events after which a step has no bar any more (it stopped running here). */
const STEP_ENDED = new Set([
  "step.succeeded",
  "step.failed",
  "step.retrying",
  "step.released",
  "step.cancelled",
  "step.skipped",
  "step.lease-lost",
]);

/**
 * Renders a run's events as they arrive. On a terminal each running step has a bar of its own
 * (steps run side by side), with the other events as lines above the bars; elsewhere every
 * event is a line, progress lines named by their step.
 */
export class ProgressView {
  readonly #terminal: boolean;
  readonly #write: (line: string) => void;
  #bars: cliProgress.MultiBar | undefined;
  readonly #barOf = new Map<string, cliProgress.Bar>();

  constructor(terminal = Deno.stdout.isTerminal(), write = (line: string) => console.log(line)) {
    this.#terminal = terminal;
    this.#write = write;
  }

  /** Shows one event. */
  show(event: RunEvent): void {
    if (event.type === "step.checkpoint" || event.type === "run.submitted") return;
    if (event.type === "step.progress") {
      return this.progress(event.stepId ?? "", event.payload as unknown as StepProgress);
    }
    if (STEP_ENDED.has(event.type) && event.stepId !== null) this.endStep(event.stepId);
    this.line(eventLine(event));
  }

  /** Prints a line (above the bars, when there are any). */
  line(text: string): void {
    if (this.#bars !== undefined && this.#barOf.size > 0) this.#bars.log(`${text}\n`);
    else this.#write(text);
  }

  /** Shows progress of `label` (a step, or other work): its bar on a terminal, else a line. */
  progress(label: string, progress: StepProgress): void {
    if (this.#terminal) return this.#showBar(label, progress);
    this.#write(progressLine(label, progress));
  }

  /** Ends the bars still on screen. */
  close(): void {
    this.#bars?.stop();
    this.#bars = undefined;
    this.#barOf.clear();
  }

  #showBar(label: string, progress: StepProgress): void {
    this.#bars ??= new cliProgress.MultiBar({
      format:
        "{label} [{bar}] {percentage}% | {value}/{total} {unit} | {rate} | ETA {etaText} {metrics}",
      hideCursor: true,
    }, cliProgress.Presets.shades_classic);
    const payload = {
      label,
      unit: progress.unit,
      rate: progress.perSecond === undefined ? "" : `${progress.perSecond.toFixed(1)}/s`,
      etaText: progress.etaSeconds === undefined ? "?" : formatDuration(progress.etaSeconds),
      metrics: Object.entries(progress.metrics ?? {})
        .map(([k, v]) => `${k}=${formatNumber(v)}`).join(" "),
    };
    const total = progress.total ?? progress.done;
    const bar = this.#barOf.get(label);
    if (bar === undefined) {
      this.#barOf.set(label, this.#bars.create(total, progress.done, payload));
      return;
    }
    bar.setTotal(total);
    bar.update(progress.done, payload);
  }

  /** Removes the bar of `label` (its step stopped running here). */
  endStep(label: string): void {
    const bar = this.#barOf.get(label);
    if (bar === undefined || this.#bars === undefined) return;
    this.#bars.remove(bar);
    this.#barOf.delete(label);
    if (this.#barOf.size === 0) this.close();
  }
}
