/**
 * CQL-MA: Conservative Q-Learning (Kumar et al., NeurIPS 2020) run by every agent on its own
 * observation, all agents sharing one set of weights (each input carries the agent's one-hot
 * id), trained on the team reward; docs/algorithms.md, section "CQL-MA".
 *
 * - Continuous actions follow aviralkumar2907/CQL `d4rl/rlkit/torch/sac/cql.py` (`CQLTrainer`,
 *   CQL(H), `min_q_version` 3) with the settings of its launcher `d4rl/examples/cql_mujoco_new.py`
 *   and README: SAC with twin Q networks and soft-updated targets, a tanh-Gaussian policy,
 *   automatic entropy tuning, and the CQL(H) penalty, a logsumexp over uniform, pi(s) and
 *   pi(s') actions with their density corrections, minus Q on the data.
 * - Discrete actions follow instadeepai/og-marl
 *   `og_marl/baselines/tf2_systems/offline/qmix_cql.py`: a QMIX-mixed double-Q TD target over
 *   available actions plus a CQL term, a logsumexp over sampled joint actions' Q_tot and the
 *   data's, minus the data's; acting greedy over available actions. Its code is in
 *   `cql_ma_discrete.ts`.
 *
 * Shapes: B transitions, N agents, R = B N rows (agent-major within a transition), A action
 * dims, K sampled actions per row; per-agent values are [B, N].
 *
 * @module
 */
import { z } from "zod";
import { tf } from "../tf.ts";
import type { MultiAgentSpec } from "../dataset.ts";
import type { Kernels } from "../kernels/mod.ts";
import type { Rng } from "../rng.ts";
import { mlp, mlpForward, type MlpLayout, mlpLayout } from "../nn/dense.ts";
import { MEAN_LIMIT, rawMeanGaussianHead } from "../nn/distributions.ts";
import { tidyObject } from "../nn/tidy.ts";
import type {
  AlgorithmDefinition,
  Model,
  ParameterGroup,
  StepContext,
  TrainingState,
} from "../learn/algorithm.ts";
import type { BatchTensors } from "../learn/batch_tensors.ts";
import { baseConfig, localInputWidth, perAgent, qInputWidth, qInputWith } from "../learn/shapes.ts";
import { applyGradients, softUpdateTargets } from "../learn/update.ts";
import { discreteCqlModel } from "./cql_ma_discrete.ts";

// ---------------------------------------------------------------------------------------------
// Config: the references' defaults. Fields whose default differs between the two references
// are optional; `resolvedSizes` fills them by action kind.

/** Neither reference clips gradients; the shared clipped Adam gets a bound no gradient reaches. */
export const NO_CLIP = 1e10;

