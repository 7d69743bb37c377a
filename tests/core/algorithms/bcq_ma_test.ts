/**
 * BCQ-MA: every loss and target against a float64 re-derivation written here from the
 * formulas of docs/algorithms.md ("BCQ-MA"), the gradients against its central differences
 * (with fixtures where each clamp, clip and mask is active), and the learner, checkpoint and
 * policy-export round trips for both action kinds.
 */
import { assert, assertClose, assertEquals } from "../../assert.ts";
import { selectBackend } from "../../../core/backend/mod.ts";
import { tf } from "../../../core/tf.ts";
import type { MultiAgentSpec } from "../../../core/dataset.ts";
import { Rng } from "../../../core/rng.ts";
import { kernelsFor } from "../../../core/kernels/mod.ts";
import { decodeSafetensors } from "../../../core/checkpoint/mod.ts";
import { Learner } from "../../../core/learn/learner.ts";
import { parseTrainConfig } from "../../../core/learn/config.ts";
import { syntheticTransitions } from "../../../core/learn/synthetic.ts";
import type { BatchTensors } from "../../../core/learn/batch_tensors.ts";
import { exportPolicyHead, loadPolicy } from "../../../core/learn/policy_export.ts";
import { algorithmOf } from "../../../core/algorithms/mod.ts";
import {
  type BcqConfig,
  BcqContinuous,
  bcqContinuousLayouts,
  BcqDiscrete,
  bcqDiscreteLayouts,
  drawNoise,
  repeatRows,
  rowsOf,
} from "../../../core/algorithms/bcq_ma.ts";

await selectBackend({ backend: "cpu" });

// ---------------------------------------------------------------------------------------------
// A float64 re-derivation: dense layers over flat vectors (weight [in, out] row-major, then
// bias, ReLU between layers), and each loss from its formula.

type Values = ArrayLike<number>;

function sizeOf(widths: number[]): number {
  let size = 0;
  for (let l = 0; l + 1 < widths.length; l++) size += widths[l] * widths[l + 1] + widths[l + 1];
  return size;
}

function mlpJs(params: Values, offset: number, widths: number[], x: number[]): number[] {
  let h = x;
  let at = offset;
  for (let l = 0; l + 1 < widths.length; l++) {
    const [inputs, outputs] = [widths[l], widths[l + 1]];
    const out: number[] = [];
    for (let j = 0; j < outputs; j++) {
      let sum = params[at + inputs * outputs + j];
      for (let i = 0; i < inputs; i++) sum += h[i] * params[at + i * outputs + j];
      out.push(l + 2 < widths.length ? Math.max(sum, 0) : sum);
    }
    at += inputs * outputs + outputs;
    h = out;
  }
  return h;
}

const clip = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const softmaxJs = (logits: number[]) => {
  const top = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - top));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
};
const withId = (obs: number[], agent: number, n: number) => [
  ...obs,
  ...Array.from({ length: n }, (_, i) => (i === agent ? 1 : 0)),
];

/** Central differences of `loss` at `params`, in float64. */
function numericGradient(params: Float64Array, loss: () => number, epsilon = 1e-6): number[] {
  return Array.from(params, (_, k) => {
    const saved = params[k];
    params[k] = saved + epsilon;
    const up = loss();
    params[k] = saved - epsilon;
    const down = loss();
    params[k] = saved;
    return (up - down) / (2 * epsilon);
  });
}

async function assertGradient(
  analytic: tf.Tensor,
  numeric: number[],
  what: string,
  tolerance = 1e-3,
): Promise<void> {
  const values = await analytic.data();
  assertEquals(values.length, numeric.length, `${what}: gradient size`);
  const scale = Math.max(...numeric.map(Math.abs));
  assert(scale > 1e-4, `${what}: the gradient should not vanish on this fixture`);
  numeric.forEach((value, k) =>
    assertClose(values[k], value, tolerance * scale, `${what}[${k}] (scale ${scale})`)
  );
}

const read = (t: tf.Tensor) => Array.from(t.dataSync());

// ---------------------------------------------------------------------------------------------
// Continuous fixture: hand-set shapes, seeded values, biases pushed into the clamps' regions.

const continuousSpec: MultiAgentSpec = {
  nAgents: 2,
  obsDim: 2,
  stateDim: 1,
  actionKind: "continuous",
  actDim: 1,
};

