/**
 * One OMIGA training step (DESIGN.md section 5): the forward pass that wires the networks into
 * the losses, the backward pass, then the updates in the paper's order (policy, Q + mixer, V)
 * and the soft target updates.
 *
 * The three losses read parameters that no earlier update in the same step changes (the policy
 * loss reads V only through the detached weight; the Q loss reads V and the mixer only through
 * their targets; the V loss reads Q and the mixer only through their targets), so one forward
 * pass and one backward pass give each optimiser exactly the gradient of its own loss, as in a
 * sequential implementation, without recomputing shared activations. The backward pass is
 * written out (`loss_gradients.ts`, `mlpBackward`) rather than recorded on tfjs's tape.
 *
 * @module
 */
import { tf } from "../tf.ts";
import type { MultiAgentSpec } from "../dataset.ts";
import type { OmigaConfig } from "./config.ts";
import { type AdamState, adamStep } from "./adam.ts";
import { mlpBackward, mlpForward, mlpForwardTraced, type MlpTrace } from "./dense.ts";
import {
  ACTION_EDGE,
  categoricalLogProb,
  gaussianHead,
  tanhGaussianLogProb,
} from "./distributions.ts";
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
import {
  categoricalOutputGradient,
  policyLossGradient,
  qLossGradient,
  tanhGaussianOutputGradient,
  valueLossGradient,
} from "./loss_gradients.ts";
import type { OmigaLayouts } from "./networks.ts";
import type { TrainingBatch } from "./sampler.ts";
import { tidyObject } from "./tidy.ts";

/** The three flat parameter vectors trained by the three optimisers. */
export interface LiveParameters {
  policy: tf.Tensor1D;
  critic: tf.Tensor1D;
  value: tf.Tensor1D;
}

/** Everything a step reads and replaces. */
export interface TrainingTensors {
  live: LiveParameters;
  criticTarget: tf.Tensor1D;
  valueTarget: tf.Tensor1D;
  adam: { policy: AdamState; critic: AdamState; value: AdamState };
}

/** A batch on the backend. */
export interface BatchTensors {
  batchSize: number;
  obsWithId: tf.Tensor2D;
  nextObsWithId: tf.Tensor2D;
  /** The Q network's input: continuous [obs | action | id], discrete [obs | id]. */
  qInput: tf.Tensor2D;
  action?: tf.Tensor2D;
  actionOneHot?: tf.Tensor2D;
  state: tf.Tensor2D;
  nextState: tf.Tensor2D;
  reward: tf.Tensor1D;
  mask: tf.Tensor1D;
}

/** The three losses of a step, as scalars on the backend. */
export interface StepLosses {
  policy: tf.Scalar;
  q: tf.Scalar;
  v: tf.Scalar;
}

/** Uploads a sampled batch. */
export function uploadBatch(batch: TrainingBatch, spec: MultiAgentSpec): BatchTensors {
  const b = batch.batchSize;
  const rows = b * spec.nAgents;
  const local = spec.obsDim + spec.nAgents;
  const obsWithId = tf.tensor2d(batch.obsWithId, [rows, local]);
  const stateWidth = spec.nAgents * spec.stateDim;
  const continuous = spec.actionKind === "continuous";
  return {
    batchSize: b,
    obsWithId,
    nextObsWithId: tf.tensor2d(batch.nextObsWithId, [rows, local]),
    qInput: continuous
      ? tf.tensor2d(batch.obsActionWithId!, [rows, spec.obsDim + spec.actDim + spec.nAgents])
      : obsWithId,
    action: continuous ? tf.tensor2d(batch.action!, [rows, spec.actDim]) : undefined,
    actionOneHot: continuous ? undefined : tf.tensor2d(batch.actionOneHot!, [rows, spec.nActions!]),
    state: tf.tensor2d(batch.state, [b, stateWidth]),
    nextState: tf.tensor2d(batch.nextState, [b, stateWidth]),
    reward: tf.tensor1d(batch.reward),
    mask: tf.tensor1d(batch.mask),
  };
}

