/**
 * ICQ, Implicit Constraint Q-learning (Yang et al., "Believe What You See: Implicit Constraint
 * Approach for Offline Multi-Agent Reinforcement Learning", NeurIPS 2021), as docs/algorithms.md
 * ("ICQ") states it after the authors' code, github.com/YiqinYang/ICQ:
 *
 * - discrete actions follow ICQ-MA (`ICQ-MA/src/learners/offpg_learner.py`, critic
 *   `modules/critics/offpg.py`, mixer `modules/mixers/qmix.py`): a per-agent critic
 *   Q_i(s, o_i, id, .) with a value head, the linear mixer Q_tot = sum_i k_i(s) Q_i whose weights
 *   k lie on the simplex, the critic's bootstrap re-weighted by a batch softmax of Q'_tot / beta
 *   at the dataset's NEXT joint action, and an actor that clones the dataset actions weighted by
 *   k_i times a batch softmax of the counterfactual advantage Q_i(a_i) - sum_a pi_i(a) Q_i(a);
 * - continuous actions follow the single-agent `ICQ_softmax/ICQ/icq.py` (Gaussian actor with a
 *   tanh-squashed mean and a state-independent std, clamped bootstrap weights, one-step TD
 *   advantage), put on the same multi-agent critic and mixer (our combination: the repository
 *   has no continuous multi-agent code).
 *
 * Read top to bottom: config, networks, losses, the step, the definition. Gradients come from
 * `tf.valueAndGrads` through the differentiable MLP of `core/nn/dense.ts`.
 *
 * Shapes: B transitions, N agents, R = B * N rows (agent-major within a transition), S = N *
 * stateDim (all agents' states concatenated: the critic's and the mixer's global state), A
 * actions (discrete) or action dimensions (continuous), E the mixer's embedding width.
 *
 * @module
 */
import { z } from "zod";
import { tf } from "../tf.ts";
import type { MultiAgentSpec } from "../dataset.ts";
import { ValidationError } from "../errors.ts";
import type { Kernels } from "../kernels/mod.ts";
import { mlp, mlpForward, type MlpLayout, mlpLayout } from "../nn/dense.ts";
import { tidyObject } from "../nn/tidy.ts";
import type { AlgorithmDefinition, Model, StepContext, TrainingState } from "../learn/algorithm.ts";
import type { BatchTensors } from "../learn/batch_tensors.ts";
import { baseConfig, localInputWidth, perAgent, qInputWidth, qInputWith } from "../learn/shapes.ts";
import { applyGradients, softUpdateTargets } from "../learn/update.ts";

// ---------------------------------------------------------------------------------------------
// Config. Where the two reference programs differ, a field is optional and `icqSettings`
// resolves it by action kind (discrete: ICQ-MA's `offpg_smac.yaml` and learner; continuous:
// `ICQ_softmax/main.py` and `icq.py`).