interface ContinuousFixture {
  config: BcqConfig;
  widths: { encoder: number[]; decoder: number[]; actor: number[]; q: number[] };
  rows: number;
  x: number[][];
  xNext: number[][];
  action: number[][];
  reward: number[];
  mask: number[];
  eps: number[][];
  targetLatent: number[][];
  actorLatent: number[][];
  params: Record<"vae" | "actor" | "critic" | "actorTarget" | "criticTarget", Float64Array>;
}

function continuousFixture(batchSize: number, hidden: number, vaeHidden: number, seed: number) {
  const spec = continuousSpec;
  // phi 0.5: perturbations large enough that clip(d + p, -1, 1) cuts some candidates.
  const config = parseTrainConfig({
    algorithm: "bcq-ma",
    hiddenSize: hidden,
    vaeHiddenSize: vaeHidden,
    phi: 0.5,
    targetSamples: 3,
  }) as unknown as BcqConfig;
  const rng = Rng.fromSeed(seed);
  const X = spec.obsDim + spec.nAgents;
  const A = spec.actDim;
  const L = 2 * A;
  const h2 = Math.round((3 * hidden) / 4);
  const widths = {
    encoder: [X + A, vaeHidden, vaeHidden, 2 * L],
    decoder: [X + L, vaeHidden, vaeHidden, A],
    actor: [X + A, hidden, h2, A],
    q: [X + A, hidden, h2, 1],
  };
  const rows = batchSize * spec.nAgents;
  const normal = () => rng.normal();
  const obsRows = () =>
    Array.from(
      { length: rows },
      (_, r) => withId(Array.from({ length: spec.obsDim }, normal), r % spec.nAgents, spec.nAgents),
    );
  const uniform = (n: number, scale: number) =>
    Float64Array.from({ length: n }, () => scale * (2 * rng.float() - 1));
  const vae = uniform(sizeOf(widths.encoder) + sizeOf(widths.decoder), 0.6);
  // Encoder log-std biases: the first latent dim far below -4 (clamped), the second inside.
  const encoderLastBias = sizeOf(widths.encoder) - 2 * L;
  vae[encoderLastBias + L] = -6;
  vae[encoderLastBias + L + 1] = 0.3;
  // Decoder output bias: decoded actions near +1, where the perturbation clip bites.
  vae[sizeOf(widths.encoder) + sizeOf(widths.decoder) - 1] = 1.5;
  const actor = uniform(sizeOf(widths.actor), 0.8);
  const critic = uniform(2 * sizeOf(widths.q), 0.8);
  return {
    config,
    widths,
    rows,
    x: obsRows(),
    xNext: obsRows(),
    action: Array.from({ length: rows }, () => [clip(0.7 * normal(), -0.99, 0.99)]),
    reward: Array.from({ length: batchSize }, normal),
    mask: Array.from({ length: batchSize }, (_, b) => (b === 0 ? 0 : 1)),
    eps: Array.from({ length: rows }, () => [normal(), normal()]),
    // Latents as drawn: clipped to +-0.5.
    targetLatent: Array.from(
      { length: rows * config.targetSamples },
      () => [clip(normal(), -0.5, 0.5), clip(normal(), -0.5, 0.5)],
    ),
    actorLatent: Array.from({ length: rows }, () => [clip(normal(), -0.5, 0.5), normal() * 0.3]),
    params: {
      vae,
      actor,
      critic,
      actorTarget: actor.map((v) => v + 0.05 * normal()),
      criticTarget: critic.map((v) => v + 0.05 * normal()),
    },
  } satisfies ContinuousFixture;
}

function continuousBatch(f: ContinuousFixture): BatchTensors {
  const rows = f.rows;
  const b = f.reward.length;
  const obsWithId = tf.tensor2d(f.x.flat(), [rows, f.x[0].length]);
  return {
    batchSize: b,
    obsWithId,
    nextObsWithId: tf.tensor2d(f.xNext.flat(), [rows, f.x[0].length]),
    qInput: obsWithId, // not read by BCQ
    action: tf.tensor2d(f.action.flat(), [rows, 1]),
    state: tf.zeros([b, 2]),
    nextState: tf.zeros([b, 2]),
    reward: tf.tensor1d(f.reward),
    mask: tf.tensor1d(f.mask),
  };
}

const t2 = (values: number[][]) => tf.tensor2d(values.flat(), [values.length, values[0].length]);
const t1 = (values: Values) => tf.tensor1d(Float32Array.from(values));

function continuousNetworks(f: ContinuousFixture) {
  const kernels = kernelsFor();
  const layouts = bcqContinuousLayouts(continuousSpec, f.config);
  return new BcqContinuous(continuousSpec, f.config, layouts, kernels);
}

