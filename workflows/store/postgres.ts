/**
 * The workflow store on PostgreSQL, for a cluster whose machines must share run records,
 * events, concurrency limits and the policy registry (`OMIGA_STORE=postgres://...`).
 *
 * The stores are synchronous, as `node:sqlite` is: a claim reads and writes inside one
 * transaction without yielding to the event loop. `PostgresDatabase` keeps that contract. One
 * Worker (`postgres_worker.ts`) holds the connection (the `pg` client); each statement is
 * posted to it, and the caller waits on a shared buffer with `Atomics.wait` until the reply
 * is there. That blocks the calling thread for one round trip, as a SQLite statement blocks it
 * for a disk access: the API server, engine and scheduler already treat every store call as a
 * short synchronous step.
 *
 * Semantics kept from SQLite:
 * - **One writer at a time.** `BEGIN IMMEDIATE` becomes `BEGIN` plus one transaction-scoped
 *   advisory lock, and every write outside a transaction takes the same lock, so
 *   read-then-write code (claims, event numbering) is serialised across every process of
 *   the cluster exactly as SQLite's write lock serialises the processes of one machine.
 *   `lock_timeout` plays `busy_timeout`.
 * - **Durable commits**: PostgreSQL's default `synchronous_commit = on`.
 * - **Placeholders**: `?` and `?N` are rewritten to `$N`.
 *
 * Differences: a statement that fails inside a transaction aborts it (the stores roll back
 * on any error, so none continues after one), and integers come back as JS numbers (every
 * value the store keeps is below 2^53).
 *
 * @module
 */
import { OmigaError, ValidationError } from "../../core/errors.ts";
import {
  connectionLost,
  type PostgresReply,
  type PostgresRequest,
  REPLY_OFFSET,
  WorkerState,
} from "./postgres_protocol.ts";
import type { SqlDatabase, SqlRow, SqlStatement, SqlValue } from "./sql.ts";

/** The store's database could not be reached (or stopped answering). */
export class StoreUnavailableError extends OmigaError {
  constructor(message: string, options?: ErrorOptions) {
    super("store_unavailable", message, options);
  }
}

/** A statement PostgreSQL refused; `sqlState` is its error code (`23505`: unique violation). */
export class StoreQueryError extends Error {
  readonly sqlState: string | null;
  constructor(message: string, sqlState: string | null) {
    super(message);
    this.name = "StoreQueryError";
    this.sqlState = sqlState;
  }
}

/** Options of {@link PostgresDatabase}. */
export interface PostgresOptions {
  /** How long a write waits for the write lock, in ms (PostgreSQL's `lock_timeout`). */
  lockTimeoutMs?: number;
  /** How long to wait for any one reply before giving up on the server, in ms. */
  replyTimeoutMs?: number;
  /**
   * How long the connection's Worker waits for a request before it closes itself (and lets
   * the process exit), in ms; the next request starts a new one. Default 5000.
   */
  idleMs?: number;
}

/**
 * Rewrites SQLite placeholders (`?` in order, `?N` numbered) to PostgreSQL's `$N`, leaving
 * string literals alone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toPostgresPlaceholders } from "./postgres.ts";
 * assert.equal(toPostgresPlaceholders("a = ? AND b = '?' AND c = ?"), "a = $1 AND b = '?' AND c = $2");
 * assert.equal(toPostgresPlaceholders("(?1 IS NULL OR x = ?1) LIMIT ?2"), "($1 IS NULL OR x = $1) LIMIT $2");
 * ```
 */
export function toPostgresPlaceholders(sql: string): string {
  let next = 0;
  let out = "";
  let quoted = false;
  for (let i = 0; i < sql.length; i++) {
    const char = sql[i];
    if (char === "'") quoted = !quoted;
    if (char !== "?" || quoted) {
      out += char;
      continue;
    }
    const digits = /^\d+/.exec(sql.slice(i + 1))?.[0];
    if (digits === undefined) {
      out += `$${++next}`;
    } else {
      out += `$${digits}`;
      i += digits.length;
    }
  }
  return out;
}

/**
 * A URL with its password left out, for messages and keys.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { redactUrl } from "./postgres.ts";
 * assert.equal(redactUrl("postgres://omiga:secret@db:5432/omiga"), "postgres://omiga:***@db:5432/omiga");
 * ```
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "postgres://(unparseable URL)";
  }
}

/**
 * A synchronous connection to PostgreSQL (see the module doc). Close it: its Worker keeps the
 * connection open until then.
 *
 * @example
 * ```ts ignore
 * const db = new PostgresDatabase("postgres://omiga@127.0.0.1:5432/omiga");
 * db.prepare("SELECT 1 AS one").get(); // { one: 1 }
 * db.close();
 * ```
 */
export class PostgresDatabase implements SqlDatabase {
  readonly dialect = "postgres";
  /** The server's URL without its password. */
  readonly url: string;
  readonly #url: string;
  readonly #lockTimeoutMs: number;
  readonly #replyTimeoutMs: number;
  readonly #idleMs: number;
  #worker: Worker | undefined;
  readonly #buffer = new SharedArrayBuffer(64 * 1024, { maxByteLength: 1 << 30 });
  #sequence = 0;
  #transaction = false;
  #open = true;

