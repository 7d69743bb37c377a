/**
 * JSON entries of a safetensors file's `__metadata__` (strings, as the format asks), read from
 * untrusted bytes: each is parsed and checked against its schema, so nothing ill-typed gets past
 * the decoder. The training checkpoints (`core/learn/checkpoint.ts`) and the behaviour files
 * (`core/behaviour/trainer.ts`) read theirs this way.
 *
 * @module
 */
import type { z } from "zod";
import { parseOrExplain, ValidationError } from "../errors.ts";

/**
 * `metadata[key]` as JSON checked by `parse` (a schema, or a function that throws a
 * `ValidationError`); otherwise the error `fail` makes, its message naming `metadata.<key>` and
 * what is wrong. Errors other than a `ValidationError` from `parse` pass through.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { metadataJson } from "./metadata.ts";
 * const fail = (message: string) => new Error(message);
 * assert.equal(metadataJson({ step: "3" }, "step", z.number(), fail), 3);
 * assert.throws(() => metadataJson({ step: "x" }, "step", z.number(), fail), /metadata.step is missing or not JSON/);
 * assert.throws(() => metadataJson({ step: '"3"' }, "step", z.number(), fail), /^Error: metadata.step: /);
 * ```
 */
export function metadataJson<T>(
  metadata: Record<string, string>,
  key: string,
  parse: z.ZodType<T> | ((raw: unknown) => T),
  fail: (message: string, options?: ErrorOptions) => Error,
): T {
  let raw: unknown;
  try {
    raw = JSON.parse(metadata[key]);
  } catch {
    throw fail(`metadata.${key} is missing or not JSON`);
  }
  try {
    return typeof parse === "function"
      ? parse(raw)
      : parseOrExplain(parse, raw, `metadata.${key}`, "(whole)");
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const message = error.message.startsWith("metadata.")
      ? error.message
      : `metadata.${key}: ${error.message}`;
    throw fail(message, { cause: error });
  }
}
