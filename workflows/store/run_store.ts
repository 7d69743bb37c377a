/**
 * Runs in the store: submission with idempotency keys (a run and all its steps in one
 * transaction), listing, cancel and resume. Each change also appends its event.
 *
 * @module
 */
import type { SqlDatabase, SqlStatement } from "./sql.ts";
import { crashPoint } from "../../core/crash_point.ts";
import { ValidationError } from "../../core/errors.ts";
import { IdempotencyConflictError, NotFoundError, RunStateError } from "../errors.ts";
import type { EventLog } from "./event_log.ts";
import type { StepFailure } from "./step_store.ts";
import {
  isTerminalRunState,
  type Json,
  runFromRow,
  type RunRecord,
  type RunState,
  stepFromRow,
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
  /** In order; each runs after steps listed before it. */
  steps: {
    stepId: string;
    group?: string;
    after: readonly string[];
    concurrencyKey?: string;
    maxAttempts: number;
  }[];
}

const ACTIVE = "('queued', 'running')";

/** The fewest characters of a run id that can name it (`runs list` and the dashboard show 8). */
export const MIN_ID_PREFIX = 4;

/** The runs and steps tables. */
export class RunStore {
  readonly #db: SqlDatabase;
  readonly #events: EventLog;
  readonly #statements = new Map<string, SqlStatement>();

  constructor(db: SqlDatabase, events: EventLog) {
    this.#db = db;
    this.#events = events;
  }