/** ICQ's config schema; every field optional on input. */
export const icqConfigSchema = z.object({
  algorithm: z.literal("icq"),
  // 32 episodes (ICQ-MA, run.py) and 32 transitions (ICQ_softmax/main.py); gamma 0.99 in both;
  // tau 0.005 = 1 - polyak 0.995 (icq.py, continuous); clip 20 (ICQ-MA default.yaml).
  ...baseConfig({ batchSize: 32, gamma: 0.99, tau: 0.005, gradClip: 20 }),
  /** Width of the critic's two hidden layers (256 in both references). */
  hiddenSize: z.number().int().positive().max(4096).default(256),
  /**
   * Width of the actor's hidden layers. Default: discrete 64 (ICQ-MA's rnn_hidden_dim, two
   * layers standing in for fc1 + GRU), continuous `hiddenSize` (icq.py's actor: four layers).
   */
  policyHiddenSize: z.number().int().positive().max(4096).optional(),
  /** The mixer's embedding width E (`mixing_embed_dim`). */
  mixerEmbedSize: z.number().int().positive().max(4096).default(32),
  /** Actor learning rate. Default: discrete 5e-4 (`lr`), continuous 3e-4 (`p_lr`). */
  policyLr: z.number().positive().max(1).optional(),
  /** Critic and mixer learning rate. Default: discrete 1e-4 (`critic_lr`), continuous 3e-4. */
  criticLr: z.number().positive().max(1).optional(),
  /** Temperature of the bootstrap weights. Default: discrete 1000, continuous 600 (`beta`). */
  criticBeta: z.number().positive().optional(),
  /** Temperature of the actor's weights. Default: discrete 0.1, continuous 600 (`beta`). */
  policyBeta: z.number().positive().optional(),
  /** Continuous only: w = clamp(B / alpha * softmax, 0, 1) (icq.py's `alpha`, 2 in main.py). */
  bootstrapAlpha: z.number().positive().default(2),
  /**
   * Critic steps between hard copies of the critic and mixer into their targets; 0 = Polyak
   * averaging with `tau` every step. Default: discrete 600 (`target_update_interval`),
   * continuous 0 (icq.py's polyak 0.995).
   */
  targetUpdateInterval: z.number().int().min(0).optional(),
  /** L2 added to the actor's gradient. Default: discrete 0, continuous 1e-4 (icq.py's Adam). */
  policyWeightDecay: z.number().min(0).optional(),
  /**
   * Discrete only: the actor's training probabilities are (1 - eps) softmax + eps / A (ICQ-MA's
   * epsilon floor), eps annealed linearly from `epsilonStart` to `epsilonFinish` over
   * `epsilonAnnealSteps` steps (500k environment steps at 100 per iteration).
   */
  epsilonStart: z.number().min(0).max(1).default(0.5),
  epsilonFinish: z.number().min(0).max(1).default(0.05),
  epsilonAnnealSteps: z.number().int().min(0).default(5000),
}).strict();

/** A complete ICQ config. */
export type IcqConfig = z.output<typeof icqConfigSchema>;

/** The config with every kind-dependent default resolved. */
export interface IcqSettings {
  discrete: boolean;
  policyHiddenSize: number;
  /** Hidden layers of the actor: discrete 2, continuous 4 (icq.py's awacMLPActor). */
  policyDepth: number;
  policyLr: number;
  criticLr: number;
  criticBeta: number;
  policyBeta: number;
  /** Continuous: the bootstrap divisor alpha, with the clamp to [0, 1]; discrete: null. */
  bootstrapAlpha: number | null;
  targetUpdateInterval: number;
  policyWeightDecay: number;
}

/** `config` resolved for data of kind `spec.actionKind`. */
export function icqSettings(spec: MultiAgentSpec, config: IcqConfig): IcqSettings {
  const discrete = spec.actionKind === "discrete";
  const pick = <T>(given: T | undefined, ifDiscrete: T, ifContinuous: T) =>
    given ?? (discrete ? ifDiscrete : ifContinuous);
  return {
    discrete,
    policyHiddenSize: pick(config.policyHiddenSize, 64, config.hiddenSize),
    policyDepth: discrete ? 2 : 4,
    policyLr: pick(config.policyLr, 5e-4, 3e-4),
    criticLr: pick(config.criticLr, 1e-4, 3e-4),
    criticBeta: pick(config.criticBeta, 1000, 600),
    policyBeta: pick(config.policyBeta, 0.1, 600),
    bootstrapAlpha: discrete ? null : config.bootstrapAlpha,
    targetUpdateInterval: pick(config.targetUpdateInterval, 600, 0),
    policyWeightDecay: pick(config.policyWeightDecay, 0, 1e-4),
  };
}

/** The epsilon floor after `iteration` steps: linear from start to finish, then flat. */
export function policyEpsilon(config: IcqConfig, iteration: number): number {
  const { epsilonStart, epsilonFinish, epsilonAnnealSteps } = config;
  const progress = epsilonAnnealSteps === 0 ? 1 : Math.min(1, iteration / epsilonAnnealSteps);
  return epsilonStart + (epsilonFinish - epsilonStart) * progress;
}

