/**
 * OMIGA (Offline MARL with Implicit Global-to-Local Value Regularization, NeurIPS 2023), as
 * docs/algorithms.md ("OMIGA") states it after the authors' code, and its ablations
 * `omiga-local` (mixer replaced by w = 1, b = 0) and `bc` (policy loss with weight 1). Read top
 * to bottom: config, networks, losses, forward pass, update. The backward pass is written out
 * in `omiga_gradients.ts` (measured faster than the tape: docs/algorithms.md, "Gradients").
 *
 * Shapes: B transitions, N agents, R = B * N rows; per-agent values are [B, N].
 *
 * @module
 */
import { z } from "zod";
import { tf } from "../tf.ts";
import type { MultiAgentSpec } from "../dataset.ts";
import type { Kernels } from "../kernels/mod.ts";
import { type MlpLayout, mlpLayout } from "../nn/dense.ts";
import { mlpForward, mlpForwardTraced, type MlpTrace } from "../nn/dense.ts";
import {
  categoricalLogProb,
  gaussianHead,
  MEAN_LIMIT,
  tanhGaussianLogProb,
} from "../nn/distributions.ts";
import { mixedTotal, splitMixer } from "../nn/mixer.ts";
import { tidyObject } from "../nn/tidy.ts";
import type { AlgorithmDefinition, Model, StepShard, TrainingState } from "../learn/algorithm.ts";
import type { BatchTensors } from "../learn/batch_tensors.ts";
import { baseConfig, localInputWidth, perAgent, qInputWidth, takenValue } from "../learn/shapes.ts";
import { applyGradients, softUpdateTargets } from "../learn/update.ts";
import { omigaGradients, omigaGradientsByTape } from "./omiga_gradients.ts";

// ---------------------------------------------------------------------------------------------
// Config: the paper's defaults.

/** `omiga`; `omiga-local` drops the mixer (w = 1, b = 0); `bc` weights the policy loss by 1. */
export const OMIGA_NAMES = ["omiga", "omiga-local", "bc"] as const;

/** OMIGA's config schema; every field optional on input, defaulted to the paper's value. */
export const omigaConfigSchema = z.object({
  algorithm: z.enum(OMIGA_NAMES).default("omiga"),
  ...baseConfig({ batchSize: 128, gamma: 0.99, tau: 0.005, gradClip: 1 }),
  /** Width of both hidden layers of the policy, Q and V networks. */
  hiddenSize: z.number().int().positive().max(4096).default(256),
  /** Width of the mixer's hidden layer. */
  mixerHiddenSize: z.number().int().positive().max(4096).default(64),
  policyLr: z.number().positive().max(1).default(5e-4),
  qLr: z.number().positive().max(1).default(5e-4),
  vLr: z.number().positive().max(1).default(5e-4),
  /** Regularisation temperature. */
  alpha: z.number().positive().default(10),
  /**
   * How the backward pass is computed: `hand` (written out, `omiga_gradients.ts`) or `tape`
   * (tfjs's `tf.grads` over the differentiable MLP). Equal to float32 rounding; `hand` is the
   * faster (docs/algorithms.md, "Gradients").
   */
  gradients: z.enum(["hand", "tape"]).default("hand"),
}).strict();

/** A complete OMIGA config. */
export type OmigaConfig = z.output<typeof omigaConfigSchema>;

// ---------------------------------------------------------------------------------------------
// Networks, parameters shared across agents, each agent's input with its one-hot id appended.
// Three flat vectors, one per optimiser: policy; critic = Q then the mixer (one optimiser, one
// soft-updated target); value = V.

/** Where each network sits. */
export interface OmigaLayouts {
  /** [obs | id] -> h -> h -> [mu | log-std] (2 act) or logits. */
  policy: MlpLayout;
  /** Continuous [obs | action | id] -> h -> h -> 1; discrete [obs | id] -> n_actions. */
  q: MlpLayout;
  /** All agents' states -> mixer hidden -> [u (N) | b]; w = |u|. Absent in `omiga-local`. */
  mixer?: MlpLayout;
  /** [obs | id] -> h -> h -> 1. */
  value: MlpLayout;
}

