/**
 * BCQ-MA: Batch-Constrained deep Q-learning (Fujimoto, Meger & Precup, ICML 2019) on
 * multi-agent data, one network of each kind shared by all agents, each agent's input carrying
 * its one-hot id (docs/algorithms.md, "BCQ-MA").
 *
 * - Continuous actions follow sfujim/BCQ `continuous_BCQ/BCQ.py`: a VAE models the behaviour
 *   actions, a perturbation actor nudges decoded actions by at most phi, twin critics learn
 *   from the soft clipped double-Q target over sampled next actions. Each agent row is one BCQ
 *   sample with the team reward.
 * - Discrete actions follow OG-MARL `qmix_bcq.py` (and sfujim `discrete_BCQ/discrete_BCQ.py`):
 *   a behaviour-cloning network restricts the next-state argmax to actions whose probability is
 *   at least `bcThreshold` times the most probable available one, and the TD target is mixed by
 *   QMIX (`core/nn/qmix.ts`).
 *
 * Read top to bottom: config, networks, losses, the continuous step, the discrete step, the
 * definition. Shapes: B transitions, N agents, R = B N rows (agent-major within a transition),
 * x = [obs | id] per row.
 *
 * @module
 */
import { z } from "zod";
import { tf } from "../tf.ts";
import type { MultiAgentSpec } from "../dataset.ts";
import type { Rng } from "../rng.ts";
import type { Kernels } from "../kernels/mod.ts";
import { mlp, mlpForward, type MlpLayout, mlpLayout } from "../nn/dense.ts";
import { type QmixLayouts, qmixLayouts, qmixTotal } from "../nn/qmix.ts";
import { tidyObject } from "../nn/tidy.ts";
import type {
  AlgorithmDefinition,
  Model,
  ParameterGroup,
  StepContext,
  TrainingState,
} from "../learn/algorithm.ts";
import type { BatchTensors } from "../learn/batch_tensors.ts";
import { baseConfig, localInputWidth, perAgent } from "../learn/shapes.ts";
import { applyGradients, softUpdateTargets } from "../learn/update.ts";

// ---------------------------------------------------------------------------------------------
// Config: the references' defaults (continuous: sfujim BCQ.py and main.py; discrete: OG-MARL
// qmix_bcq.yaml).

/** Our actions lie in [-1, 1]: BCQ's max_action. */
export const MAX_ACTION = 1;
/** Decoder latents drawn for acting and targets are clipped to +-0.5 (BCQ.py, `decode`). */
export const LATENT_CLIP = 0.5;
/** The encoder's log-std is clamped to [-4, 15] (BCQ.py, `VAE.forward`). */
export const LOG_STD_MIN = -4;
export const LOG_STD_MAX = 15;
/** OG-MARL's value for actions outside the BC mask in the next-state argmax. */
export const MASKED_Q = -999999;