// ---------------------------------------------------------------------------------------------
// Networks, parameters shared across agents. Two flat vectors, one per optimiser: policy; and
// critic = the per-agent critic then the mixer (the reference's two RMSprops share a learning
// rate and one joint gradient clip; one target copy).

/** Where each network sits. */
export interface IcqLayouts {
  /**
   * Discrete [s | o_i | id] -> h -> h -> [A_i(.) (A) | V_i (1)], Q_i = A_i + V_i (offpg.py's
   * fc3 and fc_v as one linear layer); continuous [s | o_i | a_i | id] -> h -> h -> 1.
   */
  critic: MlpLayout;
  /** s -> [hyper_w_1 (N E) | hyper_w_final (E)], one linear layer (qmix.py). */
  mixer: MlpLayout;
  /**
   * [o_i | id] -> hidden -> A logits (discrete) or the pre-tanh mean u (continuous); the
   * continuous vector holds A log-std logits theta after it.
   */
  policy: MlpLayout;
  /** Values after the policy MLP in its vector: A (continuous) or 0. */
  logStdSize: number;
}

/** The layouts for data of shape `spec`. */
export function icqLayouts(spec: MultiAgentSpec, config: IcqConfig): IcqLayouts {
  const settings = icqSettings(spec, config);
  const h = config.hiddenSize;
  const states = spec.nAgents * spec.stateDim;
  const critic = settings.discrete
    ? mlpLayout("critic", [states + localInputWidth(spec), h, h, spec.nActions! + 1])
    : mlpLayout("critic", [states + qInputWidth(spec), h, h, 1]);
  const embed = config.mixerEmbedSize;
  const hidden = Array(settings.policyDepth).fill(settings.policyHiddenSize);
  const out = settings.discrete ? spec.nActions! : spec.actDim;
  return {
    critic,
    mixer: mlpLayout("mixer", [states, embed * spec.nAgents + embed], critic.size),
    policy: mlpLayout("policy", [localInputWidth(spec), ...hidden, out]),
    logStdSize: settings.discrete ? 0 : spec.actDim,
  };
}

// ---------------------------------------------------------------------------------------------
// Losses and their pieces, each mirroring its line of docs/algorithms.md ("ICQ").

/** The identity whose gradient is zero (PyTorch's `.detach()`). */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.clone(args[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.zerosLike(dy as tf.Tensor),
  }));
  return op(x) as T;
}

/** Q_i(a) = A_i(a) + V_i from the discrete critic's output [R, A + 1]; returns [R, A]. */
export function duelingQ(output: tf.Tensor2D, nActions: number): tf.Tensor2D {
  const [advantage, value] = tf.split(output, [nActions, 1], 1);
  return tf.add(advantage, value);
}

/**
 * k_i(s) = sum_e |W1(s)_ie| |wf(s)_e| / sum_j sum_e |W1(s)_je| |wf(s)_e|, from the mixer
 * output [B, N E + E] = [W1 (row-major [N, E]) | wf]; returns [B, N], rows on the simplex.
 */
export function mixerWeights(output: tf.Tensor2D, nAgents: number): tf.Tensor2D {
  const embed = output.shape[1] / (nAgents + 1);
  const [w1, wFinal] = tf.split(output, [nAgents * embed, embed], 1);
  const raw = tf.sum(
    tf.mul(
      tf.reshape(tf.abs(w1), [-1, nAgents, embed]),
      tf.reshape(tf.abs(wFinal), [-1, 1, embed]),
    ),
    2,
  );
  return tf.div(raw, tf.sum(raw, 1, true));
}

/** Q_tot = sum_i k_i Q_i.  `k`, `q`: [B, N]; returns [B]. */
export function mixedQ(k: tf.Tensor2D, q: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(tf.mul(k, q), 1);
}

