/**
 * Request limits: the size of a JSON body, run submissions per minute per client, open event
 * streams per run (see {@link ApiLimits}). Each refusal is a JSON error, 413 or 429, with
 * `Retry-After` on the 429s, so a client can back off instead of hammering.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getConnInfo } from "hono/deno";
import { errorResponse } from "../errors/mod.ts";

/** Paths whose body is not JSON and that enforce their own limit (uploads stream to disk). */
const OWN_LIMIT = new Set(["/v1/datasets/upload"]);

/** Refuses a `/v1` request body over `maxBytes` with a 413 (uploads have their own limit). */
export function limitJsonBodies(maxBytes: number): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: (c) =>
      errorResponse(c, 413, "too_large", `request body over the limit of ${maxBytes} bytes`),
  });
  return (c, next) => OWN_LIMIT.has(c.req.path) ? next() : limit(c, next);
}

/**
 * Who a request counts against. Every request that reaches a limit has passed authentication,
 * so with a token configured it was sent with that one token, and all its holders share one
 * budget; without a token (loopback only) each peer address has its own.
 */
export function clientKey(c: Context, tokenConfigured: boolean): string {
  if (tokenConfigured) return "token";
  try {
    return `address ${getConnInfo(c).remote.address ?? "unknown"}`;
  } catch {
    return "address unknown"; // a request made in process (tests), not over a socket
  }
}

/**
 * A token bucket per client: `perMinute` submissions, refilled evenly over the minute.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RateLimiter } from "./mod.ts";
 * const limiter = new RateLimiter(2);
 * assert.equal(limiter.take("a", 0), 0);
 * assert.equal(limiter.take("a", 0), 0);
 * assert.equal(limiter.take("a", 0), 30); // full: one frees in 30 s
 * assert.equal(limiter.take("b", 0), 0); // another client has its own
 * assert.equal(limiter.take("a", 30_000), 0);
 * ```
 */
export class RateLimiter {
  readonly #perMinute: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(perMinute: number) {
    this.#perMinute = perMinute;
  }

  /** Takes one from `key`'s bucket: 0 when it had one, else the seconds until one frees. */
  take(key: string, now = Date.now()): number {
    const perMs = this.#perMinute / 60_000;
    const bucket = this.#buckets.get(key) ?? { tokens: this.#perMinute, at: now };
    bucket.tokens = Math.min(this.#perMinute, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
    if (this.#buckets.size > 10_000) this.#forgetFull(now);
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
  }

  /** Drops the buckets that have refilled (they hold nothing a new bucket would not). */
  #forgetFull(now: number): void {
    const perMs = this.#perMinute / 60_000;
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.at) * perMs >= this.#perMinute) this.#buckets.delete(key);
    }
  }
}

/** A 429 that says when to come back. */
export function tooMany(c: Context, code: string, message: string, retryAfterS: number): Response {
  c.header("Retry-After", String(retryAfterS));
  return errorResponse(c, 429, code, message);
}

/**
 * Refuses a run submission over `perMinute` for its client ({@link clientKey}) with a 429 and
 * `Retry-After`.
 */
export function limitRunSubmissions(
  perMinute: number,
  tokenConfigured: boolean,
): MiddlewareHandler {
  const limiter = new RateLimiter(perMinute);
  return async (c, next) => {
    if (c.req.method !== "POST") return await next();
    const wait = limiter.take(clientKey(c, tokenConfigured));
    if (wait === 0) return await next();
    return tooMany(
      c,
      "rate_limited",
      `more than ${perMinute} run submissions a minute; retry in ${wait} s`,
      wait,
    );
  };
}

/** Counts open event streams per run against a limit. */
export class SubscriberCounts {
  readonly #open = new Map<string, number>();
  readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Opens one for `runId`: true, or false when it already has `limit` open. */
  open(runId: string): boolean {
    const count = this.#open.get(runId) ?? 0;
    if (count >= this.limit) return false;
    this.#open.set(runId, count + 1);
    return true;
  }

  /** Closes one for `runId`. */
  close(runId: string): void {
    const count = (this.#open.get(runId) ?? 1) - 1;
    if (count <= 0) this.#open.delete(runId);
    else this.#open.set(runId, count);
  }

  /** How many are open for `runId`. */
  count(runId: string): number {
    return this.#open.get(runId) ?? 0;
  }
}