/** CQL-MA's config schema; every field optional on input, defaulted to its reference's value. */
export const cqlMaConfigSchema = z.object({
  algorithm: z.literal("cql-ma"),
  // rlkit: batch 256, discount 0.99, soft_target_tau 5e-3 (continuous only), no clipping.
  ...baseConfig({ batchSize: 256, gamma: 0.99, tau: 0.005, gradClip: NO_CLIP }),
  /** Hidden width: default 256 continuous (rlkit, 3 layers), 64 discrete (OG-MARL, 2 layers). */
  hiddenSize: z.number().int().positive().max(4096).optional(),
  /** Policy and log-alpha learning rate (rlkit `policy_lr`, launcher 1e-4). */
  policyLr: z.number().positive().max(1).default(1e-4),
  /** Q learning rate (rlkit `qf_lr` 3e-4; OG-MARL QMIX+CQL `learning_rate` 3e-4). */
  qLr: z.number().positive().max(1).default(3e-4),
  /** CQL weight: default 5 continuous (README `min_q_weight`), 3 discrete (`cql_weight`). */
  cqlWeight: z.number().min(0).optional(),
  /** Sampled actions: default 10 continuous (`num_random`), 20 discrete (`num_ood_actions`). */
  cqlSamples: z.number().int().positive().max(256).optional(),
  /** Continuous: the logsumexp temperature (`temp`). */
  temperature: z.number().positive().default(1),
  /** Continuous: tune alpha to the target entropy -|A|; alpha = 1 otherwise. */
  automaticEntropyTuning: z.boolean().default(true),
  /** Continuous: no -alpha log pi(a'|s') term in the target (launcher's argparse: True). */
  deterministicBackup: z.boolean().default(true),
  /**
   * Continuous: behaviour-cloning warm start, in steps (`policy_eval_start`; the launcher's
   * 40000; rlkit's constructor default 0, which we keep: runs here are often shorter).
   */
  policyEvalStart: z.number().int().min(0).default(0),
  /** Continuous: CQL(H) with the Lagrange multiplier alpha' (README MuJoCo: off). */
  withLagrange: z.boolean().default(false),
  /** Continuous, Lagrange only: the action gap tau (`lagrange_thresh`, argparse 5). */
  lagrangeThreshold: z.number().default(5),
  /** Discrete: hard target copy every this many steps (`target_update_period`). */
  targetUpdatePeriod: z.number().int().positive().default(200),
  /** Discrete: QMIX embedding width (`mixer_embed_dim`). */
  mixerEmbed: z.number().int().positive().max(4096).default(32),
  /** Discrete: QMIX hypernetwork hidden width (`mixer_hyper_dim`). */
  mixerHyperHidden: z.number().int().positive().max(4096).default(64),
  /**
   * Discrete: how the CQL term's joint actions are drawn. `reference`: as OG-MARL's code does
   * (categorical over logits avail / n_avail: nearly uniform over all actions, unavailable
   * ones included); `available`: uniform over the available actions (its comment's intent).
   */
  oodSampling: z.enum(["reference", "available"]).default("reference"),
}).strict();

/** A complete CQL-MA config. */
export type CqlMaConfig = z.output<typeof cqlMaConfigSchema>;

/** The kind-dependent sizes, filled from the reference of the data's action kind. */
export function resolvedSizes(spec: MultiAgentSpec, config: CqlMaConfig) {
  const discrete = spec.actionKind === "discrete";
  return {
    hiddenSize: config.hiddenSize ?? (discrete ? 64 : 256),
    cqlWeight: config.cqlWeight ?? (discrete ? 3 : 5),
    cqlSamples: config.cqlSamples ?? (discrete ? 20 : 10),
  };
}

// ---------------------------------------------------------------------------------------------
// Networks (continuous), shared by the agents: rlkit's 3 x 256 ReLU MLPs.

/** Where each continuous network sits (each in its own group, at offset 0). */
export interface CqlLayouts {
  /** [obs | id] -> h -> h -> h -> [mean | log-std] (2A). */
  policy: MlpLayout;
  /** [obs | action | id] -> h -> h -> h -> 1, twice (Q1, Q2). */
  q: MlpLayout;
}

/** The continuous layouts for data of shape `spec`. */
export function cqlLayouts(spec: MultiAgentSpec, config: CqlMaConfig): CqlLayouts {
  const h = resolvedSizes(spec, config).hiddenSize;
  return {
    policy: mlpLayout("policy", [localInputWidth(spec), h, h, h, 2 * spec.actDim]),
    q: mlpLayout("q", [qInputWidth(spec), h, h, h, 1]),
  };
}

/**
 * rlkit's `Mlp` initialisation: hidden weights U(+-1/sqrt(out)) (its `fanin_init` reads
 * size[0] of torch's [out, in] weight, the output width), hidden biases 0.1, the last layer's
 * weight and bias U(+-lastBound) (3e-3 for Q, 1e-3 for the policy's mean and log-std heads).
 */
