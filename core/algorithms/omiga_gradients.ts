/**
 * OMIGA's backward pass by hand: the derivatives of the losses in `omiga.ts` with respect to
 * the networks' outputs, then each MLP's backward pass (`mlpBackward`). Writing these few lines
 * out avoids tfjs's gradient tape, which copies every input it records; docs/algorithms.md
 * ("Gradients") has the measured difference. The finite-difference tests check every line
 * here, including the branches each clamp turns off.
 *
 * Shapes: B transitions, N agents, R = B * N rows.
 *
 * @module
 */
import { tf } from "../tf.ts";
import { mlp, mlpBackward } from "../nn/dense.ts";
import { mixedTotal, splitMixer } from "../nn/mixer.ts";
import { perAgent, takenValue } from "../learn/shapes.ts";
import { ACTION_EDGE, LOG_STD_MAX, LOG_STD_MIN, MEAN_LIMIT } from "../nn/distributions.ts";
import { tidyObject } from "../nn/tidy.ts";
import type { BatchTensors } from "../learn/batch_tensors.ts";
import type { StepShard } from "../learn/algorithm.ts";
import {
  advantageExponent,
  advantageWeight,
  exponentShift,
  type OmigaNetworks,
  type OmigaParameters,
  policyLoss,
  qLoss,
  scaledAdvantage,
  type TargetValues,
  valueLoss,
  weightEffectiveSampleSize,
} from "./omiga.ts";

/** 1 where `x` lies in [low, high] (where a clamp passes the gradient), else 0. */
function passes(x: tf.Tensor, low: number, high: number): tf.Tensor {
  return tf.cast(tf.logicalAnd(tf.greaterEqual(x, low), tf.lessEqual(x, high)), "float32");
}

/**
 * L_Q = mean_t (Q_tot - y)^2 with Q_tot = sum_i |u_i| Q_i + b, u the mixer's raw weights.
 * With e = 2 (Q_tot - y) / B:  dL/dQ_i = e |u_i|;  dL/du_i = e Q_i sign(u_i);  dL/db = e.
 * `count` is B: the whole batch's transitions when these rows are a thread's share of it.
 */
export function qLossGradient(
  qTotal: tf.Tensor1D,
  target: tf.Tensor1D,
  w: tf.Tensor2D,
  rawW: tf.Tensor2D,
  q: tf.Tensor2D,
  count = qTotal.shape[0],
): { q: tf.Tensor2D; rawW: tf.Tensor2D; b: tf.Tensor1D } {
  const e = tf.mul(tf.sub(qTotal, target), 2 / count);
  const eColumn = tf.reshape(e, [-1, 1]);
  return {
    q: tf.mul(eColumn, w) as tf.Tensor2D,
    rawW: tf.mul(tf.mul(eColumn, q), tf.sign(rawW)) as tf.Tensor2D,
    b: e as tf.Tensor1D,
  };
}

/**
 * L_V = mean(exp(z - m) + exp(-m) w' V / alpha) with z = clamp((w'Q' - w'V) / alpha), m held:
 * dL/dV = w' / (alpha B N) * (exp(-m) - exp(z - m) 1[scaled in [-10, 10]]).
 */
export function valueLossGradient(
  scaled: tf.Tensor2D,
  z: tf.Tensor2D,
  m: tf.Scalar,
  wTarget: tf.Tensor2D,
  alpha: number,
  count = z.size,
): tf.Tensor2D {
  const throughZ = tf.mul(tf.exp(tf.sub(z, m)), passes(scaled, -10, 10));
  return tf.mul(tf.sub(tf.exp(tf.neg(m)), throughZ), tf.div(wTarget, alpha * count)) as tf.Tensor2D;
}

/** L_pi = -mean(weight * log pi):  dL/d log pi = -weight / (B N). Returns [R, 1]. */
export function policyLossGradient(weight: tf.Tensor2D, count = weight.size): tf.Tensor2D {
  return tf.reshape(tf.div(weight, -count), [-1, 1]) as tf.Tensor2D;
}

/**
 * log pi = sum_k -0.5 s_k^2 - logStd_k - log sqrt(2 pi) - log|tanh'(u_k)|, s = (u - mean) / std,
 * with mean = clamp(raw, -9, 9) and logStd = clamp(raw, -5, 2) from the output [R, 2A]:
 * d/d mean = s / std,  d/d logStd = s^2 - 1, each zero where its clamp cut. Returns d/d output
 * scaled by `dLogProb` [R, 1].
 */
export function tanhGaussianOutputGradient(
  output: tf.Tensor2D,
  action: tf.Tensor2D,
  edge: number,
  dLogProb: tf.Tensor2D,
): tf.Tensor2D {
  const [rawMean, rawLogStd] = tf.split(output, 2, 1);
  const mean = tf.clipByValue(rawMean, -MEAN_LIMIT, MEAN_LIMIT);
  const logStd = tf.clipByValue(rawLogStd, LOG_STD_MIN, LOG_STD_MAX);
  const u = tf.atanh(tf.clipByValue(action, -edge, edge));
  const inverseStd = tf.exp(tf.neg(logStd));
  const s = tf.mul(tf.sub(u, mean), inverseStd);
  const dMean = tf.mul(tf.mul(s, inverseStd), passes(rawMean, -MEAN_LIMIT, MEAN_LIMIT));
  const dLogStd = tf.mul(tf.sub(tf.square(s), 1), passes(rawLogStd, LOG_STD_MIN, LOG_STD_MAX));
  return tf.mul(tf.concat([dMean, dLogStd], 1), dLogProb) as tf.Tensor2D;
}