// The continuous formulas (docs/algorithms.md, "BCQ-MA"), per row.
const decodeJs = (f: ContinuousFixture, vae: Values, x: number[], z: number[]) =>
  mlpJs(vae, sizeOf(f.widths.encoder), f.widths.decoder, [...x, ...z]).map(Math.tanh);
const perturbJs = (f: ContinuousFixture, actor: Values, x: number[], a: number[]) => {
  const out = mlpJs(actor, 0, f.widths.actor, [...x, ...a]);
  return a.map((v, k) => clip(v + f.config.phi * Math.tanh(out[k]), -1, 1));
};
const qJs = (f: ContinuousFixture, critic: Values, x: number[], a: number[], second = false) =>
  mlpJs(critic, second ? sizeOf(f.widths.q) : 0, f.widths.q, [...x, ...a])[0];

function vaeLossJs(f: ContinuousFixture, vae: Values): number {
  const L = 2;
  const reconstruction: number[] = [];
  const kl: number[] = [];
  f.x.forEach((x, r) => {
    const encoded = mlpJs(vae, 0, f.widths.encoder, [...x, ...f.action[r]]);
    const mu = encoded.slice(0, L);
    const std = encoded.slice(L).map((v) => Math.exp(clip(v, -4, 15)));
    const z = mu.map((m, k) => m + std[k] * f.eps[r][k]);
    decodeJs(f, vae, x, z).forEach((d, k) => reconstruction.push((d - f.action[r][k]) ** 2));
    mu.forEach((m, k) => kl.push(1 + Math.log(std[k] ** 2) - m ** 2 - std[k] ** 2));
  });
  return mean(reconstruction) + 0.5 * (-0.5 * mean(kl));
}

function criticTargetJs(f: ContinuousFixture): number[] {
  const { vae, actorTarget, criticTarget } = f.params;
  const n = f.config.targetSamples;
  const lambda = f.config.lambda;
  return f.xNext.map((x, r) => {
    let best = -Infinity;
    for (let k = 0; k < n; k++) {
      const action = perturbJs(f, actorTarget, x, decodeJs(f, vae, x, f.targetLatent[r * n + k]));
      const [a, b] = [qJs(f, criticTarget, x, action), qJs(f, criticTarget, x, action, true)];
      best = Math.max(best, lambda * Math.min(a, b) + (1 - lambda) * Math.max(a, b));
    }
    const t = Math.floor(r / continuousSpec.nAgents);
    return f.reward[t] + f.config.gamma * f.mask[t] * best;
  });
}

function criticLossJs(f: ContinuousFixture, critic: Values, y: number[]): number {
  const q1 = f.x.map((x, r) => (qJs(f, critic, x, f.action[r]) - y[r]) ** 2);
  const q2 = f.x.map((x, r) => (qJs(f, critic, x, f.action[r], true) - y[r]) ** 2);
  return mean(q1) + mean(q2);
}

function actorLossJs(f: ContinuousFixture, actor: Values, vae: Values, critic: Values): number {
  return -mean(f.x.map((x, r) => {
    const action = perturbJs(f, actor, x, decodeJs(f, vae, x, f.actorLatent[r]));
    return qJs(f, critic, x, action);
  }));
}

// ---------------------------------------------------------------------------------------------
// 1. Losses and targets on a tiny batch: two transitions, two agents.

Deno.test("continuous: the VAE loss, critic target, critic loss and actor loss match their formulas", () => {
  const f = continuousFixture(2, 2, 3, 4);
  const networks = continuousNetworks(f);
  const batch = continuousBatch(f);
  const p = f.params;
  const vae = networks.vaeLossOf(t1(p.vae), batch, t2(f.eps));
  assertClose(read(vae)[0], vaeLossJs(f, p.vae), 1e-5, "L_VAE");
  const y = networks.criticTargetOf(
    t1(p.vae),
    t1(p.actorTarget),
    t1(p.criticTarget),
    batch,
    t2(f.targetLatent),
  );
  const yJs = criticTargetJs(f);
  read(y).forEach((value, r) => assertClose(value, yJs[r], 1e-5, `y[${r}]`));
  assertClose(yJs[0], f.reward[0], 0, "a terminal transition's agents get y = r");
  const critic = networks.criticLossOf(t1(p.critic), batch, tf.tensor1d(yJs));
  assertClose(read(critic)[0], criticLossJs(f, p.critic, yJs), 1e-5, "L_critic");
  const actor = networks.actorLossOf(
    t1(p.actor),
    t1(p.vae),
    t1(p.critic),
    batch,
    t2(f.actorLatent),
  );
  assertClose(read(actor)[0], actorLossJs(f, p.actor, p.vae, p.critic), 1e-5, "L_actor");
});

