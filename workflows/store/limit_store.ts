/**
 * Concurrency limits of a home: how many steps naming a concurrency key may hold a live lease
 * at once, counted across every process on the store. A key without a stored limit gets its
 * default ({@link defaultLimit}).
 *
 * @module
 */
import type { SqlDatabase } from "./sql.ts";
import { ValidationError } from "../../core/errors.ts";

/** The key training steps name: its default limit is the machine's core count. */
export const CPU_KEY = "cpu";

/** Concurrency keys: lower-case letters, digits and dashes, at most 32 characters. */
export const CONCURRENCY_KEY = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * A key's limit when none is set: the core count for {@link CPU_KEY}, 1 for any other key (a
 * key exists to bound something; one at a time is the safe reading).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultLimit } from "./limit_store.ts";
 * assert.equal(defaultLimit("cpu", 8), 8);
 * assert.equal(defaultLimit("gpu", 8), 1);
 * ```
 */
export function defaultLimit(key: string, cores = navigator.hardwareConcurrency): number {
  return key === CPU_KEY ? Math.max(1, cores) : 1;
}

/** A stored limit. */
export interface ConcurrencyLimit {
  key: string;
  maxRunning: number;
  updatedAt: number;
}

/** Checks a key and a limit from a user (CLI flag, environment). */
export function checkLimit(key: string, maxRunning: number): void {
  if (!CONCURRENCY_KEY.test(key)) {
    throw new ValidationError(
      `concurrency key "${key}" must be lower-case letters, digits and dashes (at most 32)`,
    );
  }
  if (!Number.isInteger(maxRunning) || maxRunning < 1) {
    throw new ValidationError(
      `the limit of concurrency key "${key}" must be an integer >= 1, got ${maxRunning}`,
    );
  }
}

/**
 * Parses `cpu=2,gpu=1` (the `OMIGA_CONCURRENCY` variable, `--limit` flags) into limits by key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLimits } from "./limit_store.ts";
 * assert.deepEqual(parseLimits("cpu=2, gpu=1"), { cpu: 2, gpu: 1 });
 * assert.throws(() => parseLimits("cpu=0"), /integer >= 1/);
 * ```
 */
export function parseLimits(text: string, what = "concurrency limits"): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const part of text.split(",").map((p) => p.trim()).filter((p) => p !== "")) {
    const match = /^([^=\s]+)\s*=\s*(\S+)$/.exec(part);
    if (match === null) {
      throw new ValidationError(`${what}: "${part}" is not KEY=N (for example cpu=2)`);
    }
    const value = Number(match[2]);
    checkLimit(match[1], value);
    limits[match[1]] = value;
  }
  return limits;
}

/** The `concurrency_limits` table. */
export class LimitStore {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  /** Every stored limit, by key. */
  list(): ConcurrencyLimit[] {
    return this.#db.prepare("SELECT * FROM concurrency_limits ORDER BY key").all().map((row) => ({
      key: String(row.key),
      maxRunning: Number(row.max_running),
      updatedAt: Number(row.updated_at),
    }));
  }

  /** Stored limits as a map (one query: the claim path reads it). */
  byKey(): Map<string, number> {
    return new Map(this.list().map((limit) => [limit.key, limit.maxRunning]));
  }

  /** Sets the limit of `key`; running workers apply it at their next claim. */
  set(key: string, maxRunning: number, now = Date.now()): void {
    checkLimit(key, maxRunning);
    this.#db.prepare(
      `INSERT INTO concurrency_limits (key, max_running, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET max_running = excluded.max_running,
         updated_at = excluded.updated_at`,
    ).run(key, maxRunning, now);
  }

  /** Forgets the limit of `key` (it gets its default again). Returns whether one was set. */
  remove(key: string): boolean {
    const result = this.#db.prepare("DELETE FROM concurrency_limits WHERE key = ?").run(key);
    return Number(result.changes) > 0;
  }
}
