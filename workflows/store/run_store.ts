/**
 * Runs and their steps in SQLite: submission with idempotency keys, claiming a step under a
 * lease, heartbeats, and every state change a step or a run goes through. Each change is one
 * transaction that also appends its event.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { IdempotencyConflictError, NotFoundError, RunStateError } from "../errors.ts";
import type { EventLog } from "./event_log.ts";
import {
  isTerminalRunState,
  type Json,
  runFromRow,
  type RunRecord,
  type RunState,
  stepFromRow,
  type StepKind,
  type StepRecord,
} from "./records.ts";
import { immediateTransaction } from "./transaction.ts";

/** What a new run is made of. */
export interface NewRun {
  id: string;
  workflow: string;
  params: Json;
  requestHash: string;
  idempotencyKey?: string | null;
  scheduleId?: string | null;
  steps: { stepId: string; kind: StepKind; maxAttempts: number }[];
}

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

/** The runs and steps tables. */
export class RunStore {
  readonly #db: DatabaseSync;
  readonly #events: EventLog;

  constructor(db: DatabaseSync, events: EventLog) {
    this.#db = db;
    this.#events = events;
  }

  /**
   * Inserts a run with its steps, or returns the run that already holds `idempotencyKey` when
   * its request hash matches (`created: false`); a different hash is an
   * {@link IdempotencyConflictError}.
   */
  insert(run: NewRun, now = Date.now()): { run: RunRecord; created: boolean } {
    return immediateTransaction(this.#db, () => {
      if (run.idempotencyKey) {
        const existing = this.#db.prepare("SELECT * FROM runs WHERE idempotency_key = ?")
          .get(run.idempotencyKey);
        if (existing !== undefined) {
          const record = runFromRow(existing);
          if (record.requestHash !== run.requestHash) {
            throw new IdempotencyConflictError(run.idempotencyKey, record.id);
          }
          return { run: record, created: false };
        }
      }
      this.#db.prepare(
        `INSERT INTO runs (id, workflow, params, state, idempotency_key, request_hash,
           schedule_id, created_at, updated_at)
         VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?)`,
      ).run(
        run.id,
        run.workflow,
        JSON.stringify(run.params),
        run.idempotencyKey ?? null,
        run.requestHash,
        run.scheduleId ?? null,
        now,
        now,
      );
      const insertStep = this.#db.prepare(
        `INSERT INTO steps (run_id, step_id, position, kind, state, max_attempts)
         VALUES (?, ?, ?, ?, 'pending', ?)`,
      );
      run.steps.forEach((step, position) =>
        insertStep.run(run.id, step.stepId, position, step.kind, step.maxAttempts)
      );
      this.#events.append(run.id, "run.submitted", {
        workflow: run.workflow,
        params: run.params,
        idempotencyKey: run.idempotencyKey ?? null,
        scheduleId: run.scheduleId ?? null,
      });
      return { run: this.get(run.id), created: true };
    });
  }

  /** The run with this id, or a {@link NotFoundError}. */
  get(runId: string): RunRecord {
    const row = this.#db.prepare("SELECT * FROM runs WHERE id = ?").get(runId);
    if (row === undefined) throw new NotFoundError(`no run with id "${runId}"`);
    return runFromRow(row);
  }

  /** Runs, newest first, optionally of one state or workflow. */
  list(filter: { state?: RunState; workflow?: string; limit?: number } = {}): RunRecord[] {
    const rows = this.#db.prepare(
      `SELECT * FROM runs WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR workflow = ?2)
       ORDER BY created_at DESC, id DESC LIMIT ?3`,
    ).all(filter.state ?? null, filter.workflow ?? null, filter.limit ?? 100);
    return rows.map((row) => runFromRow(row));
  }

  /** A run's steps in order. */
  steps(runId: string): StepRecord[] {
    return this.#db.prepare("SELECT * FROM steps WHERE run_id = ? ORDER BY position").all(runId)
      .map((row) => stepFromRow(row));
  }

  /** Number of queued or running runs (of these workflows / this run, when given). */
  activeCount(workflows?: readonly string[], runId?: string): number {
    const rows = this.#db.prepare(
      `SELECT workflow FROM runs WHERE state IN ${ACTIVE} AND (?1 IS NULL OR id = ?1)`,
    ).all(runId ?? null) as { workflow: string }[];
    return rows.filter((row) => workflows === undefined || workflows.includes(row.workflow))
      .length;
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
       ORDER BY r.created_at, r.id`,
    ).all(runId ?? null);
    return rows
      .filter((row) => workflows.includes(String(row.r_workflow)))
      .map((row) => ({ run: this.get(String(row.run_id)), step: stepFromRow(row) }));
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
        const claimed = this.steps(run.id)[step.position];
        this.#events.append(run.id, "step.started", {
          attempt: claimed.attempt,
          owner,
          takeoverFrom: previousOwner,
        }, step.stepId);
        return { run: this.get(run.id), step: claimed, previousOwner };
      }
      return null;
    });
  }

  /** Stores the input a step was started with (computed once, from params and outputs). */
  setInput(runId: string, stepId: string, input: Json): void {
    this.#db.prepare("UPDATE steps SET input = ? WHERE run_id = ? AND step_id = ?")
      .run(JSON.stringify(input), runId, stepId);
  }

  /** Outputs of a run's succeeded steps, by step id. */
  outputs(runId: string): Record<string, Json> {
    const outputs: Record<string, Json> = {};
    for (const step of this.steps(runId)) {
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
    return { held: Number(result.changes) === 1, runState: this.get(runId).state };
  }

  /**
   * Records a step's output. When it is the last step and the run is still running, the run
   * succeeds with that output. Returns false (and changes nothing) when the lease is lost.
   */
  succeed(runId: string, stepId: string, owner: string, output: Json, now = Date.now()): boolean {
    return immediateTransaction(this.#db, () => {
      if (!this.#release(runId, stepId, owner, "succeeded", now, { output })) return false;
      this.#events.append(runId, "step.succeeded", { output }, stepId);
      const steps = this.steps(runId);
      const run = this.get(runId);
      if (run.state === "running" && steps.every((s) => s.state === "succeeded")) {
        this.#finishRun(runId, "succeeded", now, { output });
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
      if (!isTerminalRunState(this.get(runId).state)) {
        this.#finishRun(runId, "failed", now, { failure });
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
      const attempt = this.steps(runId).find((s) => s.stepId === stepId)?.attempt ?? 0;
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
      const state = this.get(runId).state === "cancelled" ? "cancelled" : "pending";
      if (!this.#release(runId, stepId, owner, state, now, { refundAttempt: true })) return false;
      this.#events.append(runId, state === "cancelled" ? "step.cancelled" : "step.released", {
        reason,
      }, stepId);
      return true;
    });
  }

  /** Cancels a queued or running run; its running step stops when it next sees its signal. */
  cancel(runId: string, now = Date.now()): RunRecord {
    return immediateTransaction(this.#db, () => {
      const run = this.get(runId);
      if (isTerminalRunState(run.state)) {
        throw new RunStateError(`run ${runId} is already ${run.state}; nothing to cancel`);
      }
      this.#db.prepare(
        "UPDATE steps SET state = 'cancelled', retry_at = NULL WHERE run_id = ? AND state = 'pending'",
      ).run(runId);
      this.#finishRun(runId, "cancelled", now, {});
      this.#events.append(runId, "run.cancelled", {});
      return this.get(runId);
    });
  }

  /**
   * Queues a failed or cancelled run again. Finished steps keep their outputs; failed and
   * cancelled ones start over with a fresh retry budget (and resume from their checkpoints).
   */
  resume(runId: string, now = Date.now()): RunRecord {
    return immediateTransaction(this.#db, () => {
      const run = this.get(runId);
      if (run.state !== "failed" && run.state !== "cancelled") {
        throw new RunStateError(
          `run ${runId} is ${run.state}; only failed or cancelled runs can be resumed`,
        );
      }
      this.#db.prepare(
        `UPDATE steps SET state = 'pending', attempt = 0, retry_at = NULL, error = NULL,
           error_code = NULL, finished_at = NULL
         WHERE run_id = ? AND state IN ('failed', 'cancelled')`,
      ).run(runId);
      this.#db.prepare(
        `UPDATE runs SET state = 'queued', error = NULL, error_code = NULL, finished_at = NULL,
           updated_at = ? WHERE id = ?`,
      ).run(now, runId);
      this.#events.append(runId, "run.resumed", {});
      return this.get(runId);
    });
  }

  /** Stores the tensor backend report of a run. */
  setBackendReport(runId: string, report: Json): void {
    this.#db.prepare("UPDATE runs SET backend_report = ?, updated_at = ? WHERE id = ?")
      .run(JSON.stringify(report), Date.now(), runId);
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

  #finishRun(
    runId: string,
    state: "succeeded" | "failed" | "cancelled",
    now: number,
    extra: { output?: Json; failure?: StepFailure },
  ): void {
    this.#db.prepare(
      `UPDATE runs SET state = ?, output = ?, error = ?, error_code = ?, finished_at = ?,
         updated_at = ? WHERE id = ?`,
    ).run(
      state,
      extra.output === undefined ? null : JSON.stringify(extra.output),
      extra.failure?.message ?? null,
      extra.failure?.code ?? null,
      now,
      now,
      runId,
    );
  }
}