Deno.test("continuous: rows repeat consecutively, rewards spread to each agent, noise is drawn in order", () => {
  const x = tf.tensor2d([[1, 2], [3, 4]]);
  assertEquals(read(repeatRows(x, 3)), [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4]);
  assertEquals(read(rowsOf(tf.tensor1d([5, 7]), 3)), [5, 5, 5, 7, 7, 7]);
  const noise = drawNoise(Rng.fromSeed(3), 2, 2, 3);
  const replay = Rng.fromSeed(3);
  const draws = (n: number) => Array.from({ length: n }, () => replay.normal());
  const close = (actual: number[], expected: number[], what: string) =>
    expected.forEach((v, i) => assertClose(actual[i], v, 1e-6, `${what}[${i}]`));
  close(read(noise.eps), draws(4), "eps (not clipped)");
  const target = draws(12).map((v) => clip(v, -0.5, 0.5));
  close(read(noise.targetLatent), target, "target latents");
  close(read(noise.actorLatent), draws(4).map((v) => clip(v, -0.5, 0.5)), "actor latents");
  assertEquals(noise.targetLatent.shape, [6, 2]);
  assert(target.some((v) => Math.abs(v) === 0.5), "some target latents were clipped");
});

// ---------------------------------------------------------------------------------------------
// 2. Gradients against central differences, with the clamps active.

async function checkContinuousGradients(backend: "cpu" | "wasm") {
  await selectBackend({ backend });
  const f = continuousFixture(3, 4, 5, 11);
  const networks = continuousNetworks(f);
  const batch = continuousBatch(f);
  const p = f.params;
  // The fixture reaches every clamp: clamped log-stds, and clipped and free perturbed actions.
  const logStds = f.x.flatMap((x, r) =>
    mlpJs(p.vae, 0, f.widths.encoder, [...x, ...f.action[r]]).slice(2)
  );
  assert(logStds.some((v) => v < -4) && logStds.some((v) => v > -4), "log-std clamp active");
  const raw = f.x.map((x, r) => {
    const d = decodeJs(f, p.vae, x, f.actorLatent[r]);
    const out = mlpJs(p.actor, 0, f.widths.actor, [...x, ...d]);
    return d[0] + f.config.phi * Math.tanh(out[0]);
  });
  assert(raw.some((v) => Math.abs(v) > 1) && raw.some((v) => Math.abs(v) < 1), "clip active");
  const grad = (loss: (v: tf.Tensor1D) => tf.Scalar, at: Float64Array) =>
    tf.grads((v: tf.Tensor) => loss(v as tf.Tensor1D))([t1(at)])[0];
  const y = criticTargetJs(f);
  const cases: [string, tf.Tensor, number[]][] = [
    [
      "dL_VAE/dvae",
      grad((v) => networks.vaeLossOf(v, batch, t2(f.eps)), p.vae),
      numericGradient(p.vae, () => vaeLossJs(f, p.vae)),
    ],
    [
      "dL_critic/dcritic",
      grad((v) => networks.criticLossOf(v, batch, tf.tensor1d(y)), p.critic),
      numericGradient(p.critic, () => criticLossJs(f, p.critic, y)),
    ],
    [
      "dL_actor/dactor",
      grad(
        (v) => networks.actorLossOf(v, t1(p.vae), t1(p.critic), batch, t2(f.actorLatent)),
        p.actor,
      ),
      numericGradient(p.actor, () => actorLossJs(f, p.actor, p.vae, p.critic)),
    ],
  ];
  for (const [what, analytic, numeric] of cases) {
    await assertGradient(analytic, numeric, `${backend} ${what}`);
  }
  await selectBackend({ backend: "cpu" });
}

Deno.test("continuous: the gradients match central differences (cpu)", () =>
  checkContinuousGradients("cpu"));
Deno.test("continuous: the gradients match central differences (wasm)", () =>
  checkContinuousGradients("wasm"));

// ---------------------------------------------------------------------------------------------
// Discrete fixture: a BC network saturated on some rows (its probability clamp and the BCQ
// mask both bite there) and actions unavailable at random.

const discreteSpec: MultiAgentSpec = {
  nAgents: 2,
  obsDim: 2,
  stateDim: 2,
  actionKind: "discrete",
  actDim: 1,
  nActions: 4,
};

