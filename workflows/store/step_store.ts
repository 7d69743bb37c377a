/**
 * Steps in SQLite: finding the current step of each run, claiming it under a lease,
 * heartbeats, and recording how an attempt ended (output, failure, retry, release). Each change
 * is one transaction that also appends its event and, where the step ends the run, the run's.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import type { EventLog } from "./event_log.ts";
import {
  isTerminalRunState,
  type Json,
  type RunRecord,
  type RunState,
  stepFromRow,
  type StepRecord,
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
  /** At most this many `training` steps may hold a live lease at once, store-wide. */
  trainingLimit: number;
  /** Only runs of these workflows (the ones this process can execute). */
  workflows: readonly string[];
  /** Only this run. */
  runId?: string;
}

/** A failure to record on a step. */
export interface StepFailure {
  message: string;
  code: string;
}

const ACTIVE = "('queued', 'running')";

/** The steps table, seen as leases. */
export class StepStore {
  readonly #db: DatabaseSync;
  readonly #events: EventLog;
  readonly #runs: RunStore;

  constructor(db: DatabaseSync, events: EventLog, runs: RunStore) {
    this.#db = db;
    this.#events = events;
    this.#runs = runs;
  }

  /** The first unfinished step of each active run, oldest run first. */
  currentSteps(
    workflows: readonly string[],
    runId?: string,
  ): { run: RunRecord; step: StepRecord }[] {
    const rows = this.#db.prepare(
      `SELECT s.*, r.workflow AS r_workflow FROM steps s JOIN runs r ON r.id = s.run_id
       WHERE r.state IN ${ACTIVE} AND (?1 IS NULL OR r.id = ?1) AND s.state != 'succeeded'
         AND NOT EXISTS (SELECT 1 FROM steps p WHERE p.run_id = s.run_id
                         AND p.position < s.position AND p.state != 'succeeded')
       ORDER BY r.created_at, r.rowid`,
    ).all(runId ?? null);
    return rows
      .filter((row) => workflows.includes(String(row.r_workflow)))
      .map((row) => ({ run: this.#runs.get(String(row.run_id)), step: stepFromRow(row) }));
  }

  /**
   * Takes the lease of the first step that is ready: pending and past its retry time, or
   * running under a lease that expired (its owner died). Training steps wait while
   * `trainingLimit` of them hold live leases. Returns null when none is ready.
   */
  claim(request: ClaimRequest): ClaimedStep | null {
    const { owner, now, leaseMs } = request;
    const ready = (step: StepRecord) =>
      // A live process never takes over its own lease: it is still running that step.
      step.state === "pending"
        ? step.retryAt === null || step.retryAt <= now
        : step.state === "running" && (step.leaseExpiresAt ?? 0) < now && step.leaseOwner !== owner;
    // Look without the write lock first: an idle worker polling must not serialise the others.
    if (!this.currentSteps(request.workflows, request.runId).some(({ step }) => ready(step))) {
      return null;
    }
    return immediateTransaction(this.#db, () => {
      for (const { run, step } of this.currentSteps(request.workflows, request.runId)) {
        if (!ready(step)) continue;
        if (step.kind === "training" && this.#liveTrainingLeases(now) >= request.trainingLimit) {
          continue;
        }
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

  /** Outputs of a run's succeeded steps, by step id. */
  outputs(runId: string): Record<string, Json> {
    const outputs: Record<string, Json> = {};
    for (const step of this.#runs.steps(runId)) {
      if (step.state === "succeeded") outputs[step.stepId] = step.output;
    }
    return outputs;
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
   * Records a step's output. When it is the last step and the run is still running, the run
   * succeeds with that output. Returns false (and changes nothing) when the lease is lost.
   */
  succeed(runId: string, stepId: string, owner: string, output: Json, now = Date.now()): boolean {
    return immediateTransaction(this.#db, () => {
      if (!this.#release(runId, stepId, owner, "succeeded", now, { output })) return false;
      this.#events.append(runId, "step.succeeded", { output }, stepId);
      const steps = this.#runs.steps(runId);
      const run = this.#runs.get(runId);
      if (run.state === "running" && steps.every((s) => s.state === "succeeded")) {
        this.#runs.finish(runId, "succeeded", now, { output });
        this.#events.append(runId, "run.succeeded", { output });
      }
      return true;
    });
  }

  /** Fails the step and its run with `failure`. Returns false when the lease is lost. */
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
        this.#events.append(runId, "run.failed", { ...failure, stepId });
      }
      return true;
    });
  }

  /** Puts the step back to pending for `delayMs`. Returns false when the lease is lost. */
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
      if (!this.#release(runId, stepId, owner, "pending", now, { failure, retryAt })) return false;
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
   * Gives a step's lease back after its signal was aborted: `cancelled` when its run is
   * cancelled, `pending` otherwise (shutdown, or the run was resumed meanwhile), without
   * counting the interrupted attempt.
   */
  releaseAborted(runId: string, stepId: string, owner: string, reason: string, now = Date.now()) {
    return immediateTransaction(this.#db, () => {
      const state = this.#runs.get(runId).state === "cancelled" ? "cancelled" : "pending";
      if (!this.#release(runId, stepId, owner, state, now, { refundAttempt: true })) return false;
      this.#events.append(runId, state === "cancelled" ? "step.cancelled" : "step.released", {
        reason,
      }, stepId);
      return true;
    });
  }

  /**
   * The next time something becomes ready by itself: a retry coming due, or a lease
   * expiring. Null when nothing is waiting on the clock.
   */
  nextWakeAt(workflows: readonly string[], now: number, runId?: string): number | null {
    let next: number | null = null;
    for (const { step } of this.currentSteps(workflows, runId)) {
      const at = step.state === "pending" ? step.retryAt : step.leaseExpiresAt;
      if (at !== null && at >= now && (next === null || at < next)) next = at;
    }
    return next;
  }

  #liveTrainingLeases(now: number): number {
    const row = this.#db.prepare(
      `SELECT count(*) AS n FROM steps s JOIN runs r ON r.id = s.run_id
       WHERE s.kind = 'training' AND s.state = 'running' AND s.lease_expires_at >= ?
         AND r.state IN ${ACTIVE}`,
    ).get(now) as { n: number };
    return Number(row.n);
  }

  #release(
    runId: string,
    stepId: string,
    owner: string,
    state: "succeeded" | "failed" | "pending" | "cancelled",
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
