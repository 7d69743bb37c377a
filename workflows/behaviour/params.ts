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

const count = (max: number) => z.number().int().min(1).max(max);

/** `behaviour` parameters, with the defaults the CLI shows. */
export const behaviourParams = z.object({
  /** A multi-agent MuJoCo task. */
  env: z.enum(MUJOCO_TASK_NAMES, {
    error: (issue) =>
      `behaviour policies train on the MuJoCo tasks (${MUJOCO_TASK_NAMES.join(", ")}), got ` +
      JSON.stringify(issue.input),
  }),
  /** Environment steps of online training. */
  steps: count(10_000_000).default(200_000),
  /** Steps of random actions before learning starts. */
  warmupSteps: count(1_000_000).default(5_000),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  /** SAC's hidden width (two hidden layers) and batch. */
  hiddenSize: count(4096).default(256),
  batchSize: count(1 << 16).default(256),
  /** Snapshot (and evaluate) the actor every this many steps: the medium tier's candidates. */
  snapshotEvery: count(10_000_000).default(5_000),
  /** Evaluation episodes per snapshot. */
  snapshotEpisodes: count(1_000).default(5),
  checkpointEvery: count(10_000_000).default(10_000),
  /** Episodes of each played tier (random, medium, expert; medium-expert holds twice as many). */
  tierEpisodes: count(10_000).default(50),
  backend: z.enum(["auto", ...BACKEND_NAMES]).default("auto"),
}).strict().superRefine((params, ctx) => {
  if (params.warmupSteps >= params.steps) {
    ctx.addIssue({ code: "custom", path: ["warmupSteps"], message: "must be below steps" });
  }
  if (params.snapshotEvery >= params.steps) {
    ctx.addIssue({
      code: "custom",
      path: ["snapshotEvery"],
      message: "must be below steps (the medium tier is chosen among earlier snapshots)",
    });
  }
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