export function rlkitInitialise(layout: MlpLayout, lastBound: number) {
  return (params: Float32Array, rng: Rng) => {
    layout.layers.forEach((layer, l) => {
      const last = l === layout.layers.length - 1;
      const bound = last ? lastBound : 1 / Math.sqrt(layer.outputs);
      const weightEnd = layer.weightOffset + layer.inputs * layer.outputs;
      rng.fillUniform(params.subarray(layer.weightOffset, weightEnd), -bound, bound);
      const bias = params.subarray(layer.biasOffset, layer.biasOffset + layer.outputs);
      if (last) rng.fillUniform(bias, -bound, bound);
      else bias.fill(0.1);
    });
  };
}

// ---------------------------------------------------------------------------------------------
// The tanh-Gaussian policy, as rlkit's `TanhGaussianPolicy` and `TanhNormal` compute it.

/** The rlkit 1e-6 inside log(1 - a^2 + 1e-6) and under atanh's 1 +- a. */
export const TANH_EPSILON = 1e-6;

/**
 * A reparameterised sample and its log-density: z = mean + exp(logStd) noise, a = tanh(z),
 * log pi(a) = sum_d [-noise^2 / 2 - logStd - log(2 pi) / 2 - log(1 - a^2 + 1e-6)]
 * (log N(z; mean, std) written with (z - mean) / std = noise; the naive 1e-6 Jacobian).
 * `mean`, `logStd` broadcast against `noise` [..., A]; returns action [..., A], logProb [...].
 */
export function tanhGaussianSample(
  mean: tf.Tensor,
  logStd: tf.Tensor,
  noise: tf.Tensor,
): { action: tf.Tensor; logProb: tf.Tensor } {
  const action = tf.tanh(tf.add(mean, tf.mul(tf.exp(logStd), noise)));
  const gaussian = tf.sub(
    tf.sub(tf.mul(tf.square(noise), -0.5), logStd),
    0.5 * Math.log(2 * Math.PI),
  );
  const jacobian = tf.log(tf.add(tf.sub(1, tf.square(action)), TANH_EPSILON));
  return { action, logProb: tf.sum(tf.sub(gaussian, jacobian), -1) };
}

/**
 * rlkit's `log_prob` at dataset actions (the warm start): u = 0.5 log(max(1 + a, 1e-6) /
 * max(1 - a, 1e-6)), mean clamped to +-9 (this path only), sum_d [log N(u; mean, std) -
 * log(1 - a^2 + 1e-6)]. `mean`, `logStd`, `action` [R, A]; returns [R].
 */
export function datasetLogProb(mean: tf.Tensor, logStd: tf.Tensor, action: tf.Tensor): tf.Tensor {
  const u = tf.mul(
    tf.log(
      tf.div(
        tf.maximum(tf.add(action, 1), TANH_EPSILON),
        tf.maximum(tf.sub(1, action), TANH_EPSILON),
      ),
    ),
    0.5,
  );
  const clamped = tf.clipByValue(mean, -MEAN_LIMIT, MEAN_LIMIT);
  const standardised = tf.mul(tf.sub(u, clamped), tf.exp(tf.neg(logStd)));
  const gaussian = tf.sub(
    tf.sub(tf.mul(tf.square(standardised), -0.5), logStd),
    0.5 * Math.log(2 * Math.PI),
  );
  const jacobian = tf.log(tf.add(tf.sub(1, tf.square(action)), TANH_EPSILON));
  return tf.sum(tf.sub(gaussian, jacobian), -1);
}

// ---------------------------------------------------------------------------------------------
// Losses (continuous), each a line of docs/algorithms.md ("CQL-MA"). Arguments said to be
// constants carry no gradient: the step computes them outside the tape.

/** 3. L_alpha = -mean(log_alpha (log pi(a~|s) + target_entropy)); log pi constant. */
export function alphaLoss(
  logAlpha: tf.Tensor,
  logProb: tf.Tensor,
  targetEntropy: number,
): tf.Scalar {
  return tf.neg(tf.mean(tf.mul(tf.reshape(logAlpha, []), tf.add(logProb, targetEntropy))));
}

