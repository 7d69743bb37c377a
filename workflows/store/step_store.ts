/**
 * Steps in SQLite: finding the ready steps of each run (every step it runs after succeeded),
 * claiming one under a lease within the concurrency limits of its key, heartbeats, and
 * recording how an attempt ended (output, failure, retry, release). Each change is one
 * transaction that also appends its event and, where the step ends the run, the run's.
 *
 * @module
 */
import type { SqlDatabase } from "./sql.ts";
import type { EventLog } from "./event_log.ts";
import {
  isTerminalRunState,
  type Json,
  type RunRecord,
  type RunState,
  stepFromRow,
  type StepRecord,
  type StepState,
} from "./records.ts";
import type { RunStore } from "./run_store.ts";
import { immediateTransaction } from "./transaction.ts";

/** A step this process now holds the lease of. */
export interface ClaimedStep {
  run: RunRecord;
  step: StepRecord;
  /** The owner whose lease had expired, when this claim is a takeover. */
  previousOwner: string | null;
}

/** Which steps a claim may pick. */
export interface ClaimRequest {
  owner: string;
  now: number;
  leaseMs: number;
  /**
   * How many steps naming `key` may hold a live lease at once, store-wide (read inside the
   * claim's transaction).
   */
  limitOf: (key: string) => number;
  /** Only runs of these workflows (the ones this process can execute). */
  workflows: readonly string[];
  /** Only this run. */
  runId?: string;
  /** Only this step (of `runId`). */
  stepId?: string;
  /**
   * Owners whose live leases this claim may take over at once: earlier incarnations of the
   * claiming owner that are known to have stopped (a durable-execution engine's earlier attempt
   * of the same invocation). Their writes are fenced on the lease like any other owner's.
   */
  supersedes?: (owner: string) => boolean;
}

/** A failure to record on a step. */
export interface StepFailure {
  message: string;
  code: string;
}

const ACTIVE = "('queued', 'running')";

/** The steps table, seen as leases. */
export class StepStore {
  readonly #db: SqlDatabase;
  readonly #events: EventLog;
  readonly #runs: RunStore;
  /** The table of one step's dependencies (`after_steps`, a JSON array), as `d(value)`. */
  readonly #dependencies: string;

  constructor(db: SqlDatabase, events: EventLog, runs: RunStore) {
    this.#db = db;
    this.#dependencies = db.dialect === "postgres"
      ? "jsonb_array_elements_text(s.after_steps::jsonb) d(value)"
      : "json_each(s.after_steps) d";
    this.#events = events;
    this.#runs = runs;
  }

  /**
   * The unfinished steps of active runs whose dependencies have all succeeded (pending ones,
   * and running ones, whose lease may have expired), oldest run first, in each run's order.
   */
  readySteps(
    workflows: readonly string[],
    runId?: string,
  ): { run: RunRecord; step: StepRecord }[] {
    const rows = this.#db.prepare(
      `SELECT s.*, r.workflow AS r_workflow FROM steps s JOIN runs r ON r.id = s.run_id
       WHERE r.state IN ${ACTIVE} AND (CAST(?1 AS TEXT) IS NULL OR r.id = ?1)
         AND s.state IN ('pending', 'running')
         AND NOT EXISTS (SELECT 1 FROM ${this.#dependencies}
                         JOIN steps p ON p.run_id = s.run_id AND p.step_id = d.value
                         WHERE p.state != 'succeeded')
       ORDER BY r.created_at, r.rowid, s.position`,
    ).all(runId ?? null);
    const runs = new Map<string, RunRecord>();
    return rows
      .filter((row) => workflows.includes(String(row.r_workflow)))
      .map((row) => {
        const id = String(row.run_id);
        if (!runs.has(id)) runs.set(id, this.#runs.get(id));
        return { run: runs.get(id)!, step: stepFromRow(row) };
      });
  }

