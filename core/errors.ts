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

/** How an error message names a field: the HTTP API by its key, the CLI by its flag. */
export type FieldNamer = (path: readonly PropertyKey[]) => string;

const byKey: FieldNamer = (path) => path.map(String).join(".");

/**
 * `schema`'s parse of `raw`, or a {@link ValidationError} `<context>: <field>: <problem>; ...`
 * naming each bad field (`whole` where the problem is with the value as a whole). Fields are
 * named by `nameOf` (default: their key path), and so are the fields a problem's message refers
 * to as `{key}` (a refinement's "pass a smaller {evalEvery}" reads "pass a smaller evalEvery"
 * over HTTP and "pass a smaller --eval-every" on the command line).
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
 * const schema = z.object({ a: z.number(), b: z.number() }).refine((v) => v.a <= v.b, {
 *   path: ["a"],
 *   message: "must not exceed {b}",
 * });
 * assert.throws(
 *   () => parseOrExplain(schema, { a: 2, b: 1 }, "demo", "(whole)", (path) => `--${String(path[0])}`),
 *   /demo: --a: must not exceed --b$/,
 * );
 * ```
 */
export function parseOrExplain<T>(
  schema: z.ZodType<T>,
  raw: unknown,
  context: string,
  whole = "(parameters)",
  nameOf: FieldNamer = byKey,
): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const message = issue.message.replace(/\{([A-Za-z][A-Za-z0-9]*)\}/g, (_, key) => nameOf([key]));
    return `${issue.path.length > 0 ? nameOf(issue.path) : whole}: ${message}`;
  });
  throw new ValidationError(`${context}: ${problems.join("; ")}`);
}
