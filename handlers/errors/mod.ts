/**
 * The one place where errors become HTTP responses: JSON `{error: {code, message}}` with the
 * right status, never a stack trace.
 *
 * @module
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { OmigaError } from "../../core/errors.ts";

/**
 * HTTP status for each stable error code (of the engine, the data layer and this layer). The
 * codes here are the client's to fix (4xx), a service that is not there now (503) or a full disk
 * (507); any other code is a failure on our side (a stored file that does not verify, a backend
 * that broke) and answers 500 ({@link statusOf}), so that a server-side failure never reads as
 * the client's fault.
 */
export const STATUS_BY_CODE: Readonly<Record<string, ContentfulStatusCode>> = {
  invalid_input: 400,
  invalid_dataset: 400,
  unsupported_format: 400,
  non_retriable: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  idempotency_conflict: 409,
  invalid_state: 409,
  too_large: 413,
  rate_limited: 429,
  too_many_subscribers: 429,
  disk_full: 507,
  schema_too_new: 503,
  backend_unavailable: 503,
  shutdown: 503,
  store_unavailable: 503,
};

/**
 * The status of an error code: its entry in {@link STATUS_BY_CODE}, else 500.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { statusOf } from "./mod.ts";
 * assert.equal(statusOf("invalid_dataset"), 400);
 * assert.equal(statusOf("invalid_checkpoint"), 500); // a stored checkpoint is ours
 * ```
 */
export function statusOf(code: string): ContentfulStatusCode {
  return STATUS_BY_CODE[code] ?? 500;
}

const CODE_BY_STATUS: Record<number, string> = {
  400: "invalid_input",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  409: "conflict",
  413: "too_large",
  429: "rate_limited",
  415: "unsupported_media_type",
};

/** The JSON body of every error response. */
export interface ErrorBody {
  error: { code: string; message: string };
}

/** A JSON error response. */
export function errorResponse(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
): Response {
  return c.json({ error: { code, message } } satisfies ErrorBody, status);
}

/** An error this layer raises: a stable code, its status from {@link STATUS_BY_CODE}. */
export class HttpError extends OmigaError {}

/**
 * Hono `onError` handler: typed errors keep their code and message; anything else is logged
 * and answered as a bare 500.
 */
export function handleError(error: Error, c: Context): Response {
  if (error instanceof OmigaError) {
    const status = statusOf(error.code);
    if (status === 500) console.error(`failed on ${c.req.method} ${c.req.path}:`, error);
    return errorResponse(c, status, error.code, error.message);
  }
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    const code = CODE_BY_STATUS[status] ?? (status >= 500 ? "internal" : "http_error");
    return errorResponse(c, status, code, error.message || httpReason(status));
  }
  console.error(`unhandled error on ${c.req.method} ${c.req.path}:`, error);
  return errorResponse(c, 500, "internal", "internal server error; see the server log");
}

function httpReason(status: number): string {
  switch (status) {
    case 401:
      return "missing or invalid bearer token";
    case 413:
      return "request body too large";
    case 415:
      return "unsupported Content-Type; send application/json";
    default:
      return `HTTP ${status}`;
  }
}
