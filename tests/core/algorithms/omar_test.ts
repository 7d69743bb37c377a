/**
 * OMAR: each loss against plain arithmetic, the CEM search against a hand-run search, the
 * critic and actor losses of a learner against a float64 reference written from the equations
 * (values, and gradients by central differences), and the learner's verbs.
 */
import { assert, assertClose, assertEquals, assertThrows } from "../../assert.ts";
import { selectBackend } from "../../../core/backend/mod.ts";
import { tf } from "../../../core/tf.ts";
import type { MultiAgentSpec } from "../../../core/dataset.ts";
import { ValidationError } from "../../../core/errors.ts";
import { Rng } from "../../../core/rng.ts";
import { Learner } from "../../../core/learn/learner.ts";
import { parseTrainConfig } from "../../../core/learn/config.ts";
import { loadPolicy } from "../../../core/learn/policy_export.ts";
import type { TrainingBatch } from "../../../core/learn/sampler.ts";
import { syntheticTransitions } from "../../../core/learn/synthetic.ts";
import { disposeBatch, uploadBatch } from "../../../core/learn/batch_tensors.ts";
import type { MlpLayout } from "../../../core/nn/dense.ts";
import {
  actorLoss,
  actorObjective,
  cemSearch,
  conservativeGap,
  criticLoss,
  criticObjective,
  drawNoise,
  noiseCorrection,
  type OmarConfig,
  omarLayouts,
  type OmarNetworks,
  type OmarNoise,
  rectification,
  refitElites,
  repeatRows,
  selectElites,
  tdLoss,
  tdTarget,
  uniformLogDensity,
} from "../../../core/algorithms/omar.ts";

await selectBackend({ backend: "cpu" });

const read = (t: tf.Tensor) => Array.from(t.dataSync());
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

function closeAll(actual: number[], expected: number[], tolerance: number, what: string) {
  assertEquals(actual.length, expected.length, `${what}: length`);
  expected.forEach((value, i) => assertClose(actual[i], value, tolerance, `${what}[${i}]`));
}

// ---------------------------------------------------------------------------------------------
// 1. Each piece on hand-made numbers.

Deno.test("omar: the TD target uses the smaller target twin and the mask", () => {
  const y = read(tdTarget(
    tf.tensor1d([1, -0.5, 0.2]),
    tf.tensor1d([1, 0, 1]),
    tf.tensor1d([2, 5, -1]),
    tf.tensor1d([3, 4, -2]),
    0.9,
  ));
  closeAll(y, [1 + 0.9 * 2, -0.5, 0.2 + 0.9 * -2], 1e-6, "y");
});

Deno.test("omar: the TD loss is the sum of both twins' mean squared errors", () => {
  const loss = read(tdLoss(tf.tensor1d([1, 2]), tf.tensor1d([0, 3]), tf.tensor1d([0.5, 2.5])));
  closeAll(loss, [(0.25 + 0.25) / 2 + (0.25 + 0.25) / 2], 1e-6, "L_TD");
  closeAll(read(criticLoss(tf.scalar(1.5), tf.scalar(2), 0.5)), [2.5], 1e-6, "L_Q");
});

Deno.test("omar: the density corrections: uniform -A ln 2, Gaussian log-pdf or pdf", () => {
  assertClose(uniformLogDensity(3), Math.log(0.125), 1e-12, "uniform");
  const noise = [[0.1, -0.3], [0.5, 0]];
  const sigma = 0.2;
  const logPdf = noise.map((row) =>
    row.reduce(
      (sum, e) => sum - Math.log(sigma * Math.sqrt(2 * Math.PI)) - e * e / (2 * sigma * sigma),
      0,
    )
  );
  const x = tf.tensor2d(noise);
  closeAll(read(noiseCorrection(x, sigma, "log-pdf")), logPdf, 1e-5, "log-pdf");
  closeAll(read(noiseCorrection(x, sigma, "pdf")), logPdf.map(Math.exp), 1e-5, "pdf");
});

