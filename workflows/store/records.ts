/**
 * The rows of the workflow store as typed records, and the mapping from its rows (SQLite or
 * PostgreSQL: the same columns, integers as numbers).
 *
 * @module
 */

/** The life of a run. */
export type RunState = "queued" | "running" | "succeeded" | "failed" | "cancelled";
/**
 * The life of a step. A step waiting for its retry is `pending` with a `retryAt`; `skipped`: its
 * run failed before it could run (a resume runs it).
 */
export type StepState = "pending" | "running" | "succeeded" | "failed" | "cancelled" | "skipped";

/** JSON-safe values, what step inputs and outputs must be. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A run of a workflow. Times are milliseconds since the epoch. */
export interface RunRecord {
  id: string;
  workflow: string;
  params: Json;
  state: RunState;
  idempotencyKey: string | null;
  requestHash: string;
  scheduleId: string | null;
  output: Json | null;
  error: string | null;
  errorCode: string | null;
  /** Named notes steps left on the run (`backend`: the tensor backend and why). */
  annotations: Record<string, Json>;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

/** One step of a run. */
export interface StepRecord {
  runId: string;
  stepId: string;
  position: number;
  /** The group it was expanded from, if any. */
  group: string | null;
  /** Ids of the steps of its run it runs after. */
  after: string[];
  /** Its concurrency key, if any (see `concurrency_limits`). */
  concurrencyKey: string | null;
  state: StepState;
  input: Json | null;
  output: Json | null;
  attempt: number;
  maxAttempts: number;
  retryAt: number | null;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  heartbeatAt: number | null;
  error: string | null;
  errorCode: string | null;
  startedAt: number | null;
  finishedAt: number | null;
}

/** One entry of a run's event log; `seq` counts from 1 within the run. */
export interface RunEvent {
  runId: string;
  seq: number;
  type: string;
  stepId: string | null;
  payload: Json;
  time: number;
}

/** A cron schedule that submits runs of a workflow. */
export interface ScheduleRecord {
  id: string;
  cron: string;
  timezone: string | null;
  workflow: string;
  params: Json;
  enabled: boolean;
  nextRunAt: number | null;
  lastDueAt: number | null;
  lastRunId: string | null;
  createdAt: number;
  updatedAt: number;
}

type Row = Record<string, unknown>;

function json(value: unknown): Json | null {
  return typeof value === "string" ? JSON.parse(value) as Json : null;
}

function num(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function str(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** Maps a `runs` row. */
export function runFromRow(row: Row): RunRecord {
  return {
    id: String(row.id),
    workflow: String(row.workflow),
    params: json(row.params) ?? {},
    state: row.state as RunState,
    idempotencyKey: str(row.idempotency_key),
    requestHash: String(row.request_hash),
    scheduleId: str(row.schedule_id),
    output: json(row.output),
    error: str(row.error),
    errorCode: str(row.error_code),
    annotations: (json(row.annotations) ?? {}) as Record<string, Json>,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    startedAt: num(row.started_at),
    finishedAt: num(row.finished_at),
  };
}

/** Maps a `steps` row. */
export function stepFromRow(row: Row): StepRecord {
  return {
    runId: String(row.run_id),
    stepId: String(row.step_id),
    position: Number(row.position),
    group: str(row.group_name),
    after: (json(row.after_steps) ?? []) as string[],
    concurrencyKey: str(row.concurrency_key),
    state: row.state as StepState,
    input: json(row.input),
    output: json(row.output),
    attempt: Number(row.attempt),
    maxAttempts: Number(row.max_attempts),
    retryAt: num(row.retry_at),
    leaseOwner: str(row.lease_owner),
    leaseExpiresAt: num(row.lease_expires_at),
    heartbeatAt: num(row.heartbeat_at),
    error: str(row.error),
    errorCode: str(row.error_code),
    startedAt: num(row.started_at),
    finishedAt: num(row.finished_at),
  };
}

/** Maps an `events` row. */
export function eventFromRow(row: Row): RunEvent {
  return {
    runId: String(row.run_id),
    seq: Number(row.seq),
    type: String(row.type),
    stepId: str(row.step_id),
    payload: json(row.payload) ?? {},
    time: Number(row.time),
  };
}

/** Maps a `schedules` row. */
export function scheduleFromRow(row: Row): ScheduleRecord {
  return {
    id: String(row.id),
    cron: String(row.cron),
    timezone: str(row.timezone),
    workflow: String(row.workflow),
    params: json(row.params) ?? {},
    enabled: Number(row.enabled) === 1,
    nextRunAt: num(row.next_run_at),
    lastDueAt: num(row.last_due_at),
    lastRunId: str(row.last_run_id),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** Whether a run will not change state again by itself. */
export function isTerminalRunState(state: RunState): boolean {
  return state === "succeeded" || state === "failed" || state === "cancelled";
}

/**
 * JSON with object keys sorted, so equal values hash equally.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalJson } from "./records.ts";
 * assert.ok(canonicalJson({ b: 1, a: [2] }) === '{"a":[2],"b":1}');
 * ```
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Row)[k]]));
  });
}
