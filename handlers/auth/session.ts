/**
 * Browser sessions for the dashboard: the bearer token is entered once in the login form and
 * the server answers with a session cookie (HttpOnly, SameSite=Strict) instead of keeping the
 * token in the page. Both the cookie's value and the page's CSRF token are HMAC-SHA256 digests
 * keyed by the API token, so they need no server-side state, never reveal the token, and stop
 * working when the token changes. Without a configured token (loopback, no auth) the key is
 * random per process.
 *
 * A state-changing request that a cookie authenticates must carry the CSRF token (header
 * `X-CSRF-Token` or form field `_csrf`): another site's page can make the browser send the
 * cookie, but it cannot read ours to learn the token. Every state-changing request that is not
 * authenticated by a bearer header is also refused when the browser says it comes from another
 * site (`Origin` not this host, or `Sec-Fetch-Site: cross-site`).
 *
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import { getCookie } from "hono/cookie";

/** Name of the session cookie. */
export const SESSION_COOKIE = "omiga_session";
/** Header that carries the CSRF token on scripted requests. */
export const CSRF_HEADER = "X-CSRF-Token";
/** Form field that carries the CSRF token on form posts. */
export const CSRF_FIELD = "_csrf";
/** How long a session cookie lasts, in seconds (a week). */
export const SESSION_MAX_AGE_S = 7 * 24 * 3600;

/** The session and CSRF values derived from one key. */
export interface SessionSecrets {
  /** The session cookie's value. */
  readonly session: string;
  /** The CSRF token pages carry. */
  readonly csrf: string;
}

const digest = (key: string | Uint8Array, purpose: string) =>
  createHmac("sha256", key).update(`omiga-flow ${purpose} v1`).digest("base64url");

/**
 * The session and CSRF values for API token `token` (a random key when there is none).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sessionSecrets } from "./session.ts";
 * const a = sessionSecrets("s3cret");
 * assert.equal(a.session, sessionSecrets("s3cret").session);
 * assert.notEqual(a.session, sessionSecrets("other").session);
 * assert.ok(!a.session.includes("s3cret") && a.csrf !== a.session);
 * ```
 */
export function sessionSecrets(token: string | undefined): SessionSecrets {
  const key = token ?? randomBytes(32);
  return { session: digest(key, "session"), csrf: digest(key, "csrf") };
}

/** Whether two strings are equal, in time that does not depend on where they differ. */
export function sameSecret(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const a = new TextEncoder().encode(expected);
  const b = new TextEncoder().encode(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether the request carries the session cookie for `secrets`. */
export function hasSession(c: Context, secrets: SessionSecrets): boolean {
  return sameSecret(secrets.session, getCookie(c, SESSION_COOKIE));
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Whether the method can change state (everything but GET, HEAD and OPTIONS). */
export function changesState(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/**
 * Why the browser's own headers say this request comes from another site, or undefined: an
 * `Origin` whose host is not the request's, or `Sec-Fetch-Site: cross-site`.
 */
export function crossSiteReason(c: Context): string | undefined {
  if (c.req.header("Sec-Fetch-Site") === "cross-site") return "Sec-Fetch-Site is cross-site";
  const origin = c.req.header("Origin");
  if (origin === undefined) return undefined;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return `Origin "${origin.slice(0, 100)}" is not a URL`;
  }
  const host = c.req.header("Host") ?? new URL(c.req.url).host;
  return originHost === host ? undefined : `Origin ${originHost} is not this server (${host})`;
}

/** The CSRF token a request presents: the header, or the form field of a form post. */
export async function presentedCsrf(c: Context): Promise<string | undefined> {
  const header = c.req.header(CSRF_HEADER);
  if (header !== undefined) return header;
  const type = c.req.header("Content-Type") ?? "";
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) return undefined;
  const form = await c.req.parseBody();
  const field = form[CSRF_FIELD];
  return typeof field === "string" ? field : undefined;
}
