/**
 * Retry policy: exponential backoff with jitter, the jitter drawn from a seeded {@link Rng}
 * keyed by run, step and attempt, so a given failure always waits the same time.
 *
 * @module
 */
import { Rng } from "../core/rng.ts";

/** How often and how patiently a step is retried. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Delay before the first retry, in ms. */
  baseDelayMs: number;
  /** The delay never exceeds this, in ms. */
  maxDelayMs: number;
  /** Each retry waits this many times longer than the one before. */
  factor: number;
}

/** Three attempts, 1 s then 2 s (each between 50% and 100% of that after jitter). */
export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  factor: 2,
};

/** FNV-1a over a string: a 32-bit seed. */
function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

/**
 * The wait before retrying after failed attempt number `attempt` (1-based): the capped
 * exponential delay times a jitter factor in [0.5, 1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backoffDelayMs, DEFAULT_RETRY } from "./retry.ts";
 * const wait = backoffDelayMs(DEFAULT_RETRY, 2, "run-1/train");
 * assert.ok(wait >= 1000 && wait < 2000);
 * ```
 */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, key: string): number {
  const capped = Math.min(
    policy.maxDelayMs,
    policy.baseDelayMs * Math.pow(policy.factor, Math.max(0, attempt - 1)),
  );
  const jitter = Rng.fromSeed(seedOf(`${key}#${attempt}`)).float();
  return Math.floor(capped * (0.5 + 0.5 * jitter));
}
