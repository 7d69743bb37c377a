/**
 * OMIGA's losses, each a few lines that mirror DESIGN.md section 5. Shapes: B transitions,
 * N agents; per-agent values are [B, N]. Values marked "no gradient" are constants for the
 * backward pass (`loss_gradients.ts`), which differentiates these formulas by hand.
 *
 * @module
 */
import { tf } from "../tf.ts";

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
  return tf.add(reward, tf.mul(tf.mul(mask, gamma), nextValueTotal));
}

/** 1. L_Q = mean((Q_tot - y)^2). */
export function qLoss(qTotal: tf.Tensor1D, target: tf.Tensor1D): tf.Scalar {
  return tf.mean(tf.square(tf.sub(qTotal, target)));
}

/**
 * 2. (w'_i Q'_i - w'_i V_i) / alpha, before the clamp, with w' and Q' from the target networks
 * (no gradient) and V live. All [B, N].
 */
export function scaledAdvantage(
  wTarget: tf.Tensor2D,
  qTarget: tf.Tensor2D,
  value: tf.Tensor2D,
  alpha: number,
): tf.Tensor2D {
  return tf.div(tf.sub(tf.mul(wTarget, qTarget), tf.mul(wTarget, value)), alpha);
}

/** 2. z = clamp(scaled advantage, -10, 10); the clamp stops the gradient outside the range. */
export function advantageExponent(scaled: tf.Tensor2D): tf.Tensor2D {
  return tf.clipByValue(scaled, -10, 10) as tf.Tensor2D;
}

/** 3. m = max(max(z), -1), with no gradient. */
export function exponentShift(z: tf.Tensor2D): tf.Scalar {
  return tf.maximum(tf.max(z), -1) as tf.Scalar;
}

/** 3. L_V = mean(exp(z - m) + exp(-m) * w'_i V_i / alpha). */
export function valueLoss(
  z: tf.Tensor2D,
  m: tf.Scalar,
  wTarget: tf.Tensor2D,
  value: tf.Tensor2D,
  alpha: number,
): tf.Scalar {
  const linear = tf.div(tf.mul(tf.mul(tf.exp(tf.neg(m)), wTarget), value), alpha);
  return tf.mean(tf.add(tf.exp(tf.sub(z, m)), linear));
}

/** 4. The behaviour-cloning weight exp(z), with no gradient. */
export function advantageWeight(z: tf.Tensor2D): tf.Tensor2D {
  return tf.exp(z);
}

/**
 * Not a loss: the effective sample size of the policy loss's weights as a fraction of the B x N
 * samples, (sum w)^2 / (n sum w^2). 1 when every weight is the same (OMIGA then takes BC's
 * steps); small when a few samples carry the loss.
 */
export function weightEffectiveSampleSize(weight: tf.Tensor2D): tf.Scalar {
  const total = tf.sum(weight);
  return tf.div(tf.square(total), tf.mul(tf.sum(tf.square(weight)), weight.size)) as tf.Scalar;
}

/** 4. L_pi = -mean(weight * log pi_i(a_i | o_i)); `weight` is exp(z), or 1 for `bc`. [B, N]. */
export function policyLoss(weight: tf.Tensor2D, logProb: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.mean(tf.mul(weight, logProb)));
}
