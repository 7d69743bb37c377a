/**
 * A training config: the `algorithm` field picks the algorithm (default `omiga`), whose own zod
 * schema (`core/algorithms/<name>.ts`, the reference's defaults) validates the rest. Shared by
 * CLI flags, HTTP bodies and files.
 *
 * @module
 */
import type { z } from "zod";
import { parseOrExplain, ValidationError } from "../errors.ts";
import { algorithmOf } from "../algorithms/mod.ts";
import type { BaseConfig } from "./algorithm.ts";

/** A complete config of some algorithm (after defaults). */
export type TrainConfig = BaseConfig & Record<string, unknown>;

/** What a caller may pass: `algorithm` and any subset of its fields. */
export type TrainConfigInput = { algorithm?: string } & Record<string, unknown>;

/**
 * Validates a configuration and fills its algorithm's defaults; an unknown algorithm or a bad
 * value is a {@link ValidationError} naming the field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTrainConfig } from "./config.ts";
 * const config = parseTrainConfig({ alpha: 1 });
 * assert.equal(config.algorithm, "omiga");
 * assert.equal(config.batchSize, 128);
 * assert.equal(config.alpha, 1);
 * ```
 */
export function parseTrainConfig(input: unknown = {}): TrainConfig {
  const given = (input ?? {}) as TrainConfigInput;
  if (typeof given !== "object" || Array.isArray(given)) {
    throw new ValidationError("invalid training config: expected an object");
  }
  const name = given.algorithm ?? "omiga";
  if (typeof name !== "string") {
    throw new ValidationError("invalid training config: algorithm must be a string");
  }
  const schema = algorithmOf(name).schema as z.ZodType<TrainConfig>;
  return parseOrExplain(
    schema,
    { ...given, algorithm: name },
    `invalid ${name} config`,
    "(config)",
  );
}