  /** A prepared statement, compiled once per store (reads of a run sit on the API's hot path). */
  #sql(sql: string): SqlStatement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) this.#statements.set(sql, statement = this.#db.prepare(sql));
    return statement;
  }

  /**
   * Inserts a run with its steps, or returns the run that already holds `idempotencyKey` when
   * its request hash matches (`created: false`); a different hash is an
   * {@link IdempotencyConflictError}.
   */
  insert(run: NewRun, now = Date.now()): { run: RunRecord; created: boolean } {
    return immediateTransaction(this.#db, () => {
      if (run.idempotencyKey) {
        const existing = this.#sql("SELECT * FROM runs WHERE idempotency_key = ?")
          .get(run.idempotencyKey);
        if (existing !== undefined) {
          const record = runFromRow(existing);
          if (record.requestHash !== run.requestHash) {
            throw new IdempotencyConflictError(run.idempotencyKey, record.id);
          }
          return { run: record, created: false };
        }
      }
      this.#sql(
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
      crashPoint(`submission of run ${run.id}: after its row`);
      const insertStep = this.#sql(
        `INSERT INTO steps (run_id, step_id, position, group_name, after_steps, concurrency_key,
           state, max_attempts)
         VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)`,
      );
      run.steps.forEach((step, position) => {
        insertStep.run(
          run.id,
          step.stepId,
          position,
          step.group ?? null,
          JSON.stringify(step.after),
          step.concurrencyKey ?? null,
          step.maxAttempts,
        );
        crashPoint(`submission of run ${run.id}: after step ${step.stepId}`);
      });
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
    const row = this.#sql("SELECT * FROM runs WHERE id = ?").get(runId);
    if (row === undefined) throw new NotFoundError(`no run with id "${runId}"`);
    return runFromRow(row);
  }

  /**
   * The full id of the run that `idOrPrefix` names: the id itself, or a prefix of at least
   * {@link MIN_ID_PREFIX} characters that exactly one run's id starts with (the short form
   * `runs list` prints). A prefix that several runs share is refused with their ids.
   */
  resolveId(idOrPrefix: string): string {
    if (this.#sql("SELECT 1 FROM runs WHERE id = ?").get(idOrPrefix) !== undefined) {
      return idOrPrefix;
    }
    const missing = new NotFoundError(`no run with id "${idOrPrefix}"`);
    if (idOrPrefix.length < MIN_ID_PREFIX || !/^[0-9a-z-]+$/i.test(idOrPrefix)) throw missing;
    const prefix = idOrPrefix.toLowerCase();
    // A range on the primary key: ids are lowercase, so every id with the prefix sorts in it.
    const rows = this.#sql("SELECT id FROM runs WHERE id >= ? AND id < ? ORDER BY id LIMIT 4")
      .all(prefix, prefix + "\uffff") as { id: string }[];
    if (rows.length === 0) throw missing;
    if (rows.length > 1) {
      const shown = rows.slice(0, 3).map((row) => row.id).join(", ");
      throw new ValidationError(
        `run id prefix "${idOrPrefix}" is ambiguous: it matches ${shown}` +
          `${rows.length > 3 ? ", ..." : ""}; give more characters`,
      );
    }
    return rows[0].id;
  }

  /** Runs, newest first, optionally of one state or workflow. */
  list(filter: { state?: RunState; workflow?: string; limit?: number } = {}): RunRecord[] {
    const rows = this.#sql(
      `SELECT * FROM runs WHERE (CAST(?1 AS TEXT) IS NULL OR state = ?1) AND (CAST(?2 AS TEXT) IS NULL OR workflow = ?2)
       ORDER BY created_at DESC, rowid DESC LIMIT ?3`,
    ).all(filter.state ?? null, filter.workflow ?? null, filter.limit ?? 100);
    return rows.map((row) => runFromRow(row));
  }

  /**
   * One page of runs, newest first (by submission order), optionally of one state or workflow.
   * `before` is the `position` of the last run of the previous page; `next` is the position to
   * pass for the page after this one, or null when there is none.
   */
  page(
    filter: { state?: RunState; workflow?: string; limit: number; before?: number },
  ): { runs: RunRecord[]; next: number | null } {
    const rows = this.#sql(
      `SELECT rowid AS position, * FROM runs
       WHERE (CAST(?1 AS TEXT) IS NULL OR state = ?1) AND (CAST(?2 AS TEXT) IS NULL OR workflow = ?2)
         AND (CAST(?3 AS BIGINT) IS NULL OR rowid < ?3)
       ORDER BY rowid DESC LIMIT ?4`,
    ).all(filter.state ?? null, filter.workflow ?? null, filter.before ?? null, filter.limit + 1);
    const more = rows.length > filter.limit;
    const shown = rows.slice(0, filter.limit);
    return {
      runs: shown.map((row) => runFromRow(row)),
      next: more ? Number(shown.at(-1)!.position) : null,
    };
  }

  /** The page position of run `runId` (what {@link page}'s `before` takes to start after it). */
  positionOf(runId: string): number {
    const row = this.#sql("SELECT rowid AS position FROM runs WHERE id = ?").get(runId);
    if (row === undefined) throw new NotFoundError(`no run with id "${runId}"`);
    return Number(row.position);
  }

  /** How many runs are in each state (every state present, zero when none). */
  countByState(): Record<RunState, number> {
    const counts: Record<RunState, number> = {
      queued: 0,
      running: 0,
      succeeded: 0,
      failed: 0,
      cancelled: 0,
    };
    const rows = this.#sql("SELECT state, count(*) AS n FROM runs GROUP BY state")
      .all() as { state: RunState; n: number }[];
    for (const row of rows) counts[row.state] = Number(row.n);
    return counts;
  }

  /** A run's steps in order. */
  steps(runId: string): StepRecord[] {
    return this.#sql("SELECT * FROM steps WHERE run_id = ? ORDER BY position").all(runId)
      .map((row) => stepFromRow(row));
  }

  /** Number of queued or running runs (of these workflows / this run, when given). */
  activeCount(workflows?: readonly string[], runId?: string): number {
    const rows = this.#sql(
      `SELECT workflow FROM runs WHERE state IN ${ACTIVE} AND (CAST(?1 AS TEXT) IS NULL OR id = ?1)`,
    ).all(runId ?? null) as { workflow: string }[];
    return rows.filter((row) => workflows === undefined || workflows.includes(row.workflow))
      .length;
  }

  /**
   * Cancels a queued or running run; its running steps stop when they next see their signal.
   * `reason` goes into the `run.cancelled` event (`interrupted (Ctrl-C)`, say).
   */
  cancel(runId: string, now = Date.now(), reason?: string): RunRecord {
    return immediateTransaction(this.#db, () => {
      const run = this.get(runId);
      if (isTerminalRunState(run.state)) {
        throw new RunStateError(`run ${runId} is already ${run.state}; nothing to cancel`);
      }
      this.#sql(
        "UPDATE steps SET state = 'cancelled', retry_at = NULL WHERE run_id = ? AND state = 'pending'",
      ).run(runId);
      this.finish(runId, "cancelled", now, {});
      this.#events.append(runId, "run.cancelled", reason === undefined ? {} : { reason });
      return this.get(runId);
    });
  }

  /**
   * Queues a failed or cancelled run again. Finished steps keep their outputs; failed, cancelled
   * and skipped ones start over with a fresh retry budget (and resume from their checkpoints).
   */
  resume(runId: string, now = Date.now()): RunRecord {
    return immediateTransaction(this.#db, () => {
      const run = this.get(runId);
      if (run.state !== "failed" && run.state !== "cancelled") {
        throw new RunStateError(
          `run ${runId} is ${run.state}; only failed or cancelled runs can be resumed`,
        );
      }
      this.#sql(
        `UPDATE steps SET state = 'pending', attempt = 0, retry_at = NULL, error = NULL,
           error_code = NULL, finished_at = NULL
         WHERE run_id = ? AND state IN ('failed', 'cancelled', 'skipped')`,
      ).run(runId);
      this.#sql(
        `UPDATE runs SET state = 'queued', error = NULL, error_code = NULL, finished_at = NULL,
           updated_at = ? WHERE id = ?`,
      ).run(now, runId);
      this.#events.append(runId, "run.resumed", {});
      return this.get(runId);
    });
  }

  /** Sets the annotation `name` of a run (replacing an earlier value of that name). */
  annotate(runId: string, name: string, value: Json, now = Date.now()): void {
    // Read, change, write back under the write lock: the same bytes on every dialect, keys in
    // the order they were first set.
    immediateTransaction(this.#db, () => {
      const row = this.#sql("SELECT annotations FROM runs WHERE id = ?").get(runId);
      if (row === undefined) return;
      const annotations = JSON.parse(String(row.annotations)) as Record<string, Json>;
      annotations[name] = value;
      this.#sql("UPDATE runs SET annotations = ?, updated_at = ? WHERE id = ?")
        .run(JSON.stringify(annotations), now, runId);
    });
  }

  /** Ends a run in `state` (inside the caller's transaction). */
  finish(
    runId: string,
    state: "succeeded" | "failed" | "cancelled",
    now: number,
    extra: { output?: Json; failure?: StepFailure },
  ): void {
    this.#sql(
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