/**
 * B softmax_b(x / beta): the softmax over the batch axis (axis 0, separately for each column of
 * a [B, N] input), times B so that the weights average 1. `x`: [B] or [B, N].
 */
export function batchSoftmaxWeights<T extends tf.Tensor>(x: T, beta: number): T {
  const z = tf.div(x, beta);
  const e = tf.exp(tf.sub(z, tf.max(z, 0, true)));
  return tf.mul(tf.div(e, tf.sum(e, 0, true)), x.shape[0]) as T;
}

/**
 * The bootstrap weights, no gradient: discrete (ICQ-MA) w = B softmax_b(Q'_tot / beta);
 * continuous (icq.py) w = clamp(B / alpha softmax_b(Q'_tot / beta), 0, 1). All [B].
 */
export function bootstrapWeights(
  nextTotal: tf.Tensor1D,
  beta: number,
  alpha: number | null,
): tf.Tensor1D {
  const w = batchSoftmaxWeights(nextTotal, beta);
  return alpha === null ? w : tf.clipByValue(tf.div(w, alpha), 0, 1);
}

/** y = r + gamma mask w Q'_tot(s', a'), with no gradient. All [B]. */
export function criticTarget(
  reward: tf.Tensor1D,
  mask: tf.Tensor1D,
  weight: tf.Tensor1D,
  nextTotal: tf.Tensor1D,
  gamma: number,
): tf.Tensor1D {
  return tf.add(reward, tf.mul(tf.mul(tf.mul(mask, gamma), weight), nextTotal));
}

/** 1. L_Q = mean_b((Q_tot(s, a) - y)^2). */
export function criticLoss(qTotal: tf.Tensor1D, target: tf.Tensor1D): tf.Scalar {
  return tf.mean(tf.square(tf.sub(qTotal, target)));
}

/**
 * The discrete actor's training probabilities: p = (1 - eps) softmax(logits) + eps / A over all
 * actions, then zeroed where unavailable and renormalised. `available` [R, A] is 1 where an
 * action may be taken (the availability, with the dataset action always counted available).
 */
export function policyProbabilities(
  logits: tf.Tensor2D,
  available: tf.Tensor2D,
  epsilon: number,
): tf.Tensor2D {
  const floored = tf.add(tf.mul(tf.softmax(logits), 1 - epsilon), epsilon / logits.shape[1]);
  const masked = tf.mul(floored, available);
  return tf.div(masked, tf.sum(masked, 1, true));
}

/** A_i = Q_i(a_i) - sum_a pi_i(a) Q_i(a), the counterfactual advantage. [R, A] -> [R]. */
export function counterfactualAdvantage(
  q: tf.Tensor2D,
  probs: tf.Tensor2D,
  actionOneHot: tf.Tensor2D,
): tf.Tensor1D {
  return tf.sub(tf.sum(tf.mul(q, actionOneHot), 1), tf.sum(tf.mul(q, probs), 1));
}

/** The continuous actor's one-step advantage A = r + gamma mask Q_tot(s', a') - Q_tot(s, a). */
export function tdAdvantage(
  reward: tf.Tensor1D,
  mask: tf.Tensor1D,
  nextTotal: tf.Tensor1D,
  total: tf.Tensor1D,
  gamma: number,
): tf.Tensor1D {
  return tf.sub(tf.add(reward, tf.mul(tf.mul(mask, gamma), nextTotal)), total);
}

/** log sigma = -6 + 6 sigmoid(theta) (icq.py's state-independent std, in [-6, 0]). */
export function logStdOf(theta: tf.Tensor1D): tf.Tensor1D {
  return tf.add(tf.mul(tf.sigmoid(theta), 6), -6);
}

/**
 * log pi(a) = sum_d log N(a_d; tanh(u_d), sigma_d) at dataset actions, a plain Gaussian around
 * the squashed mean (no tanh Jacobian, as icq.py's get_logprob). `u`, `action` [R, A]; `theta`
 * [A]; returns [R].
 */
