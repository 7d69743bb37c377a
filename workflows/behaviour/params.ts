/**
 * The parameters of `behaviour`: the task, the online budget, SAC's main settings and the tiers'
 * size, flat so that the CLI's flags and the HTTP API take them as they are.
 *
 * @module
 */
import { z } from "zod";
import { BACKEND_NAMES } from "../../core/backend/mod.ts";
import { type BehaviourSettings, parseBehaviourSettings } from "../../core/behaviour/trainer.ts";
import { MUJOCO_TASK_NAMES } from "../../core/envs/mujoco/tasks.ts";
import { withCadences } from "../cadence.ts";

const count = (max: number) => z.number().int().min(1).max(max);

/**
 * The budget and the cadences measured in it that a run gets without flags; given `--steps`
 * alone, the warm-up and the snapshot cadence keep their share of it and the checkpoint
 * cadence is cut to it (`workflows/cadence.ts`).
 */
export const BEHAVIOUR_DEFAULTS = {
  steps: 200_000,
  warmupSteps: 5_000,
  snapshotEvery: 5_000,
  checkpointEvery: 10_000,
};

/** How each cadence follows `steps`. */
const BEHAVIOUR_CADENCES = {
  warmupSteps: "share",
  snapshotEvery: "share",
  checkpointEvery: "bound",
} as const;

/** `behaviour` parameters, with the defaults the CLI shows. */
export const behaviourParams = z.object({
  /** A multi-agent MuJoCo task. */
  env: z.enum(MUJOCO_TASK_NAMES, {
    error: (issue) =>
      `behaviour policies train on the MuJoCo tasks (${MUJOCO_TASK_NAMES.join(", ")}), got ` +
      JSON.stringify(issue.input),
  }),
  /** Environment steps of online training. */
  steps: count(10_000_000).default(BEHAVIOUR_DEFAULTS.steps),
  /** Steps of random actions before learning starts. */
  warmupSteps: count(1_000_000).optional(),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  /** SAC's hidden width (two hidden layers) and batch. */
  hiddenSize: count(4096).default(256),
  batchSize: count(1 << 16).default(256),
  /** Snapshot (and evaluate) the actor every this many steps: the medium tier's candidates. */
  snapshotEvery: count(10_000_000).optional(),
  /** Evaluation episodes per snapshot. */
  snapshotEpisodes: count(1_000).default(5),
  checkpointEvery: count(10_000_000).optional(),
  /** Episodes of each played tier (random, medium, expert; medium-expert holds twice as many). */
  tierEpisodes: count(10_000).default(50),
  backend: z.enum(["auto", ...BACKEND_NAMES]).default("auto"),
}).strict().transform((params) =>
  withCadences(params, BEHAVIOUR_DEFAULTS, "steps", BEHAVIOUR_CADENCES)
).superRefine((params, ctx) => {
  const below = (field: "warmupSteps" | "snapshotEvery", why: string) => {
    if (params[field] < params.steps) return;
    ctx.addIssue({
      code: "custom",
      path: [field],
      message: `${params[field]} is not below {steps} (${params.steps})${why}: pass ` +
        `{${field}} ${params.steps - 1} or less, or more {steps}`,
    });
  };
  below("warmupSteps", "");
  below("snapshotEvery", " (the medium tier is chosen among earlier snapshots)");
});

/** `behaviour` parameters, complete. */
export type BehaviourParams = z.output<typeof behaviourParams>;

/** The trainer's settings for a run's parameters. */
export function settingsOf(params: BehaviourParams): BehaviourSettings {
  return parseBehaviourSettings({
    env: params.env,
    steps: params.steps,
    warmupSteps: params.warmupSteps,
    seed: params.seed,
    sac: { hiddenSize: params.hiddenSize, batchSize: params.batchSize },
    snapshotEvery: params.snapshotEvery,
    snapshotEpisodes: params.snapshotEpisodes,
    checkpointEvery: params.checkpointEvery,
  });
}