Deno.test("omar: the CQL gap is the mean of T logsumexp(corrected Q / T) minus Q at the data", () => {
  // R = 2 rows, C = 2 samples per source.
  const qData = [0.5, -1];
  const random = [[1, 0], [0.2, 0.3]];
  const next = [[0.4, 2], [-1, 0]];
  const current = [[0.1, 0.1], [1.5, -0.5]];
  const cRandom = -2 * Math.log(2);
  const cNext = [[0.3, -0.2], [1, 0]];
  const cCurrent = [[-1, 0.5], [0.2, 0.2]];
  const temperature = 0.5;
  const expected = mean(qData.map((q, r) => {
    const scores = [
      ...random[r].map((v) => v - cRandom),
      ...next[r].map((v, c) => v - cNext[r][c]),
      ...current[r].map((v, c) => v - cCurrent[r][c]),
    ];
    const lse = temperature * Math.log(scores.reduce((s, v) => s + Math.exp(v / temperature), 0));
    return lse - q;
  }));
  const gap = conservativeGap(
    tf.tensor1d(qData),
    { random: tf.tensor2d(random), next: tf.tensor2d(next), current: tf.tensor2d(current) },
    { random: cRandom, next: tf.tensor2d(cNext), current: tf.tensor2d(cCurrent) },
    temperature,
  );
  closeAll(read(gap), [expected], 1e-5, "gap");
});

Deno.test("omar: the actor loss imitates only where the search won, minus Q, plus the penalty", () => {
  const action = [[0.5, -0.2], [0.9, 0.1], [-0.3, 0.4]];
  const searched = [[1, -1], [0, 0], [-0.3, 1]];
  const q = [1.2, -0.4, 0.3];
  const wins = [1, 0, 1];
  const [coe, penalty] = [0.7, 1e-3];
  const squares = action.flatMap((row, r) =>
    row.map((a, j) => wins[r] * (a - searched[r][j]) ** 2)
  );
  const expected = coe * mean(squares) - (1 - coe) * mean(q) +
    penalty * mean(action.flat().map((a) => a * a));
  const loss = actorLoss(
    tf.tensor2d(action),
    tf.tensor1d(q),
    tf.tensor2d(searched),
    tf.tensor1d(wins),
    coe,
    penalty,
  );
  closeAll(read(loss), [expected], 1e-6, "L_pi");
});

Deno.test("omar: rows repeat in place; elites are the top K per row; the refit uses the unbiased std", () => {
  closeAll(read(repeatRows(tf.tensor2d([[1, 2], [3, 4]]), 2)), [1, 2, 1, 2, 3, 4, 3, 4], 0, "rows");
  const q = [[0.1, 0.9, 0.5], [3, -1, 2]];
  const actions = [[[1, 1], [2, 2], [3, 3]], [[4, 4], [5, 5], [6, 6]]];
  const elites = selectElites(tf.tensor2d(q), tf.tensor3d(actions), 2);
  closeAll(read(elites.q), [0.9, 0.5, 3, 2], 1e-6, "elite q");
  closeAll(read(elites.actions), [2, 2, 3, 3, 4, 4, 6, 6], 0, "elite actions");
  const { mean: mu, std } = refitElites(tf.tensor3d([[[1, 0], [3, 0], [5, 3]]]));
  closeAll(read(mu), [3, 1], 1e-6, "mu");
  closeAll(read(std), [2, Math.sqrt((1 + 1 + 4) / 2)], 1e-6, "sigma");
});

