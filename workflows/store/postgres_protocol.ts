/**
 * Requests and replies between `PostgresDatabase` (`postgres.ts`) and its Worker
 * (`postgres_worker.ts`).
 *
 * @module
 */

/**
 * The shared buffer: four Int32 control words, then the reply as UTF-8 JSON from
 * {@link REPLY_OFFSET}. Word 0 is the sequence number of the last request answered, word 1
 * the reply's length, word 2 the Worker's {@link WorkerState}.
 */
export const REPLY_OFFSET = 16;

/**
 * Word 2 of the buffer: Idle (waiting for a request; it may close itself after a while), Busy
 * (a request is posted or being answered), Closed (it closed itself when idle: the next request
 * needs a new Worker).
 */
export const WorkerState = { Idle: 0, Busy: 1, Closed: 2 } as const;

/** What the connection's owner asks of the Worker. */
export type PostgresRequest =
  | { op: "open"; url: string; lockTimeoutMs: number; idleMs: number }
  | { op: "close" }
  | { op: "begin" }
  | { op: "commit" }
  | { op: "rollback" }
  | { op: "exec"; sql: string }
  | {
    op: "query";
    sql: string;
    params: unknown[];
    /** A write (INSERT, UPDATE, DELETE): outside a transaction it takes the write lock. */
    write: boolean;
    /** Whether the caller believes a transaction is open (a lost connection ended it). */
    inTransaction: boolean;
  };

/** The Worker's answer, as JSON in the shared buffer. */
export type PostgresReply =
  | { ok: true; rows: Record<string, null | number | string>[]; changes: number }
  | { ok: false; message: string; code: string | null };

/**
 * Whether an error code means the connection is gone rather than a statement refused: a socket
 * error (`ECONNREFUSED`, ...), no code at all, SQLSTATE class 08 (connection exception) or 57P
 * (the server shutting down). The Worker drops such a connection; its owner reports the store
 * unavailable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectionLost } from "./postgres_protocol.ts";
 * assert.ok(connectionLost("ECONNREFUSED") && connectionLost("57P01") && connectionLost(null));
 * assert.ok(!connectionLost("23505"));
 * ```
 */
export function connectionLost(code: string | null | undefined): boolean {
  return code === null || code === undefined || /^(E|08|57P)/.test(code);
}
