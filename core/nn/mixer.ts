/**
 * The monotonic value mixer shared by OMIGA and the mixed baselines: all agents' states
 * concatenated -> Linear -> ReLU -> [u (N) | b (1)], w = |u| (non-negative weights), and the
 * mixed total sum_i w_i x_i + b (docs/algorithms.md, "OMIGA").
 *
 * @module
 */
import { tf } from "../tf.ts";

/** Splits the mixer output [B, N + 1] into raw weights u [B, N], w = |u| and b [B]. */
export function splitMixer(
  output: tf.Tensor2D,
  nAgents: number,
): { rawW: tf.Tensor2D; w: tf.Tensor2D; b: tf.Tensor1D } {
  const [rawW, rawB] = tf.split(output, [nAgents, 1], 1) as [tf.Tensor2D, tf.Tensor2D];
  return { rawW, w: tf.abs(rawW), b: tf.reshape(rawB, [-1]) };
}

/** sum_i w_i x_i + b.  `w`, `perAgent`: [B, N]; `b`: [B]; returns [B]. */
export function mixedTotal(w: tf.Tensor2D, perAgent: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor1D {
  return tf.add(tf.sum(tf.mul(w, perAgent), 1), b);
}
