/**
 * OMIGA's forward pass (DESIGN.md section 5): the target networks' values, then the live
 * networks wired into the three losses, keeping what the backward pass needs.
 *
 * @module
 */
import { tf } from "../tf.ts";
import type { MultiAgentSpec } from "../dataset.ts";
import type { OmigaConfig } from "./config.ts";
import type { BatchTensors } from "./batch_tensors.ts";
import { mlpForward, mlpForwardTraced, type MlpTrace } from "./dense.ts";
import { categoricalLogProb, gaussianHead, tanhGaussianLogProb } from "./distributions.ts";
import {
  advantageExponent,
  advantageWeight,
  exponentShift,
  mixedTotal,
  policyLoss,
  qLoss,
  scaledAdvantage,
  tdTarget,
  valueLoss,
} from "./losses.ts";
import type { OmigaLayouts } from "./networks.ts";
import { tidyObject } from "./tidy.ts";

/** The three flat parameter vectors trained by the three optimisers. */
export interface LiveParameters {
  policy: tf.Tensor1D;
  critic: tf.Tensor1D;
  value: tf.Tensor1D;
}

/** The three losses of a step, as scalars on the backend. */
export interface StepLosses {
  policy: tf.Scalar;
  q: tf.Scalar;
  v: tf.Scalar;
}

/** Shape helpers shared by the forward pass. */
export class OmigaNetworks {
  readonly layouts: OmigaLayouts;
  readonly spec: MultiAgentSpec;

  constructor(spec: MultiAgentSpec, layouts: OmigaLayouts) {
    this.spec = spec;
    this.layouts = layouts;
  }

  /** [R, k] -> [B, N] */
  perAgent(rows: tf.Tensor, batchSize: number): tf.Tensor2D {
    return tf.reshape(rows, [batchSize, this.spec.nAgents]);
  }

  /** Q_i(o_i, a_i): continuous output, or the taken action's value by a one-hot product. [B, N] */
  takenQ(output: tf.Tensor2D, batch: BatchTensors): tf.Tensor2D {
    const taken = batch.actionOneHot ? tf.sum(tf.mul(output, batch.actionOneHot), 1) : output;
    return this.perAgent(taken, batch.batchSize);
  }

  /** Splits the mixer output [B, N + 1] into raw weights u [B, N] and b [B]; w = |u|. */
  splitMixer(output: tf.Tensor2D): { rawW: tf.Tensor2D; w: tf.Tensor2D; b: tf.Tensor1D } {
    const n = this.spec.nAgents;
    const [rawW, rawB] = tf.split(output, [n, 1], 1) as [tf.Tensor2D, tf.Tensor2D];
    return { rawW, w: tf.abs(rawW), b: tf.reshape(rawB, [-1]) };
  }

  /** Target mixer weights and offset at `state` (w = 1, b = 0 for `omiga-local`). */
  targetMixing(state: tf.Tensor2D, critic: tf.Tensor1D): { w: tf.Tensor2D; b: tf.Tensor1D } {
    const rows = state.shape[0];
    const layout = this.layouts.mixer;
    if (layout === undefined) return { w: tf.ones([rows, this.spec.nAgents]), b: tf.zeros([rows]) };
    return this.splitMixer(mlpForward(layout, state, critic));
  }

  /** log pi_i(a_i | o_i) at the dataset actions from the policy output, [B, N]. */
  logProb(output: tf.Tensor2D, batch: BatchTensors): tf.Tensor2D {
    if (batch.actionOneHot) {
      return this.perAgent(categoricalLogProb(output, batch.actionOneHot), batch.batchSize);
    }
    const { mean, logStd } = gaussianHead(output);
    return this.perAgent(tanhGaussianLogProb(mean, logStd, batch.action!), batch.batchSize);
  }
}

/** What the losses read from the target networks: constants for the gradient. */
export interface TargetValues {
  /** y = r + gamma * mask * V'_tot(s'), [B]. */
  y: tf.Tensor1D;
  /** Q'_i(o_i, a_i), [B, N]. */
  qTarget: tf.Tensor2D;
  /** w'_i(s), [B, N]. */
  wTarget: tf.Tensor2D;
}

