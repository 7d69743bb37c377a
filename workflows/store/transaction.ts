/**
 * Write transactions on a synchronous SQLite connection.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { crashPoint } from "../../core/crash_point.ts";

/**
 * Runs `body` inside `BEGIN IMMEDIATE ... COMMIT` (the write lock is taken up front, so two
 * processes never both read-then-write the same rows), rolling back if it throws. `body` must be
 * synchronous.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DatabaseSync } from "node:sqlite";
 * import { immediateTransaction } from "./transaction.ts";
 * const db = new DatabaseSync(":memory:");
 * const one = immediateTransaction(db, () => 1);
 * assert.ok(one === 1);
 * ```
 */
export function immediateTransaction<T>(db: DatabaseSync, body: () => T): T {
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
