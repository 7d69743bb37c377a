/**
 * `deno task omiga worker [--until-idle]`: runs queued, retrying and orphaned steps (a step
 * whose process died is taken over once its lease expires) and fires due schedules. With
 * `--until-idle` it exits once no queued or running run is left; otherwise it runs until
 * Ctrl-C or SIGTERM, which give running steps back for the next worker. `--concurrency N`
 * bounds the steps this process runs at once; `--limit cpu=1` overrides the home's limit of a
 * concurrency key for this process (`deno task omiga limits` sets them for every process).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ValidationError } from "../../core/errors.ts";
import { parseLimits, runEngineService } from "../../workflows/mod.ts";
import type { Command } from "./command.ts";
import { eventLine } from "./progress_view.ts";
import { RestateEngine } from "../../workflows/restate/engine.ts";
import { openEngine } from "./workflow_engine.ts";

function positive(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new ValidationError(`--${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

export const workerCommand: Command = {
  name: "worker",
  summary: "run pending and orphaned steps and due schedules",
  usage: "worker [--until-idle] [--concurrency N] [--limit KEY=N ...] [--quiet]",
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        "until-idle": { type: "boolean" },
        concurrency: { type: "string" },
        limit: { type: "string", multiple: true },
        quiet: { type: "boolean" },
      },
      strict: true,
    });
    const engine = openEngine({
      concurrency: positive("concurrency", values.concurrency),
      ...(values.limit === undefined
        ? {}
        : { limits: parseLimits(values.limit.join(","), "--limit") }),
    });
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    Deno.addSignalListener("SIGINT", onSignal);
    Deno.addSignalListener("SIGTERM", onSignal);
    const seen = new Map<string, number>();
    const unsubscribe = values.quiet ? () => {} : engine.store.events.subscribe((runId) => {
      for (const event of engine.store.events.list(runId, seen.get(runId) ?? 0)) {
        seen.set(runId, event.seq);
        if (event.type !== "step.checkpoint") {
          console.log(`${runId.slice(0, 8)} ${eventLine(event)}`);
        }
      }
    });
    console.log(
      `worker ${engine.owner} on ${engine.store.path} (lease ${engine.leaseMs} ms, ` +
        `${engine.concurrency} steps at once, cpu limit ${engine.limitOf("cpu")})`,
    );
    if (engine instanceof RestateEngine) {
      console.log(
        `runs are driven by Restate (${engine.urls.ingress}): this worker hands queued runs to ` +
          `it and fires schedules; the steps run in the endpoints it invokes ` +
          `(\`deno task serve --engine restate\`)`,
      );
    }
    try {
      await runEngineService(engine, {
        signal: stop.signal,
        untilIdle: values["until-idle"],
        onFiring: (firing) => console.log(`schedule ${JSON.stringify(firing)}`),
      });
    } finally {
      unsubscribe();
      Deno.removeSignalListener("SIGINT", onSignal);
      Deno.removeSignalListener("SIGTERM", onSignal);
      engine.store.close();
    }
    console.log(stop.signal.aborted ? "worker stopped" : "worker idle: nothing left to run");
    return 0;
  },
};