/** The CEM by hand on a quadratic Q(a) = -sum_j (a_j - goal_rj)^2, in float64. */
function handCem(
  goal: number[][],
  noise: number[][][][], // [iteration][row][sample][dim]
  mu0: number,
  sigma0: number,
  k: number,
) {
  const qOf = (r: number, a: number[]) => -a.reduce((s, v, j) => s + (v - goal[r][j]) ** 2, 0);
  return goal.map((_, r) => {
    const dims = goal[r].length;
    let mu = Array(dims).fill(mu0);
    let sigma = Array(dims).fill(sigma0);
    let elites: { a: number[]; q: number }[] = [];
    let pool: { a: number[]; q: number }[] = [];
    noise.forEach((draws) => {
      const samples = draws[r].map((z) =>
        z.map((v, j) => Math.min(1, Math.max(-1, mu[j] + sigma[j] * v)))
      );
      pool = [...samples.map((a) => ({ a, q: qOf(r, a) })), ...elites];
      elites = [...pool].sort((x, y) => y.q - x.q).slice(0, k);
      mu = mu.map((_, j) => mean(elites.map((e) => e.a[j])));
      sigma = sigma.map((_, j) =>
        Math.sqrt(elites.reduce((s, e) => s + (e.a[j] - mu[j]) ** 2, 0) / (k - 1))
      );
    });
    return [...pool].sort((x, y) => y.q - x.q)[0];
  });
}

Deno.test("omar: the CEM search matches a hand-run search (clipping, elite carry-over, refit)", () => {
  const [rows, samples, dims, k] = [2, 6, 2, 3];
  const goal = [[0.3, -0.6], [3, -3]];
  const rng = Rng.fromSeed(4);
  const noise = [0, 1, 2].map(() =>
    Array.from(
      { length: rows },
      () => Array.from({ length: samples }, () => [rng.normal(), rng.normal()]),
    )
  );
  const goalRows = tf.tensor2d(goal.flatMap((g) => Array(samples).fill(g)));
  const q1Of = (a: tf.Tensor2D) =>
    tf.reshape(tf.neg(tf.sum(tf.square(tf.sub(a, goalRows)), 1)), [rows, samples]) as tf.Tensor2D;
  const search = cemSearch(
    q1Of,
    noise.map((draws) => tf.tensor3d(draws.flat(2), [rows, samples, dims])),
    { mu: 0, sigma: 2, elites: k },
  );
  const expected = handCem(goal, noise, 0, 2, k);
  closeAll(read(search.action), expected.flatMap((e) => e.a), 1e-5, "best action");
  closeAll(read(search.q), expected.map((e) => e.q), 1e-5, "best q");
  // Sigma 2 clips most draws: some best actions sit on the bound.
  assert(read(search.action).some((v) => Math.abs(v) === 1), "some searched actions clipped");
});

// ---------------------------------------------------------------------------------------------
// 2. A float64 reference of the critic and actor losses, from the equations.

/** One row through the MLP at `layout` in `params` (ReLU hidden, linear out). */
function mlp64(layout: MlpLayout, params: Float64Array, x: number[]): number[] {
  let h = x;
  layout.layers.forEach((layer, l) => {
    const out = Array.from({ length: layer.outputs }, (_, o) => {
      let sum = params[layer.biasOffset + o];
      for (let i = 0; i < layer.inputs; i++) {
        sum += h[i] * params[layer.weightOffset + i * layer.outputs + o];
      }
      return sum;
    });
    h = l === layout.layers.length - 1 ? out : out.map((v) => Math.max(0, v));
  });
  return h;
}

interface Parameters64 {
  policy: Float64Array;
  policyTarget: Float64Array;
  critic: Float64Array;
  criticTarget: Float64Array;
}

interface Fixture {
  spec: MultiAgentSpec;
  config: OmarConfig;
  layouts: ReturnType<typeof omarLayouts>;
  batch: TrainingBatch;
  noise: OmarNoise;
}

function rowsOf(values: Float32Array, width: number): number[][] {
  return Array.from(
    { length: values.length / width },
    (_, r) => Array.from(values.subarray(r * width, (r + 1) * width)),
  );
}

