/**
 * CQL-MA for discrete actions, as instadeepai/og-marl
 * `og_marl/baselines/tf2_systems/offline/qmix_cql.py` (QMIX+CQL) computes it, on single
 * transitions (docs/algorithms.md, "CQL-MA"): one Q network over all actions shared by the
 * agents, mixed by QMIX (`core/nn/qmix.ts`) into a double-Q TD target over available actions,
 * plus a CQL term over sampled joint actions; the targets are hard copies every
 * `targetUpdatePeriod` steps. The config and the definition are in `cql_ma.ts`.
 *
 * Shapes: B transitions, N agents, R = B N rows, n actions, K sampled joint actions.
 *
 * @module
 */
import { tf } from "../tf.ts";
import type { MultiAgentSpec } from "../dataset.ts";
import type { Kernels } from "../kernels/mod.ts";
import type { Rng } from "../rng.ts";
import { mlp, mlpForward, type MlpLayout, mlpLayout } from "../nn/dense.ts";
import { type QmixLayouts, qmixLayouts, qmixTotal, qmixTotals } from "../nn/qmix.ts";
import { tidyObject } from "../nn/tidy.ts";
import type { Model, StepContext, TrainingState } from "../learn/algorithm.ts";
import type { BatchTensors } from "../learn/batch_tensors.ts";
import { localInputWidth, perAgent, takenValue } from "../learn/shapes.ts";
import { applyGradients } from "../learn/update.ts";
import { type CqlMaConfig, resolvedSizes } from "./cql_ma.ts";

/** OG-MARL's fill for unavailable actions in the target's argmax. */
export const UNAVAILABLE_Q = -9999999;

// ---------------------------------------------------------------------------------------------
// Networks: [obs | id] -> h -> h -> n (OG-MARL: Linear, GRU, Linear; the GRU becomes a dense
// layer on transitions), then the QMIX mixer, in one flat vector with one optimiser.

/** The Q network and the mixer after it in the `critic` vector. */
export interface DiscreteCqlLayouts {
  q: MlpLayout;
  mixer: QmixLayouts;
}

/** The discrete layouts for data of shape `spec`. */
export function discreteCqlLayouts(spec: MultiAgentSpec, config: CqlMaConfig): DiscreteCqlLayouts {
  const h = resolvedSizes(spec, config).hiddenSize;
  const q = mlpLayout("q", [localInputWidth(spec), h, h, spec.nActions!]);
  const mixer = qmixLayouts(
    spec.nAgents,
    spec.nAgents * spec.stateDim,
    config.mixerEmbed,
    config.mixerHyperHidden,
    q.size,
  );
  return { q, mixer };
}

/**
 * Sonnet's `snt.Linear` initialisation: weights from a normal of std 1/sqrt(in) truncated at
 * two standard deviations (redrawn beyond), biases 0.
 */