interface DiscreteFixture {
  config: BcqConfig;
  widths: { q: number[]; bc: number[] };
  mixer: { embed: number; hidden: number; stateWidth: number };
  x: number[][];
  xNext: number[][];
  action: number[];
  avail: number[][];
  nextAvail: number[][];
  state: number[][];
  nextState: number[][];
  reward: number[];
  mask: number[];
  params: Record<"critic" | "criticTarget" | "bc", Float64Array>;
}

function mixerSize(m: DiscreteFixture["mixer"], nAgents: number): number {
  const { stateWidth: s, hidden: h, embed: e } = m;
  return sizeOf([s, h, nAgents * e]) + sizeOf([s, e]) + sizeOf([s, h, e]) + sizeOf([s, e, 1]);
}

function discreteFixture(batchSize: number, hidden: number, seed: number): DiscreteFixture {
  const spec = discreteSpec;
  const config = parseTrainConfig({
    algorithm: "bcq-ma",
    hiddenSize: hidden,
    mixerEmbed: 2,
    mixerHiddenSize: 3,
  }) as unknown as BcqConfig;
  const rng = Rng.fromSeed(seed);
  const n = spec.nAgents;
  const X = spec.obsDim + n;
  const nActions = spec.nActions!;
  const widths = { q: [X, hidden, hidden, nActions], bc: [X, hidden, hidden, nActions] };
  const mixer = { embed: 2, hidden: 3, stateWidth: n * spec.stateDim };
  const rows = batchSize * n;
  const normal = () => rng.normal();
  const obsRows = () =>
    Array.from(
      { length: rows },
      (_, r) => withId(Array.from({ length: spec.obsDim }, normal), r % n, n),
    );
  const availRows = () =>
    Array.from({ length: rows }, () => {
      const keep = rng.int(0, nActions - 1);
      return Array.from({ length: nActions }, (_, a) => (a === keep || rng.float() < 0.6 ? 1 : 0));
    });
  const uniform = (size: number, scale: number) =>
    Float64Array.from({ length: size }, () => scale * (2 * rng.float() - 1));
  const critic = uniform(sizeOf(widths.q) + mixerSize(mixer, n), 0.8);
  const bc = uniform(sizeOf(widths.bc), 0.8);
  // obs[0] -> hidden unit 0 -> logit of action 0, both strong: rows with obs[0] > 0 put almost
  // all probability on action 0.
  bc[0] = 8;
  bc[X * hidden + hidden + hidden * hidden + hidden] = 8;
  const avail = availRows();
  return {
    config,
    widths,
    mixer,
    x: obsRows(),
    xNext: obsRows(),
    action: avail.map((row) => {
      const options = row.flatMap((v, a) => (v ? [a] : []));
      return options[rng.int(0, options.length - 1)];
    }),
    avail,
    nextAvail: availRows(),
    state: Array.from(
      { length: batchSize },
      () => Array.from({ length: mixer.stateWidth }, normal),
    ),
    nextState: Array.from(
      { length: batchSize },
      () => Array.from({ length: mixer.stateWidth }, normal),
    ),
    reward: Array.from({ length: batchSize }, normal),
    mask: Array.from({ length: batchSize }, (_, b) => (b === 0 ? 0 : 1)),
    params: { critic, criticTarget: critic.map((v) => v + 0.1 * normal()), bc },
  };
}

function discreteBatch(f: DiscreteFixture): BatchTensors {
  const rows = f.x.length;
  const nActions = discreteSpec.nActions!;
  const obsWithId = t2(f.x);
  return {
    batchSize: f.reward.length,
    obsWithId,
    nextObsWithId: t2(f.xNext),
    qInput: obsWithId,
    actionOneHot: tf.oneHot(tf.tensor1d(f.action, "int32"), nActions).toFloat() as tf.Tensor2D,
    avail: tf.tensor2d(f.avail.flat(), [rows, nActions]),
    nextAvail: tf.tensor2d(f.nextAvail.flat(), [rows, nActions]),
    state: t2(f.state),
    nextState: t2(f.nextState),
    reward: tf.tensor1d(f.reward),
    mask: tf.tensor1d(f.mask),
  };
}

function discreteNetworks(f: DiscreteFixture) {
  const layouts = bcqDiscreteLayouts(discreteSpec, f.config);
  return new BcqDiscrete(discreteSpec, f.config, layouts, kernelsFor());
}