/** 4. L_pi = mean(alpha log pi(a~|s) - min(Q1, Q2)(s, a~)), alpha constant. */
export function policyLoss(alpha: tf.Scalar, logProb: tf.Tensor, qNew: tf.Tensor): tf.Scalar {
  return tf.mean(tf.sub(tf.mul(alpha, logProb), qNew));
}

/** 4. The warm start: L_pi = mean(alpha log pi(a~|s)) - mean(log pi(a_data|s)). */
export function behaviourCloningLoss(
  alpha: tf.Scalar,
  logProb: tf.Tensor,
  dataLogProb: tf.Tensor,
): tf.Scalar {
  return tf.sub(tf.mean(tf.mul(alpha, logProb)), tf.mean(dataLogProb));
}

/**
 * 7. y = r + gamma mask (min(Q1', Q2')(s', a') - alpha log pi(a'|s')), the entropy term only
 * without the deterministic backup (`entropy` = alpha log pi(a'|s') then). `reward`, `mask`
 * [B]; `nextQ`, `entropy` [B, N]; returns [B, N].
 */
export function bellmanTarget(
  reward: tf.Tensor1D,
  mask: tf.Tensor1D,
  nextQ: tf.Tensor2D,
  gamma: number,
  entropy?: tf.Tensor2D,
): tf.Tensor2D {
  const next = entropy === undefined ? nextQ : tf.sub(nextQ, entropy);
  return tf.add(tf.expandDims(reward, 1), tf.mul(tf.expandDims(tf.mul(mask, gamma), 1), next));
}

/** 8. L_Qi = mean((Q_i(s, a) - y)^2) (torch's MSELoss: no 1/2). */
export function bellmanLoss(q: tf.Tensor, y: tf.Tensor): tf.Scalar {
  return tf.mean(tf.square(tf.sub(q, y)));
}

/**
 * 10. CQL(H): w T mean_rows(logsumexp_j((Q_i(s, a_j) - log rho(a_j)) / T)) - w mean(Q_i(s, a)),
 * over the 3K sampled actions a_j of each row with their log-densities `logDensity` [R, 3K]
 * (constants: log 0.5^A for uniform ones, log pi for policy ones). `qSampled` [R, 3K].
 */
export function cqlPenalty(
  qSampled: tf.Tensor2D,
  logDensity: tf.Tensor2D,
  qData: tf.Tensor,
  weight: number,
  temperature: number,
): tf.Scalar {
  const lse = tf.logSumExp(tf.div(tf.sub(qSampled, logDensity), temperature), 1);
  return tf.sub(tf.mul(tf.mean(lse), weight * temperature), tf.mul(tf.mean(qData), weight));
}

/** 11. alpha' = clamp(exp(log alpha'), 0, 1e6). */
export function lagrangeMultiplier(logAlphaPrime: tf.Tensor): tf.Scalar {
  return tf.clipByValue(tf.exp(tf.reshape(logAlphaPrime, [])), 0, 1e6) as tf.Scalar;
}

/** 11. L_alpha' = -(alpha' (c1 - tau) + alpha' (c2 - tau)) / 2; the CQL terms c_i constants. */
export function lagrangeLoss(
  logAlphaPrime: tf.Tensor,
  cql1: tf.Scalar,
  cql2: tf.Scalar,
  threshold: number,
): tf.Scalar {
  const gap = tf.div(tf.add(tf.sub(cql1, threshold), tf.sub(cql2, threshold)), 2);
  return tf.neg(tf.mul(lagrangeMultiplier(logAlphaPrime), gap));
}

// ---------------------------------------------------------------------------------------------
// The step (continuous), in rlkit's order.

