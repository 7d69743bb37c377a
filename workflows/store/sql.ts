/**
 * The SQL connection the workflow store is written against: the synchronous subset of
 * `node:sqlite` that the stores use (`exec`, `prepare(...).get/all/run`, transactions), with two
 * implementations: {@link SqliteDatabase} (a file in the home, the default) and
 * `PostgresDatabase` (`postgres.ts`, a database every machine of a cluster reaches).
 *
 * Both give the same guarantees the stores rely on: one writer at a time (SQLite's write lock;
 * on PostgreSQL one advisory lock taken by every write), a committed write is durable, and
 * every statement sees what was committed before it began. Where the two dialects differ, a
 * store asks {@link SqlDatabase.dialect}; docs/workflows.md ("Where the store lives") lists
 * those places.
 *
 * @module
 */
import { DatabaseSync, type SQLInputValue, type SQLOutputValue } from "node:sqlite";

/** The SQL dialects the store speaks. */
export type SqlDialect = "sqlite" | "postgres";

/** A row as a statement returns it: column name to value. */
export type SqlRow = Record<string, SQLOutputValue>;

/** A parameter of a statement. */
export type SqlValue = SQLInputValue;

/** A prepared statement; parameters are `?` (in order) or `?N` (numbered from 1). */
export interface SqlStatement {
  /** The first row, or undefined when there is none. */
  get(...params: SqlValue[]): SqlRow | undefined;
  /** Every row. */
  all(...params: SqlValue[]): SqlRow[];
  /** Runs a statement for its effect; `changes` counts the rows it wrote. */
  run(...params: SqlValue[]): { changes: number | bigint };
}

/** An open connection. */
export interface SqlDatabase {
  readonly dialect: SqlDialect;
  /** Runs one or more statements without parameters. `BEGIN IMMEDIATE` takes the write lock. */
  exec(sql: string): void;
  /** A statement to run (compiled once per connection where the dialect allows). */
  prepare(sql: string): SqlStatement;
  /** Whether a transaction is open. */
  readonly isTransaction: boolean;
  /** Whether the connection is open. */
  readonly isOpen: boolean;
  close(): void;
}

/**
 * A SQLite file through `node:sqlite`: statements are the driver's own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SqliteDatabase } from "./sql.ts";
 * const db = new SqliteDatabase(":memory:");
 * db.exec("CREATE TABLE t (x INTEGER)");
 * db.prepare("INSERT INTO t VALUES (?)").run(7);
 * assert.equal(db.prepare("SELECT x FROM t WHERE x = ?1").get(7)?.x, 7);
 * db.close();
 * ```
 */
export class SqliteDatabase implements SqlDatabase {
  readonly dialect = "sqlite";
  readonly #db: DatabaseSync;

  constructor(path: string) {
    this.#db = new DatabaseSync(path);
  }

  exec(sql: string): void {
    this.#db.exec(sql);
  }

  prepare(sql: string): SqlStatement {
    return this.#db.prepare(sql);
  }

  get isTransaction(): boolean {
    return this.#db.isTransaction;
  }

  get isOpen(): boolean {
    return this.#db.isOpen;
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
