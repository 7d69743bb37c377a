/**
 * Schemas and response helpers shared by every route's OpenAPI definition.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";

/** The body of every error response. */
export const ErrorSchema = z.object({
  error: z.object({
    code: z.string().openapi({ example: "invalid_input" }),
    message: z.string().openapi({ example: "params.iterations: expected a number" }),
  }),
}).openapi("Error");

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "Invalid input; the message names the failing field",
  401: "Missing or invalid bearer token",
  403: "Refused: a path outside the import folders, or a browser's cross-site request",
  404: "No such resource",
  409: "Conflict with the current state (idempotency key reused with another body, run state)",
  413: "Request body too large",
  429: "Too many requests (run submissions per minute, event streams per run); see Retry-After",
};

/** OpenAPI error responses for the given statuses (401 is always included). */
export function errorResponses<S extends 400 | 403 | 404 | 409 | 413 | 429>(...statuses: S[]) {
  const responses = {} as Record<S | 401, { description: string; content: typeof errorContent }>;
  for (const status of [401 as const, ...statuses]) {
    responses[status] = { description: ERROR_DESCRIPTIONS[status], content: errorContent };
  }
  return responses;
}

const errorContent = { "application/json": { schema: ErrorSchema } };

/** A JSON response with `schema` for the OpenAPI document. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** Every `/v1` route needs the bearer token. */
export const BEARER = [{ bearer: [] }];

/** Arbitrary JSON (workflow params, step outputs). */
export const JsonValue = z.unknown().openapi({ description: "any JSON value" });