/** The step's random draws, all from the learner's Rng (see {@link drawNoise}). */
export interface CqlNoise {
  /** pi(s) sample for the policy and alpha losses, [R, A]. */
  fresh: tf.Tensor2D;
  /** pi(s') sample for the target, [R, A]. */
  next: tf.Tensor2D;
  /** Uniform actions in [-1, 1], [R, K, A]. */
  uniform: tf.Tensor3D;
  /** K pi(s) samples, [R, K, A]. */
  current: tf.Tensor3D;
  /** K pi(s') samples, [R, K, A]. */
  following: tf.Tensor3D;
}

/** Draws a step's noise in the order rlkit draws it (its unused second pi(s) sample skipped). */
export function drawNoise(rng: Rng, rows: number, samples: number, actDim: number): CqlNoise {
  const normal = (n: number) => rng.fillNormal(new Float32Array(n)) as Float32Array;
  const single = rows * actDim;
  const many = rows * samples * actDim;
  const fresh = tf.tensor2d(normal(single), [rows, actDim]);
  const next = tf.tensor2d(normal(single), [rows, actDim]);
  const uniform = rng.fillUniform(new Float32Array(many), -1, 1) as Float32Array;
  return {
    fresh,
    next,
    uniform: tf.tensor3d(uniform, [rows, samples, actDim]),
    current: tf.tensor3d(normal(many), [rows, samples, actDim]),
    following: tf.tensor3d(normal(many), [rows, samples, actDim]),
  };
}

/** What the tapes read as constants: the target, the CQL actions and densities, the alphas. */
export interface CqlConstants {
  alpha: tf.Scalar;
  /** alpha' before its step (1 without the Lagrange form). */
  alphaPrime: tf.Scalar;
  /** y, [B, N]. */
  y: tf.Tensor2D;
  /** The Q networks' input: R data rows, then R 3K sampled-action rows (row-major in [R, 3K]). */
  qInput: tf.Tensor2D;
  /** [log 0.5^A (K) | log pi(a|s') (K) | log pi(a|s) (K)] per row, [R, 3K]. */
  logDensity: tf.Tensor2D;
  noise: CqlNoise;
}

/** The policy's Gaussian at s (`here`) and at s' (`there`), each [R, A]. */
export interface PolicyHeads {
  here: { mean: tf.Tensor; logStd: tf.Tensor };
  there: { mean: tf.Tensor; logStd: tf.Tensor };
}

/** CQL for continuous actions built for one data shape. */
export class CqlNetworks {
  readonly sizes: ReturnType<typeof resolvedSizes>;
  constructor(
    readonly spec: MultiAgentSpec,
    readonly config: CqlMaConfig,
    readonly layouts: CqlLayouts,
    readonly kernels: Kernels,
  ) {
    this.sizes = resolvedSizes(spec, config);
  }

  /** The policy's mean and log-std at s and at s', with no gradient. */
  heads(policy: tf.Tensor1D, batch: BatchTensors): PolicyHeads {
    const { kernels, layouts } = this;
    return {
      here: rawMeanGaussianHead(mlpForward(kernels, layouts.policy, batch.obsWithId, policy)),
      there: rawMeanGaussianHead(mlpForward(kernels, layouts.policy, batch.nextObsWithId, policy)),
    };
  }