export function gaussianLogProb(
  u: tf.Tensor2D,
  theta: tf.Tensor1D,
  action: tf.Tensor2D,
): tf.Tensor1D {
  const logStd = logStdOf(theta);
  const standardised = tf.mul(tf.sub(action, tf.tanh(u)), tf.exp(tf.neg(logStd)));
  const density = tf.sub(tf.mul(tf.square(standardised), -0.5), logStd);
  return tf.add(tf.sum(density, 1), -0.5 * Math.log(2 * Math.PI) * u.shape[1]);
}

/**
 * 2. L_pi = -mean_{b,i}(k_i(s_b) w_{b,i} log pi_i(a_{b,i} | o_{b,i})), k and w constants.
 * `k`, `logProb` [B, N]; `weight` [B, N] or [B, 1].
 */
export function policyLoss(k: tf.Tensor2D, weight: tf.Tensor2D, logProb: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.mean(tf.mul(tf.mul(k, weight), logProb)));
}

// ---------------------------------------------------------------------------------------------
// Forward passes.

type Forward = typeof mlpForward;

/** The differentiable MLP on a data input (states, observations): no input gradient. */
const onData: Forward = (kernels, layout, x, params) => mlp(kernels, layout, x, params, true);

/** ICQ built for one data shape. */
export class IcqNetworks {
  readonly settings: IcqSettings;

  constructor(
    readonly spec: MultiAgentSpec,
    readonly config: IcqConfig,
    readonly layouts: IcqLayouts,
    readonly kernels: Kernels,
  ) {
    this.settings = icqSettings(spec, config);
  }

  /** [s | local] per row: the state [B, S] repeated for each agent, then `local` [R, w]. */
  criticInput(state: tf.Tensor2D, local: tf.Tensor2D): tf.Tensor2D {
    const n = this.spec.nAgents;
    const repeated = tf.reshape(tf.tile(tf.expandDims(state, 1), [1, n, 1]), [-1, state.shape[1]]);
    return tf.concat([repeated, local], 1) as tf.Tensor2D;
  }

  /**
   * Q_i at the chosen actions [B, N], every action's Q_i [R, A] (discrete) and k(s) [B, N] from
   * the critic vector; `net` is `mlp` (differentiable) or `mlpForward`. `local` is [o_i | id]
   * (discrete) or [o_i | a_i | id] (continuous); `actionOneHot` picks Q_i(a_i) (discrete; a zero
   * row gives 0).
   */
  critic(
    critic: tf.Tensor1D,
    state: tf.Tensor2D,
    local: tf.Tensor2D,
    actionOneHot: tf.Tensor2D | undefined,
    net: Forward = mlpForward,
  ): { taken: tf.Tensor2D; all?: tf.Tensor2D; k: tf.Tensor2D } {
    const { kernels, layouts, spec } = this;
    const output = net(kernels, layouts.critic, this.criticInput(state, local), critic);
    const k = mixerWeights(net(kernels, layouts.mixer, state, critic), spec.nAgents);
    if (actionOneHot === undefined) return { taken: tf.reshape(output, [-1, spec.nAgents]), k };
    const all = duelingQ(output, spec.nActions!);
    return { taken: tf.reshape(tf.sum(tf.mul(all, actionOneHot), 1), [-1, spec.nAgents]), all, k };
  }

  /** 1. The critic's target y [B], from the target critic and mixer at (s', a'). */
  target(targetCritic: tf.Tensor1D, batch: BatchTensors): tf.Tensor1D {
    return tf.tidy(() => {
      const { settings, spec } = this;
      const next = settings.discrete
        ? this.critic(targetCritic, batch.nextState, batch.nextObsWithId, batch.nextAction)
        : this.critic(
          targetCritic,
          batch.nextState,
          qInputWith(batch.nextObsWithId, batch.nextAction!, spec),
          undefined,
        );
      const nextTotal = mixedQ(next.k, next.taken);
      const w = bootstrapWeights(nextTotal, settings.criticBeta, settings.bootstrapAlpha);
      return criticTarget(batch.reward, batch.mask, w, nextTotal, this.config.gamma);
    });
  }