/** QMIX: W1 = |hyperW1(s)| [N, E], h = elu(q W1 + b1(s)), Q_tot = h . |hyperWFinal(s)| + V(s). */
function qmixJs(f: DiscreteFixture, params: Values, s: number[], q: number[]): number {
  const n = discreteSpec.nAgents;
  const { stateWidth, hidden, embed } = f.mixer;
  let at = sizeOf(f.widths.q);
  const next = (widths: number[]) => {
    const out = mlpJs(params, at, widths, s);
    at += sizeOf(widths);
    return out;
  };
  const w1 = next([stateWidth, hidden, n * embed]).map(Math.abs);
  const b1 = next([stateWidth, embed]);
  const wFinal = next([stateWidth, hidden, embed]).map(Math.abs);
  let total = next([stateWidth, embed, 1])[0];
  for (let e = 0; e < embed; e++) {
    let pre = b1[e];
    for (let i = 0; i < n; i++) pre += q[i] * w1[i * embed + e];
    total += (pre > 0 ? pre : Math.exp(pre) - 1) * wFinal[e];
  }
  return total;
}

/** The BC mask per row at the next step: mp = p avail / sum; allowed when mp / max mp >= 0.4. */
function allowedJs(f: DiscreteFixture, bc: Values, r: number): boolean[] {
  const probs = softmaxJs(mlpJs(bc, 0, f.widths.bc, f.xNext[r]));
  const masked = probs.map((p, a) => p * f.nextAvail[r][a]);
  const total = masked.reduce((a, b) => a + b, 0);
  const normalised = masked.map((v) => v / total);
  const top = Math.max(...normalised);
  return normalised.map((v) => v / top >= f.config.bcThreshold);
}

const argmax = (values: number[]) => values.indexOf(Math.max(...values));

function discreteTargetJs(f: DiscreteFixture): number[] {
  const { critic, criticTarget, bc } = f.params;
  const n = discreteSpec.nAgents;
  const values = f.xNext.map((x, r) => {
    const allowed = allowedJs(f, bc, r);
    const online = mlpJs(critic, 0, f.widths.q, x).map((q, a) => (allowed[a] ? q : -999999));
    return mlpJs(criticTarget, 0, f.widths.q, x)[argmax(online)];
  });
  return f.reward.map((r, b) =>
    r +
    f.config.gamma * f.mask[b] *
      qmixJs(f, criticTarget, f.nextState[b], values.slice(b * n, b * n + n))
  );
}

function tdLossJs(f: DiscreteFixture, critic: Values, y: number[]): number {
  const n = discreteSpec.nAgents;
  const taken = f.x.map((x, r) => mlpJs(critic, 0, f.widths.q, x)[f.action[r]]);
  return 0.5 *
    mean(y.map((v, b) => (v - qmixJs(f, critic, f.state[b], taken.slice(b * n, b * n + n))) ** 2));
}

function bcLossJs(f: DiscreteFixture, bc: Values): number {
  return -mean(
    f.x.map((x, r) =>
      Math.log(clip(softmaxJs(mlpJs(bc, 0, f.widths.bc, x))[f.action[r]], 1e-7, 1 - 1e-7))
    ),
  );
}

Deno.test("discrete: the BCQ-masked QMIX target, the TD loss and the BC loss match their formulas", () => {
  const f = discreteFixture(3, 3, 1);
  const networks = discreteNetworks(f);
  const batch = discreteBatch(f);
  const { critic, criticTarget, bc } = f.params;
  // The mask matters: somewhere the online Q's favourite available action is not allowed.
  const masked = f.xNext.some((x, r) => {
    const allowed = allowedJs(f, bc, r);
    const online = mlpJs(critic, 0, f.widths.q, x).map((
      q,
      a,
    ) => (f.nextAvail[r][a] ? q : -Infinity));
    return !allowed[argmax(online)];
  });
  assert(masked, "the BC mask should change some row's argmax");
  const y = networks.targetOf(t1(critic), t1(criticTarget), t1(bc), batch);
  const yJs = discreteTargetJs(f);
  read(y).forEach((value, b) => assertClose(value, yJs[b], 1e-5, `y[${b}]`));
  const td = networks.tdLossOf(t1(critic), batch, tf.tensor1d(yJs));
  assertClose(read(td)[0], tdLossJs(f, critic, yJs), 1e-5, "L_td");
  assertClose(read(networks.bcLossOf(t1(bc), batch))[0], bcLossJs(f, bc), 1e-5, "L_bc");
});

