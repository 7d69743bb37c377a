/**
 * Bearer-token auth (`OMIGA_TOKEN`) on every route but `/healthz`. The token comparison is
 * Hono's constant-time `bearerAuth`; failures answer in the project's JSON error shape.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";

/** Paths reachable without a token. */
export const PUBLIC_PATHS = new Set(["/healthz"]);

const errorBody = (message: string) => (_c: Context) => ({
  error: { code: "unauthorized", message },
});

/**
 * Requires `Authorization: Bearer <token>` on every path but {@link PUBLIC_PATHS}.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { requireToken } from "./mod.ts";
 * const app = new Hono().use(requireToken("s3cret")).get("/x", (c) => c.text("ok"));
 * console.assert((await app.request("/x")).status === 401);
 * ```
 */
export function requireToken(token: string): MiddlewareHandler {
  const check = bearerAuth({
    token,
    noAuthenticationHeaderMessage: errorBody(
      "missing bearer token: send Authorization: Bearer <token>",
    ),
    invalidAuthenticationHeaderMessage: errorBody(
      "malformed Authorization header; expected Bearer <token>",
    ),
    invalidTokenMessage: errorBody("invalid bearer token"),
  });
  return (c, next) => PUBLIC_PATHS.has(c.req.path) ? next() : check(c, next);
}
