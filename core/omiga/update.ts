/**
 * One OMIGA training step (DESIGN.md section 5): the forward pass that wires the networks into
 * the losses, then the updates in the paper's order (policy, Q + mixer, V) and the soft target
 * updates.
 *
 * The three losses read parameters that no earlier update in the same step changes (the policy
 * loss reads V only through the detached weight; the Q loss reads V and the mixer only through
 * their targets; the V loss reads Q and the mixer only through their targets), so one forward
 * and one backward pass over L_pi + L_Q + L_V give each optimiser exactly the gradient of its own
 * loss, as in a sequential implementation, without recomputing shared activations.
 *
 * @module
 */
import { tf } from "../tf.ts";
import type { MultiAgentSpec } from "../dataset.ts";
import type { OmigaConfig } from "./config.ts";
import { type AdamState, adamStep } from "./adam.ts";
import { differentiableMlp, type Mlp, mlpForward } from "./dense.ts";
import { categoricalLogProb, gaussianHead, tanhGaussianLogProb } from "./distributions.ts";
import {
  advantageExponent,
  advantageWeight,
  mixedTotal,
  policyLoss,
  qLoss,
  tdTarget,
  valueLoss,
} from "./losses.ts";
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

/** The networks of one architecture as functions of their flat parameters. */
export class OmigaNetworks {
  readonly layouts: OmigaLayouts;
  readonly spec: MultiAgentSpec;
  readonly policy: Mlp;
  readonly q: Mlp;
  readonly mixer?: Mlp;
  readonly value: Mlp;

  constructor(spec: MultiAgentSpec, layouts: OmigaLayouts) {
    this.spec = spec;
    this.layouts = layouts;
    this.policy = differentiableMlp(layouts.policy);
    this.q = differentiableMlp(layouts.q);
    this.mixer = layouts.mixer ? differentiableMlp(layouts.mixer) : undefined;
    this.value = differentiableMlp(layouts.value);
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

  /**
   * Mixer weights w = |.| [B, N] and offset b [B] for `state` [B, N * stateDim]; w = 1, b = 0
   * for `omiga-local`. `differentiable` selects the live op (gradient) or a plain forward.
   */
  mixing(
    state: tf.Tensor2D,
    critic: tf.Tensor1D,
    differentiable: boolean,
  ): { w: tf.Tensor2D; b: tf.Tensor1D } {
    const n = this.spec.nAgents;
    const rows = state.shape[0];
    const layout = this.layouts.mixer;
    if (layout === undefined) return { w: tf.ones([rows, n]), b: tf.zeros([rows]) };
    const output = differentiable ? this.mixer!(state, critic) : mlpForward(layout, state, critic);
    const [rawW, rawB] = tf.split(output, [n, 1], 1) as [tf.Tensor2D, tf.Tensor2D];
    return { w: tf.abs(rawW), b: tf.reshape(rawB, [rows]) };
  }

  /** log pi_i(a_i | o_i) at the dataset actions, [B, N]. */
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

/** The target networks' values a step needs (no gradient flows through them). */
export function targetValues(
  networks: OmigaNetworks,
  targets: { critic: tf.Tensor1D; value: tf.Tensor1D },
  batch: BatchTensors,
  config: OmigaConfig,
): TargetValues {
  return tidyObject(() => {
    const { layouts } = networks;
    const vNext = mlpForward(layouts.value, batch.nextObsWithId, targets.value);
    const next = networks.mixing(batch.nextState, targets.critic, false);
    const nextTotal = mixedTotal(next.w, networks.perAgent(vNext, batch.batchSize), next.b);
    return {
      y: tdTarget(batch.reward, batch.mask, nextTotal, config.gamma),
      qTarget: networks.takenQ(mlpForward(layouts.q, batch.qInput, targets.critic), batch),
      wTarget: networks.mixing(batch.state, targets.critic, false).w,
    };
  });
}

/** The forward pass: the three losses from the live parameters and the target values. */
export function omigaLosses(
  networks: OmigaNetworks,
  live: LiveParameters,
  { y, qTarget, wTarget }: TargetValues,
  batch: BatchTensors,
  config: OmigaConfig,
): StepLosses {
  const size = batch.batchSize;
  // 1. Q/mixer loss against y.
  const q = networks.takenQ(networks.q(batch.qInput, live.critic), batch);
  const { w, b } = networks.mixing(batch.state, live.critic, true);
  const qTotal = mixedTotal(w, q, b);
  // 2. z from the target Q and target mixer at s, and the live V.
  const value = networks.perAgent(networks.value(batch.obsWithId, live.value), size);
  const z = advantageExponent(wTarget, qTarget, value, config.alpha);
  // 4. Weighted behaviour cloning (weight 1 for `bc`).
  const logProb = networks.logProb(networks.policy(batch.obsWithId, live.policy), batch);
  const weight = config.algorithm === "bc" ? tf.onesLike(logProb) : advantageWeight(z);
  return {
    policy: policyLoss(weight, logProb),
    q: qLoss(qTotal, y),
    v: valueLoss(z, wTarget, value, config.alpha), // 3.
  };
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
    const targets = { critic: state.criticTarget, value: state.valueTarget };
    const fixed = targetValues(networks, targets, batch, config);
    let losses: tf.Tensor1D | undefined;
    const [policyGrad, criticGrad, valueGrad] = tf.grads((policy, critic, value) => {
      const step = omigaLosses(
        networks,
        { policy, critic, value } as LiveParameters,
        fixed,
        batch,
        config,
      );
      losses = tf.keep(tf.stack([step.policy, step.q, step.v]) as tf.Tensor1D);
      return tf.addN([step.policy, step.q, step.v]);
    })([state.live.policy, state.live.critic, state.live.value]) as tf.Tensor1D[];
    const settings = (learningRate: number) => ({
      learningRate,
      beta1: config.adamBeta1,
      beta2: config.adamBeta2,
      epsilon: config.adamEps,
      clipNorm: config.gradClip,
    });
    // 5. Policy, then Q + mixer, then V; then the soft target updates.
    const policy = adamStep(
      state.live.policy,
      policyGrad,
      state.adam.policy,
      settings(config.policyLr),
    );
    const critic = adamStep(state.live.critic, criticGrad, state.adam.critic, settings(config.qLr));
    const value = adamStep(state.live.value, valueGrad, state.adam.value, settings(config.vLr));
    return {
      state: {
        live: { policy: policy.params, critic: critic.params, value: value.params },
        criticTarget: softUpdate(state.criticTarget, critic.params, config.tau),
        valueTarget: softUpdate(state.valueTarget, value.params, config.tau),
        adam: { policy: policy.state, critic: critic.state, value: value.state },
      },
      losses: losses!,
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