  /** Q(x) with no gradient, [rows, 1]. */
  #q(x: tf.Tensor2D, params: tf.Tensor1D) {
    return mlpForward(this.kernels, this.layouts.q, x, params);
  }

  /** Steps 2, 6, 7 and 9: the values the losses hold constant (alpha given, post-step). */
  constants(
    state: TrainingState,
    batch: BatchTensors,
    heads: PolicyHeads,
    noise: CqlNoise,
    alpha: tf.Scalar,
    alphaPrime: tf.Scalar,
  ) {
    return tidyObject((): CqlConstants => {
      const { spec, config, sizes } = this;
      const { here, there } = heads;
      const rows = batch.batchSize * spec.nAgents;
      const k = sizes.cqlSamples;
      // 7. The target from a' ~ pi(s').
      const next = tanhGaussianSample(there.mean, there.logStd, noise.next);
      const nextInput = qInputWith(batch.nextObsWithId, next.action as tf.Tensor2D, spec);
      const nextQ = tf.minimum(
        this.#q(nextInput, state.target.q1),
        this.#q(nextInput, state.target.q2),
      );
      const entropy = config.deterministicBackup ? undefined : tf.mul(alpha, next.logProb);
      const y = bellmanTarget(
        batch.reward,
        batch.mask,
        perAgent(nextQ, batch, spec),
        config.gamma,
        entropy === undefined ? undefined : perAgent(entropy, batch, spec),
      );
      // 9. K uniform, K pi(s') and K pi(s) actions per row, all evaluated at s.
      const following = tanhGaussianSample(
        tf.expandDims(there.mean, 1),
        tf.expandDims(there.logStd, 1),
        noise.following,
      );
      const current = tanhGaussianSample(
        tf.expandDims(here.mean, 1),
        tf.expandDims(here.logStd, 1),
        noise.current,
      );
      const actions = tf.concat([noise.uniform, following.action, current.action], 1);
      const width = localInputWidth(spec);
      const obs = tf.reshape(tf.tile(tf.expandDims(batch.obsWithId, 1), [1, 3 * k, 1]), [
        rows * 3 * k,
        width,
      ]) as tf.Tensor2D;
      const sampled = qInputWith(obs, tf.reshape(actions, [rows * 3 * k, spec.actDim]), spec);
      const uniformDensity = tf.fill([rows, k], -spec.actDim * Math.log(2));
      return {
        alpha,
        alphaPrime,
        y,
        qInput: tf.concat([batch.qInput, sampled], 0) as tf.Tensor2D,
        logDensity: tf.concat(
          [uniformDensity, following.logProb, current.logProb],
          1,
        ) as tf.Tensor2D,
        noise,
      };
    });
  }

  /**
   * Steps 5, 8, 10-12 for one Q network: its Bellman loss and its CQL term as added to it
   * (times alpha' after subtracting tau in the Lagrange form), and the raw term.
   */
  qLosses(params: tf.Tensor1D, fixed: CqlConstants, batch: BatchTensors) {
    const { spec, config, sizes } = this;
    const rows = batch.batchSize * spec.nAgents;
    const output = mlp(this.kernels, this.layouts.q, fixed.qInput, params, true);
    const [data, sampled] = tf.split(output, [rows, output.shape[0] - rows], 0);
    const q = perAgent(data, batch, spec);
    const bellman = bellmanLoss(q, fixed.y);
    const raw = cqlPenalty(
      tf.reshape(sampled, [rows, 3 * sizes.cqlSamples]),
      fixed.logDensity,
      q,
      sizes.cqlWeight,
      config.temperature,
    );
    const cql = config.withLagrange
      ? tf.mul(fixed.alphaPrime, tf.sub(raw, config.lagrangeThreshold)) as tf.Scalar
      : raw;
    return { bellman, cql, raw };
  }

  /** Step 4: the policy loss (the warm start's while `warmStart`), through the live Qs. */
  policyLoss(
    params: tf.Tensor1D,
    live: { q1: tf.Tensor1D; q2: tf.Tensor1D },
    fixed: CqlConstants,
    batch: BatchTensors,
    warmStart: boolean,
  ): tf.Scalar {
    const { kernels, layouts, spec } = this;
    const head = rawMeanGaussianHead(mlp(kernels, layouts.policy, batch.obsWithId, params, true));
    const sample = tanhGaussianSample(head.mean, head.logStd, fixed.noise.fresh);
    if (warmStart) {
      const data = datasetLogProb(head.mean, head.logStd, batch.action!);
      return behaviourCloningLoss(fixed.alpha, sample.logProb, data);
    }
    const input = qInputWith(batch.obsWithId, sample.action as tf.Tensor2D, spec);
    // The Qs are held: only their input gradients are needed (constantParams).
    const qNew = tf.minimum(
      mlp(kernels, layouts.q, input, live.q1, false, true),
      mlp(kernels, layouts.q, input, live.q2, false, true),
    );
    return policyLoss(fixed.alpha, sample.logProb, tf.reshape(qNew, [-1]));
  }

  /**
   * Each optimiser's gradient of its own loss: Q1's and Q2's (Bellman + CQL) on one tape, the
   * policy's on another (the Qs held), all at the step's starting parameters; and the values.
   */
  gradients(state: TrainingState, fixed: CqlConstants, batch: BatchTensors, warmStart: boolean) {
    const qPass = tf.valueAndGrads((q1: tf.Tensor, q2: tf.Tensor) => {
      const one = this.qLosses(q1 as tf.Tensor1D, fixed, batch);
      const two = this.qLosses(q2 as tf.Tensor1D, fixed, batch);
      const total = tf.addN([one.bellman, one.cql, two.bellman, two.cql]);
      return tf.stack([total, one.bellman, two.bellman, one.cql, two.cql, one.raw, two.raw]);
    })([state.live.q1, state.live.q2], tf.tensor1d([1, 0, 0, 0, 0, 0, 0]));
    const [, bellman1, bellman2, cql1, cql2, raw1, raw2] = tf.unstack(qPass.value) as tf.Scalar[];
    const live = { q1: state.live.q1, q2: state.live.q2 };
    const piPass = tf.valueAndGrads((policy: tf.Tensor) =>
      this.policyLoss(policy as tf.Tensor1D, live, fixed, batch, warmStart)
    )([state.live.policy]);
    return {
      gradients: {
        q1: qPass.grads[0] as tf.Tensor1D,
        q2: qPass.grads[1] as tf.Tensor1D,
        policy: piPass.grads[0] as tf.Tensor1D,
      },
      values: {
        policy: piPass.value as tf.Scalar,
        bellman1,
        bellman2,
        cql1,
        cql2,
        raw1,
        raw2,
      },
    };
  }
}