  /**
   * Takes the lease of one ready step: pending, past its retry time, with every step it runs
   * after succeeded; or running under a lease that expired (its owner died). A step naming a
   * concurrency key waits while `limitOf(key)` steps of that key hold live leases. Returns null
   * when none can be taken.
   */
  claim(request: ClaimRequest): ClaimedStep | null {
    const { owner, now, leaseMs, stepId } = request;
    const superseded = (step: StepRecord) =>
      step.state === "running" && step.leaseOwner !== null && step.leaseOwner !== owner &&
      (step.leaseExpiresAt ?? 0) >= now && (request.supersedes?.(step.leaseOwner) ?? false);
    const ready = (step: StepRecord) =>
      (stepId === undefined || step.stepId === stepId) &&
      // A live process never takes over its own lease: it is still running that step.
      (step.state === "pending"
        ? step.retryAt === null || step.retryAt <= now
        : step.state === "running" &&
          (((step.leaseExpiresAt ?? 0) < now && step.leaseOwner !== owner) || superseded(step)));
    // Look without the write lock first: an idle worker polling must not serialise the others.
    if (!this.readySteps(request.workflows, request.runId).some(({ step }) => ready(step))) {
      return null;
    }
    return immediateTransaction(this.#db, () => {
      const live = this.#liveLeasesByKey(now);
      for (const { run, step } of this.readySteps(request.workflows, request.runId)) {
        if (!ready(step)) continue;
        const key = step.concurrencyKey;
        // A takeover replaces an expired lease, which the count does not hold; taking over a
        // live one (superseded) frees the slot it held.
        if (
          key !== null && !superseded(step) && (live.get(key) ?? 0) >= request.limitOf(key)
        ) continue;
        const previousOwner = step.state === "running" ? step.leaseOwner : null;
        this.#db.prepare(
          `UPDATE steps SET state = 'running', lease_owner = ?, lease_expires_at = ?,
             heartbeat_at = ?, attempt = attempt + 1, retry_at = NULL,
             started_at = coalesce(started_at, ?)
           WHERE run_id = ? AND step_id = ?`,
        ).run(owner, now + leaseMs, now, now, step.runId, step.stepId);
        if (run.state === "queued") {
          this.#db.prepare(
            `UPDATE runs SET state = 'running', started_at = coalesce(started_at, ?),
               updated_at = ? WHERE id = ?`,
          ).run(now, now, run.id);
          this.#events.append(run.id, "run.started", {});
        }
        const claimed = this.#runs.steps(run.id)[step.position];
        this.#events.append(run.id, "step.started", {
          attempt: claimed.attempt,
          owner,
          takeoverFrom: previousOwner,
        }, step.stepId);
        return { run: this.#runs.get(run.id), step: claimed, previousOwner };
      }
      return null;
    });
  }

  /**
   * Steps that finished (succeeded or failed) at a time in `[from, to)`, with their run's
   * workflow: what the step-duration metric observes.
   */
  finishedBetween(
    from: number,
    to: number,
  ): (StepRecord & { workflow: string; state: "succeeded" | "failed" })[] {
    return this.#db.prepare(
      `SELECT s.*, r.workflow AS r_workflow FROM steps s JOIN runs r ON r.id = s.run_id
       WHERE s.finished_at >= ? AND s.finished_at < ? AND s.state IN ('succeeded', 'failed')
       ORDER BY s.finished_at`,
    ).all(from, to).map((row) => ({
      ...stepFromRow(row),
      workflow: String(row.r_workflow),
      state: row.state as "succeeded" | "failed",
    }));
  }

  /** Stores the input a step was started with (computed once, from params and outputs). */
  setInput(runId: string, stepId: string, input: Json): void {
    this.#db.prepare("UPDATE steps SET input = ? WHERE run_id = ? AND step_id = ?")
      .run(JSON.stringify(input), runId, stepId);
  }

  /**
   * Extends a held lease. Returns whether this owner still holds it, and the run's state (so
   * that a cancel from another process reaches the step).
   */
  heartbeat(
    runId: string,
    stepId: string,
    owner: string,
    leaseMs: number,
    now = Date.now(),
  ): { held: boolean; runState: RunState } {
    const result = this.#db.prepare(
      `UPDATE steps SET lease_expires_at = ?, heartbeat_at = ?
       WHERE run_id = ? AND step_id = ? AND lease_owner = ? AND state = 'running'`,
    ).run(now + leaseMs, now, runId, stepId, owner);
    return { held: Number(result.changes) === 1, runState: this.#runs.get(runId).state };
  }

  /**
   * Records a step's output. When every step of the run has succeeded, the run succeeds with
   * this output (the last step's). Returns false (and changes nothing) when the lease is lost.
   */
  succeed(runId: string, stepId: string, owner: string, output: Json, now = Date.now()): boolean {
    return immediateTransaction(this.#db, () => {
      if (!this.#release(runId, stepId, owner, "succeeded", now, { output })) return false;
      this.#events.append(runId, "step.succeeded", { output }, stepId);
      const steps = this.#runs.steps(runId);
      const run = this.#runs.get(runId);
      if (!isTerminalRunState(run.state) && steps.every((s) => s.state === "succeeded")) {
        this.#runs.finish(runId, "succeeded", now, { output });
        this.#events.append(runId, "run.succeeded", { output });
      }
      return true;
    });
  }

  /**
   * Fails the step and its run with `failure`; the run's pending steps are skipped (a resume
   * runs them). Returns false when the lease is lost.
   */
  fail(
    runId: string,
    stepId: string,
    owner: string,
    failure: StepFailure,
    now = Date.now(),
  ): boolean {
    return immediateTransaction(this.#db, () => {
      if (!this.#release(runId, stepId, owner, "failed", now, { failure })) return false;
      this.#events.append(runId, "step.failed", { ...failure }, stepId);
      if (!isTerminalRunState(this.#runs.get(runId).state)) {
        this.#runs.finish(runId, "failed", now, { failure });
        this.#skipPending(runId, `step ${stepId} failed`);
        this.#events.append(runId, "run.failed", { ...failure, stepId });
      }
      return true;
    });
  }

  /**
   * Puts the step back to pending for `delayMs` (skipped, or cancelled, when its run ended
   * meanwhile). Returns false when the lease is lost.
   */
  retryLater(
    runId: string,
    stepId: string,
    owner: string,
    failure: StepFailure,
    delayMs: number,
    now = Date.now(),
  ): boolean {
    const retryAt = now + delayMs;
    return immediateTransaction(this.#db, () => {
      const state = this.#pendingState(runId);
      if (!this.#release(runId, stepId, owner, state, now, { failure, retryAt })) return false;
      if (state !== "pending") {
        this.#events.append(runId, `step.${state}`, { reason: failure.message }, stepId);
        return true;
      }
      const attempt = this.#runs.steps(runId).find((s) => s.stepId === stepId)?.attempt ?? 0;
      this.#events.append(runId, "step.retrying", {
        ...failure,
        attempt,
        delayMs,
      }, stepId);
      return true;
    });
  }

  /**
   * Gives a step's lease back after its signal was aborted, without counting the interrupted
   * attempt: `cancelled` when its run is cancelled, `skipped` when it failed, `pending`
   * otherwise (shutdown, or the run was resumed meanwhile).
   */
  releaseAborted(runId: string, stepId: string, owner: string, reason: string, now = Date.now()) {
    return immediateTransaction(this.#db, () => {
      const state = this.#pendingState(runId);
      if (!this.#release(runId, stepId, owner, state, now, { refundAttempt: true })) return false;
      this.#events.append(runId, state === "pending" ? "step.released" : `step.${state}`, {
        reason,
      }, stepId);
      return true;
    });
  }

  /** What an unfinished step of `runId` becomes: pending, or what its run's end makes it. */
  #pendingState(runId: string): "pending" | "cancelled" | "skipped" {
    const state = this.#runs.get(runId).state;
    return state === "cancelled" ? "cancelled" : isTerminalRunState(state) ? "skipped" : "pending";
  }

  /** Marks a failed run's pending steps skipped, one `step.skipped` event each. */
  #skipPending(runId: string, reason: string): void {
    const skipped = this.#db.prepare(
      `UPDATE steps SET state = 'skipped', retry_at = NULL
       WHERE run_id = ? AND state = 'pending' RETURNING step_id, position`,
    ).all(runId).sort((a, b) => Number(a.position) - Number(b.position));
    for (const row of skipped) {
      this.#events.append(runId, "step.skipped", { reason }, String(row.step_id));
    }
  }

  /**
   * The next time something becomes ready by itself: a retry coming due, or a lease
   * expiring. Null when nothing is waiting on the clock.
   */
  nextWakeAt(workflows: readonly string[], now: number, runId?: string): number | null {
    let next: number | null = null;
    for (const { step } of this.readySteps(workflows, runId)) {
      const at = step.state === "pending" ? step.retryAt : step.leaseExpiresAt;
      if (at !== null && at >= now && (next === null || at < next)) next = at;
    }
    return next;
  }

  /**
   * Live leases per concurrency key, whatever the state of their runs: a step of a cancelled or
   * failed run still uses its resources until it sees its signal and lets go.
   */
  #liveLeasesByKey(now: number): Map<string, number> {
    const rows = this.#db.prepare(
      `SELECT concurrency_key AS key, count(*) AS n FROM steps
       WHERE concurrency_key IS NOT NULL AND state = 'running' AND lease_expires_at >= ?
       GROUP BY concurrency_key`,
    ).all(now);
    return new Map(rows.map((row) => [String(row.key), Number(row.n)]));
  }

  #release(
    runId: string,
    stepId: string,
    owner: string,
    state: Exclude<StepState, "running">,
    now: number,
    extra: { output?: Json; failure?: StepFailure; retryAt?: number; refundAttempt?: boolean },
  ): boolean {
    const finished = state === "succeeded" || state === "failed" ? now : null;
    const result = this.#db.prepare(
      `UPDATE steps SET state = ?, lease_owner = NULL, lease_expires_at = NULL,
         output = coalesce(?, output), error = ?, error_code = ?, retry_at = ?,
         finished_at = ?, attempt = attempt - ?
       WHERE run_id = ? AND step_id = ? AND lease_owner = ? AND state = 'running'`,
    ).run(
      state,
      extra.output === undefined ? null : JSON.stringify(extra.output),
      extra.failure?.message ?? null,
      extra.failure?.code ?? null,
      extra.retryAt ?? null,
      finished,
      extra.refundAttempt ? 1 : 0,
      runId,
      stepId,
      owner,
    );
    return Number(result.changes) === 1;
  }
}
