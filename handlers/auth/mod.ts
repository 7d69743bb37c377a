/**
 * Auth (`OMIGA_TOKEN`) on every route but `/healthz`, the login page and static assets: a
 * bearer token, or the dashboard's session cookie (session.ts). The presented token is
 * compared in constant time ({@link tokenMatches}); this is synchronous and costs a few
 * microseconds, where Hono's `bearerAuth` (two WebCrypto digests per request) cost about 100
 * µs, two thirds of a typical API request. Failures answer in the project's JSON error shape,
 * 401s with `WWW-Authenticate: Bearer`.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import {
  changesState,
  crossSiteReason,
  CSRF_HEADER,
  hasSession,
  presentedCsrf,
  sameSecret,
  type SessionSecrets,
  sessionSecrets,
} from "./session.ts";

/** Paths reachable without a token: the health check, the login page, static assets. */
export function isPublicPath(path: string): boolean {
  return path === "/healthz" || path === "/login" || path === "/favicon.ico" ||
    path.startsWith("/assets/");
}

/** Whether an unauthenticated request is a browser asking for a page (sent to the login form). */
function wantsPage(c: Context): boolean {
  const path = c.req.path;
  return c.req.method === "GET" && !path.startsWith("/v1/") && path !== "/metrics" &&
    path !== "/openapi.json";
}

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

/** Options of {@link authenticate}. */
export interface AuthOptions {
  /** The API token; none means no auth (loopback only). */
  token?: string;
  /** The session and CSRF values ({@link sessionSecrets} of the token). */
  secrets?: SessionSecrets;
}

/**
 * Authenticates every request but those to {@link isPublicPath} paths, by
 * `Authorization: Bearer <token>` or by the dashboard's session cookie (see session.ts). A
 * cookie-authenticated request that changes state must carry the CSRF token; one from another
 * site is refused whatever the mode. An unauthenticated page request is sent to `/login`;
 * anything else is a 401.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { authenticate } from "./mod.ts";
 * const app = new Hono().use(authenticate({ token: "s3cret" })).get("/v1/x", (c) => c.text("ok"));
 * assert.equal((await app.request("/v1/x")).status, 401);
 * const ok = await app.request("/v1/x", { headers: { Authorization: "Bearer s3cret" } });
 * assert.equal(ok.status, 200);
 * ```
 */
export function authenticate(options: AuthOptions): MiddlewareHandler {
  const expected = options.token === undefined ? undefined : encoder.encode(options.token);
  const secrets = options.secrets ?? sessionSecrets(options.token);
  return async (c, next) => {
    if (isPublicPath(c.req.path)) return await next();
    const header = c.req.header("Authorization");
    if (header !== undefined && expected !== undefined) {
      const match = BEARER.exec(header);
      if (match === null) {
        return unauthorized(c, "malformed Authorization header; expected Bearer <token>");
      }
      if (!tokenMatches(expected, match[1])) return unauthorized(c, "invalid bearer token");
      return await next();
    }
    const writes = changesState(c.req.method);
    const crossSite = writes ? crossSiteReason(c) : undefined;
    if (crossSite !== undefined) {
      return forbidden(c, `cross-site request refused (${crossSite})`);
    }
    if (expected === undefined) return await next();
    if (hasSession(c, secrets)) {
      if (writes && !sameSecret(secrets.csrf, await presentedCsrf(c))) {
        return forbidden(
          c,
          `missing or wrong CSRF token: a signed-in page sends it as ${CSRF_HEADER}`,
        );
      }
      return await next();
    }
    if (wantsPage(c)) {
      const target = c.req.path + new URL(c.req.url).search;
      return c.redirect(`/login?next=${encodeURIComponent(target)}`, 303);
    }
    return unauthorized(
      c,
      header === undefined
        ? "missing bearer token: send Authorization: Bearer <token>"
        : "malformed Authorization header; expected Bearer <token>",
    );
  };
}

function unauthorized(c: Context, message: string): Response {
  c.header("WWW-Authenticate", 'Bearer realm="omiga-flow"');
  return c.json({ error: { code: "unauthorized", message } }, 401);
}

function forbidden(c: Context, message: string): Response {
  return c.json({ error: { code: "forbidden", message } }, 403);
}