/** The target networks' values a step needs. */
export function targetValues(
  networks: OmigaNetworks,
  targets: { critic: tf.Tensor1D; value: tf.Tensor1D },
  batch: BatchTensors,
  config: OmigaConfig,
): TargetValues {
  return tidyObject(() => {
    const { layouts } = networks;
    const vNext = mlpForward(layouts.value, batch.nextObsWithId, targets.value);
    const next = networks.targetMixing(batch.nextState, targets.critic);
    const nextTotal = mixedTotal(next.w, networks.perAgent(vNext, batch.batchSize), next.b);
    return {
      y: tdTarget(batch.reward, batch.mask, nextTotal, config.gamma),
      qTarget: networks.takenQ(mlpForward(layouts.q, batch.qInput, targets.critic), batch),
      wTarget: networks.targetMixing(batch.state, targets.critic).w,
    };
  });
}

/** The forward pass's values and traces: everything the backward pass reads. */
export interface ForwardPass {
  losses: StepLosses;
  q: tf.Tensor2D;
  w: tf.Tensor2D;
  qTotal: tf.Tensor1D;
  mixer?: { rawW: tf.Tensor2D; trace: MlpTrace };
  scaled: tf.Tensor2D;
  z: tf.Tensor2D;
  m: tf.Scalar;
  weight: tf.Tensor2D;
  policyOutput: tf.Tensor2D;
  traces: { q: MlpTrace; value: MlpTrace; policy: MlpTrace };
}

/** The forward pass: the three losses from the live parameters and the target values. */
export function omigaForward(
  networks: OmigaNetworks,
  live: LiveParameters,
  { y, qTarget, wTarget }: TargetValues,
  batch: BatchTensors,
  config: OmigaConfig,
): ForwardPass {
  const { layouts } = networks;
  const size = batch.batchSize;
  // 1. Q/mixer loss against y.
  const qPass = mlpForwardTraced(layouts.q, batch.qInput, live.critic);
  const q = networks.takenQ(qPass.output, batch);
  const mixerPass = layouts.mixer
    ? mlpForwardTraced(layouts.mixer, batch.state, live.critic)
    : undefined;
  const mixing = mixerPass
    ? networks.splitMixer(mixerPass.output)
    : { rawW: undefined, w: tf.onesLike(q), b: tf.zeros([size]) as tf.Tensor1D };
  const qTotal = mixedTotal(mixing.w, q, mixing.b);
  // 2. z from the target Q and target mixer at s, and the live V.
  const valuePass = mlpForwardTraced(layouts.value, batch.obsWithId, live.value);
  const value = networks.perAgent(valuePass.output, size);
  const scaled = scaledAdvantage(wTarget, qTarget, value, config.alpha);
  const z = advantageExponent(scaled);
  // 3. V loss, m held.
  const m = exponentShift(z);
  // 4. Weighted behaviour cloning (weight 1 for `bc`).
  const policyPass = mlpForwardTraced(layouts.policy, batch.obsWithId, live.policy);
  const logProb = networks.logProb(policyPass.output, batch);
  const weight = config.algorithm === "bc" ? tf.onesLike(logProb) : advantageWeight(z);
  return {
    losses: {
      policy: policyLoss(weight, logProb),
      q: qLoss(qTotal, y),
      v: valueLoss(z, m, wTarget, value, config.alpha),
    },
    q,
    w: mixing.w,
    qTotal,
    mixer: mixerPass ? { rawW: mixing.rawW!, trace: mixerPass.trace } : undefined,
    scaled,
    z,
    m,
    weight,
    policyOutput: policyPass.output,
    traces: { q: qPass.trace, value: valuePass.trace, policy: policyPass.trace },
  };
}

/** The three losses alone (tests, reports). */
export function omigaLosses(
  networks: OmigaNetworks,
  live: LiveParameters,
  targets: TargetValues,
  batch: BatchTensors,
  config: OmigaConfig,
): StepLosses {
  return tidyObject(() => omigaForward(networks, live, targets, batch, config).losses);
}