/** [L_Q, L_TD, gap_1 + gap_2, clipped CQL action entries]. */
function referenceCritic(f: Fixture, p: Parameters64) {
  const { spec, config, layouts, batch, noise } = f;
  const { nAgents: n, obsDim, actDim } = spec;
  const c = config.numSampledActions;
  const obsRows = rowsOf(batch.obsWithId, obsDim + n);
  const nextRows = rowsOf(batch.nextObsWithId, obsDim + n);
  const act = (x: number[], params: Float64Array) =>
    mlp64(layouts.policy, params, x).map(Math.tanh);
  const withAction = (
    x: number[],
    a: number[],
  ) => [...x.slice(0, obsDim), ...a, ...x.slice(obsDim)];
  const q = (k: 1 | 2, params: Float64Array, input: number[]) =>
    mlp64(k === 1 ? layouts.q1 : layouts.q2, params, input)[0];
  const sigma = config.cqlSampleNoiseLevel;
  const logPdf = (e: number[]) =>
    e.reduce(
      (s, v) => s - Math.log(sigma * Math.sqrt(2 * Math.PI)) - v * v / (2 * sigma * sigma),
      0,
    );
  const correction = (e: number[]) =>
    config.cqlDensityCorrection === "pdf" ? Math.exp(logPdf(e)) : logPdf(e);
  let clipped = 0;
  const clip = (v: number) => {
    if (Math.abs(v) > 1) clipped++;
    return Math.min(1, Math.max(-1, v));
  };
  const draw = (values: Float32Array, r: number, s: number) =>
    Array.from(values.subarray(((r * c) + s) * actDim, ((r * c) + s + 1) * actDim));
  const td: number[][] = [[], []];
  const gaps: number[][] = [[], []];
  obsRows.forEach((x, r) => {
    const b = Math.floor(r / n);
    const next = withAction(nextRows[r], act(nextRows[r], p.policyTarget));
    const y = batch.reward[b] +
      config.gamma * batch.mask[b] *
        Math.min(q(1, p.criticTarget, next), q(2, p.criticTarget, next));
    const data = Array.from(
      batch.obsActionWithId!.subarray(r * (obsDim + actDim + n), (r + 1) * (obsDim + actDim + n)),
    );
    const pi = act(x, p.policy);
    const piNext = act(nextRows[r], p.policy);
    for (const k of [1, 2] as const) {
      const qData = q(k, p.critic, data);
      td[k - 1].push((qData - y) ** 2);
      const scores: number[] = [];
      for (let s = 0; s < c; s++) {
        scores.push(
          q(k, p.critic, withAction(x, draw(noise.uniform, r, s))) + actDim * Math.log(2),
        );
      }
      for (let s = 0; s < c; s++) {
        const e = draw(noise.next, r, s);
        const a = piNext.map((v, j) => clip(v + e[j]));
        scores.push(q(k, p.critic, withAction(x, a)) - correction(e));
      }
      for (let s = 0; s < c; s++) {
        const e = draw(noise.current, r, s);
        const a = pi.map((v, j) => clip(v + e[j]));
        scores.push(q(k, p.critic, withAction(x, a)) - correction(e));
      }
      const t = config.lseTemp;
      const top = Math.max(...scores.map((v) => v / t));
      const lse = t * (top + Math.log(scores.reduce((sum, v) => sum + Math.exp(v / t - top), 0)));
      gaps[k - 1].push(lse - qData);
    }
  });
  const tdValue = mean(td[0]) + mean(td[1]);
  const cql = mean(gaps[0]) + mean(gaps[1]);
  return { values: [tdValue + config.cqlAlpha * cql, tdValue, cql], clipped };
}