/** The layouts for data of shape `spec`. */
export function omigaLayouts(spec: MultiAgentSpec, config: OmigaConfig): OmigaLayouts {
  const h = config.hiddenSize;
  const discrete = spec.actionKind === "discrete";
  const local = localInputWidth(spec);
  const q = discrete
    ? mlpLayout("q", [local, h, h, spec.nActions!])
    : mlpLayout("q", [qInputWidth(spec), h, h, 1]);
  return {
    policy: mlpLayout("policy", [local, h, h, discrete ? spec.nActions! : 2 * spec.actDim]),
    q,
    mixer: config.algorithm === "omiga-local" ? undefined : mlpLayout(
      "mixer",
      [spec.nAgents * spec.stateDim, config.mixerHiddenSize, spec.nAgents + 1],
      q.size,
    ),
    value: mlpLayout("value", [local, h, h, 1]),
  };
}

// ---------------------------------------------------------------------------------------------
// Losses, each mirroring its line of docs/algorithms.md ("OMIGA"). Values marked "no gradient"
// are constants for the backward pass.

/** y = r + gamma * mask * V'_tot(s'), with no gradient. All [B]. */
export function tdTarget(
  reward: tf.Tensor1D,
  mask: tf.Tensor1D,
  nextValueTotal: tf.Tensor1D,
  gamma: number,
): tf.Tensor1D {
  return tf.add(reward, tf.mul(tf.mul(mask, gamma), nextValueTotal));
}

/**
 * The mean of `x`; on a thread's share of a batch (`count`: the whole batch's elements), the
 * share's part of the whole batch's mean, sum(x) / count.
 */
function meanOf(x: tf.Tensor, count?: number): tf.Scalar {
  return count === undefined ? tf.mean(x) : tf.div(tf.sum(x), count);
}

/** 1. L_Q = mean((Q_tot - y)^2). */
export function qLoss(qTotal: tf.Tensor1D, target: tf.Tensor1D, count?: number): tf.Scalar {
  return meanOf(tf.square(tf.sub(qTotal, target)), count);
}

/**
 * 2. (w'_i Q'_i - w'_i V_i) / alpha, before the clamp, with w' and Q' from the target networks
 * (no gradient) and V live.
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
  count?: number,
): tf.Scalar {
  const linear = tf.div(tf.mul(tf.mul(tf.exp(tf.neg(m)), wTarget), value), alpha);
  return meanOf(tf.add(tf.exp(tf.sub(z, m)), linear), count);
}

/** 4. The behaviour-cloning weight exp(z), with no gradient. */
export function advantageWeight(z: tf.Tensor2D): tf.Tensor2D {
  return tf.exp(z);
}