async function checkDiscreteGradients(backend: "cpu" | "wasm") {
  await selectBackend({ backend });
  const f = discreteFixture(4, 4, 8);
  const networks = discreteNetworks(f);
  const batch = discreteBatch(f);
  const { critic, bc } = f.params;
  const taken = f.x.map((x, r) => softmaxJs(mlpJs(bc, 0, f.widths.bc, x))[f.action[r]]);
  const cut = taken.filter((p) => p < 1e-7 || p > 1 - 1e-7).length;
  assert(cut > 0 && cut < taken.length, `the probability clamp bites on some rows (${cut})`);
  const y = discreteTargetJs(f);
  const grad = (loss: (v: tf.Tensor1D) => tf.Scalar, at: Float64Array) =>
    tf.grads((v: tf.Tensor) => loss(v as tf.Tensor1D))([t1(at)])[0];
  await assertGradient(
    grad((v) => networks.tdLossOf(v, batch, tf.tensor1d(y)), critic),
    numericGradient(critic, () => tdLossJs(f, critic, y)),
    `${backend} dL_td/dcritic`,
  );
  await assertGradient(
    grad((v) => networks.bcLossOf(v, batch), bc),
    numericGradient(bc, () => bcLossJs(f, bc)),
    `${backend} dL_bc/dbc`,
  );
  await selectBackend({ backend: "cpu" });
}

Deno.test("discrete: the gradients match central differences (cpu)", () =>
  checkDiscreteGradients("cpu"));
Deno.test("discrete: the gradients match central differences (wasm)", () =>
  checkDiscreteGradients("wasm"));

// ---------------------------------------------------------------------------------------------
// 3. The learner: training, tensor count, resume, export.

Deno.test("config: the references' defaults and widths (400-300 actor and critics, 750-750 VAE)", () => {
  const config = parseTrainConfig({ algorithm: "bcq-ma" }) as unknown as BcqConfig;
  assertEquals(
    [config.batchSize, config.gamma, config.tau, config.lambda, config.phi, config.targetSamples],
    [100, 0.99, 0.005, 0.75, 0.05, 10],
  );
  assertEquals([config.actorLr, config.criticLr, config.vaeLr], [1e-3, 1e-3, 1e-3]);
  assertEquals([config.qLr, config.bcLr, config.bcThreshold, config.targetUpdatePeriod], [
    3e-4,
    3e-4,
    0.4,
    200,
  ]);
  assertEquals(config.actCandidates, 100);
  const layouts = bcqContinuousLayouts(continuousSpec, config);
  const widths = (layout: { layers: { inputs: number; outputs: number }[] }) => [
    layout.layers[0].inputs,
    ...layout.layers.map((layer) => layer.outputs),
  ];
  assertEquals(widths(layouts.encoder), [5, 750, 750, 4]);
  assertEquals(widths(layouts.decoder), [6, 750, 750, 1]);
  assertEquals(widths(layouts.actor), [5, 400, 300, 1]);
  assertEquals(widths(layouts.q2), [5, 400, 300, 1]);
  assertEquals(widths(bcqDiscreteLayouts(discreteSpec, config).q), [4, 64, 64, 4]);
  const definition = algorithmOf("bcq-ma");
  assert(!definition.hasAlpha("bcq-ma"), "no alpha axis");
  assertEquals([...definition.actionKinds], ["continuous", "discrete"]);
});

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const exportOf = (learner: Learner) =>
  exportPolicyHead(learner.spec, learner.model.policy, learner.state.live, "bcq-ma");

async function checkLearner(spec: MultiAgentSpec, extra: Record<string, unknown> = {}) {
  const data = syntheticTransitions(spec, 64);
  const config = { algorithm: "bcq-ma", hiddenSize: 8, batchSize: 8, seed: 5, ...extra };
  const learner = Learner.create(spec, config);
  learner.fit(data, 3);
  const count = tf.memory().numTensors;
  learner.fit(data, 3);
  assertEquals(tf.memory().numTensors, count, `${spec.actionKind}: tensors flat across steps`);
  const losses = (await learner.losses())!;
  assertEquals(Object.keys(losses), [...learner.model.lossNames]);
  assert(Object.values(losses).every(Number.isFinite), `finite losses ${JSON.stringify(losses)}`);
  // Resume: 3 steps, checkpoint, 3 more equals 6 uninterrupted steps, byte for byte.
  const half = Learner.create(spec, config);
  half.fit(data, 3);
  const resumed = Learner.fromCheckpoint(await half.checkpoint());
  resumed.fit(data, 3);
  assert(sameBytes(await resumed.checkpoint(), await learner.checkpoint()), "resume");
  half.dispose();
  resumed.dispose();
  return learner;
}

