/**
 * A plain-TypeScript, float64 reference of OMIGA's losses (docs/algorithms.md, "OMIGA"), written from
 * the equations without tensors, for checking the tensor code's values and gradients.
 *
 * @module
 */
import type { MultiAgentSpec } from "../../../core/dataset.ts";
import type { MlpLayout } from "../../../core/nn/dense.ts";
import type { OmigaLayouts } from "../../../core/algorithms/omiga.ts";
import type { TrainingBatch } from "../../../core/learn/sampler.ts";

type Vector = ArrayLike<number>;

/** y = x W + b with ReLU between layers, for one row `x`. */
export function mlp(layout: MlpLayout, params: Vector, x: Vector): number[] {
  let h = Array.from(x);
  layout.layers.forEach((layer, l) => {
    const out: number[] = [];
    for (let j = 0; j < layer.outputs; j++) {
      let sum = params[layer.biasOffset + j];
      for (let i = 0; i < layer.inputs; i++) {
        sum += h[i] * params[layer.weightOffset + i * layer.outputs + j];
      }
      out.push(l < layout.layers.length - 1 ? Math.max(sum, 0) : sum);
    }
    h = out;
  });
  return h;
}

const row = (values: Vector, index: number, width: number) =>
  Array.from({ length: width }, (_, k) => values[index * width + k]);

/** Mixer weights |w| and offset b for transition `t`, or 1 and 0 without a mixer. */
export function mixing(
  layouts: OmigaLayouts,
  critic: Vector,
  state: Vector,
  t: number,
  spec: MultiAgentSpec,
): { w: number[]; b: number } {
  const n = spec.nAgents;
  if (!layouts.mixer) return { w: Array(n).fill(1), b: 0 };
  const out = mlp(layouts.mixer, critic, row(state, t, n * spec.stateDim));
  return { w: out.slice(0, n).map(Math.abs), b: out[n] };
}

/** Q_i(o_i, a_i) for row r (continuous input, or the taken discrete action's output). */
function takenQ(
  layouts: OmigaLayouts,
  critic: Vector,
  batch: TrainingBatch,
  r: number,
  spec: MultiAgentSpec,
) {
  if (spec.actionKind === "continuous") {
    return mlp(
      layouts.q,
      critic,
      row(batch.obsActionWithId!, r, spec.obsDim + spec.actDim + spec.nAgents),
    )[0];
  }
  const out = mlp(layouts.q, critic, row(batch.obsWithId, r, spec.obsDim + spec.nAgents));
  return out[row(batch.actionOneHot!, r, spec.nActions!).indexOf(1)];
}

/** log pi(a_r | o_r) from the policy output, written from the densities directly. */
function logProb(out: number[], batch: TrainingBatch, r: number, spec: MultiAgentSpec): number {
  if (spec.actionKind === "discrete") {
    const a = row(batch.actionOneHot!, r, spec.nActions!).indexOf(1);
    const top = Math.max(...out);
    const logSum = top + Math.log(out.reduce((s, v) => s + Math.exp(v - top), 0));
    return out[a] - logSum;
  }
  const d = spec.actDim;
  let total = 0;
  for (let k = 0; k < d; k++) {
    const mean = Math.min(Math.max(out[k], -9), 9);
    const logStd = Math.min(Math.max(out[d + k], -5), 2);
    const std = Math.exp(logStd);
    const edge = Math.fround(1 - 1e-7);
    const a = Math.min(Math.max(batch.action![r * d + k], -edge), edge);
    const u = Math.atanh(a);
    const gaussian = -0.5 * ((u - mean) / std) ** 2 - logStd - 0.5 * Math.log(2 * Math.PI);
    total += gaussian - Math.log(1 - Math.tanh(u) ** 2);
  }
  return total;
}

/** Parameters of a reference evaluation. */
export interface ReferenceParameters {
  policy: Vector;
  critic: Vector;
  value: Vector;
  criticTarget: Vector;
  valueTarget: Vector;
}

/** The three losses; `fixedMax` holds m at a given value (it carries no gradient). */
export function referenceLosses(
  layouts: OmigaLayouts,
  spec: MultiAgentSpec,
  p: ReferenceParameters,
  batch: TrainingBatch,
  config: { gamma: number; alpha: number; algorithm: string },
  fixedMax?: number,
): { policy: number; q: number; v: number; m: number } {
  const n = spec.nAgents;
  const local = spec.obsDim + n;
  const { gamma, alpha } = config;
  let qLoss = 0;
  const z: number[] = [];
  const wTargetAll: number[] = [];
  const valueAll: number[] = [];
  const logProbAll: number[] = [];
  for (let t = 0; t < batch.batchSize; t++) {
    const live = mixing(layouts, p.critic, batch.state, t, spec);
    const next = mixing(layouts, p.criticTarget, batch.nextState, t, spec);
    const target = mixing(layouts, p.criticTarget, batch.state, t, spec);
    let qTotal = live.b;
    let nextTotal = next.b;
    for (let i = 0; i < n; i++) {
      const r = t * n + i;
      qTotal += live.w[i] * takenQ(layouts, p.critic, batch, r, spec);
      nextTotal += next.w[i] *
        mlp(layouts.value, p.valueTarget, row(batch.nextObsWithId, r, local))[0];
      const qTarget = takenQ(layouts, p.criticTarget, batch, r, spec);
      const value = mlp(layouts.value, p.value, row(batch.obsWithId, r, local))[0];
      const raw = (target.w[i] * qTarget - target.w[i] * value) / alpha;
      z.push(Math.min(Math.max(raw, -10), 10));
      wTargetAll.push(target.w[i]);
      valueAll.push(value);
      logProbAll.push(
        logProb(mlp(layouts.policy, p.policy, row(batch.obsWithId, r, local)), batch, r, spec),
      );
    }
    const y = batch.reward[t] + gamma * batch.mask[t] * nextTotal;
    qLoss += (qTotal - y) ** 2 / batch.batchSize;
  }
  const m = fixedMax ?? Math.max(Math.max(...z), -1);
  let vLoss = 0;
  let policyLoss = 0;
  for (let k = 0; k < z.length; k++) {
    vLoss += (Math.exp(z[k] - m) + Math.exp(-m) * wTargetAll[k] * valueAll[k] / alpha) / z.length;
    const weight = config.algorithm === "bc" ? 1 : Math.exp(z[k]);
    policyLoss -= weight * logProbAll[k] / z.length;
  }
  return { policy: policyLoss, q: qLoss, v: vLoss, m };
}