  constructor(url: string, options: PostgresOptions = {}) {
    this.#url = url;
    this.url = redactUrl(url);
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
    this.#replyTimeoutMs = options.replyTimeoutMs ?? this.#lockTimeoutMs + 30_000;
    this.#idleMs = options.idleMs ?? 5_000;
    this.#claimWorker();
    Atomics.store(this.#control, 2, WorkerState.Idle);
  }

  get isTransaction(): boolean {
    return this.#transaction;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  exec(sql: string): void {
    const command = sql.trim().replace(/;$/, "").toUpperCase();
    if (command === "BEGIN IMMEDIATE" || command === "BEGIN") {
      this.#call({ op: "begin" });
      this.#transaction = true;
    } else if (command === "COMMIT" || command === "ROLLBACK") {
      this.#transaction = false;
      this.#call({ op: command === "COMMIT" ? "commit" : "rollback" });
    } else {
      this.#call({ op: "exec", sql });
    }
  }

  prepare(sql: string): SqlStatement {
    const text = toPostgresPlaceholders(sql);
    const write = /^\s*(INSERT|UPDATE|DELETE)\b/i.test(sql);
    const query = (params: SqlValue[]) =>
      this.#call({ op: "query", sql: text, params, write, inTransaction: this.#transaction });
    return {
      get: (...params) => query(params).rows[0] as SqlRow | undefined,
      all: (...params) => query(params).rows as SqlRow[],
      run: (...params) => ({ changes: query(params).changes }),
    };
  }

  close(): void {
    if (!this.#open) return;
    try {
      const idle = this.#worker !== undefined &&
        Atomics.compareExchange(this.#control, 2, WorkerState.Idle, WorkerState.Busy) ===
          WorkerState.Idle;
      if (idle) this.#exchange({ op: "close" });
    } finally {
      this.#open = false;
      this.#dropWorker();
    }
  }

  /** Sends one request. */
  #call(request: PostgresRequest): Extract<PostgresReply, { ok: true }> {
    if (!this.#open) {
      throw new StoreUnavailableError(`the store connection to ${this.url} is closed`);
    }
    this.#claimWorker();
    return this.#exchange(request);
  }

  /**
   * Makes sure a connected Worker is there and marked Busy: the one there is claimed (Idle to
   * Busy), unless it closed itself while idle, in which case a new one connects.
   */
  #claimWorker(): void {
    for (;;) {
      if (this.#worker !== undefined) {
        const was = Atomics.compareExchange(
          this.#control,
          2,
          WorkerState.Idle,
          WorkerState.Busy,
        );
        if (was === WorkerState.Idle) return;
        this.#dropWorker();
      }
      this.#worker = new Worker(new URL("./postgres_worker.ts", import.meta.url), {
        type: "module",
      });
      Atomics.store(this.#control, 2, WorkerState.Busy);
      this.#exchange({
        op: "open",
        url: this.#url,
        lockTimeoutMs: this.#lockTimeoutMs,
        idleMs: this.#idleMs,
      });
    }
  }

  get #control(): Int32Array {
    return new Int32Array(this.#buffer, 0, 4);
  }

  /** Posts one request to the claimed Worker and blocks until its reply is in the buffer. */
  #exchange(request: PostgresRequest): Extract<PostgresReply, { ok: true }> {
    const worker = this.#worker!;
    const control = this.#control;
    const sequence = this.#sequence = (this.#sequence % 0x7fff_fffe) + 1;
    worker.postMessage({ ...request, sequence, buffer: this.#buffer });
    const deadline = performance.now() + this.#replyTimeoutMs;
    while (Atomics.load(control, 0) !== sequence) {
      const left = deadline - performance.now();
      if (left <= 0) {
        // It may still answer later: the next request starts a new Worker instead.
        this.#dropWorker();
        throw new StoreUnavailableError(
          `the store at ${this.url} did not answer within ${this.#replyTimeoutMs} ms`,
        );
      }
      Atomics.wait(control, 0, Atomics.load(control, 0), Math.min(left, 1000));
    }
    const length = Atomics.load(control, 1);
    const reply = JSON.parse(
      new TextDecoder().decode(new Uint8Array(this.#buffer, REPLY_OFFSET, length).slice()),
    ) as PostgresReply;
    if (reply.ok) return reply;
    if (connectionLost(reply.code)) {
      // The Worker dropped its connection and reconnects on the next request; a transaction
      // that was open is gone with it.
      this.#transaction = false;
      if (request.op === "open") this.#dropWorker();
      throw new StoreUnavailableError(
        `the store at ${this.url} cannot be reached: ${reply.message}`,
      );
    }
    if (reply.code === "55P03") {
      // lock_timeout: another process held the write lock for longer (SQLite's "busy").
      throw new StoreUnavailableError(
        `the store at ${this.url} is busy: no write lock within ${this.#lockTimeoutMs} ms`,
      );
    }
    const statement = "sql" in request ? ` in: ${request.sql.trim().split("\n")[0]}` : "";
    throw new StoreQueryError(
      `PostgreSQL refused a statement: ${reply.message} (SQLSTATE ${reply.code})${statement}`,
      reply.code,
    );
  }

  #dropWorker(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#transaction = false;
  }
}

/**
 * Creates the database `name` on the server at `serverUrl` (a URL of any database there, as a
 * user allowed to create them) and returns the new database's URL.
 */
export function createDatabase(serverUrl: string, name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new ValidationError(`database name "${name}" must be lower-case letters, digits and _`);
  }
  const admin = new PostgresDatabase(serverUrl);
  try {
    admin.exec(`CREATE DATABASE ${name}`);
  } finally {
    admin.close();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