/** BCQ-MA's config schema; every field optional on input, defaulted to the reference's value. */
export const bcqConfigSchema = z.object({
  algorithm: z.literal("bcq-ma"),
  // The reference clips no gradient: the largest finite norm leaves every gradient whole.
  ...baseConfig({ batchSize: 100, gamma: 0.99, tau: 0.005, gradClip: Number.MAX_VALUE }),
  /**
   * Continuous: the actor's and critics' first hidden width h (400), the second being 3h/4
   * (300); discrete: both hidden widths of the Q and BC networks (OG-MARL: 64).
   */
  hiddenSize: z.number().int().positive().max(4096).optional(),
  /** Both hidden widths of the VAE's encoder and decoder; default 15h/8 (750 at h = 400). */
  vaeHiddenSize: z.number().int().positive().max(4096).optional(),
  actorLr: z.number().positive().max(1).default(1e-3),
  criticLr: z.number().positive().max(1).default(1e-3),
  /** torch's Adam default: BCQ.py passes no learning rate for the VAE. */
  vaeLr: z.number().positive().max(1).default(1e-3),
  /** Soft clipped double Q: weight of min(Q1', Q2') against max(Q1', Q2'). */
  lambda: z.number().min(0).max(1).default(0.75),
  /** The perturbation's bound, as a fraction of max_action. */
  phi: z.number().min(0).max(1).default(0.05),
  /** Decoded next actions per next state in the critic target. */
  targetSamples: z.number().int().positive().max(1000).default(10),
  /** Candidate actions per agent when acting (select_action). */
  actCandidates: z.number().int().positive().max(10000).default(100),
  /** Discrete: the Q network and mixer's learning rate. */
  qLr: z.number().positive().max(1).default(3e-4),
  /** Discrete: the behaviour-cloning network's learning rate. */
  bcLr: z.number().positive().max(1).default(3e-4),
  /** Discrete: an action is allowed when pi_bc(a) / max pi_bc >= this, among available ones. */
  bcThreshold: z.number().gt(0).max(1).default(0.4),
  /** Discrete: the target Q and mixer are hard copies, refreshed every this many steps. */
  targetUpdatePeriod: z.number().int().positive().default(200),
  /** Discrete: QMIX's embedding width. */
  mixerEmbed: z.number().int().positive().max(4096).default(32),
  /** Discrete: QMIX's hypernetwork hidden width. */
  mixerHiddenSize: z.number().int().positive().max(4096).default(64),
}).strict();

/** A complete BCQ-MA config. */
export type BcqConfig = z.output<typeof bcqConfigSchema>;

// ---------------------------------------------------------------------------------------------
// Networks. Continuous, three groups: vae = [encoder | decoder], actor (with target), critic =
// [Q1 | Q2] (with target). Discrete, two: critic = [Q | QMIX mixer] (hard-copied target), bc.

/** Where the continuous networks sit; every input starts with x = [obs | id]. */
export interface BcqContinuousLayouts {
  /** [x | a] -> hv -> hv -> [mean | log-std] (2L). */
  encoder: MlpLayout;
  /** [x | z] -> hv -> hv -> A, then max_action tanh. */
  decoder: MlpLayout;
  /** [x | a] -> h -> 3h/4 -> A, then phi max_action tanh, added to a and clipped. */
  actor: MlpLayout;
  /** [x | a] -> h -> 3h/4 -> 1, twice. */
  q1: MlpLayout;
  q2: MlpLayout;
  /** L = 2A. */
  latentDim: number;
}

/** The continuous layouts for data of shape `spec`. */
export function bcqContinuousLayouts(spec: MultiAgentSpec, config: BcqConfig) {
  const h = config.hiddenSize ?? 400;
  const h2 = Math.max(1, Math.round((3 * h) / 4));
  const hv = config.vaeHiddenSize ?? Math.max(1, Math.round((15 * h) / 8));
  const x = localInputWidth(spec);
  const a = spec.actDim;
  const latentDim = 2 * a;
  const encoder = mlpLayout("encoder", [x + a, hv, hv, 2 * latentDim]);
  const q1 = mlpLayout("q1", [x + a, h, h2, 1]);
  return {
    encoder,
    decoder: mlpLayout("decoder", [x + latentDim, hv, hv, a], encoder.size),
    actor: mlpLayout("actor", [x + a, h, h2, a]),
    q1,
    q2: mlpLayout("q2", [x + a, h, h2, 1], q1.size),
    latentDim,
  } satisfies BcqContinuousLayouts;
}

/** Where the discrete networks sit. */
export interface BcqDiscreteLayouts {
  /** x -> h -> h -> nActions Q-values. */
  q: MlpLayout;
  /** QMIX over all agents' states, after Q in the critic vector. */
  mixer: QmixLayouts;
  /** x -> h -> h -> nActions logits of pi_bc. */
  bc: MlpLayout;
}

/** The discrete layouts for data of shape `spec`. */
export function bcqDiscreteLayouts(spec: MultiAgentSpec, config: BcqConfig): BcqDiscreteLayouts {
  const h = config.hiddenSize ?? 64;
  const x = localInputWidth(spec);
  const q = mlpLayout("q", [x, h, h, spec.nActions!]);
  return {
    q,
    mixer: qmixLayouts(
      spec.nAgents,
      spec.nAgents * spec.stateDim,
      config.mixerEmbed,
      config.mixerHiddenSize,
      q.size,
    ),
    bc: mlpLayout("bc", [x, h, h, spec.nActions!]),
  };
}

