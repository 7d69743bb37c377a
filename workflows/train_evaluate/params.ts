/**
 * The parameters of `train-evaluate`: one zod schema shared by the CLI flags, the HTTP API and
 * the workflow itself. Either a stored `dataset`, or a built-in `env` + `tier` generated on the
 * fly.
 *
 * @module
 */
import { z } from "zod";
import { BACKEND_NAMES } from "../../core/backend/mod.ts";
import {
  ENV_NAMES,
  envActionKind,
  scriptedLevels,
  SIMULATOR_NAMES,
  tierLevels,
  TIERS,
} from "../../core/envs/mod.ts";
import { MUJOCO_TASK_NAMES } from "../../core/envs/mujoco/tasks.ts";
import { ALGORITHM_NAMES, algorithmOf, hasAlpha } from "../../core/learn/mod.ts";
import { withCadences } from "../cadence.ts";
import { POLICY_NAME } from "../store/policy_store.ts";

/**
 * The alpha the main job and the sweep presets use on the built-in environments, instead of the
 * paper's 10 (still the algorithm's default). Alpha sets the scale of z = w (Q - V) / alpha, so it
 * has to match that of the advantages. The paper's MuJoCo tasks have 1,000-step episodes and
 * returns in the thousands; `spread` has 25-step episodes with returns of tens, and after 1,000
 * iterations its per-sample w (Q - V) differ by less than 0.1. At alpha 10, z is then nearly the
 * same for every sample (the weights' effective sample size is 1.0000), OMIGA's policy loss is
 * behaviour cloning's times a constant and OMIGA scores as BC does; at 0.1 the weights exp(z)
 * tell samples apart (RESULTS.md).
 */
export const BUILT_IN_ALPHA = 0.1;

/** The paper's alpha (OMIGA's own default): the scale of its MuJoCo tasks' advantages. */
export const PAPER_ALPHA = 10;

/** The families of environments a dataset comes from, as far as alpha is concerned. */
export type EnvFamily = "built-in" | "mujoco" | "other";

/**
 * The one place that says which alpha a run gets by default (for the algorithms that have one),
 * by the family of its dataset's environment: the built-in simulators {@link BUILT_IN_ALPHA}, the
 * MuJoCo tasks the paper's 10 (they have its reward scale), an imported environment of another
 * kind the paper's 10 as well. `train-evaluate` (CLI, HTTP, schedules), the main job and the
 * sweep presets read it here.
 */
export const DEFAULT_ALPHA: Readonly<Record<EnvFamily, number>> = {
  "built-in": BUILT_IN_ALPHA,
  mujoco: PAPER_ALPHA,
  other: PAPER_ALPHA,
};

/** The family of environment `env` (a dataset's `env`; undefined: unknown). */
export function envFamily(env: string | undefined): EnvFamily {
  if ((SIMULATOR_NAMES as readonly string[]).includes(env ?? "")) return "built-in";
  if ((MUJOCO_TASK_NAMES as readonly string[]).includes(env ?? "")) return "mujoco";
  return "other";
}

/**
 * The alpha a run on a dataset from `env` trains with when none is given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultAlpha } from "./params.ts";
 * assert.equal(defaultAlpha("spread"), 0.1);
 * assert.equal(defaultAlpha("halfcheetah-6x1"), 10);
 * assert.equal(defaultAlpha("my-imported-env"), 10);
 * ```
 */
export function defaultAlpha(env: string | undefined): number {
  return DEFAULT_ALPHA[envFamily(env)];
}

const count = (max: number) => z.number().int().min(1).max(max);

/**
 * The budget and cadences a run gets without flags; given `--iterations` alone, the cadences
 * follow it (`workflows/cadence.ts`): evaluation keeps its share (none by default), the
 * checkpoint cadence is cut to the budget.
 */
export const TRAIN_EVALUATE_DEFAULTS = { iterations: 2_000, evalEvery: 0, checkpointEvery: 200 };

/** How each cadence follows `iterations`. */
export const TRAIN_EVALUATE_CADENCES = { evalEvery: "share", checkpointEvery: "bound" } as const;

