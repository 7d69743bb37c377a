/**
 * The background service a long-lived process runs (the `worker` command, the HTTP server):
 * the engine's step loop and the cron scheduler together, stopped by one signal.
 *
 * @module
 */
import type { Engine } from "./engine.ts";
import { type Firing, Scheduler } from "./scheduler.ts";

/** Options of {@link runEngineService}. */
export interface EngineServiceOptions {
  /** Stops both loops; running steps are given back (pending) for the next process. */
  signal?: AbortSignal;
  /** Fire due schedules once, then run steps until no run is left, and return. */
  untilIdle?: boolean;
  /** How often the scheduler re-reads schedules added by other processes. Default 30 s. */
  schedulePollMs?: number;
  /** Called for each schedule firing (a run submitted, or a firing skipped). */
  onFiring?: (firing: Firing) => void;
}

/**
 * Runs steps (new, retrying, and orphaned by dead processes) and fires schedules. Firings
 * missed while no process was running are caught up at once (one run per schedule).
 *
 * @example
 * ```ts ignore
 * const stop = new AbortController();
 * const service = runEngineService(engine, { signal: stop.signal });
 * Deno.addSignalListener("SIGTERM", () => stop.abort());
 * await service;
 * ```
 */
export async function runEngineService(
  engine: Engine,
  options: EngineServiceOptions = {},
): Promise<void> {
  const scheduler = new Scheduler(engine);
  const onFiring = options.onFiring ?? (() => {});
  if (options.untilIdle) {
    for (const firing of scheduler.tick()) onFiring(firing);
    await engine.work({ untilIdle: true, signal: options.signal });
    return;
  }
  const signal = options.signal ?? new AbortController().signal;
  await Promise.all([
    engine.work({ signal }),
    scheduler.run(signal, options.schedulePollMs ?? 30_000, onFiring),
  ]);
}