  /** 1. L_Q for the live critic vector (differentiable). */
  criticObjective(critic: tf.Tensor1D, y: tf.Tensor1D, batch: BatchTensors): tf.Scalar {
    const local = this.settings.discrete ? batch.obsWithId : batch.qInput;
    const { taken, k } = this.critic(critic, batch.state, local, batch.actionOneHot, onData);
    return criticLoss(mixedQ(k, taken), y);
  }

  /**
   * 2. Discrete L_pi for the live policy vector (differentiable), with the updated critic's Q_i
   * [R, A] and k [B, N]: the baseline and the weights w = B softmax_b(A_i / beta) carry no
   * gradient; only log pi_i(a_i) does.
   */
  discretePolicyObjective(
    policy: tf.Tensor1D,
    q: tf.Tensor2D,
    k: tf.Tensor2D,
    batch: BatchTensors,
    epsilon: number,
  ): tf.Scalar {
    const { kernels, layouts, spec } = this;
    const logits = mlp(kernels, layouts.policy, batch.obsWithId, policy, true);
    const available = tf.maximum(batch.avail!, batch.actionOneHot!) as tf.Tensor2D;
    const probs = policyProbabilities(logits, available, epsilon);
    const advantage = counterfactualAdvantage(q, stopGradient(probs), batch.actionOneHot!);
    const weight = batchSoftmaxWeights(perAgent(advantage, batch, spec), this.settings.policyBeta);
    const logProb = tf.log(tf.sum(tf.mul(probs, batch.actionOneHot!), 1));
    return policyLoss(k, weight, perAgent(logProb, batch, spec));
  }

  /**
   * 2. Continuous L_pi for the live policy vector (differentiable), with `weight` [B, 1] =
   * B softmax_b(A / beta) and k [B, N] from the updated critic (constants).
   */
  continuousPolicyObjective(
    policy: tf.Tensor1D,
    weight: tf.Tensor2D,
    k: tf.Tensor2D,
    batch: BatchTensors,
  ): tf.Scalar {
    const { kernels, layouts, spec } = this;
    const u = mlp(kernels, layouts.policy, batch.obsWithId, policy, true);
    const theta = tf.slice(policy, [layouts.policy.size], [layouts.logStdSize]);
    const logProb = gaussianLogProb(u, theta, batch.action!);
    return policyLoss(k, weight, perAgent(logProb, batch, spec));
  }

  /** The continuous actor's weights [B, 1] and k [B, N] from the updated (live) critic. */
  continuousWeights(critic: tf.Tensor1D, batch: BatchTensors) {
    return tidyObject(() => {
      const { spec, settings, config } = this;
      const now = this.critic(critic, batch.state, batch.qInput, undefined);
      const nextInput = qInputWith(batch.nextObsWithId, batch.nextAction!, spec);
      const next = this.critic(critic, batch.nextState, nextInput, undefined);
      const advantage = tdAdvantage(
        batch.reward,
        batch.mask,
        mixedQ(next.k, next.taken),
        mixedQ(now.k, now.taken),
        config.gamma,
      );
      const weight = batchSoftmaxWeights(advantage, settings.policyBeta);
      return { weight: tf.reshape(weight, [-1, 1]) as tf.Tensor2D, k: now.k };
    });
  }
}

// ---------------------------------------------------------------------------------------------
// The step, in the reference's order: the critic (and mixer) step; the target update; the actor
// step on the updated critic.