/** Frees a batch's tensors. */
export function disposeBatch(batch: BatchTensors): void {
  tf.dispose([
    batch.obsWithId,
    batch.nextObsWithId,
    batch.qInput,
    batch.state,
    batch.nextState,
    batch.reward,
    batch.mask,
    ...(batch.action ? [batch.action] : []),
    ...(batch.actionOneHot ? [batch.actionOneHot] : []),
  ]);
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

/** The losses and each optimiser's gradient: of L_pi (policy), L_Q (Q + mixer), L_V (V). */
export function omigaGradients(
  networks: OmigaNetworks,
  live: LiveParameters,
  targets: TargetValues,
  batch: BatchTensors,
  config: OmigaConfig,
): { losses: StepLosses; gradients: LiveParameters } {
  return tidyObject(() => {
    const { layouts } = networks;
    const pass = omigaForward(networks, live, targets, batch, config);
    const rows = pass.q.size;
    // Q + mixer (the critic vector holds Q's parameters, then the mixer's).
    const dQ = qLossGradient(pass.qTotal, targets.y, pass.w, pass.mixer?.rawW ?? pass.w, pass.q);
    const dQRows = tf.reshape(dQ.q, [rows, 1]);
    const dQOutput =
      (batch.actionOneHot ? tf.mul(batch.actionOneHot, dQRows) : dQRows) as tf.Tensor2D;
    const criticPieces = [mlpBackward(layouts.q, pass.traces.q, dQOutput)];
    if (pass.mixer) {
      const dMixerOutput = tf.concat([dQ.rawW, tf.reshape(dQ.b, [-1, 1])], 1) as tf.Tensor2D;
      criticPieces.push(mlpBackward(layouts.mixer!, pass.mixer.trace, dMixerOutput));
    }
    // V.
    const dValue = valueLossGradient(pass.scaled, pass.z, pass.m, targets.wTarget, config.alpha);
    const dValueOutput = tf.reshape(dValue, [rows, 1]) as tf.Tensor2D;
    // Policy.
    const dLogProb = policyLossGradient(pass.weight);
    const dPolicyOutput = batch.actionOneHot
      ? categoricalOutputGradient(pass.policyOutput, batch.actionOneHot, dLogProb)
      : tanhGaussianOutputGradient(pass.policyOutput, batch.action!, ACTION_EDGE, dLogProb);
    return {
      losses: pass.losses,
      gradients: {
        policy: mlpBackward(layouts.policy, pass.traces.policy, dPolicyOutput),
        critic: criticPieces.length === 1 ? criticPieces[0] : tf.concat(criticPieces),
        value: mlpBackward(layouts.value, pass.traces.value, dValueOutput),
      },
    };
  });
}

function softUpdate(target: tf.Tensor1D, live: tf.Tensor1D, tau: number): tf.Tensor1D {
  return tf.add(tf.mul(live, tau), tf.mul(target, 1 - tau));
}

/**
 * One training step. Returns the new tensors (the caller disposes the old ones) and the losses
 * stacked as [policy, q, v] for occasional read-back.
 */
export function omigaStep(
  networks: OmigaNetworks,
  state: TrainingTensors,
  batch: BatchTensors,
  config: OmigaConfig,
): { state: TrainingTensors; losses: tf.Tensor1D } {
  return tidyObject(() => {
    const { live, adam } = state;
    const targets = { critic: state.criticTarget, value: state.valueTarget };
    const fixed = targetValues(networks, targets, batch, config);
    const { losses, gradients } = omigaGradients(networks, live, fixed, batch, config);
    const settings = (learningRate: number) => ({
      learningRate,
      beta1: config.adamBeta1,
      beta2: config.adamBeta2,
      epsilon: config.adamEps,
      clipNorm: config.gradClip,
    });
    // 5. Policy, then Q + mixer, then V; then the soft target updates.
    const policy = adamStep(live.policy, gradients.policy, adam.policy, settings(config.policyLr));
    const critic = adamStep(live.critic, gradients.critic, adam.critic, settings(config.qLr));
    const value = adamStep(live.value, gradients.value, adam.value, settings(config.vLr));
    return {
      state: {
        live: { policy: policy.params, critic: critic.params, value: value.params },
        criticTarget: softUpdate(state.criticTarget, critic.params, config.tau),
        valueTarget: softUpdate(state.valueTarget, value.params, config.tau),
        adam: { policy: policy.state, critic: critic.state, value: value.state },
      },
      losses: tf.stack([losses.policy, losses.q, losses.v]) as tf.Tensor1D,
    };
  });
}

/** Every tensor of a training state, for disposal. */
export function trainingTensorList(state: TrainingTensors): tf.Tensor[] {
  const { live, adam } = state;
  return [
    live.policy,
    live.critic,
    live.value,
    state.criticTarget,
    state.valueTarget,
    adam.policy.m,
    adam.policy.v,
    adam.critic.m,
    adam.critic.v,
    adam.value.m,
    adam.value.v,
  ];
}
