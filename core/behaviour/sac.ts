/**
 * Soft Actor-Critic (Haarnoja et al. 2018, with the learned temperature of "SAC: Algorithms and
 * Applications") as the online behaviour learner: one centralised actor over the task's full
 * state and joint action, twin critics with a soft-updated target, and the temperature tuned
 * towards an entropy target. The networks are the offline algorithms' (`core/nn`): flat
 * parameter vectors, `mlp()` on the chosen kernels, clipped Adam. Why SAC rather than TD3 and
 * how the update reads: docs/behaviour.md.
 *
 * Every random draw (the reparameterisation noise) is passed in, so that the caller's Rng owns
 * it and a resumed run draws what an uninterrupted one would.
 *
 * @module
 */
import { z } from "zod";
import { tf } from "../tf.ts";
import type { Kernels } from "../kernels/mod.ts";
import { type AdamSettings, type AdamState, initialAdamState } from "../nn/adam.ts";
import { initialiseMlp, mlp, mlpForward, type MlpLayout, mlpLayout } from "../nn/dense.ts";
import { rawMeanGaussianHead } from "../nn/distributions.ts";
import { tidyObject } from "../nn/tidy.ts";
import type { Rng } from "../rng.ts";

/** SAC's settings; the defaults are the paper's (hidden 256 x 2, batch 256, lr 3e-4). */
export const sacConfigSchema = z.object({
  hiddenSize: z.number().int().min(1).max(4096).default(256),
  hiddenLayers: z.number().int().min(1).max(8).default(2),
  batchSize: z.number().int().min(1).max(1 << 16).default(256),
  gamma: z.number().min(0).max(1).default(0.99),
  tau: z.number().gt(0).max(1).default(0.005),
  actorLr: z.number().positive().max(1).default(3e-4),
  criticLr: z.number().positive().max(1).default(3e-4),
  alphaLr: z.number().positive().max(1).default(3e-4),
  /** The temperature at the start (log 1 = 0, as the reference implementations). */
  initialAlpha: z.number().positive().max(100).default(1),
  /** The entropy target; default minus the joint action's dimension. */
  targetEntropy: z.number().optional(),
}).strict();

/** SAC's settings, complete. */
export type SacConfig = z.output<typeof sacConfigSchema>;

/** The shapes SAC works on: the full state's width and the joint action's. */
export interface SacShape {
  stateDim: number;
  actionDim: number;
}

/** Where each network lives in its flat vector. */
export interface SacLayouts {
  actor: MlpLayout;
  q1: MlpLayout;
  q2: MlpLayout;
  /** Length of the critic vector (q1 then q2). */
  criticSize: number;
}

/** SAC's trainable state: live vectors, the critic target and the Adam states. */
export interface SacState {
  actor: tf.Tensor1D;
  critic: tf.Tensor1D;
  criticTarget: tf.Tensor1D;
  /** [1] log of the temperature. */
  logAlpha: tf.Tensor1D;
  adam: { actor: AdamState; critic: AdamState; logAlpha: AdamState };
}

/** One sampled batch of transitions, as tensors. */
export interface SacBatch {
  state: tf.Tensor2D; // [B, S]
  action: tf.Tensor2D; // [B, A]
  reward: tf.Tensor1D; // [B]
  /** 1 - terminal (a time-limit cut is not terminal). */
  mask: tf.Tensor1D; // [B]
  nextState: tf.Tensor2D; // [B, S]
}

/** The standard normal draws of one update: for the next state's action and the current's. */
export interface SacNoise {
  next: tf.Tensor2D; // [B, A]
  current: tf.Tensor2D; // [B, A]
}

/** The networks' layouts for a shape and config. */
export function sacLayouts(shape: SacShape, config: SacConfig): SacLayouts {
  const hidden = Array.from({ length: config.hiddenLayers }, () => config.hiddenSize);
  const actor = mlpLayout("actor", [shape.stateDim, ...hidden, 2 * shape.actionDim]);
  const criticWidths = [shape.stateDim + shape.actionDim, ...hidden, 1];
  const q1 = mlpLayout("q1", criticWidths);
  const q2 = mlpLayout("q2", criticWidths, q1.size);
  return { actor, q1, q2, criticSize: q1.size + q2.size };
}