function icqStep(
  networks: IcqNetworks,
  state: TrainingState,
  batch: BatchTensors,
  context: StepContext,
) {
  if (batch.nextAction === undefined) {
    throw new ValidationError(
      "icq needs the dataset's next action of each transition (batch.nextAction) for its " +
        "critic target; build the training data with data/transitions.ts",
    );
  }
  return tidyObject(() => {
    const { config, settings, kernels } = networks;
    // 1. Critic + mixer: one Adam step on L_Q against y from the targets.
    const y = networks.target(state.target.critic, batch);
    const critic = tf.valueAndGrads((c: tf.Tensor) =>
      networks.criticObjective(c as tf.Tensor1D, y, batch)
    )([state.live.critic]);
    let next = applyGradients(kernels, state, [
      ["critic", critic.grads[0] as tf.Tensor1D, settings.criticLr],
    ], config);
    // Targets: a hard copy every `targetUpdateInterval` critic steps, or Polyak every step.
    const interval = settings.targetUpdateInterval;
    if (interval === 0) {
      next = softUpdateTargets(kernels, next, ["critic"], config.tau);
    } else if ((context.iteration + 1) % interval === 0) {
      next = { ...next, target: { ...next.target, critic: tf.clone(next.live.critic) } };
    }
    // 2. Actor, on the updated critic and mixer (constants).
    const liveCritic = next.live.critic;
    let actorLoss: tf.Scalar;
    let policyGradient: tf.Tensor1D;
    if (settings.discrete) {
      const { all, k } = networks.critic(
        liveCritic,
        batch.state,
        batch.obsWithId,
        batch.actionOneHot,
      );
      const epsilon = policyEpsilon(config, context.iteration);
      const result = tf.valueAndGrads((p: tf.Tensor) =>
        networks.discretePolicyObjective(p as tf.Tensor1D, all!, k, batch, epsilon)
      )([state.live.policy]);
      [actorLoss, policyGradient] = [result.value, result.grads[0] as tf.Tensor1D];
    } else {
      const { weight, k } = networks.continuousWeights(liveCritic, batch);
      const result = tf.valueAndGrads((p: tf.Tensor) =>
        networks.continuousPolicyObjective(p as tf.Tensor1D, weight, k, batch)
      )([state.live.policy]);
      [actorLoss, policyGradient] = [result.value, result.grads[0] as tf.Tensor1D];
    }
    if (settings.policyWeightDecay > 0) {
      policyGradient = tf.add(
        policyGradient,
        tf.mul(state.live.policy, settings.policyWeightDecay),
      );
    }
    next = applyGradients(kernels, next, [["policy", policyGradient, settings.policyLr]], config);
    return { state: next, losses: tf.stack([actorLoss, critic.value]) as tf.Tensor1D };
  });
}

/** ICQ for the trainer. */
export const icq: AlgorithmDefinition<IcqConfig> = {
  names: ["icq"],
  summary: "ICQ (NeurIPS 2021): implicit-constraint critic and advantage-weighted actor",
  actionKinds: ["discrete", "continuous"],
  schema: icqConfigSchema,
  hasAlpha: () => false,
  build(spec, config, kernels): Model {
    const layouts = icqLayouts(spec, config);
    const networks = new IcqNetworks(spec, config, layouts, kernels);
    const { settings } = networks;
    return {
      groups: [
        {
          name: "critic",
          layouts: [layouts.critic, layouts.mixer],
          size: layouts.critic.size + layouts.mixer.size,
          target: true,
          learningRate: settings.criticLr,
        },
        {
          name: "policy",
          layouts: [layouts.policy],
          // theta (continuous) follows the MLP and starts at 0, as icq.py's log_std_logits.
          size: layouts.policy.size + layouts.logStdSize,
          target: false,
          learningRate: settings.policyLr,
        },
      ],
      lossNames: ["policy", "q"],
      policy: {
        group: "policy",
        layout: layouts.policy,
        // Continuous: the deterministic action is the mean tanh(u) (act_limit 1).
        output: settings.discrete ? { kind: "categorical_argmax" } : { kind: "tanh" },
      },
      step: (state, batch, context) => icqStep(networks, state, batch, context),
    };
  },
};
