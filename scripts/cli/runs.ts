/**
 * `deno task omiga runs list|show|cancel|resume|logs`: inspect and steer runs.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ValidationError } from "../../core/errors.ts";
import type { RunRecord, RunState } from "../../workflows/mod.ts";
import type { Command } from "./command.ts";
import { eventLine } from "./progress_view.ts";
import { describeOutcome, executeWithProgress, openEngine } from "./workflow_engine.ts";

const STATES = ["queued", "running", "succeeded", "failed", "cancelled"];

function when(ms: number | null): string {
  return ms === null ? "-" : new Date(ms).toISOString().replace("T", " ").slice(0, 19);
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd())
    .join("\n");
}

function runIdFrom(positionals: string[], verb: string): string {
  const id = positionals[0];
  if (id === undefined) throw new ValidationError(`runs ${verb} needs a run id`);
  return id;
}

function listRuns(rows: RunRecord[]): string {
  if (rows.length === 0) return "no runs";
  return table([
    ["id", "workflow", "state", "created", "finished", "error"],
    ...rows.map((r) => [
      r.id,
      r.workflow,
      r.state,
      when(r.createdAt),
      when(r.finishedAt),
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
        const run = runs.get(runIdFrom(positionals, verb));
        const steps = runs.steps(run.id);
        if (values.json) {
          console.log(JSON.stringify({ ...run, steps }, null, 2));
          return 0;
        }
        console.log(`run ${run.id}\n  workflow ${run.workflow}\n  state    ${run.state}`);
        console.log(`  params   ${JSON.stringify(run.params)}`);
        if (run.idempotencyKey) console.log(`  key      ${run.idempotencyKey}`);
        console.log(`  created  ${when(run.createdAt)}  finished ${when(run.finishedAt)}`);
        if (run.error) console.log(`  error    ${run.error}`);
        if (run.backendReport) console.log(`  backend  ${JSON.stringify(run.backendReport)}`);
        console.log(table([
          ["step", "kind", "state", "attempt", "lease owner", "lease expires", "error"],
          ...steps.map((s) => [
            s.stepId,
            s.kind,
            s.state,
            `${s.attempt}/${s.maxAttempts}`,
            s.leaseOwner ?? "-",
            when(s.leaseExpiresAt),
            s.error ?? "",
          ]),
        ]));
        if (run.output !== null) console.log(`output ${JSON.stringify(run.output, null, 2)}`);
        return 0;
      }
      case "cancel": {
        const run = engine.cancel(runIdFrom(positionals, verb));
        console.log(`run ${run.id} cancelled`);
        return 0;
      }
      case "resume": {
        const id = runIdFrom(positionals, verb);
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
        const id = runIdFrom(positionals, verb);
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
