/**
 * OMIGA's losses, each a few lines that mirror DESIGN.md section 5. Shapes: B transitions,
 * N agents; per-agent values are [B, N].
 *
 * @module
 */
import { tf } from "../tf.ts";

/** The identity whose gradient is zero: `x.detach()`. */
export const stopGradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  save([]);
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
}) as <T extends tf.Tensor>(x: T) => T;

/** Q_tot = sum_i w_i Q_i + b.  `w`, `perAgent`: [B, N]; `b`: [B]; returns [B]. */
export function mixedTotal(w: tf.Tensor2D, perAgent: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor1D {
  return tf.add(tf.sum(tf.mul(w, perAgent), 1), b);
}

/** y = r + gamma * mask * V'_tot(s'), with no gradient. All [B]. */
export function tdTarget(
  reward: tf.Tensor1D,
  mask: tf.Tensor1D,
  nextValueTotal: tf.Tensor1D,
  gamma: number,
): tf.Tensor1D {
  return stopGradient(tf.add(reward, tf.mul(tf.mul(mask, gamma), nextValueTotal)));
}

/** 1. L_Q = mean((Q_tot - y)^2). */
export function qLoss(qTotal: tf.Tensor1D, target: tf.Tensor1D): tf.Scalar {
  return tf.mean(tf.square(tf.sub(qTotal, target)));
}

/**
 * 2. z_i = clamp((w'_i Q'_i - w'_i V_i) / alpha, -10, 10), with w' and Q' from the targets (no
 * gradient) and V live; the clamp stops the gradient outside [-10, 10]. All [B, N].
 */
export function advantageExponent(
  wTarget: tf.Tensor2D,
  qTarget: tf.Tensor2D,
  value: tf.Tensor2D,
  alpha: number,
): tf.Tensor2D {
  const w = stopGradient(wTarget);
  const z = tf.div(tf.sub(tf.mul(w, stopGradient(qTarget)), tf.mul(w, value)), alpha);
  return tf.clipByValue(z, -10, 10) as tf.Tensor2D;
}

/**
 * 3. m = max(max(z), -1) with no gradient;
 * L_V = mean(exp(z - m) + exp(-m) * w'_i V_i / alpha).
 */
export function valueLoss(
  z: tf.Tensor2D,
  wTarget: tf.Tensor2D,
  value: tf.Tensor2D,
  alpha: number,
): tf.Scalar {
  const m = stopGradient(tf.maximum(tf.max(z), -1));
  const linear = tf.div(tf.mul(tf.mul(tf.exp(tf.neg(m)), stopGradient(wTarget)), value), alpha);
  return tf.mean(tf.add(tf.exp(tf.sub(z, m)), linear));
}

/** The behaviour-cloning weight exp(z), with no gradient. */
export function advantageWeight(z: tf.Tensor2D): tf.Tensor2D {
  return stopGradient(tf.exp(z));
}

/** 4. L_pi = -mean(weight * log pi_i(a_i | o_i)); `weight` is exp(z), or 1 for `bc`. [B, N]. */
export function policyLoss(weight: tf.Tensor2D, logProb: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.mean(tf.mul(weight, logProb)));
}