/** log pi = log softmax(logits)[a]:  d/d logits = onehot(a) - softmax(logits), times `dLogProb`. */
export function categoricalOutputGradient(
  logits: tf.Tensor2D,
  actionOneHot: tf.Tensor2D,
  dLogProb: tf.Tensor2D,
): tf.Tensor2D {
  return tf.mul(tf.sub(actionOneHot, tf.softmax(logits)), dLogProb) as tf.Tensor2D;
}

/**
 * The losses, each optimiser's gradient (of L_pi: policy, L_Q: Q + mixer, L_V: V) and the
 * effective sample size of the policy loss's weights. On a thread's share of a batch
 * (`shard`), each is the share's part of the whole batch's (the team sums them), and the
 * weights' sum and sum of squares replace their ESS.
 */
export function omigaGradients(
  networks: OmigaNetworks,
  live: OmigaParameters,
  targets: TargetValues,
  batch: BatchTensors,
  shard?: StepShard,
) {
  return tidyObject(() => {
    const { layouts, kernels, config, spec } = networks;
    const pass = networks.forward(live, targets, batch, shard);
    const rows = pass.q.size;
    const transitions = shard?.batchSize;
    const samples = transitions === undefined ? undefined : transitions * spec.nAgents;
    // Q + mixer (the critic vector holds Q's parameters, then the mixer's).
    const dQ = qLossGradient(
      pass.qTotal,
      targets.y,
      pass.w,
      pass.mixer?.rawW ?? pass.w,
      pass.q,
      transitions,
    );
    const dQRows = tf.reshape(dQ.q, [rows, 1]);
    const dQOutput =
      (batch.actionOneHot ? tf.mul(batch.actionOneHot, dQRows) : dQRows) as tf.Tensor2D;
    const criticPieces = [mlpBackward(kernels, layouts.q, pass.traces.q, dQOutput).params];
    if (pass.mixer) {
      const dMixerOutput = tf.concat([dQ.rawW, tf.reshape(dQ.b, [-1, 1])], 1) as tf.Tensor2D;
      criticPieces.push(
        mlpBackward(kernels, layouts.mixer!, pass.mixer.trace, dMixerOutput).params,
      );
    }
    // V.
    const dValue = valueLossGradient(
      pass.scaled,
      pass.z,
      pass.m,
      targets.wTarget,
      config.alpha,
      samples,
    );
    const dValueOutput = tf.reshape(dValue, [rows, 1]) as tf.Tensor2D;
    // Policy.
    const dLogProb = policyLossGradient(pass.weight, samples);
    const dPolicyOutput = batch.actionOneHot
      ? categoricalOutputGradient(pass.policyOutput, batch.actionOneHot, dLogProb)
      : tanhGaussianOutputGradient(pass.policyOutput, batch.action!, ACTION_EDGE, dLogProb);
    return {
      losses: pass.losses,
      weightEss: shard ? undefined : weightEffectiveSampleSize(pass.weight),
      shift: pass.shift,
      weightSums: shard
        ? tf.stack([tf.sum(pass.weight), tf.sum(tf.square(pass.weight))]) as tf.Tensor1D
        : undefined,
      gradients: {
        policy: mlpBackward(kernels, layouts.policy, pass.traces.policy, dPolicyOutput).params,
        critic: criticPieces.length === 1
          ? criticPieces[0]
          : tf.concat(criticPieces) as tf.Tensor1D,
        value: mlpBackward(kernels, layouts.value, pass.traces.value, dValueOutput).params,
      },
    };
  });
}

/**
 * The same three gradients by tfjs's tape: each loss written with the differentiable MLP
 * (`mlp`, a `tf.customGrad` op on the same kernels) and differentiated by `tf.grads`, the
 * route the baselines take. Kept for the measured comparison (`deno task bench train
 * --gradients tape`) and as an independent check of the hand-written pass.
 */
export function omigaGradientsByTape(
  networks: OmigaNetworks,
  live: OmigaParameters,
  targets: TargetValues,
  batch: BatchTensors,
) {
  return tidyObject(() => {
    const { layouts, kernels, config, spec } = networks;
    const valueOf = (vector: tf.Tensor1D) =>
      perAgent(mlp(kernels, layouts.value, batch.obsWithId, vector, true), batch, spec);
    const exponentOf = (vector: tf.Tensor1D) =>
      advantageExponent(
        scaledAdvantage(targets.wTarget, targets.qTarget, valueOf(vector), config.alpha),
      );
    // No gradient: m and the policy's weights come from the current V.
    const z = exponentOf(live.value);
    const m = exponentShift(z);
    const weight = config.algorithm === "bc" ? tf.onesLike(z) : advantageWeight(z);
    const [policy] = tf.grads((vector: tf.Tensor) => {
      const output = mlp(kernels, layouts.policy, batch.obsWithId, vector as tf.Tensor1D, true);
      return policyLoss(weight, networks.logProb(output, batch));
    })([live.policy]);
    const [critic] = tf.grads((vector: tf.Tensor) => {
      const critic = vector as tf.Tensor1D;
      const q = takenValue(mlp(kernels, layouts.q, batch.qInput, critic, true), batch, spec);
      const mixing = layouts.mixer
        ? splitMixer(mlp(kernels, layouts.mixer, batch.state, critic, true), spec.nAgents)
        : { w: tf.onesLike(q), b: tf.zeros([batch.batchSize]) as tf.Tensor1D };
      return qLoss(mixedTotal(mixing.w, q, mixing.b), targets.y);
    })([live.critic]);
    const [value] = tf.grads((vector: tf.Tensor) => {
      const v = vector as tf.Tensor1D;
      return valueLoss(exponentOf(v), m, targets.wTarget, valueOf(v), config.alpha);
    })([live.value]);
    return { policy, critic, value } as Record<"policy" | "critic" | "value", tf.Tensor1D>;
  });
}
