/**
 * `deno task omiga run <workflow> [--param value ...] [--idempotency-key K] [--detach]`:
 * submits a run with parameters from flags (validated by the workflow's zod schema) and runs it
 * here with progress, or with `--detach` leaves it to a `worker`.
 *
 * @module
 */
import { ValidationError } from "../../core/errors.ts";
import type { Command } from "./command.ts";
import { describeFlags, parseFlags } from "./flags.ts";
import { ProgressView } from "./progress_view.ts";
import { describeOutcome } from "./outcome.ts";
import { executeWithProgress, openEngine } from "./workflow_engine.ts";

const OWN_FLAGS = new Set(["--idempotency-key", "--detach", "--json"]);

/** Splits the command's own flags from the workflow's parameters. */
function splitArgs(args: string[]) {
  const own: { idempotencyKey?: string; detach: boolean; json: boolean } = {
    detach: false,
    json: false,
  };
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split(/=(.*)/s, 2);
    if (!OWN_FLAGS.has(flag)) {
      rest.push(args[i]);
      continue;
    }
    if (flag === "--idempotency-key") {
      own.idempotencyKey = inline ?? args[++i];
      if (!own.idempotencyKey) throw new ValidationError("--idempotency-key needs a value");
    } else if (flag === "--detach") own.detach = true;
    else own.json = true;
  }
  return { own, rest };
}

export const runCommand: Command = {
  name: "run",
  summary: "run a workflow (`run` alone lists them)",
  usage: "run <workflow> [--param value ...] [--idempotency-key KEY] [--detach] [--json]",
  async run(args) {
    const engine = openEngine();
    const [name, ...rest] = args;
    if (name === undefined || name.startsWith("--")) {
      for (const workflow of engine.registry.list()) {
        console.log(`${workflow.name}: ${workflow.description}`);
        for (const line of describeFlags(workflow.params)) console.log(`  ${line}`);
      }
      return name === undefined ? 0 : 2;
    }
    const workflow = engine.registry.get(name);
    const { own, rest: paramArgs } = splitArgs(rest);
    const params = parseFlags(workflow, paramArgs);
    const { run, created } = await engine.submitChecked(workflow.name, params, {
      idempotencyKey: own.idempotencyKey,
    });
    if (!own.json) {
      console.log(`${created ? "submitted" : "found existing"} run ${run.id} (${workflow.name})`);
    }
    if (own.detach) {
      if (own.json) console.log(JSON.stringify(run, null, 2));
      return 0;
    }
    // With --json, stdout carries only the final JSON; progress goes to stderr.
    const view = own.json
      ? new ProgressView(Deno.stderr.isTerminal(), (line) => console.error(line))
      : new ProgressView();
    const finished = await executeWithProgress(engine, run.id, 0, view);
    console.log(own.json ? JSON.stringify(finished, null, 2) : describeOutcome(finished));
    return finished.state === "succeeded" ? 0 : 1;
  },
};