/**
 * One step. rlkit's order: alpha's step first (the policy loss reads the new alpha); then the
 * target, the CQL samples, alpha' (Lagrange), Q1, Q2 and the policy; then both soft target
 * updates. Every loss is taken at the parameters before this step's Q updates, so the policy
 * gradient runs through the pre-update critics (what torch < 1.5 did; docs, "Known quirks").
 */
export function continuousStep(
  networks: CqlNetworks,
  state: TrainingState,
  batch: BatchTensors,
  context: StepContext,
) {
  return tidyObject(() => {
    const { config, kernels, spec, sizes } = networks;
    const rows = batch.batchSize * spec.nAgents;
    const noise = drawNoise(context.rng, rows, sizes.cqlSamples, spec.actDim);
    let next = state;
    // 1-3. The alpha step, from log pi of the pi(s) sample; alpha is its new value.
    const heads = networks.heads(state.live.policy, batch);
    let alpha = tf.scalar(1);
    if (config.automaticEntropyTuning) {
      const { logProb } = tanhGaussianSample(heads.here.mean, heads.here.logStd, noise.fresh);
      const [gradient] = tf.grads((logAlpha) => alphaLoss(logAlpha, logProb, -spec.actDim))([
        state.live.alpha,
      ]);
      next = applyGradients(kernels, next, [[
        "alpha",
        gradient as tf.Tensor1D,
        config.policyLr,
      ]], config);
      alpha = tf.exp(tf.reshape(next.live.alpha, []));
    }
    const alphaPrime = config.withLagrange
      ? lagrangeMultiplier(state.live.alphaPrime)
      : tf.scalar(1);
    const fixed = networks.constants(state, batch, heads, noise, alpha, alphaPrime);
    // 4, 5, 8, 10-12. The policy loss (the warm start's before step policy_eval_start, counted
    // from 1) and both Q losses.
    const warmStart = context.iteration + 1 < config.policyEvalStart;
    const { gradients, values } = networks.gradients(state, fixed, batch, warmStart);
    const { raw1, raw2 } = values;
    // 11. alpha' (Lagrange) before the Qs; 13. Q1, Q2, policy; 14. soft target updates.
    const updates: [string, tf.Tensor1D, number][] = [];
    if (config.withLagrange) {
      const [gradient] = tf.grads((logAlphaPrime) =>
        lagrangeLoss(logAlphaPrime, raw1, raw2, config.lagrangeThreshold)
      )([state.live.alphaPrime]);
      updates.push(["alphaPrime", gradient as tf.Tensor1D, config.qLr]);
    }
    updates.push(
      ["q1", gradients.q1, config.qLr],
      ["q2", gradients.q2, config.qLr],
      ["policy", gradients.policy, config.policyLr],
    );
    next = applyGradients(kernels, next, updates, config);
    const losses = [
      values.policy,
      tf.div(tf.add(values.bellman1, values.bellman2), 2),
      tf.div(tf.add(values.cql1, values.cql2), 2),
      alpha,
      ...(config.withLagrange ? [lagrangeMultiplier(next.live.alphaPrime)] : []),
    ];
    return {
      state: softUpdateTargets(kernels, next, ["q1", "q2"], config.tau),
      losses: tf.stack(losses) as tf.Tensor1D,
    };
  });
}

