/**
 * The policy's distributions: a tanh-squashed Gaussian (continuous) and a categorical over
 * logits (discrete), their log-densities at dataset actions, and the deterministic actions.
 *
 * @module
 */
import { tf } from "../tf.ts";

/** Bounds of the Gaussian head (docs/algorithms.md, "OMIGA"). */
export const LOG_STD_MIN = -5;
export const LOG_STD_MAX = 2;
export const MEAN_LIMIT = 9;
/** Dataset actions are clipped to +-(1 - 1e-7) before atanh. */
export const ACTION_EDGE = 1 - 1e-7;

/** Splits the policy output [R, 2A] into clamped mean and log-std, each [R, A]. */
export function gaussianHead(output: tf.Tensor2D): { mean: tf.Tensor2D; logStd: tf.Tensor2D } {
  const [rawMean, rawLogStd] = tf.split(output, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
  return {
    mean: tf.clipByValue(rawMean, -MEAN_LIMIT, MEAN_LIMIT),
    logStd: tf.clipByValue(rawLogStd, LOG_STD_MIN, LOG_STD_MAX),
  };
}

/**
 * Splits a policy output [..., 2A] into its raw mean and its log-std clamped to
 * [LOG_STD_MIN, LOG_STD_MAX], each [..., A]: the head of SAC and of CQL-MA's actor, whose means
 * are not clamped.
 */
export function rawMeanGaussianHead<T extends tf.Tensor>(output: T): { mean: T; logStd: T } {
  const [mean, rawLogStd] = tf.split(output, 2, -1) as T[];
  return { mean, logStd: tf.clipByValue(rawLogStd, LOG_STD_MIN, LOG_STD_MAX) as T };
}

/**
 * log pi(a) of a tanh-squashed Gaussian at dataset actions `action` [R, A] in [-1, 1]:
 * u = atanh(clip(a)); sum over dims of log N(u; mean, std) - log|d tanh(u)/du|, the Jacobian
 * written as 2 (log 2 - u - softplus(-2u)) for stability. Returns [R].
 */
export function tanhGaussianLogProb(
  mean: tf.Tensor2D,
  logStd: tf.Tensor2D,
  action: tf.Tensor2D,
): tf.Tensor1D {
  return tf.tidy(() => {
    const u = tf.atanh(tf.clipByValue(action, -ACTION_EDGE, ACTION_EDGE));
    const standardised = tf.mul(tf.sub(u, mean), tf.exp(tf.neg(logStd)));
    const gaussian = tf.sub(
      tf.sub(tf.mul(tf.square(standardised), -0.5), logStd),
      0.5 * Math.log(2 * Math.PI),
    );
    const logJacobian = tf.mul(tf.sub(tf.sub(Math.log(2), u), tf.softplus(tf.mul(u, -2))), 2);
    return tf.sum(tf.sub(gaussian, logJacobian), 1) as tf.Tensor1D;
  });
}

/** log softmax(logits)[a] at the taken actions, given as one-hot rows [R, n]. Returns [R]. */
export function categoricalLogProb(logits: tf.Tensor2D, actionOneHot: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.mul(tf.logSoftmax(logits), actionOneHot), 1) as tf.Tensor1D);
}

/** The greedy discrete action among available ones: argmax of masked logits, [R] int32. */
export function greedyDiscreteAction(logits: tf.Tensor2D, avail?: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    if (avail === undefined) return tf.argMax(logits, 1) as tf.Tensor1D;
    const masked = tf.where(tf.greater(avail, 0), logits, tf.fill(logits.shape, -Infinity));
    return tf.argMax(masked, 1) as tf.Tensor1D;
  });
}
