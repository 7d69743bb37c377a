/**
 * Reading an environment's configuration: defaults filled in, unknown keys and out-of-range
 * values rejected with a {@link ValidationError} that names the field.
 *
 * @module
 */
import { ValidationError } from "../errors.ts";

/** The allowed range of one numeric field. */
export interface NumberRule {
  min: number;
  max: number;
  integer?: boolean;
}

/**
 * Merges `given` over `defaults`, checking every numeric field against `rules`; fields whose
 * rule is absent are copied as given (the caller checks them).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveConfig } from "./config.ts";
 * const c = resolveConfig("spread", { nAgents: 3 }, { nAgents: 4 }, {
 *   nAgents: { min: 1, max: 16, integer: true },
 * });
 * assert.ok(c.nAgents === 4);
 * ```
 */
export function resolveConfig<T extends Record<string, unknown>>(
  env: string,
  defaults: T,
  given: Record<string, unknown> | undefined,
  rules: Partial<Record<keyof T, NumberRule>>,
): T {
  const out: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(given ?? {})) {
    if (!(key in defaults)) {
      throw new ValidationError(
        `${env}: unknown config field "${key}"; known fields: ${Object.keys(defaults).join(", ")}`,
      );
    }
    if (value !== undefined) out[key] = value;
  }
  for (const [key, rule] of Object.entries(rules) as [string, NumberRule][]) {
    const value = out[key];
    const ok = typeof value === "number" && Number.isFinite(value) &&
      value >= rule.min && value <= rule.max && (!rule.integer || Number.isInteger(value));
    if (!ok) {
      throw new ValidationError(
        `${env}: config field "${key}" must be ${rule.integer ? "an integer" : "a number"} in ` +
          `[${rule.min}, ${rule.max}], got ${JSON.stringify(value)}`,
      );
    }
  }
  return out as T;
}
