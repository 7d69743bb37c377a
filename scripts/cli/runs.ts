/**
 * `deno task omiga runs list|show|cancel|resume|logs`: inspect and steer runs.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ValidationError } from "../../core/errors.ts";
import type { RunRecord, RunState, RunStore, StepRecord } from "../../workflows/mod.ts";
import type { Command } from "./command.ts";
import { formatDuration, formatTime } from "../../core/format.ts";
import { eventLine } from "./progress_view.ts";
import { describeOutcome } from "./outcome.ts";
import { executeWithProgress, openEngine } from "./workflow_engine.ts";

const STATES = ["queued", "running", "succeeded", "failed", "cancelled"];

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd())
    .join("\n");
}

/** `3 succeeded, 2 running, 55 pending`: a run's steps by state. */
function stepCounts(steps: readonly StepRecord[]): string {
  const counts = new Map<string, number>();
  for (const step of steps) counts.set(step.state, (counts.get(step.state) ?? 0) + 1);
  return [...counts].map(([state, n]) => `${n} ${state}`).join(", ");
}

/**
 * What a step runs after, short: whole groups as `cell/* (60)`, single steps by id, `-` for
 * none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeAfter } from "./runs.ts";
 * const step = (stepId: string, group: string | null, after: string[]) => ({ stepId, group, after });
 * const steps = [step("d/a", "d", []), step("d/b", "d", []), step("r", null, ["d/a", "d/b"])];
 * assert.equal(describeAfter(steps[2], steps), "d/* (2)");
 * assert.equal(describeAfter(step("x", null, ["d/a"]), steps), "d/a");
 * ```
 */
export function describeAfter(
  step: Pick<StepRecord, "after">,
  steps: readonly Pick<StepRecord, "stepId" | "group">[],
): string {
  if (step.after.length === 0) return "-";
  const after = new Set(step.after);
  const parts: string[] = [];
  const groups = new Map<string, string[]>();
  for (const s of steps) {
    if (s.group !== null) groups.set(s.group, [...(groups.get(s.group) ?? []), s.stepId]);
  }
  for (const [group, ids] of groups) {
    if (ids.length > 1 && ids.every((id) => after.has(id))) {
      parts.push(`${group}/* (${ids.length})`);
      for (const id of ids) after.delete(id);
    }
  }
  return [...parts, ...after].join(", ");
}

/** How long a finished step took, or a running one has run so far; `-` otherwise. */
function took(step: StepRecord, now: number): string {
  if (step.startedAt === null) return "-";
  const end = step.state === "running" ? now : step.finishedAt;
  return end === null ? "-" : formatDuration((end - step.startedAt) / 1000);
}

/** How many characters of a run id the list shows (any unique prefix of 4 or more names it). */
const SHORT_ID = 8;

/** The run id (or unique id prefix) the command names, as the run's full id. */
function runIdFrom(runs: RunStore, positionals: string[], verb: string): string {
  const id = positionals[0];
  if (id === undefined) throw new ValidationError(`runs ${verb} needs a run id`);
  return runs.resolveId(id);
}

function listRuns(rows: RunRecord[]): string {
  if (rows.length === 0) return "no runs";
  return table([
    ["id", "workflow", "state", "created", "finished", "error"],
    ...rows.map((r) => [
      r.id.slice(0, SHORT_ID),
      r.workflow,
      r.state,
      formatTime(r.createdAt),
      formatTime(r.finishedAt),
      r.error ?? "",
    ]),
  ]);
}

