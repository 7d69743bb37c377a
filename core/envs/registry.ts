/**
 * The built-in environments by name, and their scripted policies by quality level.
 *
 * @module
 */
import { ValidationError } from "../errors.ts";
import type { ActionKind } from "../dataset.ts";
import type { Policy } from "../policy.ts";
import type { VecEnv, VecEnvFactory } from "./env.ts";
import { type MatrixConfig, MatrixEnv } from "./matrix.ts";
import { SkirmishEnv } from "./skirmish.ts";
import { SpreadEnv } from "./spread.ts";
import { RandomPolicy } from "./policies/random.ts";
import { SpreadExpertPolicy, SpreadMediumPolicy } from "./policies/spread.ts";
import { SkirmishExpertPolicy, SkirmishMediumPolicy } from "./policies/skirmish.ts";
import {
  bestJointAction,
  FixedJointActionPolicy,
  independentBestResponses,
} from "./policies/matrix.ts";

/** Names of the built-in environments. */
export const ENV_NAMES = ["spread", "skirmish", "matrix"] as const;
/** A built-in environment's name. */
export type EnvName = typeof ENV_NAMES[number];

/** The quality levels of the scripted controllers. */
export const POLICY_LEVELS = ["random", "medium", "expert"] as const;
/** A scripted controller's quality level. */
export type PolicyLevel = typeof POLICY_LEVELS[number];

/** Checks that `name` is a built-in environment. */
export function envName(name: string): EnvName {
  if (!(ENV_NAMES as readonly string[]).includes(name)) {
    throw new ValidationError(
      `unknown environment "${name}"; built-in environments: ${ENV_NAMES.join(", ")}`,
    );
  }
  return name as EnvName;
}

/** Whether a built-in environment's actions are continuous or discrete. */
export function envActionKind(name: string): ActionKind {
  return makeEnv(name, 1).spec.actionKind;
}

/**
 * B copies of a built-in environment.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeEnv } from "./registry.ts";
 * const env = makeEnv("spread", 4);
 * assert.ok(env.reset(0).obs.length === 4 * 3 * 14);
 * ```
 */
export function makeEnv(name: string, numEnvs: number, config?: Record<string, unknown>): VecEnv {
  switch (envName(name)) {
    case "spread":
      return new SpreadEnv(numEnvs, config);
    case "skirmish":
      return new SkirmishEnv(numEnvs, config);
    case "matrix":
      return new MatrixEnv(numEnvs, config);
  }
}

/** A factory of copies of a built-in environment with one configuration. */
export function envFactory(name: string, config?: Record<string, unknown>): VecEnvFactory {
  makeEnv(name, 1, config); // fail early on a bad name or configuration
  return (numEnvs) => makeEnv(name, numEnvs, config);
}

/**
 * The scripted controller of an environment at a quality level, built for `env`'s spec and
 * configuration; `seed` seeds its randomness.
 */
export function scriptedPolicy(env: VecEnv, level: PolicyLevel, seed: number): Policy {
  if (!(POLICY_LEVELS as readonly string[]).includes(level)) {
    throw new ValidationError(
      `unknown policy level "${level}"; levels: ${POLICY_LEVELS.join(", ")}`,
    );
  }
  if (level === "random") return new RandomPolicy(env.spec, seed);
  switch (envName(env.name)) {
    case "spread":
      return level === "expert"
        ? new SpreadExpertPolicy(env.spec)
        : new SpreadMediumPolicy(env.spec, seed);
    case "skirmish":
      return level === "expert"
        ? new SkirmishExpertPolicy(env.spec)
        : new SkirmishMediumPolicy(env.spec, seed);
    case "matrix": {
      const config = env.config as MatrixConfig;
      return new FixedJointActionPolicy(
        env.spec,
        level === "expert" ? bestJointAction(config) : independentBestResponses(config),
      );
    }
  }
}
