/**
 * Typed errors shared by every layer. Each carries a stable `code` that the HTTP layer maps to a
 * status in one place, and a message that tells the user what went wrong and what to do.
 *
 * @module
 */
import type { z } from "zod";

/** Base class of every error this project raises on purpose. */
export class OmigaError extends Error {
  /** A stable, machine-readable code such as `backend_unavailable`. */
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * A tensor backend could not be started.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BackendError } from "./errors.ts";
 * const error = new BackendError("tensorflow", "tfjs-node-gpu is not installed");
 * assert.ok(error.message.includes("tensorflow"));
 * ```
 */
export class BackendError extends OmigaError {
  /** The backend that was asked for. */
  readonly backend: string;

  constructor(backend: string, reason: string, options?: ErrorOptions) {
    super("backend_unavailable", `backend "${backend}" cannot start: ${reason}`, options);
    this.backend = backend;
  }
}

/** A request, flag or file had a value that is not allowed; the message names it. */
export class ValidationError extends OmigaError {
  constructor(message: string, options?: ErrorOptions) {
    super("invalid_input", message, options);
  }
}

/**
 * `schema`'s parse of `raw`, or a {@link ValidationError} `<context>: <field>: <problem>; ...`
 * naming each bad field (`whole` where the problem is with the value as a whole).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { parseOrExplain } from "./errors.ts";
 * assert.throws(
 *   () => parseOrExplain(z.object({ n: z.number() }), { n: "x" }, "demo"),
 *   /^ValidationError: demo: n: /,
 * );
 * ```
 */
export function parseOrExplain<T>(
  schema: z.ZodType<T>,
  raw: unknown,
  context: string,
  whole = "(parameters)",
): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) =>
    `${issue.path.length > 0 ? issue.path.join(".") : whole}: ${issue.message}`
  );
  throw new ValidationError(`${context}: ${problems.join("; ")}`);
}