export const runsCommand: Command = {
  name: "runs",
  summary: "list, show, cancel, resume runs, and print their logs",
  usage: "runs list [--state S] [--workflow W] [--limit N] [--json] | show ID [--json] | " +
    "cancel ID | resume ID [--detach] | logs ID [--after SEQ] [--follow] [--json]",
  async run(args) {
    const [verb, ...rest] = args;
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        state: { type: "string" },
        workflow: { type: "string" },
        limit: { type: "string" },
        after: { type: "string" },
        follow: { type: "boolean" },
        detach: { type: "boolean" },
        json: { type: "boolean" },
      },
    });
    const engine = openEngine();
    const runs = engine.store.runs;
    switch (verb) {
      case "list": {
        if (values.state !== undefined && !STATES.includes(values.state)) {
          throw new ValidationError(`--state must be one of ${STATES.join(", ")}`);
        }
        const limit = values.limit === undefined ? 50 : Number(values.limit);
        if (!Number.isInteger(limit) || limit < 1) {
          throw new ValidationError("--limit must be a positive integer");
        }
        const rows = runs.list({
          state: values.state as RunState | undefined,
          workflow: values.workflow,
          limit,
        });
        console.log(values.json ? JSON.stringify(rows, null, 2) : listRuns(rows));
        return 0;
      }
      case "show": {
        const run = runs.get(runIdFrom(runs, positionals, verb));
        const steps = runs.steps(run.id);
        if (values.json) {
          console.log(JSON.stringify({ ...run, steps }, null, 2));
          return 0;
        }
        console.log(`run ${run.id}\n  workflow ${run.workflow}\n  state    ${run.state}`);
        console.log(`  params   ${JSON.stringify(run.params)}`);
        if (run.idempotencyKey) console.log(`  key      ${run.idempotencyKey}`);
        console.log(
          `  created  ${formatTime(run.createdAt)}  finished ${formatTime(run.finishedAt)}`,
        );
        if (run.error) console.log(`  error    ${run.error}`);
        for (const [name, value] of Object.entries(run.annotations)) {
          console.log(`  ${name.padEnd(8)} ${JSON.stringify(value)}`);
        }
        console.log(`  steps    ${stepCounts(steps)}`);
        const running = steps.filter((s) => s.state === "running");
        if (running.length > 0) {
          console.log(`  running  ${running.map((s) => s.stepId).join(", ")}`);
        }
        console.log(table([
          ["step", "after", "key", "state", "attempt", "lease owner", "took", "error"],
          ...steps.map((s) => [
            s.stepId,
            describeAfter(s, steps),
            s.concurrencyKey ?? "-",
            s.state,
            `${s.attempt}/${s.maxAttempts}`,
            s.leaseOwner ?? "-",
            took(s, Date.now()),
            s.error ?? "",
          ]),
        ]));
        if (run.output !== null) console.log(`output ${JSON.stringify(run.output, null, 2)}`);
        return 0;
      }
      case "cancel": {
        const run = engine.cancel(runIdFrom(runs, positionals, verb));
        console.log(`run ${run.id} cancelled`);
        return 0;
      }
      case "resume": {
        const id = runIdFrom(runs, positionals, verb);
        const afterSeq = engine.store.events.list(id, 0, 1_000_000).at(-1)?.seq ?? 0;
        const state = runs.get(id).state;
        if (state === "queued" || state === "running") {
          // Not failed: continue it here (taking over a step whose process died, once its
          // lease expires).
          console.log(
            `run ${id} is ${state}; ${values.detach ? "a worker" : "this process"} continues it`,
          );
        } else {
          engine.resume(id);
          console.log(`run ${id} queued again`);
        }
        if (values.detach) return 0;
        const finished = await executeWithProgress(engine, id, afterSeq);
        console.log(describeOutcome(finished));
        return finished.state === "succeeded" ? 0 : 1;
      }
      case "logs": {
        const id = runIdFrom(runs, positionals, verb);
        runs.get(id);
        const afterSeq = values.after === undefined ? 0 : Number(values.after);
        if (!Number.isInteger(afterSeq) || afterSeq < 0) {
          throw new ValidationError("--after must be a sequence number (an integer >= 0)");
        }
        const print = (event: Parameters<typeof eventLine>[0]) =>
          console.log(values.json ? JSON.stringify(event) : `${event.seq} ${eventLine(event)}`);
        if (values.follow) {
          for await (const event of engine.events(id, { afterSeq })) print(event);
        } else {
          for (const event of engine.store.events.list(id, afterSeq, 1_000_000)) print(event);
        }
        return 0;
      }
      default:
        throw new ValidationError(
          `unknown runs command "${verb ?? ""}"; use list, show, cancel, resume or logs`,
        );
    }
  },
};
