/**
 * The algorithms the trainer knows, one file each (docs/algorithms.md): OMIGA with its
 * ablations, and the baselines of the paper's comparison. {@link algorithmOf} finds one by
 * the name `--algorithm` takes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ALGORITHM_NAMES, algorithmOf } from "./mod.ts";
 * assert.ok(ALGORITHM_NAMES.includes("omiga"));
 * assert.ok(algorithmOf("omiga").hasAlpha("omiga"));
 * ```
 *
 * @module
 */
import { ValidationError } from "../errors.ts";
import type { AlgorithmDefinition, BaseConfig } from "../learn/algorithm.ts";
import { omiga } from "./omiga.ts";
import { bcqMa } from "./bcq_ma.ts";
import { cqlMa } from "./cql_ma.ts";
import { icq } from "./icq.ts";
import { omar } from "./omar.ts";

/** Every definition, in the order help texts and reports list them. */
const DEFINITIONS: readonly AlgorithmDefinition<BaseConfig>[] = [
  omiga,
  bcqMa,
  cqlMa,
  icq,
  omar,
] as unknown as AlgorithmDefinition<BaseConfig>[];

/** Every algorithm name `--algorithm` accepts. */
export const ALGORITHM_NAMES = [
  "omiga",
  "omiga-local",
  "bc",
  "bcq-ma",
  "cql-ma",
  "icq",
  "omar",
] as const;

/** One of {@link ALGORITHM_NAMES}. */
export type AlgorithmName = typeof ALGORITHM_NAMES[number];

/** The definition that answers to `name`; a {@link ValidationError} lists the names otherwise. */
export function algorithmOf(name: string): AlgorithmDefinition<BaseConfig> {
  const found = DEFINITIONS.find((definition) => definition.names.includes(name));
  if (found === undefined) {
    throw new ValidationError(
      `unknown algorithm "${name}"; expected one of ${ALGORITHM_NAMES.join(", ")}`,
    );
  }
  return found;
}

/** Whether `name` has OMIGA's regularisation temperature alpha (the sweeps' alpha axis). */
export function hasAlpha(name: string): boolean {
  return algorithmOf(name).hasAlpha(name);
}
