/**
 * The store and engine a CLI command works on: `OMIGA_HOME`, the built-in workflows, and the
 * engine settings from the environment (`OMIGA_LEASE_MS`, `OMIGA_CONCURRENCY`).
 *
 * @module
 */
import { defaultRegistry, Engine, type EngineOptions, WorkflowStore } from "../../workflows/mod.ts";
import type { RunRecord } from "../../workflows/mod.ts";
import { engineKind } from "../../workflows/restate/config.ts";
import { RestateEngine } from "../../workflows/restate/engine.ts";
import { ProgressView } from "./progress_view.ts";

/**
 * Opens the store under `OMIGA_HOME` and an engine on it with the built-in workflows: the
 * SQLite engine, or with `OMIGA_ENGINE=restate` (`--engine restate`) the Restate engine, whose
 * runs are driven by Restate and run by the endpoint it invokes (a `serve` process).
 */
export function openEngine(options: EngineOptions = {}): Engine {
  const store = WorkflowStore.open();
  return engineKind() === "restate"
    ? new RestateEngine(store, defaultRegistry(), options)
    : new Engine(store, defaultRegistry(), options);
}

/** The reason a foreground run cancelled by Ctrl-C records. */
export const INTERRUPTED = "interrupted (Ctrl-C)";

/**
 * Runs `runId` in this process while showing its events (from `afterSeq` on), and returns the
 * finished run. Ctrl-C cancels the run (its running steps stop; their checkpoints stay, so
 * `runs resume` continues where they stopped) rather than leaving it for whichever `worker` or
 * `serve` comes next; a second Ctrl-C exits at once.
 */
export async function executeWithProgress(
  engine: Engine,
  runId: string,
  afterSeq = 0,
  view = new ProgressView(),
): Promise<RunRecord> {
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) Deno.exit(130);
    interrupted = true;
    view.line(`interrupted: stopping run ${runId} (Ctrl-C again to exit now)`);
    try {
      engine.cancel(runId, INTERRUPTED);
    } catch {
      // It ended meanwhile: nothing to stop.
    }
  };
  Deno.addSignalListener("SIGINT", onSignal);
  const following = new AbortController();
  const shown = (async () => {
    for await (const event of engine.events(runId, { afterSeq, signal: following.signal })) {
      view.show(event);
    }
  })();
  try {
    const run = await engine.execute(runId);
    // Show everything up to the end of the run.
    setTimeout(() => following.abort(), engine.pollMs * 2);
    await shown;
    return run;
  } finally {
    following.abort();
    view.close();
    Deno.removeSignalListener("SIGINT", onSignal);
  }
}