/** 4. L_pi = -mean(weight * log pi_i(a_i | o_i)); `weight` is exp(z), or 1 for `bc`. */
export function policyLoss(weight: tf.Tensor2D, logProb: tf.Tensor2D, count?: number): tf.Scalar {
  return tf.neg(meanOf(tf.mul(weight, logProb), count));
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

// ---------------------------------------------------------------------------------------------
// Forward pass.

/** The three live vectors. */
export interface OmigaParameters {
  policy: tf.Tensor1D;
  critic: tf.Tensor1D;
  value: tf.Tensor1D;
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

/** OMIGA built for one data shape: layouts, kernels and the config. */
export class OmigaNetworks {
  constructor(
    readonly spec: MultiAgentSpec,
    readonly config: OmigaConfig,
    readonly layouts: OmigaLayouts,
    readonly kernels: Kernels,
  ) {}

  /** Mixer weights and offset at `state` from `critic` (w = 1, b = 0 for `omiga-local`). */
  mixing(state: tf.Tensor2D, critic: tf.Tensor1D): { w: tf.Tensor2D; b: tf.Tensor1D } {
    const { mixer } = this.layouts;
    if (mixer === undefined) {
      return { w: tf.ones([state.shape[0], this.spec.nAgents]), b: tf.zeros([state.shape[0]]) };
    }
    return splitMixer(mlpForward(this.kernels, mixer, state, critic), this.spec.nAgents);
  }

  /** log pi_i(a_i | o_i) at the dataset actions from the policy output, [B, N]. */
  logProb(output: tf.Tensor2D, batch: BatchTensors): tf.Tensor2D {
    if (batch.actionOneHot) {
      return perAgent(categoricalLogProb(output, batch.actionOneHot), batch, this.spec);
    }
    const { mean, logStd } = gaussianHead(output);
    return perAgent(tanhGaussianLogProb(mean, logStd, batch.action!), batch, this.spec);
  }

  /** The target networks' values a step needs. */
  targetValues(targets: { critic: tf.Tensor1D; value: tf.Tensor1D }, batch: BatchTensors) {
    return tidyObject((): TargetValues => {
      const { kernels, layouts, spec } = this;
      const vNext = mlpForward(kernels, layouts.value, batch.nextObsWithId, targets.value);
      const next = this.mixing(batch.nextState, targets.critic);
      const nextTotal = mixedTotal(next.w, perAgent(vNext, batch, spec), next.b);
      const qOutput = mlpForward(kernels, layouts.q, batch.qInput, targets.critic);
      return {
        y: tdTarget(batch.reward, batch.mask, nextTotal, this.config.gamma),
        qTarget: takenValue(qOutput, batch, spec),
        wTarget: this.mixing(batch.state, targets.critic).w,
      };
    });
  }

  /**
   * The forward pass: the three losses, and what the backward pass reads. On a thread's share
   * of a batch (`shard`), m is the whole batch's and each loss is the share's part of it.
   */
  forward(
    live: OmigaParameters,
    { y, qTarget, wTarget }: TargetValues,
    batch: BatchTensors,
    shard?: StepShard,
  ) {
    const { kernels, layouts, spec, config } = this;
    const transitions = shard?.batchSize;
    const rows = transitions === undefined ? undefined : transitions * spec.nAgents;
    // 1. Q/mixer loss against y.
    const qPass = mlpForwardTraced(kernels, layouts.q, batch.qInput, live.critic);
    const q = takenValue(qPass.output, batch, spec);
    const mixerPass = layouts.mixer
      ? mlpForwardTraced(kernels, layouts.mixer, batch.state, live.critic)
      : undefined;
    const mixing = mixerPass
      ? splitMixer(mixerPass.output, spec.nAgents)
      : { rawW: undefined, w: tf.onesLike(q), b: tf.zeros([batch.batchSize]) as tf.Tensor1D };
    const qTotal = mixedTotal(mixing.w, q, mixing.b);
    // 2. z from the target Q and target mixer at s, and the live V.
    const valuePass = mlpForwardTraced(kernels, layouts.value, batch.obsWithId, live.value);
    const value = perAgent(valuePass.output, batch, spec);
    const scaled = scaledAdvantage(wTarget, qTarget, value, config.alpha);
    const z = advantageExponent(scaled);
    // 3. V loss, m held. On a thread's share of a batch, m (the whole batch's) is known only
    // once the team meets at the end of the step: the share takes m = 0 here, which gives
    // exp(m) times its part of L_V and of dL/dV, and the team scales the sums by exp(-m).
    const m = shard ? tf.scalar(0) : exponentShift(z);
    // 4. Weighted behaviour cloning (weight 1 for `bc`).
    const policyPass = mlpForwardTraced(kernels, layouts.policy, batch.obsWithId, live.policy);
    const logProb = this.logProb(policyPass.output, batch);
    const weight = config.algorithm === "bc" ? tf.onesLike(logProb) : advantageWeight(z);
    return {
      losses: {
        policy: policyLoss(weight, logProb, rows),
        q: qLoss(qTotal, y, transitions),
        v: valueLoss(z, m, wTarget, value, config.alpha, rows),
      },
      q,
      w: mixing.w,
      qTotal,
      mixer: mixerPass ? { rawW: mixing.rawW!, trace: mixerPass.trace } : undefined,
      scaled,
      z,
      m,
      shift: shard ? exponentShift(z) : m,
      weight,
      policyOutput: policyPass.output,
      traces: { q: qPass.trace, value: valuePass.trace, policy: policyPass.trace },
    };
  }
}

/** The forward pass's values and traces. */
export type OmigaForward = ReturnType<OmigaNetworks["forward"]>;
export type { MlpTrace };

// ---------------------------------------------------------------------------------------------
// The update. The three losses read parameters that no earlier update in the same step changes
// (the policy loss reads V only through the detached weight; the Q loss reads V and the mixer
// only through their targets; the V loss reads Q and the mixer only through their targets), so
// one forward pass and one backward pass give each optimiser exactly the gradient of its own
// loss, as in the authors' sequential code, without recomputing shared activations.

function omigaStep(
  networks: OmigaNetworks,
  state: TrainingState,
  batch: BatchTensors,
  shard?: StepShard,
) {
  return tidyObject(() => {
    const { config, kernels } = networks;
    const live = state.live as unknown as OmigaParameters;
    const fixed = networks.targetValues(
      { critic: state.target.critic, value: state.target.value },
      batch,
    );
    const { losses, gradients, weightEss } = config.gradients === "tape"
      ? tapeStep(networks, live, fixed, batch)
      : shard
      ? summedOverShards(networks, omigaGradients(networks, live, fixed, batch, shard), shard)
      : omigaGradients(networks, live, fixed, batch);
    // 5. Policy, then Q + mixer, then V; then the soft target updates.
    const updated = applyGradients(kernels, state, [
      ["policy", gradients.policy, config.policyLr],
      ["critic", gradients.critic, config.qLr],
      ["value", gradients.value, config.vLr],
    ], config);
    return {
      state: softUpdateTargets(kernels, updated, ["critic", "value"], config.tau),
      losses: tf.stack([losses.policy, losses.q, losses.v, weightEss!]) as tf.Tensor1D,
    };
  });
}

/**
 * A team's gradients and losses from each thread's share, in one meeting: the sums of the
 * shares' gradients, losses and weight sums, and the largest m; then the V loss and gradient
 * (taken at m = 0 by each share) scaled by exp(-m), and the weights' ESS from their sums.
 */
function summedOverShards(
  networks: OmigaNetworks,
  { losses, gradients, weightSums, shift }: ReturnType<typeof omigaGradients>,
  shard: StepShard,
) {
  const { sums, max } = shard.reduce([
    gradients.policy,
    gradients.critic,
    gradients.value,
    tf.concat([tf.stack([losses.policy, losses.q, losses.v]), weightSums!]) as tf.Tensor1D,
  ], shift.dataSync()[0]);
  const [policy, critic, unshiftedValue, summed] = sums;
  const [lossPolicy, lossQ, unshiftedLossV, total, squares] = tf.unstack(summed) as tf.Scalar[];
  const shiftBack = Math.exp(-max);
  const samples = shard.batchSize * networks.spec.nAgents;
  return {
    losses: { policy: lossPolicy, q: lossQ, v: tf.mul(unshiftedLossV, shiftBack) as tf.Scalar },
    gradients: { policy, critic, value: tf.mul(unshiftedValue, shiftBack) as tf.Tensor1D },
    weightEss: tf.div(tf.square(total), tf.mul(squares, samples)) as tf.Scalar,
  };
}

/** The tape route's gradients, with the losses and weights' ESS from a forward pass. */
function tapeStep(
  networks: OmigaNetworks,
  live: OmigaParameters,
  fixed: TargetValues,
  batch: BatchTensors,
) {
  const { losses, weight } = networks.forward(live, fixed, batch);
  return {
    losses,
    weightEss: weightEffectiveSampleSize(weight),
    gradients: omigaGradientsByTape(networks, live, fixed, batch),
  };
}

/** OMIGA and its ablations for the trainer. */
export const omiga: AlgorithmDefinition<OmigaConfig> = {
  names: OMIGA_NAMES,
  summary: "OMIGA (NeurIPS 2023); omiga-local: no mixer; bc: behaviour cloning",
  actionKinds: ["continuous", "discrete"],
  schema: omigaConfigSchema,
  hasAlpha: (name) => name !== "bc",
  build(spec, config, kernels): Model {
    const layouts = omigaLayouts(spec, config);
    const networks = new OmigaNetworks(spec, config, layouts, kernels);
    const critic = layouts.mixer ? [layouts.q, layouts.mixer] : [layouts.q];
    const size = (list: MlpLayout[]) => list.reduce((total, layout) => total + layout.size, 0);
    return {
      groups: [
        {
          name: "policy",
          layouts: [layouts.policy],
          size: layouts.policy.size,
          target: false,
          learningRate: config.policyLr,
        },
        {
          name: "critic",
          layouts: critic,
          size: size(critic),
          target: true,
          learningRate: config.qLr,
        },
        {
          name: "value",
          layouts: [layouts.value],
          size: layouts.value.size,
          target: true,
          learningRate: config.vLr,
        },
      ],
      lossNames: ["policy", "q", "v", "weightEss"],
      policy: {
        group: "policy",
        layout: layouts.policy,
        output: spec.actionKind === "continuous"
          ? { kind: "tanh_gaussian_mean", meanLimit: MEAN_LIMIT }
          : { kind: "categorical_argmax" },
      },
      shardable: config.gradients === "hand",
      step: (state, batch, context) => omigaStep(networks, state, batch, context.shard),
    };
  },
};
