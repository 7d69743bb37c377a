/**
 * Cron schedules in SQLite.
 *
 * @module
 */
import type { SqlDatabase } from "./sql.ts";
import { NotFoundError } from "../errors.ts";
import { type Json, scheduleFromRow, type ScheduleRecord } from "./records.ts";
import { immediateTransaction } from "./transaction.ts";

/** What a new schedule is made of. */
export interface NewSchedule {
  id: string;
  cron: string;
  timezone?: string | null;
  workflow: string;
  params: Json;
  nextRunAt: number | null;
  enabled?: boolean;
}

/** The schedules table. */
export class ScheduleStore {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  /** Adds a schedule (its id must be new). */
  insert(schedule: NewSchedule, now = Date.now()): ScheduleRecord {
    this.#db.prepare(
      `INSERT INTO schedules (id, cron, timezone, workflow, params, enabled, next_run_at,
         created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      schedule.id,
      schedule.cron,
      schedule.timezone ?? null,
      schedule.workflow,
      JSON.stringify(schedule.params),
      schedule.enabled === false ? 0 : 1,
      schedule.nextRunAt,
      now,
      now,
    );
    return this.get(schedule.id);
  }

  /** Whether a schedule with this id exists. */
  has(id: string): boolean {
    return this.#db.prepare("SELECT 1 FROM schedules WHERE id = ?").get(id) !== undefined;
  }

  /** The schedule with this id, or a {@link NotFoundError}. */
  get(id: string): ScheduleRecord {
    const row = this.#db.prepare("SELECT * FROM schedules WHERE id = ?").get(id);
    if (row === undefined) throw new NotFoundError(`no schedule with id "${id}"`);
    return scheduleFromRow(row);
  }

  /** All schedules, by id. */
  list(): ScheduleRecord[] {
    return this.#db.prepare("SELECT * FROM schedules ORDER BY id").all()
      .map((row) => scheduleFromRow(row));
  }

  /** Removes a schedule; a {@link NotFoundError} when there is none. */
  remove(id: string): void {
    const result = this.#db.prepare("DELETE FROM schedules WHERE id = ?").run(id);
    if (Number(result.changes) === 0) throw new NotFoundError(`no schedule with id "${id}"`);
  }

  /** Turns a schedule on or off. */
  setEnabled(id: string, enabled: boolean, now = Date.now()): ScheduleRecord {
    this.#db.prepare("UPDATE schedules SET enabled = ?, updated_at = ? WHERE id = ?")
      .run(enabled ? 1 : 0, now, id);
    return this.get(id);
  }

  /** Enabled schedules whose next run is at or before `now`. */
  due(now: number): ScheduleRecord[] {
    return this.#db.prepare(
      `SELECT * FROM schedules WHERE enabled = 1 AND next_run_at IS NOT NULL
         AND next_run_at <= ? ORDER BY next_run_at, id`,
    ).all(now).map((row) => scheduleFromRow(row));
  }

  /** The earliest next run of an enabled schedule, or null. */
  nextDueAt(): number | null {
    const row = this.#db.prepare(
      "SELECT min(next_run_at) AS at FROM schedules WHERE enabled = 1",
    ).get() as { at: number | null };
    return row.at === null ? null : Number(row.at);
  }

  /**
   * Moves a schedule past a due time, recording the run it submitted (if any), provided no
   * other process advanced it first. Returns whether this call advanced it.
   */
  advance(
    id: string,
    dueAt: number,
    nextRunAt: number | null,
    runId: string | null,
    now = Date.now(),
  ): boolean {
    return immediateTransaction(this.#db, () => {
      const result = this.#db.prepare(
        `UPDATE schedules SET next_run_at = ?, last_due_at = ?,
           last_run_id = coalesce(?, last_run_id), updated_at = ?
         WHERE id = ? AND next_run_at = ?`,
      ).run(nextRunAt, dueAt, runId, now, id, dueAt);
      return Number(result.changes) === 1;
    });
  }
}