/** L_pi with a* recomputed: pi(o) where Q1(o, pi(o)) >= the searched Q, else the searched action. */
function referenceActor(
  f: Fixture,
  policy: Float64Array,
  critic: Float64Array,
  searched: number[][],
  searchedQ: number[],
) {
  const { spec, config, layouts, batch } = f;
  const { nAgents: n, obsDim } = spec;
  const squares: number[] = [];
  const qs: number[] = [];
  const penalties: number[] = [];
  const margins: number[] = [];
  rowsOf(batch.obsWithId, obsDim + n).forEach((x, r) => {
    const a = mlp64(layouts.policy, policy, x).map(Math.tanh);
    const q = mlp64(layouts.q1, critic, [...x.slice(0, obsDim), ...a, ...x.slice(obsDim)])[0];
    const star = q >= searchedQ[r] ? a : searched[r];
    a.forEach((v, j) => {
      squares.push((v - star[j]) ** 2);
      penalties.push(v * v);
    });
    qs.push(q);
    margins.push(searchedQ[r] - q);
  });
  const value = config.omarCoe * mean(squares) - (1 - config.omarCoe) * mean(qs) +
    config.actionPenalty * mean(penalties);
  return { value, margins };
}

const spec: MultiAgentSpec = {
  nAgents: 2,
  obsDim: 3,
  stateDim: 2,
  actionKind: "continuous",
  actDim: 2,
};

/**
 * A small learner after two steps, one batch and one set of draws. The CQL noise is wide, so
 * that some noisy policy actions are clipped; the CEM is tiny, so that on some rows pi(o)
 * beats the search (the rectification's threshold is active both ways).
 */
async function fixture(backend: "cpu" | "wasm", mode: "log-pdf" | "pdf") {
  await selectBackend({ backend });
  const learner = Learner.create(spec, {
    algorithm: "omar",
    hiddenSize: 4,
    batchSize: 3,
    seed: 5,
    numSampledActions: 3,
    cqlSampleNoiseLevel: 0.8,
    cqlDensityCorrection: mode,
    cqlAlpha: 0.7,
    lseTemp: 0.6,
    omarNumSamples: 2,
    omarNumElites: 2,
    omarIters: 2,
    omarMu: 0,
    omarSigma: 0.05,
    omarCoe: 0.6,
    gamma: 0.9,
  });
  const data = syntheticTransitions(spec, 40, 3);
  learner.fit(data, 2);
  spreadActions(learner);
  const config = learner.config as unknown as OmarConfig;
  const layouts = omarLayouts(spec, config);
  const batch = learner.sample(data);
  const noise = drawNoise(Rng.fromSeed(9), batch.batchSize * spec.nAgents, spec.actDim, config);
  const networks: OmarNetworks = { spec, config, layouts, kernels: learner.kernels };
  const { live, target } = learner.state;
  const p: Parameters64 = {
    policy: Float64Array.from(await live.policy.data()),
    policyTarget: Float64Array.from(await target.policy.data()),
    critic: Float64Array.from(await live.critic.data()),
    criticTarget: Float64Array.from(await target.critic.data()),
  };
  return { learner, networks, batch, noise, p, f: { spec, config, layouts, batch, noise } };
}

/** Scales the actor's weights (its last layer starts in +-3e-3) so that pi(o) spreads over (-1, 1). */
function spreadActions(learner: Learner): void {
  const layout = omarLayouts(spec, learner.config as unknown as OmarConfig).policy;
  const values = learner.state.live.policy.dataSync().slice();
  layout.layers.forEach((layer, l) => {
    const factor = l === layout.layers.length - 1 ? SPREAD : 3;
    for (let k = layer.weightOffset; k < layer.biasOffset; k++) values[k] *= factor;
  });
  learner.state.live.policy.dispose();
  learner.state.live.policy = tf.tensor1d(values);
}
const SPREAD = 200;

/** Central differences of `loss` at `params`, against `analytic`, relative to the largest. */
function checkGradient(
  analytic: number[],
  params: Float64Array,
  loss: () => number,
  what: string,
) {
  const epsilon = 1e-6;
  const numeric = Array.from(params, (_, k) => {
    const saved = params[k];
    params[k] = saved + epsilon;
    const up = loss();
    params[k] = saved - epsilon;
    const down = loss();
    params[k] = saved;
    return (up - down) / (2 * epsilon);
  });
  const scale = Math.max(...numeric.map(Math.abs));
  assert(scale > 1e-4, `${what}: the gradient should not vanish on this fixture`);
  numeric.forEach((value, k) => assertClose(analytic[k], value, 2e-3 * scale, `${what}[${k}]`));
}

