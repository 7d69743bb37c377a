/**
 * The built-in environments by name, and their scripted policies by quality level.
 *
 * @module
 */
import { ValidationError } from "../errors.ts";
import type { ActionKind, MultiAgentSpec } from "../dataset.ts";
import type { Policy } from "../policy.ts";
import type { VecEnv, VecEnvFactory } from "./env.ts";
import { type MatrixConfig, MatrixEnv } from "./matrix.ts";
import { SkirmishEnv } from "./skirmish.ts";
import { SpreadEnv } from "./spread.ts";
import { loadMujoco } from "./mujoco/engine.ts";
import { MAX_COPIES, MujocoEnv, mujocoSpec } from "./mujoco/env.ts";
import { isMujocoTask, MUJOCO_TASK_NAMES, type MujocoTaskName } from "./mujoco/tasks.ts";
import { RandomPolicy } from "./policies/random.ts";
import { SpreadExpertPolicy, SpreadMediumPolicy } from "./policies/spread.ts";
import { SkirmishExpertPolicy, SkirmishMediumPolicy } from "./policies/skirmish.ts";
import {
  bestJointAction,
  FixedJointActionPolicy,
  independentBestResponses,
} from "./policies/matrix.ts";

/** Our own simulators, with scripted behaviour at every tier. */
export const SIMULATOR_NAMES = ["spread", "skirmish", "matrix"] as const;

/** Names of the built-in environments: our simulators, then the multi-agent MuJoCo tasks. */
export const ENV_NAMES = [...SIMULATOR_NAMES, ...MUJOCO_TASK_NAMES] as const;
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

/** Whether a built-in environment's actions are continuous or discrete (known without loading it). */
export function envActionKind(name: string): ActionKind {
  return isMujocoTask(name) ? "continuous" : makeEnv(name, 1).spec.actionKind;
}

/** The shapes of a built-in environment with a configuration (known without loading it). */
export function envSpec(name: string, config?: Record<string, unknown>): MultiAgentSpec {
  return isMujocoTask(name) ? mujocoSpec(name) : makeEnv(envName(name), 1, config).spec;
}

/** The default shapes of `env` when it names a built-in environment, else undefined. */
export function builtInSpec(env: string | undefined): MultiAgentSpec | undefined {
  return env !== undefined && (ENV_NAMES as readonly string[]).includes(env)
    ? envSpec(env)
    : undefined;
}

/**
 * Makes `name` ready for {@link makeEnv}: the MuJoCo tasks need the physics engine loaded
 * (once per process, about 0.4 s); our own simulators need nothing.
 */
export async function prepareEnv(name: string): Promise<void> {
  if (isMujocoTask(envName(name))) await loadMujoco();
}

/**
 * The most copies of `name` one environment should hold: each MuJoCo copy has a physics arena
 * of 1 MB in the engine's memory (2 GB at most), our simulators none worth counting.
 */
export function maxCopies(name: string): number {
  return isMujocoTask(name) ? MAX_COPIES : 1 << 20;
}

/** The quality levels with a scripted controller on `name` (the MuJoCo tasks: random only). */
export function scriptedLevels(name: string): readonly PolicyLevel[] {
  return isMujocoTask(envName(name)) ? ["random"] : POLICY_LEVELS;
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
    case "hopper-3x1":
    case "halfcheetah-6x1":
    case "ant-2x4":
      return new MujocoEnv(name as MujocoTaskName, numEnvs, config);
  }
}

/** A factory of copies of a built-in environment with one configuration. */
export function envFactory(name: string, config?: Record<string, unknown>): VecEnvFactory {
  makeEnv(name, 1, config).dispose?.(); // fail early on a bad name or configuration
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
  if (isMujocoTask(env.name)) {
    throw new ValidationError(
      `${env.name} has no scripted ${level} controller: its medium and expert behaviour comes ` +
        `from trained policies (import such a dataset, e.g. the public HDF5 files); ` +
        `the built-in tier is random`,
    );
  }
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
    default:
      throw new ValidationError(`${env.name} has no scripted ${level} controller`);
  }
}