// ---------------------------------------------------------------------------------------------
// Losses and targets, each mirroring its line of docs/algorithms.md ("BCQ-MA").

/** std = exp(clamp(log_std, -4, 15)); the clamp stops the gradient outside the range. */
export function latentStd(rawLogStd: tf.Tensor2D): tf.Tensor2D {
  return tf.exp(tf.clipByValue(rawLogStd, LOG_STD_MIN, LOG_STD_MAX));
}

/**
 * L_VAE = mean((recon - a)^2) + 0.5 KL, KL = -0.5 mean(1 + log(std^2) - mean^2 - std^2), both
 * means over every element ([R, A] and [R, L]).
 */
export function vaeLoss(
  recon: tf.Tensor2D,
  action: tf.Tensor2D,
  mean: tf.Tensor2D,
  std: tf.Tensor2D,
): tf.Scalar {
  const reconstruction = tf.mean(tf.square(tf.sub(recon, action)));
  const variance = tf.square(std);
  const kl = tf.mul(
    tf.mean(tf.sub(tf.sub(tf.add(1, tf.log(variance)), tf.square(mean)), variance)),
    -0.5,
  );
  return tf.add(reconstruction, tf.mul(kl, 0.5));
}

/**
 * Soft clipped double Q over `samples` next actions per row: lambda min(Q1', Q2') + (1 -
 * lambda) max(Q1', Q2') for each of the R * samples rows (row r's samples consecutive), then
 * the max over each row's samples. Returns [R].
 */
export function softClippedDoubleQ(
  q1: tf.Tensor,
  q2: tf.Tensor,
  lambda: number,
  samples: number,
): tf.Tensor1D {
  const soft = tf.add(
    tf.mul(tf.minimum(q1, q2), lambda),
    tf.mul(tf.maximum(q1, q2), 1 - lambda),
  );
  return tf.max(tf.reshape(soft, [-1, samples]), 1) as tf.Tensor1D;
}

/** y = r + gamma * not_done * next, with no gradient. */
export function tdTarget(
  reward: tf.Tensor1D,
  mask: tf.Tensor1D,
  next: tf.Tensor1D,
  gamma: number,
): tf.Tensor1D {
  return tf.add(reward, tf.mul(tf.mul(mask, gamma), next));
}

/** L_critic = mean((Q1 - y)^2) + mean((Q2 - y)^2). All [R]. */
export function criticLoss(q1: tf.Tensor1D, q2: tf.Tensor1D, y: tf.Tensor1D): tf.Scalar {
  return tf.add(tf.mean(tf.square(tf.sub(q1, y))), tf.mean(tf.square(tf.sub(q2, y))));
}

/** L_actor = -mean(Q1(x, perturbed action)). */
export function actorLoss(q1: tf.Tensor1D): tf.Scalar {
  return tf.neg(tf.mean(q1));
}

/**
 * The BC mask at [R, nActions]: with mp = pi_bc avail / sum(pi_bc avail), an action is allowed
 * when mp / max(mp) >= threshold (unavailable ones have mp = 0). 1 or 0, no gradient.
 */
export function bcqAllowed(
  probs: tf.Tensor2D,
  avail: tf.Tensor2D,
  threshold: number,
): tf.Tensor2D {
  const masked = tf.mul(probs, avail);
  const normalised = tf.div(masked, tf.sum(masked, 1, true));
  const ratio = tf.div(normalised, tf.max(normalised, 1, true));
  return tf.cast(tf.greaterEqual(ratio, threshold), "float32") as tf.Tensor2D;
}

/**
 * Q'(s', a*) with a* = argmax over allowed actions of the ONLINE Q (others at -999999), the
 * value read from the target Q. All [R, nActions] in, [R] out; no gradient.
 */