function continuousModel(spec: MultiAgentSpec, config: CqlMaConfig, kernels: Kernels): Model {
  const layouts = cqlLayouts(spec, config);
  const networks = new CqlNetworks(spec, config, layouts, kernels);
  const scalar = (name: string, learningRate: number): ParameterGroup => ({
    name,
    layouts: [],
    size: 1,
    target: false,
    learningRate,
    initialise: (values) => values.fill(0), // log alpha = 0: alpha starts at 1
  });
  const q = (name: string): ParameterGroup => ({
    name,
    layouts: [layouts.q],
    size: layouts.q.size,
    target: true,
    learningRate: config.qLr,
    initialise: rlkitInitialise(layouts.q, 3e-3),
  });
  return {
    groups: [
      {
        name: "policy",
        layouts: [layouts.policy],
        size: layouts.policy.size,
        target: false,
        learningRate: config.policyLr,
        initialise: rlkitInitialise(layouts.policy, 1e-3),
      },
      q("q1"),
      q("q2"),
      ...(config.automaticEntropyTuning ? [scalar("alpha", config.policyLr)] : []),
      ...(config.withLagrange ? [scalar("alphaPrime", config.qLr)] : []),
    ],
    lossNames: ["policy", "q", "cql", "alpha", ...(config.withLagrange ? ["alphaPrime"] : [])],
    // rlkit's MakeDeterministic: tanh(mean), the mean not clamped.
    policy: {
      group: "policy",
      layout: layouts.policy,
      output: { kind: "tanh_gaussian_mean", meanLimit: null },
    },
    step: (state, batch, context) => continuousStep(networks, state, batch, context),
  };
}

/** CQL-MA for the trainer. */
export const cqlMa: AlgorithmDefinition<CqlMaConfig> = {
  names: ["cql-ma"],
  summary: "CQL-MA: per-agent CQL(H) SAC (rlkit); discrete: QMIX + CQL (OG-MARL)",
  actionKinds: ["continuous", "discrete"],
  schema: cqlMaConfigSchema,
  hasAlpha: () => false,
  build(spec, config, kernels): Model {
    return spec.actionKind === "discrete"
      ? discreteCqlModel(spec, config, kernels)
      : continuousModel(spec, config, kernels);
  },
};
