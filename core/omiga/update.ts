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
import type { OmigaConfig } from "./config.ts";
import { type AdamState, adamStep } from "./adam.ts";
import type { BatchTensors } from "./batch_tensors.ts";
import { mlpBackward } from "./dense.ts";
import { ACTION_EDGE } from "./distributions.ts";
import {
  type LiveParameters,
  omigaForward,
  type OmigaNetworks,
  type StepLosses,
  type TargetValues,
  targetValues,
} from "./forward.ts";
import {
  categoricalOutputGradient,
  policyLossGradient,
  qLossGradient,
  tanhGaussianOutputGradient,
  valueLossGradient,
} from "./loss_gradients.ts";
import { weightEffectiveSampleSize } from "./losses.ts";
import { tidyObject } from "./tidy.ts";
import { heapSoftUpdate } from "./heap_adam.ts";

/** Everything a step reads and replaces. */
export interface TrainingTensors {
  live: LiveParameters;
  criticTarget: tf.Tensor1D;
  valueTarget: tf.Tensor1D;
  adam: { policy: AdamState; critic: AdamState; value: AdamState };
}

/**
 * The losses, each optimiser's gradient (of L_pi: policy, L_Q: Q + mixer, L_V: V) and the
 * effective sample size of the policy loss's weights.
 */
export function omigaGradients(
  networks: OmigaNetworks,
  live: LiveParameters,
  targets: TargetValues,
  batch: BatchTensors,
  config: OmigaConfig,
): { losses: StepLosses; gradients: LiveParameters; weightEss: tf.Scalar } {
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
      weightEss: weightEffectiveSampleSize(pass.weight),
      gradients: {
        policy: mlpBackward(layouts.policy, pass.traces.policy, dPolicyOutput),
        critic: criticPieces.length === 1 ? criticPieces[0] : tf.concat(criticPieces),
        value: mlpBackward(layouts.value, pass.traces.value, dValueOutput),
      },
    };
  });
}

function softUpdate(target: tf.Tensor1D, live: tf.Tensor1D, tau: number): tf.Tensor1D {
  return heapSoftUpdate(target, live, tau) ?? tf.add(tf.mul(live, tau), tf.mul(target, 1 - tau));
}

/**
 * One training step. Returns the new tensors (the caller disposes the old ones) and the losses
 * with the weights' effective sample size, stacked as [policy, q, v, weightEss] for occasional
 * read-back.
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
    const { losses, gradients, weightEss } = omigaGradients(networks, live, fixed, batch, config);
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
      losses: tf.stack([losses.policy, losses.q, losses.v, weightEss]) as tf.Tensor1D,
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