export function bcqNextValue(
  qOnline: tf.Tensor2D,
  qTarget: tf.Tensor2D,
  allowed: tf.Tensor2D,
): tf.Tensor1D {
  const selector = tf.where(tf.greater(allowed, 0), qOnline, tf.fill(qOnline.shape, MASKED_Q));
  const best = tf.oneHot(tf.argMax(selector, 1), qOnline.shape[1]);
  return tf.sum(tf.mul(best, qTarget), 1) as tf.Tensor1D;
}

/** L_td = 0.5 mean((y - Q_tot)^2). All [B]. */
export function tdLoss(qTotal: tf.Tensor1D, y: tf.Tensor1D): tf.Scalar {
  return tf.mul(tf.mean(tf.square(tf.sub(y, qTotal))), 0.5);
}

/**
 * L_bc = -mean(log(clamp(softmax(logits)[a], 1e-7, 1 - 1e-7))), Keras' categorical cross
 * entropy on probabilities (its clamp stops the gradient outside the range).
 */
export function bcLoss(logits: tf.Tensor2D, actionOneHot: tf.Tensor2D): tf.Scalar {
  const taken = tf.sum(tf.mul(tf.softmax(logits), actionOneHot), 1);
  return tf.neg(tf.mean(tf.log(tf.clipByValue(taken, 1e-7, 1 - 1e-7))));
}

// ---------------------------------------------------------------------------------------------
// Shared shapes.

/** Per-transition values [B] -> per-row values [R] (each agent's row gets its transition's). */
export function rowsOf(values: tf.Tensor1D, nAgents: number): tf.Tensor1D {
  return tf.reshape(tf.tile(tf.reshape(values, [-1, 1]), [1, nAgents]), [-1]);
}

/** Each row of `x` [R, W] repeated `n` times consecutively, [R n, W] (repeat_interleave). */
export function repeatRows(x: tf.Tensor2D, n: number): tf.Tensor2D {
  return tf.reshape(tf.tile(tf.expandDims(x, 1), [1, n, 1]), [-1, x.shape[1]]);
}

// ---------------------------------------------------------------------------------------------
// Continuous BCQ.

/** A step's random draws, in the reference's order; latents already clipped. */
export interface BcqNoise {
  /** The VAE's reparametrisation noise, [R, L], not clipped. */
  eps: tf.Tensor2D;
  /** Decoder latents for the critic target, [R targetSamples, L]. */
  targetLatent: tf.Tensor2D;
  /** Decoder latents for the actor loss, [R, L]. */
  actorLatent: tf.Tensor2D;
}

/** Draws {@link BcqNoise} for `rows` rows from `rng` on the CPU. */
export function drawNoise(rng: Rng, rows: number, latentDim: number, samples: number): BcqNoise {
  const normal = (n: number) => rng.fillNormal(new Float32Array(n * latentDim)) as Float32Array;
  const clipped = (n: number) =>
    normal(n).map((value) => Math.min(Math.max(value, -LATENT_CLIP), LATENT_CLIP));
  return {
    eps: tf.tensor2d(normal(rows), [rows, latentDim]),
    targetLatent: tf.tensor2d(clipped(rows * samples), [rows * samples, latentDim]),
    actorLatent: tf.tensor2d(clipped(rows), [rows, latentDim]),
  };
}

/** The continuous networks on one set of kernels. */
export class BcqContinuous {
  constructor(
    readonly spec: MultiAgentSpec,
    readonly config: BcqConfig,
    readonly layouts: BcqContinuousLayouts,
    readonly kernels: Kernels,
  ) {}

