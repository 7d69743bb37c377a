/**
 * What every algorithm's networks share about shapes: the per-agent input widths (the one-hot
 * agent id appended), rows <-> per-agent values, the taken action's value, the Q input for new
 * actions, and the config fields every algorithm has.
 *
 * @module
 */
import { z } from "zod";
import { tf } from "../tf.ts";
import type { MultiAgentSpec } from "../dataset.ts";
import type { BatchTensors } from "./batch_tensors.ts";

/** The widest agent count, observation, state or action a checkpoint or policy file may record. */
export const MAX_DIMENSION = 1 << 16;

const dimension = z.number().int().positive().max(MAX_DIMENSION);

/**
 * A data spec as a file records it (checkpoints, policies): positive widths, bounded so that
 * building networks for it stays small.
 */
export const specSchema: z.ZodType<MultiAgentSpec> = z.object({
  nAgents: dimension,
  obsDim: dimension,
  stateDim: dimension,
  actionKind: z.enum(["continuous", "discrete"]),
  actDim: dimension,
  nActions: z.number().int().min(2).max(MAX_DIMENSION).optional(),
});

/** [obs | id]. */
export function localInputWidth(spec: MultiAgentSpec): number {
  return spec.obsDim + spec.nAgents;
}

/** [obs | action | id], the continuous Q input. */
export function qInputWidth(spec: MultiAgentSpec): number {
  return spec.obsDim + spec.actDim + spec.nAgents;
}

/** Rows [R, 1] or [R] -> per-agent values [B, N]. */
export function perAgent(rows: tf.Tensor, batch: BatchTensors, spec: MultiAgentSpec): tf.Tensor2D {
  return tf.reshape(rows, [batch.batchSize, spec.nAgents]);
}

/** Q_i(o_i, a_i): a continuous Q's output, or the taken action's value by a one-hot product. */
export function takenValue(
  output: tf.Tensor2D,
  batch: BatchTensors,
  spec: MultiAgentSpec,
): tf.Tensor2D {
  const taken = batch.actionOneHot ? tf.sum(tf.mul(output, batch.actionOneHot), 1) : output;
  return perAgent(taken, batch, spec);
}

/** The continuous Q input [obs | action | id] for other actions `action` [R, A]. */
export function qInputWith(
  obsWithId: tf.Tensor2D,
  action: tf.Tensor2D,
  spec: MultiAgentSpec,
): tf.Tensor2D {
  const [obs, id] = tf.split(obsWithId, [spec.obsDim, spec.nAgents], 1);
  return tf.concat([obs, action, id], 1) as tf.Tensor2D;
}

/** Defaults of the common fields, which differ by reference. */
export interface BaseDefaults {
  batchSize: number;
  gamma: number;
  tau: number;
  gradClip: number;
}

/**
 * The zod fields every algorithm's config has, with the reference's defaults: seed, batch
 * size, discount, soft-update rate, gradient-norm clip and Adam's constants.
 */
export function baseConfig(defaults: BaseDefaults) {
  return {
    /** Seeds initialisation, batch sampling and every random draw of a step. */
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
    batchSize: z.number().int().positive().max(1 << 16).default(defaults.batchSize),
    gamma: z.number().min(0).max(1).default(defaults.gamma),
    tau: z.number().gt(0).max(1).default(defaults.tau),
    /** Gradient-norm clip, per optimiser. */
    gradClip: z.number().positive().default(defaults.gradClip),
    adamBeta1: z.number().min(0).lt(1).default(0.9),
    adamBeta2: z.number().min(0).lt(1).default(0.999),
    adamEps: z.number().positive().default(1e-8),
  };
}