/** Fresh networks (PyTorch's `nn.Linear` initialisation; the target starts as the critic). */
export function initialSacState(layouts: SacLayouts, config: SacConfig, rng: Rng): SacState {
  const actor = new Float32Array(layouts.actor.size);
  initialiseMlp(layouts.actor, actor, rng);
  const critic = new Float32Array(layouts.criticSize);
  initialiseMlp(layouts.q1, critic, rng);
  initialiseMlp(layouts.q2, critic, rng);
  return {
    actor: tf.tensor1d(actor),
    critic: tf.tensor1d(critic),
    criticTarget: tf.tensor1d(critic),
    logAlpha: tf.tensor1d([Math.log(config.initialAlpha)]),
    adam: {
      actor: initialAdamState(layouts.actor.size),
      critic: initialAdamState(layouts.criticSize),
      logAlpha: initialAdamState(1),
    },
  };
}

/** Frees a state's tensors. */
export function disposeSacState(state: SacState): void {
  const { adam } = state;
  tf.dispose([state.actor, state.critic, state.criticTarget, state.logAlpha]);
  for (const moments of [adam.actor, adam.critic, adam.logAlpha]) {
    tf.dispose([moments.m, moments.v]);
  }
}

/**
 * A reparameterised sample of the squashed Gaussian: u = mean + std eps, a = tanh(u), and
 * log pi(a) = sum over dims of log N(u; mean, std) - log(1 - tanh(u)^2), the Jacobian written as
 * 2 (log 2 - u - softplus(-2u)) so that it stays finite where tanh saturates. Returns a [R, A]
 * and log pi [R].
 */
export function squashedSample(
  mean: tf.Tensor2D,
  logStd: tf.Tensor2D,
  noise: tf.Tensor2D,
): { action: tf.Tensor2D; logProb: tf.Tensor1D } {
  const u = tf.add(mean, tf.mul(tf.exp(logStd), noise));
  const gaussian = tf.sub(
    tf.sub(tf.mul(tf.square(noise), -0.5), logStd),
    0.5 * Math.log(2 * Math.PI),
  );
  const logJacobian = tf.mul(tf.sub(tf.sub(Math.log(2), u), tf.softplus(tf.mul(u, -2))), 2);
  return {
    action: tf.tanh(u) as tf.Tensor2D,
    logProb: tf.sum(tf.sub(gaussian, logJacobian), 1) as tf.Tensor1D,
  };
}

/** min(Q1, Q2) of state-action rows [R, S + A] under the critic vector `critic`: [R]. */
function minQ(
  kernels: Kernels,
  layouts: SacLayouts,
  input: tf.Tensor2D,
  critic: tf.Tensor1D,
  constantInput: boolean,
  constantParams: boolean,
): tf.Tensor1D {
  const q1 = mlp(kernels, layouts.q1, input, critic, constantInput, constantParams);
  const q2 = mlp(kernels, layouts.q2, input, critic, constantInput, constantParams);
  return tf.reshape(tf.minimum(q1, q2), [-1]) as tf.Tensor1D;
}

/** Everything an update needs besides the state and the batch. */
export interface SacNetworks {
  layouts: SacLayouts;
  config: SacConfig;
  kernels: Kernels;
  targetEntropy: number;
}

/** The networks for a shape and config on `kernels`. */
export function sacNetworks(shape: SacShape, config: SacConfig, kernels: Kernels): SacNetworks {
  return {
    layouts: sacLayouts(shape, config),
    config,
    kernels,
    targetEntropy: config.targetEntropy ?? -shape.actionDim,
  };
}

const adamFor = (learningRate: number): AdamSettings => ({
  learningRate,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  clipNorm: Infinity, // the reference implementations do not clip
});

/** The losses an update reports, in this order. */
export const SAC_LOSS_NAMES = ["critic", "actor", "alpha", "entropy"] as const;

/**
 * One SAC update on a batch, in the reference order:
 * 1. critic: y = r + gamma mask (min Q_target(s', a') - alpha log pi(a'|s')), a' ~ pi(s');
 *    L = mean (Q1(s,a) - y)^2 + mean (Q2(s,a) - y)^2;
 * 2. actor, under the updated critic: L = mean (alpha log pi(a~|s) - min Q(s, a~)), a~ ~ pi(s)
 *    reparameterised;
 * 3. temperature: L = -mean log alpha (log pi(a~|s) + target entropy), log pi from step 2;
 * 4. target: Q_target <- (1 - tau) Q_target + tau Q.
 * Returns the new state (the old one's tensors stay; the caller disposes them) and
 * [critic loss, actor loss, alpha, entropy estimate -mean log pi].
 */