export function sonnetInitialise(layouts: MlpLayout[]) {
  return (params: Float32Array, rng: Rng) => {
    for (const layout of layouts) {
      for (const layer of layout.layers) {
        const std = 1 / Math.sqrt(layer.inputs);
        for (let k = 0; k < layer.inputs * layer.outputs; k++) {
          let x = rng.normal();
          while (Math.abs(x) > 2) x = rng.normal();
          params[layer.weightOffset + k] = std * x;
        }
        params.fill(0, layer.biasOffset, layer.biasOffset + layer.outputs);
      }
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Losses, each a line of docs/algorithms.md ("CQL-MA", discrete).

/** a* = argmax over available actions (others filled with -9999999), one-hot [R, n]. */
export function greedyOneHot(q: tf.Tensor2D, avail: tf.Tensor2D): tf.Tensor2D {
  const masked = tf.where(tf.greater(avail, 0), q, tf.fill(q.shape, UNAVAILABLE_Q));
  return tf.oneHot(tf.argMax(masked, 1), q.shape[1]) as tf.Tensor2D;
}

/** y = r + gamma mask Q'_tot(s', Q'_i(o'_i, a*_i)), no gradient. All [B]. */
export function qmixTarget(
  reward: tf.Tensor1D,
  mask: tf.Tensor1D,
  nextTotal: tf.Tensor1D,
  gamma: number,
): tf.Tensor1D {
  return tf.add(reward, tf.mul(tf.mul(mask, gamma), nextTotal));
}

/** L_TD = 0.5 mean((y - Q_tot(s, a))^2). */
export function qmixTdLoss(total: tf.Tensor1D, y: tf.Tensor1D): tf.Scalar {
  return tf.mul(tf.mean(tf.square(tf.sub(y, total))), 0.5);
}

/**
 * L_CQL = mean_b(logsumexp([Q_tot(s, a^1..K) | Q_tot(s, a)])) - mean(Q_tot(s, a)), over the
 * K sampled joint actions' totals `sampledTotal` [B, K] and the data's `total` [B].
 */
export function sampledCqlLoss(sampledTotal: tf.Tensor2D, total: tf.Tensor1D): tf.Scalar {
  const all = tf.concat([sampledTotal, tf.expandDims(total, 1)], 1);
  return tf.sub(tf.mean(tf.logSumExp(all, 1)), tf.mean(total));
}

/**
 * K joint actions per transition for the CQL term, one-hot [K, R, n], from uniforms `u`
 * [K, R] in [0, 1) by inverse CDF. `reference`: categorical over logits avail / n_avail
 * (OG-MARL passes probabilities where tf.random.categorical takes logits), weights
 * exp(avail / n_avail); `available`: the floor(u n_avail)-th available action.
 */
export function sampleJointActions(
  avail: tf.Tensor2D,
  u: tf.Tensor2D,
  mode: "reference" | "available",
): tf.Tensor3D {
  const n = avail.shape[1];
  const count = tf.maximum(tf.sum(avail, 1), 1); // [R]
  if (mode === "available") {
    const cumulative = tf.cumsum(avail, 1); // integers: exact
    const j = tf.minimum(tf.floor(tf.mul(u, count)), tf.sub(count, 1)); // [K, R]
    const index = tf.sum(tf.cast(tf.lessEqual(cumulative, tf.expandDims(j, 2)), "float32"), 2);
    return tf.oneHot(tf.cast(index, "int32"), n) as tf.Tensor3D;
  }
  const weights = tf.exp(tf.div(avail, tf.expandDims(count, 1)));
  const cumulative = tf.cumsum(weights, 1); // [R, n]
  const v = tf.mul(u, tf.slice(cumulative, [0, n - 1], [-1, 1]).reshape([-1])); // [K, R]
  const below = tf.sum(tf.cast(tf.lessEqual(cumulative, tf.expandDims(v, 2)), "float32"), 2);
  return tf.oneHot(tf.cast(tf.minimum(below, n - 1), "int32"), n) as tf.Tensor3D;
}

// ---------------------------------------------------------------------------------------------
// The step.

/** QMIX+CQL built for one data shape. */
export class DiscreteCqlNetworks {
  readonly sizes: ReturnType<typeof resolvedSizes>;
  constructor(
    readonly spec: MultiAgentSpec,
    readonly config: CqlMaConfig,
    readonly layouts: DiscreteCqlLayouts,
    readonly kernels: Kernels,
  ) {
    this.sizes = resolvedSizes(spec, config);
  }

  /** Double Q: a* from the live Q at o', valued by the target Q and target mixer at s'. */
  target(state: TrainingState, batch: BatchTensors): tf.Tensor1D {
    return tf.tidy(() => {
      const { kernels, layouts, spec } = this;
      const online = mlpForward(kernels, layouts.q, batch.nextObsWithId, state.live.critic);
      const best = greedyOneHot(online, batch.nextAvail!);
      const next = mlpForward(kernels, layouts.q, batch.nextObsWithId, state.target.critic);
      const chosen = perAgent(tf.sum(tf.mul(next, best), 1), batch, spec);
      const nextTotal = qmixTotal(
        kernels,
        layouts.mixer,
        batch.nextState,
        chosen,
        state.target.critic,
      );
      return qmixTarget(batch.reward, batch.mask, nextTotal, this.config.gamma);
    });
  }

  /** The TD loss and the CQL term (times its weight) at `critic`; `sampled` [K, R, n]. */
  losses(critic: tf.Tensor1D, y: tf.Tensor1D, sampled: tf.Tensor3D, batch: BatchTensors) {
    const { kernels, layouts, spec, sizes } = this;
    const [b, n, k] = [batch.batchSize, spec.nAgents, sampled.shape[0]];
    const q = mlp(kernels, layouts.q, batch.obsWithId, critic, true); // [R, actions]
    const taken = tf.reshape(takenValue(q, batch, spec), [b, 1, n]);
    const drawn = tf.sum(tf.mul(tf.expandDims(q, 0), sampled), 2); // [K, R]
    const joint = tf.transpose(tf.reshape(drawn, [k, b, n]), [1, 0, 2]); // [B, K, N]
    const totals = qmixTotals(
      kernels,
      layouts.mixer,
      batch.state,
      tf.concat([taken, joint], 1) as tf.Tensor3D,
      critic,
    );
    const [total, sampledTotal] = tf.split(totals, [1, k], 1) as [tf.Tensor2D, tf.Tensor2D];
    return {
      td: qmixTdLoss(tf.reshape(total, [b]), y),
      cql: tf.mul(
        sampledCqlLoss(sampledTotal, tf.reshape(total, [b])),
        sizes.cqlWeight,
      ) as tf.Scalar,
    };
  }
}
/** One step: the target, the sampled joint actions, one Adam step, the periodic hard copy. */
export function discreteStep(
  networks: DiscreteCqlNetworks,
  state: TrainingState,
  batch: BatchTensors,
  context: StepContext,
) {
  return tidyObject(() => {
    const { config, kernels, spec, sizes } = networks;
    const rows = batch.batchSize * spec.nAgents;
    const k = sizes.cqlSamples;
    const u = tf.tensor2d(context.rng.fillUniform(new Float32Array(k * rows)) as Float32Array, [
      k,
      rows,
    ]);
    const sampled = sampleJointActions(batch.avail!, u, config.oodSampling);
    const y = networks.target(state, batch);
    const pass = tf.valueAndGrads((critic: tf.Tensor) => {
      const { td, cql } = networks.losses(critic as tf.Tensor1D, y, sampled, batch);
      return tf.stack([tf.add(td, cql), td, cql]);
    })([state.live.critic], tf.tensor1d([1, 0, 0]));
    const next = applyGradients(kernels, state, [
      ["critic", pass.grads[0] as tf.Tensor1D, config.qLr],
    ], config);
    // OG-MARL copies after the update of steps 0, period, 2 period, ...
    const copy = context.iteration % config.targetUpdatePeriod === 0;
    return {
      state: copy ? { ...next, target: { critic: tf.clone(next.live.critic) } } : next,
      losses: tf.slice(pass.value, [1], [2]) as tf.Tensor1D,
    };
  });
}

/** The discrete model: one `critic` group (Q then mixer), its Q head the exported policy. */
export function discreteCqlModel(
  spec: MultiAgentSpec,
  config: CqlMaConfig,
  kernels: Kernels,
): Model {
  const layouts = discreteCqlLayouts(spec, config);
  const networks = new DiscreteCqlNetworks(spec, config, layouts, kernels);
  const { mixer } = layouts;
  const all = [layouts.q, mixer.hyperW1, mixer.hyperB1, mixer.hyperWFinal, mixer.value];
  return {
    groups: [{
      name: "critic",
      layouts: all,
      size: layouts.q.size + mixer.size,
      target: true,
      learningRate: config.qLr,
      initialise: sonnetInitialise(all),
    }],
    lossNames: ["q", "cql"],
    policy: { group: "critic", layout: layouts.q, output: { kind: "categorical_argmax" } },
    step: (state, batch, context) => discreteStep(networks, state, batch, context),
  };
}
