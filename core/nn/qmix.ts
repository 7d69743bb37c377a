/**
 * The QMIX mixer (Rashid et al. 2018, as OG-MARL's `QMixer` builds it; docs/algorithms.md,
 * "QMIX mixer"), shared by the discrete baselines: hypernetworks of the global state s give
 * non-negative weights, so Q_tot is monotonic in every agent's Q_i:
 *
 *   W1 = |hyperW1(s)| [N, E],  b1 = hyperB1(s) [E],  h = elu(q W1 + b1) [E]
 *   wFinal = |hyperWFinal(s)| [E],  Q_tot = h . wFinal + V(s)
 *
 * with hyperW1 = Linear(hyper) -> ReLU -> Linear(N E), hyperWFinal = Linear(hyper) -> ReLU ->
 * Linear(E), hyperB1 = Linear(E), V = Linear(E) -> ReLU -> Linear(1). Its four networks sit in
 * one flat vector (from `offset`), next to the agents' Q network, so that one optimiser and one
 * soft-updated target serve both. {@link qmixTotal} is differentiable (`tf.grads`) with respect
 * to the vector and to the per-agent values.
 *
 * @module
 */
import { tf } from "../tf.ts";
import type { Kernels } from "../kernels/mod.ts";
import { mlp, type MlpLayout, mlpLayout } from "./dense.ts";

/** The mixer's networks. */
export interface QmixLayouts {
  hyperW1: MlpLayout;
  hyperB1: MlpLayout;
  hyperWFinal: MlpLayout;
  value: MlpLayout;
  /** Embedding width E. */
  embed: number;
  nAgents: number;
  /** Values in all four, from the first's offset. */
  size: number;
}

/**
 * The layouts for `nAgents` agents and a global state of `stateWidth` values, placed from
 * `offset` (OG-MARL's defaults: embed 32, hypernetwork hidden 64).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { qmixLayouts } from "./qmix.ts";
 * const layouts = qmixLayouts(3, 4, 32, 64, 100);
 * assert.equal(layouts.hyperW1.offset, 100);
 * assert.equal(layouts.value.offset + layouts.value.size, 100 + layouts.size);
 * ```
 */
export function qmixLayouts(
  nAgents: number,
  stateWidth: number,
  embed = 32,
  hyperHidden = 64,
  offset = 0,
): QmixLayouts {
  const hyperW1 = mlpLayout("qmix.hyper_w1", [stateWidth, hyperHidden, nAgents * embed], offset);
  const hyperB1 = mlpLayout("qmix.hyper_b1", [stateWidth, embed], hyperW1.offset + hyperW1.size);
  const hyperWFinal = mlpLayout(
    "qmix.hyper_w_final",
    [stateWidth, hyperHidden, embed],
    hyperB1.offset + hyperB1.size,
  );
  const value = mlpLayout("qmix.v", [stateWidth, embed, 1], hyperWFinal.offset + hyperWFinal.size);
  return {
    hyperW1,
    hyperB1,
    hyperWFinal,
    value,
    embed,
    nAgents,
    size: value.offset + value.size - offset,
  };
}

/**
 * Q_tot(s, q) [B, M] for M sets of per-agent values per state, `q` [B, M, N] (the data's and
 * sampled joint actions' Q_i at once), at the global states `state` [B, S], with the mixer's
 * parameters in `params` (the whole flat vector the layouts sit in). The hypernetworks run once
 * per state.
 */
export function qmixTotals(
  kernels: Kernels,
  layouts: QmixLayouts,
  state: tf.Tensor2D,
  q: tf.Tensor3D,
  params: tf.Tensor1D,
): tf.Tensor2D {
  const [rows, m] = q.shape;
  const { embed, nAgents } = layouts;
  const hyper = (layout: MlpLayout) => mlp(kernels, layout, state, params, true);
  const w1 = tf.reshape(tf.abs(hyper(layouts.hyperW1)), [rows, nAgents, embed]);
  const b1 = tf.reshape(hyper(layouts.hyperB1), [rows, 1, embed]);
  const hidden = tf.elu(tf.add(tf.matMul(q, w1), b1)); // [B, M, E]
  const wFinal = tf.abs(hyper(layouts.hyperWFinal)); // [B, E]
  const value = hyper(layouts.value); // [B, 1]
  return tf.add(tf.reshape(tf.matMul(hidden, tf.expandDims(wFinal, 2)), [rows, m]), value);
}

/** Q_tot(s, q) [B] for one set of per-agent values `q` [B, N] per state. */
export function qmixTotal(
  kernels: Kernels,
  layouts: QmixLayouts,
  state: tf.Tensor2D,
  q: tf.Tensor2D,
  params: tf.Tensor1D,
): tf.Tensor1D {
  const rows = state.shape[0];
  const totals = qmixTotals(
    kernels,
    layouts,
    state,
    tf.reshape(q, [rows, 1, layouts.nAgents]),
    params,
  );
  return tf.reshape(totals, [rows]);
}
