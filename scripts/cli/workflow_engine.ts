/**
 * The store and engine a CLI command works on: `OMIGA_HOME`, the built-in workflows, and the
 * engine settings from the environment (`OMIGA_LEASE_MS`, `OMIGA_TRAINING_CONCURRENCY`).
 *
 * @module
 */
import { defaultRegistry, Engine, type EngineOptions, WorkflowStore } from "../../workflows/mod.ts";
import type { RunRecord } from "../../workflows/mod.ts";
import { ProgressView } from "./progress_view.ts";

/** Opens the store under `OMIGA_HOME` and an engine on it with the built-in workflows. */
export function openEngine(options: EngineOptions = {}): Engine {
  return new Engine(WorkflowStore.open(), defaultRegistry(), options);
}

/**
 * Runs `runId` in this process while showing its events (from `afterSeq` on), and returns the
 * finished run. Ctrl-C gives the step back (pending) for a later `worker` or `runs resume`.
 */
export async function executeWithProgress(
  engine: Engine,
  runId: string,
  afterSeq = 0,
  view = new ProgressView(),
): Promise<RunRecord> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  Deno.addSignalListener("SIGINT", onSignal);
  const following = new AbortController();
  const shown = (async () => {
    for await (const event of engine.events(runId, { afterSeq, signal: following.signal })) {
      view.show(event);
    }
  })();
  try {
    const run = await engine.execute(runId, stop.signal);
    // Show everything up to the end of the run (or up to now, when interrupted).
    setTimeout(() => following.abort(), engine.pollMs * 2);
    await shown;
    return run;
  } finally {
    following.abort();
    view.close();
    Deno.removeSignalListener("SIGINT", onSignal);
  }
}

/** The last lines of a command that ran a run: its state, output or error. */
export function describeOutcome(run: RunRecord): string {
  if (run.state === "succeeded") {
    return `run ${run.id} succeeded\n${JSON.stringify(run.output, null, 2)}`;
  }
  if (run.state === "failed") return `run ${run.id} failed: ${run.error}`;
  return `run ${run.id} is ${run.state}`;
}
