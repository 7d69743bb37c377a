/**
 * How every command (`deno task omiga ...`, `deno task serve`) ends on an error: one line on
 * stderr, `error: <what went wrong and what to do>`, and one exit-code convention:
 *
 * - `0`: done.
 * - `1`: the command ran and failed (a run failed, a port in use, a backend that cannot start,
 *   a file system error).
 * - `2`: the command as typed cannot run (an unknown command or flag, a bad flag value, a
 *   dataset, run or schedule that does not exist, an input file that is not valid, an
 *   idempotency key reused with other parameters); nothing was done.
 *
 * A stack trace is printed only for an error this project did not raise on purpose, and only
 * with `OMIGA_DEBUG=1`.
 *
 * @module
 */
import { OmigaError } from "../../core/errors.ts";

/** The exit codes. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Error codes that mean the command as typed cannot run (exit 2). */
const USAGE_CODES = new Set([
  "invalid_input",
  "invalid_dataset",
  "unsupported_format",
  "not_found",
  "conflict",
  "idempotency_conflict",
  "invalid_state",
]);

/** Whether `error` is a flag parser's complaint (an unknown flag, a missing value). */
function isParseArgsError(error: unknown): error is TypeError {
  return error instanceof TypeError && "code" in error &&
    String(error.code).startsWith("ERR_PARSE_ARGS");
}

/**
 * The exit code for `error` (see the module doc).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ValidationError } from "../../core/errors.ts";
 * import { exitCodeOf } from "./errors.ts";
 * assert.equal(exitCodeOf(new ValidationError("--iterations: must be positive")), 2);
 * assert.equal(exitCodeOf(new Deno.errors.AddrInUse("address in use")), 1);
 * ```
 */
export function exitCodeOf(error: unknown): number {
  if (error instanceof OmigaError) return USAGE_CODES.has(error.code) ? EXIT.usage : EXIT.failed;
  return isParseArgsError(error) ? EXIT.usage : EXIT.failed;
}

/**
 * The one line that describes `error`, `usage` (the command's usage line) added after a flag
 * parser's complaint.
 */
export function errorLine(error: unknown, usage?: string): string {
  if (error instanceof OmigaError) return `error: ${error.message}`;
  if (isParseArgsError(error)) {
    // node:util's messages end with a hint about positionals that does not apply here.
    const message = error.message.replace(/\. To specify a positional argument.*$/s, "");
    return `error: ${message}${usage ? `; usage: deno task ${usage}` : ""}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (Deno.env.get("OMIGA_DEBUG") === "1" && error instanceof Error && error.stack) {
    return `error: ${error.stack}`;
  }
  return `error: ${message.split("\n")[0]} (OMIGA_DEBUG=1 shows where)`;
}