Deno.test("continuous: the learner trains, resumes bit-identically and exports BCQ's acting rule", async () => {
  const learner = await checkLearner(continuousSpec, { actCandidates: 7 });
  const exported = await exportOf(learner);
  learner.dispose();
  const { architecture } = exported;
  assertEquals(architecture.networks!.map((network) => network.name), ["decoder", "q1"]);
  const output = architecture.output;
  assert(output.kind === "bcq_candidates");
  assertEquals([output.candidates, output.latentDim, output.seed], [7, 2, 5]);
  // select_action re-derived from the safetensors tensors alone and the Rng seeded `seed`.
  const { tensors } = decodeSafetensors(exported.weights);
  const pack = (layers: { weight: string; bias: string }[]) => {
    const values: number[] = [];
    for (const { weight, bias } of layers) {
      values.push(...tensors[weight].data, ...tensors[bias].data);
    }
    return values;
  };
  const [decoder, q1] = architecture.networks!;
  const [actorParams, decoderParams, qParams] = [
    pack(architecture.layers),
    pack(decoder.layers),
    pack(q1.layers),
  ];
  const rng = Rng.fromSeed(output.seed);
  const expected = (obs: Float32Array) => {
    const rows = obs.length / continuousSpec.obsDim;
    const z = rng.fillNormal(new Float64Array(rows * 7 * 2)).map((v) => clip(v, -0.5, 0.5));
    return Array.from({ length: rows }, (_, r) => {
      const x = withId([...obs.subarray(r * 2, r * 2 + 2)], r % 2, 2);
      let best = { q: -Infinity, action: NaN };
      for (let k = 0; k < 7; k++) {
        const latent = [...z.subarray((r * 7 + k) * 2, (r * 7 + k) * 2 + 2)];
        const d = Math.tanh(mlpJs(decoderParams, 0, decoder.widths, [...x, ...latent])[0]);
        const p = 0.05 * Math.tanh(mlpJs(actorParams, 0, architecture.widths, [...x, d])[0]);
        const action = clip(d + p, -1, 1);
        const q = mlpJs(qParams, 0, q1.widths, [...x, action])[0];
        if (q > best.q) best = { q, action };
      }
      return best.action;
    });
  };
  const policy = loadPolicy(exported.weights);
  const again = loadPolicy(exported.weights, architecture);
  const obs = Rng.fromSeed(2).fillNormal(new Float32Array(3 * 2 * 2)) as Float32Array;
  for (const call of [1, 2]) {
    const actions = await policy.act(obs);
    const wanted = expected(obs);
    wanted.forEach((v, r) => assertClose(actions[r], v, 1e-5, `call ${call} row ${r}`));
    assertEquals(Array.from(await again.act(obs)), Array.from(actions), "a fresh load repeats");
  }
  policy.dispose();
  again.dispose();
});

Deno.test("discrete: the learner trains, resumes bit-identically, copies its target every period", async () => {
  const learner = await checkLearner(discreteSpec, { targetUpdatePeriod: 4 });
  // Steps 0..5 done; the last copy was after step 4, so the target is not the live vector now.
  const live = () => Array.from(learner.state.live.critic.dataSync());
  const target = () => Array.from(learner.state.target.critic.dataSync());
  assert(live().some((v, i) => v !== target()[i]), "no copy after step 5");
  learner.fit(syntheticTransitions(discreteSpec, 64), 3); // steps 6, 7, 8: copied after 8
  assertEquals(target(), live());
  const exported = await learner.exportPolicy();
  assertEquals(exported.architecture.output, { kind: "categorical_argmax" });
  const policy = await learner.policy();
  learner.dispose();
  const obs = Rng.fromSeed(4).fillNormal(new Float32Array(5 * 2 * 2)) as Float32Array;
  const avail = new Uint8Array(5 * 2 * 4).map((_, i) => (i % 4 === 1 || i % 3 === 0 ? 1 : 0));
  const actions = await policy.act(obs, avail);
  const { tensors } = decodeSafetensors(exported.weights);
  const qParams = exported.architecture.layers.flatMap(({ weight, bias }) => [
    ...tensors[weight].data,
    ...tensors[bias].data,
  ]);
  for (let row = 0; row < 10; row++) {
    const x = withId([...obs.subarray(row * 2, row * 2 + 2)], row % 2, 2);
    const q = mlpJs(qParams, 0, exported.architecture.widths, x)
      .map((v, a) => (avail[row * 4 + a] ? v : -Infinity));
    assertEquals(actions[row], argmax(q), `row ${row}: the greedy available action`);
  }
  policy.dispose();
});