async function checkLossesAndGradients(backend: "cpu" | "wasm", mode: "log-pdf" | "pdf") {
  const { learner, networks, batch, noise, p, f } = await fixture(backend, mode);
  const uploaded = uploadBatch(batch, spec);
  const state = learner.state;
  // Critic: values and d/d critic.
  const reference = referenceCritic(f, p);
  assert(reference.clipped > 0, "some noisy CQL actions should be clipped");
  const critic = tf.tidy(() => {
    const objective = criticObjective(networks, state, uploaded, noise);
    const { value, grads } = tf.valueAndGrads((v: tf.Tensor) => objective(v as tf.Tensor1D))(
      [state.live.critic],
      tf.tensor1d([1, 0, 0]),
    );
    return { value: read(value), grad: read(grads[0]) };
  });
  closeAll(
    critic.value,
    reference.values,
    1e-4 * Math.max(1, Math.abs(reference.values[0])),
    `${backend} ${mode} [L_Q, L_TD, cql]`,
  );
  checkGradient(
    critic.grad,
    p.critic,
    () => referenceCritic(f, p).values[0],
    `${backend} ${mode} dL_Q/dcritic`,
  );
  // Actor: the search under the live critic, then values and d/d policy.
  const actor = tf.tidy(() => {
    const target = rectification(
      networks,
      uploaded,
      state.live.policy,
      state.live.critic,
      noise.cem,
    );
    const objective = actorObjective(networks, uploaded, state.live.critic, target);
    const { value, grads } = tf.valueAndGrads((v: tf.Tensor) => objective(v as tf.Tensor1D))([
      state.live.policy,
    ]);
    return {
      value: read(value)[0],
      grad: read(grads[0]),
      searched: rowsOf(target.searched.dataSync() as Float32Array, spec.actDim),
      searchedQ: read(target.searchedQ),
      wins: read(target.searchWins),
    };
  });
  const actorReference = referenceActor(f, p.policy, p.critic, actor.searched, actor.searchedQ);
  const wins = actor.wins.reduce((a, b) => a + b, 0);
  assert(wins > 0 && wins < actor.wins.length, `the search should win on some rows only: ${wins}`);
  actorReference.margins.forEach((margin, r) => {
    assert(Math.abs(margin) > 1e-4, `row ${r} sits on the threshold`);
    assertEquals(actor.wins[r], margin > 0 ? 1 : 0, `row ${r}: who wins`);
  });
  assertClose(actor.value, actorReference.value, 1e-5, `${backend} ${mode} L_pi`);
  checkGradient(
    actor.grad,
    p.policy,
    () => referenceActor(f, p.policy, p.critic, actor.searched, actor.searchedQ).value,
    `${backend} ${mode} dL_pi/dpolicy`,
  );
  disposeBatch(uploaded);
  learner.dispose();
  await selectBackend({ backend: "cpu" });
}

Deno.test("omar: critic and actor losses and gradients match the float64 reference (cpu, log-pdf)", async () => {
  await checkLossesAndGradients("cpu", "log-pdf");
});

Deno.test("omar: the same with the reference code's pdf correction (cpu)", async () => {
  await checkLossesAndGradients("cpu", "pdf");
});

Deno.test("omar: critic and actor losses and gradients match the float64 reference (wasm)", async () => {
  await checkLossesAndGradients("wasm", "log-pdf");
});

// ---------------------------------------------------------------------------------------------
// 3. The learner.

const tiny = { algorithm: "omar", hiddenSize: 8, batchSize: 8 };
const data = syntheticTransitions(spec, 64);