export function sacUpdate(
  networks: SacNetworks,
  state: SacState,
  batch: SacBatch,
  noise: SacNoise,
): { state: SacState; losses: tf.Tensor1D } {
  return tidyObject(() => {
    const { layouts, config, kernels } = networks;
    const alpha = tf.exp(state.logAlpha);
    // 1. The critic's target, then its step.
    const nextHead = rawMeanGaussianHead(
      mlpForward(kernels, layouts.actor, batch.nextState, state.actor),
    );
    const next = squashedSample(nextHead.mean, nextHead.logStd, noise.next);
    const nextInput = tf.concat([batch.nextState, next.action], 1) as tf.Tensor2D;
    const q1Next = mlpForward(kernels, layouts.q1, nextInput, state.criticTarget);
    const q2Next = mlpForward(kernels, layouts.q2, nextInput, state.criticTarget);
    const softValue = tf.sub(
      tf.reshape(tf.minimum(q1Next, q2Next), [-1]),
      tf.mul(alpha, next.logProb),
    );
    const y = tf.add(batch.reward, tf.mul(config.gamma, tf.mul(batch.mask, softValue)));
    const input = tf.concat([batch.state, batch.action], 1) as tf.Tensor2D;
    const critic = tf.valueAndGrads((vector: tf.Tensor) => {
      const q1 = tf.reshape(mlp(kernels, layouts.q1, input, vector as tf.Tensor1D, true), [-1]);
      const q2 = tf.reshape(mlp(kernels, layouts.q2, input, vector as tf.Tensor1D, true), [-1]);
      return tf.add(tf.mean(tf.square(tf.sub(q1, y))), tf.mean(tf.square(tf.sub(q2, y))));
    })([state.critic]);
    const criticStep = kernels.adamStep(
      state.critic,
      critic.grads[0] as tf.Tensor1D,
      state.adam.critic,
      adamFor(config.criticLr),
    );
    // 2. The actor under the updated critic.
    let logProb: tf.Tensor1D | undefined;
    const actor = tf.valueAndGrads((vector: tf.Tensor) => {
      const head = rawMeanGaussianHead(
        mlp(kernels, layouts.actor, batch.state, vector as tf.Tensor1D, true),
      );
      const sample = squashedSample(head.mean, head.logStd, noise.current);
      logProb = tf.keep(sample.logProb); // the tape's forward scope would dispose it
      const rows = tf.concat([batch.state, sample.action], 1) as tf.Tensor2D;
      const q = minQ(kernels, layouts, rows, criticStep.params, false, true);
      return tf.mean(tf.sub(tf.mul(alpha, sample.logProb), q)) as tf.Scalar;
    })([state.actor]);
    const actorStep = kernels.adamStep(
      state.actor,
      actor.grads[0] as tf.Tensor1D,
      state.adam.actor,
      adamFor(config.actorLr),
    );
    // 3. The temperature: d/d log alpha of -log alpha (mean log pi + target) is constant.
    const meanLogProb = tf.mean(logProb!);
    logProb!.dispose();
    const alphaGradient = tf.reshape(
      tf.neg(tf.add(meanLogProb, networks.targetEntropy)),
      [1],
    ) as tf.Tensor1D;
    const alphaStep = kernels.adamStep(
      state.logAlpha,
      alphaGradient,
      state.adam.logAlpha,
      adamFor(config.alphaLr),
    );
    // 4. The critic's target.
    const criticTarget = kernels.softUpdate(state.criticTarget, criticStep.params, config.tau);
    return {
      state: {
        actor: actorStep.params,
        critic: criticStep.params,
        criticTarget,
        logAlpha: alphaStep.params,
        adam: { actor: actorStep.state, critic: criticStep.state, logAlpha: alphaStep.state },
      },
      losses: tf.stack([
        critic.value,
        actor.value,
        tf.reshape(alpha, []),
        tf.neg(meanLogProb),
      ]) as tf.Tensor1D,
    };
  });
}

/**
 * Actions for `states` [R, S]: a squashed Gaussian sample with the given standard normal draws
 * `noise` [R, A], or the mean action tanh(mean) without them. Returns [R, A] in (-1, 1).
 */
export function sacAct(
  kernels: Kernels,
  layouts: SacLayouts,
  actorParams: tf.Tensor1D,
  states: tf.Tensor2D,
  noise?: tf.Tensor2D,
): tf.Tensor2D {
  return tf.tidy(() => {
    const head = rawMeanGaussianHead(mlpForward(kernels, layouts.actor, states, actorParams));
    if (noise === undefined) return tf.tanh(head.mean) as tf.Tensor2D;
    return squashedSample(head.mean, head.logStd, noise).action;
  });
}
