/**
 * Requests and replies between `PostgresDatabase` (`postgres.ts`) and its Worker
 * (`postgres_worker.ts`).
 *
 * @module
 */

/** What the connection's owner asks of the Worker. */
export type PostgresRequest =
  | { op: "open"; url: string; lockTimeoutMs: number }
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
