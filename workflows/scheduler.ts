/**
 * Cron schedules that submit runs. A schedule fires at most once per due time, even across
 * restarts and with several schedulers on one store: the run's idempotency key is derived from
 * the schedule id and the due time, and advancing the schedule is a compare-and-set.
 *
 * Missed firings (the process was down) collapse into one run, submitted on the next tick.
 * A schedule never overlaps itself: when its previous run is still queued or running at a due
 * time, that firing is skipped (and recorded as skipped).
 *
 * @module
 */
import { Cron } from "croner";
import { ValidationError } from "../core/errors.ts";
import { parseParams } from "./definition.ts";
import type { Engine } from "./engine.ts";
import { isTerminalRunState, type Json, type ScheduleRecord } from "./store/records.ts";

/** A new schedule. */
export interface ScheduleSpec {
  /** Lower-case letters, digits and dashes; unique. */
  id: string;
  /** A cron expression (5 fields, or 6 with seconds first). */
  cron: string;
  /** IANA time zone the expression is read in; default UTC. */
  timezone?: string;
  workflow: string;
  params: unknown;
}

/** What one tick did for one due schedule. */
export interface Firing {
  scheduleId: string;
  dueAt: number;
  /** The run submitted (or found, on a repeat), or null when skipped. */
  runId: string | null;
  /** Why nothing was submitted. */
  skipped?: string;
}

function cronOf(expression: string, timezone: string | null): Cron {
  try {
    return new Cron(expression, { paused: true, timezone: timezone ?? "UTC" });
  } catch (error) {
    throw new ValidationError(
      `invalid cron expression "${expression}": ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
}

/** The first time `expression` fires strictly after `after` (ms), or null. */
export function nextFiring(
  expression: string,
  timezone: string | null,
  after: number,
): number | null {
  const cron = cronOf(expression, timezone);
  try {
    return cron.nextRun(new Date(after))?.getTime() ?? null;
  } catch (error) {
    // croner checks the time zone only when it computes a time.
    throw new ValidationError(
      `cannot compute the next time of "${expression}" in time zone "${timezone ?? "UTC"}": ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
}

/**
 * Adds, lists and fires schedules through an {@link Engine}.
 *
 * @example
 * ```ts ignore
 * const scheduler = new Scheduler(engine);
 * scheduler.add({ id: "nightly", cron: "0 3 * * *", workflow: "hash-chain", params: {} });
 * scheduler.tick(); // submits whatever is due now
 * ```
 */
export class Scheduler {
  readonly engine: Engine;

  constructor(engine: Engine) {
    this.engine = engine;
  }

  /** Validates and stores a schedule; its first run is the cron's next time after `now`. */
  add(spec: ScheduleSpec, now = Date.now()): ScheduleRecord {
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(spec.id)) {
      throw new ValidationError(
        `schedule id "${spec.id}" must be lower-case letters, digits and dashes`,
      );
    }
    const store = this.engine.store.schedules;
    if (store.has(spec.id)) throw new ValidationError(`schedule "${spec.id}" already exists`);
    const workflow = this.engine.registry.get(spec.workflow);
    const params = parseParams(workflow, spec.params) as Json;
    const timezone = spec.timezone ?? null;
    return store.insert({
      id: spec.id,
      cron: spec.cron,
      timezone,
      workflow: workflow.name,
      params,
      nextRunAt: nextFiring(spec.cron, timezone, now),
    }, now);
  }

  /**
   * {@link Scheduler.add} after the workflow's preflight ({@link Engine.preflight}): a schedule
   * whose runs could only fail (its dataset does not exist or does not fit) is refused now
   * rather than failing at every firing. The CLI and the HTTP API create schedules this way.
   */
  async addChecked(spec: ScheduleSpec, now = Date.now()): Promise<ScheduleRecord> {
    const params = await this.engine.preflight(spec.workflow, spec.params);
    return this.add({ ...spec, params }, now);
  }

  /** All schedules. */
  list(): ScheduleRecord[] {
    return this.engine.store.schedules.list();
  }

  /** Removes a schedule. */
  remove(id: string): void {
    this.engine.store.schedules.remove(id);
  }

  /** Submits a run for every schedule due at `now`, and moves each to its next time. */
  tick(now = Date.now()): Firing[] {
    const firings: Firing[] = [];
    for (const schedule of this.engine.store.schedules.due(now)) {
      const dueAt = schedule.nextRunAt!;
      const next = nextFiring(schedule.cron, schedule.timezone, Math.max(now, dueAt));
      const previous = schedule.lastRunId === null ? null : this.#stateOf(schedule.lastRunId);
      if (previous !== null && !isTerminalRunState(previous)) {
        if (this.engine.store.schedules.advance(schedule.id, dueAt, next, null, now)) {
          firings.push({
            scheduleId: schedule.id,
            dueAt,
            runId: null,
            skipped: `run ${schedule.lastRunId} is still ${previous}`,
          });
        }
        continue;
      }
      const { run } = this.engine.submit(schedule.workflow, schedule.params, {
        idempotencyKey: `schedule:${schedule.id}:${new Date(dueAt).toISOString()}`,
        scheduleId: schedule.id,
      });
      this.engine.store.schedules.advance(schedule.id, dueAt, next, run.id, now);
      firings.push({ scheduleId: schedule.id, dueAt, runId: run.id });
    }
    return firings;
  }

  /**
   * Ticks now (catching up on anything missed) and then at every due time until `signal`
   * aborts; picks up schedules added by other processes within `pollMs` (default 30 s).
   */
  async run(signal: AbortSignal, pollMs = 30_000, onFiring: (f: Firing) => void = () => {}) {
    while (!signal.aborted) {
      for (const firing of this.tick()) onFiring(firing);
      const due = this.engine.store.schedules.nextDueAt();
      const delay = due === null ? pollMs : Math.min(pollMs, Math.max(0, due - Date.now()));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, delay);
        function done() {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          resolve();
        }
        signal.addEventListener("abort", done, { once: true });
      });
    }
  }

  #stateOf(runId: string) {
    try {
      return this.engine.store.runs.get(runId).state;
    } catch {
      return null;
    }
  }
}