Deno.test("omar: the config has the reference's HalfCheetah defaults and refuses bad fields", () => {
  const config = parseTrainConfig({ algorithm: "omar" });
  const expected = {
    batchSize: 256,
    gamma: 0.99,
    tau: 0.005,
    gradClip: 0.5,
    hiddenSize: 256,
    policyLr: 3e-4,
    qLr: 3e-4,
    omarCoe: 0.7,
    cqlAlpha: 1,
    numSampledActions: 10,
    cqlSampleNoiseLevel: 0.2,
    cqlDensityCorrection: "log-pdf",
    omarIters: 2,
    omarNumSamples: 20,
    omarNumElites: 5,
    omarMu: 0,
    omarSigma: 2,
    actionPenalty: 1e-3,
  };
  for (const [key, value] of Object.entries(expected)) assertEquals(config[key], value, key);
  assertThrows(() => parseTrainConfig({ algorithm: "omar", alpha: 1 }), ValidationError, "alpha");
  assertThrows(
    () => parseTrainConfig({ algorithm: "omar", omarNumSamples: 4, omarNumElites: 5 }),
    ValidationError,
    "omarNumElites",
  );
});

Deno.test("omar: trains with finite losses, a flat tensor count, the actor's small last layer", async () => {
  const learner = Learner.create(spec, tiny);
  const last = omarLayouts(spec, learner.config as unknown as OmarConfig).policy.layers.at(-1)!;
  const policy = learner.state.live.policy.dataSync();
  for (let k = last.weightOffset; k < last.biasOffset; k++) {
    assert(Math.abs(policy[k]) <= 3e-3, `last-layer weight ${policy[k]}`);
  }
  learner.fit(data, 2);
  const before = tf.memory().numTensors;
  learner.fit(data, 3);
  assertEquals(tf.memory().numTensors, before, "tensors leaked across steps");
  const losses = (await learner.losses())!;
  assertEquals(Object.keys(losses), ["policy", "q", "cql", "searchWins"]);
  for (const [name, value] of Object.entries(losses)) assert(Number.isFinite(value), name);
  learner.dispose();
});

Deno.test("omar: a restored checkpoint continues bit-identically", async () => {
  const straight = Learner.create(spec, tiny);
  straight.fit(data, 2);
  const saved = await straight.checkpoint();
  straight.fit(data, 2);
  const resumed = Learner.fromCheckpoint(saved);
  resumed.fit(data, 2);
  const [a, b] = [await straight.checkpoint(), await resumed.checkpoint()];
  assert(a.length === b.length && a.every((x, i) => x === b[i]), "resumed run differs");
  straight.dispose();
  resumed.dispose();
});

Deno.test("omar: the exported deterministic tanh actor acts in [-1, 1]", async () => {
  const learner = Learner.create(spec, tiny);
  learner.fit(data, 2);
  const exported = await learner.exportPolicy();
  assertEquals(exported.architecture.output, { kind: "tanh" });
  assertEquals(exported.architecture.algorithm, "omar");
  const policy = loadPolicy(exported.weights, exported.architecture);
  const obs = data.obs.subarray(0, 2 * spec.nAgents * spec.obsDim);
  const actions = await policy.act(obs) as Float32Array;
  assertEquals(actions.length, 2 * spec.nAgents * spec.actDim);
  assert(actions.every((a) => Math.abs(a) <= 1), "actions outside [-1, 1]");
  // Agent 0 of transition 0: tanh of the live actor at [obs | 1, 0].
  const layout = omarLayouts(spec, learner.config as unknown as OmarConfig).policy;
  const params = Float64Array.from(learner.state.live.policy.dataSync());
  const expected = mlp64(layout, params, [...obs.subarray(0, spec.obsDim), 1, 0]).map(Math.tanh);
  closeAll(Array.from(actions.subarray(0, spec.actDim)), expected, 1e-6, "action");
  policy.dispose();
  learner.dispose();
});

Deno.test("omar: discrete actions are refused with a message naming omar", () => {
  const discrete: MultiAgentSpec = { ...spec, actionKind: "discrete", actDim: 1, nActions: 3 };
  assertThrows(() => Learner.create(discrete, tiny), ValidationError, "omar covers continuous");
});
