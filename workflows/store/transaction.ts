/**
 * Write transactions on a synchronous store connection (SQLite or PostgreSQL, `sql.ts`).
 *
 * @module
 */
import { crashPoint } from "../../core/crash_point.ts";
import type { SqlDatabase } from "./sql.ts";

/**
 * Runs `body` inside `BEGIN IMMEDIATE ... COMMIT` (the write lock is taken up front, so two
 * processes never both read-then-write the same rows; on PostgreSQL it is the store's advisory
 * lock), rolling back if it throws. `body` must be synchronous.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SqliteDatabase } from "./sql.ts";
 * import { immediateTransaction } from "./transaction.ts";
 * const db = new SqliteDatabase(":memory:");
 * const one = immediateTransaction(db, () => 1);
 * assert.ok(one === 1);
 * ```
 */
export function immediateTransaction<T>(db: SqlDatabase, body: () => T): T {
  crashPoint("transaction: before BEGIN");
  db.exec("BEGIN IMMEDIATE");
  try {
    crashPoint("transaction: after BEGIN");
    const result = body();
    crashPoint("transaction: before COMMIT");
    db.exec("COMMIT");
    crashPoint("transaction: after COMMIT");
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}