  /** The MLP at `layout` on [x | extra]; differentiable when `grad`. */
  #net(layout: MlpLayout, params: tf.Tensor1D, x: tf.Tensor2D, extra: tf.Tensor2D, grad: boolean) {
    const input = tf.concat([x, extra], 1) as tf.Tensor2D;
    return (grad ? mlp : mlpForward)(this.kernels, layout, input, params);
  }

  /** Decoded actions max_action tanh(decoder([x | z])), [R, A]. */
  decode(vae: tf.Tensor1D, x: tf.Tensor2D, z: tf.Tensor2D, grad: boolean): tf.Tensor2D {
    return tf.mul(tf.tanh(this.#net(this.layouts.decoder, vae, x, z, grad)), MAX_ACTION);
  }

  /** Perturbed actions clip(a + phi max_action tanh(actor([x | a])), +-max_action), [R, A]. */
  perturb(actor: tf.Tensor1D, x: tf.Tensor2D, action: tf.Tensor2D, grad: boolean): tf.Tensor2D {
    const limit = this.config.phi * MAX_ACTION;
    const delta = tf.mul(tf.tanh(this.#net(this.layouts.actor, actor, x, action, grad)), limit);
    return tf.clipByValue(tf.add(action, delta), -MAX_ACTION, MAX_ACTION);
  }

  /** Q1(x, a) (or Q2), [R]. */
  q(critic: tf.Tensor1D, x: tf.Tensor2D, action: tf.Tensor2D, grad: boolean, second = false) {
    const layout = second ? this.layouts.q2 : this.layouts.q1;
    return tf.reshape(this.#net(layout, critic, x, action, grad), [-1]) as tf.Tensor1D;
  }

  /** 1. The VAE loss at the dataset actions, z = mean + std eps. */
  vaeLossOf(vae: tf.Tensor1D, batch: BatchTensors, eps: tf.Tensor2D): tf.Scalar {
    const x = batch.obsWithId;
    const encoded = this.#net(this.layouts.encoder, vae, x, batch.action!, true);
    const [mean, rawLogStd] = tf.split(encoded, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    const std = latentStd(rawLogStd);
    const recon = this.decode(vae, x, tf.add(mean, tf.mul(std, eps)), true);
    return vaeLoss(recon, batch.action!, mean, std);
  }

  /**
   * 2. y per row [R]: the updated VAE's decoded next actions, perturbed by the target actor,
   * valued by the target critics (soft clipped double Q, max over the samples).
   */
  criticTargetOf(
    vae: tf.Tensor1D,
    actorTarget: tf.Tensor1D,
    criticTarget: tf.Tensor1D,
    batch: BatchTensors,
    latent: tf.Tensor2D,
  ): tf.Tensor1D {
    const { nAgents } = this.spec;
    const { lambda, targetSamples, gamma } = this.config;
    const next = repeatRows(batch.nextObsWithId, targetSamples); // [R n, x]
    const action = this.perturb(actorTarget, next, this.decode(vae, next, latent, false), false);
    const q1 = this.q(criticTarget, next, action, false);
    const q2 = this.q(criticTarget, next, action, false, true);
    const value = softClippedDoubleQ(q1, q2, lambda, targetSamples);
    return tdTarget(rowsOf(batch.reward, nAgents), rowsOf(batch.mask, nAgents), value, gamma);
  }

  /** 3. The critic loss at the dataset actions. */
  criticLossOf(critic: tf.Tensor1D, batch: BatchTensors, y: tf.Tensor1D): tf.Scalar {
    const x = batch.obsWithId;
    const action = batch.action!;
    return criticLoss(this.q(critic, x, action, true), this.q(critic, x, action, true, true), y);
  }

  /** 4. The actor loss through the (updated) critic's Q1 at perturbed decoded actions. */
  actorLossOf(
    actor: tf.Tensor1D,
    vae: tf.Tensor1D,
    critic: tf.Tensor1D,
    batch: BatchTensors,
    latent: tf.Tensor2D,
  ): tf.Scalar {
    const x = batch.obsWithId;
    const sampled = this.decode(vae, x, latent, false);
    return actorLoss(this.q(critic, x, this.perturb(actor, x, sampled, true), true));
  }
}

/**
 * One continuous step in BCQ.py's order: VAE step; critic target from the updated VAE and the
 * target actor and critics; critic step; actor step through the updated critic; soft updates of
 * the critic then the actor targets.
 */
function continuousStep(
  networks: BcqContinuous,
  state: TrainingState,
  batch: BatchTensors,
  rng: Rng,
) {
  return tidyObject(() => {
    const { config, kernels, layouts } = networks;
    const rows = batch.obsWithId.shape[0];
    const noise = drawNoise(rng, rows, layouts.latentDim, config.targetSamples);
    const gradient = (loss: (p: tf.Tensor1D) => tf.Scalar, params: tf.Tensor1D) => {
      const { value, grads } = tf.valueAndGrads((p: tf.Tensor) => loss(p as tf.Tensor1D))([params]);
      return { value, grad: grads[0] as tf.Tensor1D };
    };
    const vae = gradient((p) => networks.vaeLossOf(p, batch, noise.eps), state.live.vae);
    let next = applyGradients(kernels, state, [["vae", vae.grad, config.vaeLr]], config);
    const y = networks.criticTargetOf(
      next.live.vae,
      next.target.actor,
      next.target.critic,
      batch,
      noise.targetLatent,
    );
    const critic = gradient((p) => networks.criticLossOf(p, batch, y), next.live.critic);
    next = applyGradients(kernels, next, [["critic", critic.grad, config.criticLr]], config);
    const actor = gradient(
      (p) => networks.actorLossOf(p, next.live.vae, next.live.critic, batch, noise.actorLatent),
      next.live.actor,
    );
    next = applyGradients(kernels, next, [["actor", actor.grad, config.actorLr]], config);
    return {
      state: softUpdateTargets(kernels, next, ["critic", "actor"], config.tau),
      losses: tf.stack([vae.value, critic.value, actor.value]) as tf.Tensor1D,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Discrete BCQ with the QMIX mixer (OG-MARL qmix_bcq.py, one step instead of sequences).

/** The discrete networks on one set of kernels. */
export class BcqDiscrete {
  constructor(
    readonly spec: MultiAgentSpec,
    readonly config: BcqConfig,
    readonly layouts: BcqDiscreteLayouts,
    readonly kernels: Kernels,
  ) {}

  /**
   * 1. y = r + gamma not_done Q'_tot(s', Q'_i(o'_i, a*_i)) [B], a*_i the online Q's argmax
   * among the actions the (pre-update) BC network allows at o'_i.
   */
  targetOf(
    critic: tf.Tensor1D,
    criticTarget: tf.Tensor1D,
    bc: tf.Tensor1D,
    batch: BatchTensors,
  ): tf.Tensor1D {
    const { kernels, layouts, config, spec } = this;
    const next = batch.nextObsWithId;
    const probs = tf.softmax(mlpForward(kernels, layouts.bc, next, bc));
    const allowed = bcqAllowed(probs, batch.nextAvail!, config.bcThreshold);
    const value = bcqNextValue(
      mlpForward(kernels, layouts.q, next, critic),
      mlpForward(kernels, layouts.q, next, criticTarget),
      allowed,
    );
    const mixed = qmixTotal(
      kernels,
      layouts.mixer,
      batch.nextState,
      perAgent(value, batch, spec),
      criticTarget,
    );
    return tdTarget(batch.reward, batch.mask, mixed, config.gamma);
  }

  /** 2. The TD loss of Q_tot(s, Q_i(o_i, a_i)) against y. */
  tdLossOf(critic: tf.Tensor1D, batch: BatchTensors, y: tf.Tensor1D): tf.Scalar {
    const { kernels, layouts, spec } = this;
    const q = mlp(kernels, layouts.q, batch.obsWithId, critic);
    const taken = perAgent(tf.sum(tf.mul(q, batch.actionOneHot!), 1), batch, spec);
    return tdLoss(qmixTotal(kernels, layouts.mixer, batch.state, taken, critic), y);
  }

  /** 3. The behaviour-cloning loss at the dataset actions. */
  bcLossOf(bc: tf.Tensor1D, batch: BatchTensors): tf.Scalar {
    return bcLoss(mlp(this.kernels, this.layouts.bc, batch.obsWithId, bc), batch.actionOneHot!);
  }
}

/**
 * One discrete step in qmix_bcq.py's order: target and both losses from the pre-update
 * networks; Q + mixer step, then BC step; every `targetUpdatePeriod` steps (step 0 included)
 * the target becomes a copy of the updated Q + mixer.
 */
function discreteStep(
  networks: BcqDiscrete,
  state: TrainingState,
  batch: BatchTensors,
  iteration: number,
) {
  return tidyObject(() => {
    const { config, kernels } = networks;
    const { critic, bc } = state.live;
    const y = networks.targetOf(critic, state.target.critic, bc, batch);
    const td = tf.valueAndGrads((p: tf.Tensor) => networks.tdLossOf(p as tf.Tensor1D, batch, y))(
      [critic],
    );
    const cloning = tf.valueAndGrads((p: tf.Tensor) => networks.bcLossOf(p as tf.Tensor1D, batch))(
      [bc],
    );
    const next = applyGradients(kernels, state, [
      ["critic", td.grads[0] as tf.Tensor1D, config.qLr],
      ["bc", cloning.grads[0] as tf.Tensor1D, config.bcLr],
    ], config);
    const copy = iteration % config.targetUpdatePeriod === 0;
    return {
      state: copy ? { ...next, target: { critic: tf.clone(next.live.critic) } } : next,
      losses: tf.stack([td.value, cloning.value]) as tf.Tensor1D,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// The definition.

function group(
  name: string,
  layouts: MlpLayout[],
  target: boolean,
  learningRate: number,
): ParameterGroup {
  const size = layouts.reduce((total, layout) => total + layout.size, 0);
  return { name, layouts, size, target, learningRate };
}

function buildContinuous(spec: MultiAgentSpec, config: BcqConfig, kernels: Kernels): Model {
  const layouts = bcqContinuousLayouts(spec, config);
  const networks = new BcqContinuous(spec, config, layouts, kernels);
  return {
    groups: [
      group("vae", [layouts.encoder, layouts.decoder], false, config.vaeLr),
      group("actor", [layouts.actor], true, config.actorLr),
      group("critic", [layouts.q1, layouts.q2], true, config.criticLr),
    ],
    lossNames: ["vae", "critic", "actor"],
    policy: {
      group: "actor",
      layout: layouts.actor,
      output: {
        kind: "bcq_candidates",
        candidates: config.actCandidates,
        latentDim: layouts.latentDim,
        latentClip: LATENT_CLIP,
        phi: config.phi,
        maxAction: MAX_ACTION,
        seed: config.seed,
      },
      extra: [
        { name: "decoder", group: "vae", layout: layouts.decoder },
        { name: "q1", group: "critic", layout: layouts.q1 },
      ],
    },
    step: (state, batch, context: StepContext) =>
      continuousStep(networks, state, batch, context.rng),
  };
}

function buildDiscrete(spec: MultiAgentSpec, config: BcqConfig, kernels: Kernels): Model {
  const layouts = bcqDiscreteLayouts(spec, config);
  const networks = new BcqDiscrete(spec, config, layouts, kernels);
  const { hyperW1, hyperB1, hyperWFinal, value } = layouts.mixer;
  return {
    groups: [
      group("critic", [layouts.q, hyperW1, hyperB1, hyperWFinal, value], true, config.qLr),
      group("bc", [layouts.bc], false, config.bcLr),
    ],
    lossNames: ["td", "bc"],
    // OG-MARL acts greedily on the online Q among available actions (no BC mask).
    policy: { group: "critic", layout: layouts.q, output: { kind: "categorical_argmax" } },
    step: (state, batch, context: StepContext) =>
      discreteStep(networks, state, batch, context.iteration),
  };
}

/** BCQ-MA for the trainer. */
export const bcqMa: AlgorithmDefinition<BcqConfig> = {
  names: ["bcq-ma"],
  summary: "BCQ (ICML 2019) per agent; continuous as sfujim/BCQ, discrete as OG-MARL QMIX+BCQ",
  actionKinds: ["continuous", "discrete"],
  schema: bcqConfigSchema,
  hasAlpha: () => false,
  build: (spec, config, kernels) =>
    spec.actionKind === "continuous"
      ? buildContinuous(spec, config, kernels)
      : buildDiscrete(spec, config, kernels),
};