/** `train-evaluate` parameters, with the defaults the CLI shows. */
export const trainEvaluateParams = z.object({
  /** A stored dataset's id, or a name (the newest dataset stored under it). */
  dataset: z.string().min(1).max(200).optional(),
  /** A built-in environment to generate a dataset from (with `tier`). */
  env: z.enum(ENV_NAMES).optional(),
  tier: z.enum(TIERS).optional(),
  /** Episodes to generate. */
  episodes: count(1_000_000).default(200),
  /** Seed of the generated dataset; default: `seed`. */
  datasetSeed: z.number().int().optional(),
  algorithm: z.enum(ALGORITHM_NAMES).default("omiga"),
  iterations: count(10_000_000).default(TRAIN_EVALUATE_DEFAULTS.iterations),
  /** Seeds initialisation, batch sampling and (offset) evaluation. */
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  /** OMIGA's regularisation temperature; default by the dataset's environment, {@link defaultAlpha}. */
  alpha: z.number().positive().max(1e6).optional(),
  batchSize: count(1 << 16).optional(),
  hiddenSize: count(4096).optional(),
  backend: z.enum(["auto", ...BACKEND_NAMES]).default("auto"),
  /**
   * Threads per training step (docs/threads.md); default: the step's share of the cores under
   * the `cpu` concurrency limit, where the algorithm and backend can use them.
   */
  threads: count(256).optional(),
  /** Evaluation episodes per seed. */
  evalEpisodes: count(100_000).default(10),
  /** Number of evaluation seeds. */
  evalSeeds: count(100).default(1),
  /** Evaluate every this many iterations during training (0: only at the end). */
  evalEvery: z.number().int().min(0).max(10_000_000).optional(),
  /** Default: 200, or `iterations` when that is fewer. */
  checkpointEvery: count(10_000_000).optional(),
  /**
   * Register the trained policy under this name (a run from a schedule registers under the
   * schedule's id without it).
   */
  policyName: z.string().regex(POLICY_NAME, {
    message: "lower-case letters, digits, dots, dashes and underscores, at most 63",
  }).optional(),
  /**
   * How far below the current latest's score a new version may score and still become latest
   * (default 0: at least as good).
   */
  promotionTolerance: z.number().min(0).max(1e9).optional(),
}).strict().transform((params) =>
  withCadences(params, TRAIN_EVALUATE_DEFAULTS, "iterations", TRAIN_EVALUATE_CADENCES)
).superRefine((params, ctx) => {
  if ((params.dataset === undefined) === (params.env === undefined)) {
    ctx.addIssue({
      code: "custom",
      path: ["dataset"],
      message: "give either a stored dataset ({dataset}) or a built-in env and tier " +
        "({env}, {tier})",
    });
  }
  if (params.env !== undefined && params.tier === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["tier"],
      message: `needed with {env}: one of ${TIERS.join(", ")}`,
    });
  }
  if (params.alpha !== undefined && !hasAlpha(params.algorithm)) {
    ctx.addIssue({
      code: "custom",
      path: ["alpha"],
      message: `alpha is OMIGA's temperature; ${params.algorithm} has none`,
    });
  }
  if (params.env !== undefined && params.tier !== undefined) {
    const scripted = scriptedLevels(params.env);
    if (tierLevels(params.tier).some((level) => !scripted.includes(level))) {
      ctx.addIssue({
        code: "custom",
        path: ["tier"],
        message: `${params.env} has only the ${scripted.join(", ")} tier built in; its other ` +
          `tiers' data come from trained behaviour policies: import such a dataset and pass ` +
          `{dataset}`,
      });
    }
  }
  if (params.env !== undefined) {
    const kind = envActionKind(params.env);
    const covered = algorithmOf(params.algorithm).actionKinds;
    if (!covered.includes(kind)) {
      ctx.addIssue({
        code: "custom",
        path: ["algorithm"],
        message: `${params.algorithm} covers ${covered.join(" and ")} actions only; ` +
          `${params.env}'s are ${kind}`,
      });
    }
  }
  if (params.evalEvery > params.iterations) {
    ctx.addIssue({
      code: "custom",
      path: ["evalEvery"],
      message: `${params.evalEvery} is more than {iterations} (${params.iterations}): pass ` +
        `{evalEvery} ${params.iterations} or less (0 evaluates at the end only), or more ` +
        `{iterations}`,
    });
  }
});

export type TrainEvaluateParams = z.output<typeof trainEvaluateParams>;

/** The seeds evaluation uses: offset from the training seed so they never coincide with it. */
export function evaluationSeeds(params: TrainEvaluateParams): number[] {
  return Array.from({ length: params.evalSeeds }, (_, k) => 100_000 + params.seed * 100 + k);
}
