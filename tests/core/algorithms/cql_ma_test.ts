import { assert, assertClose, assertEquals, assertThrows } from "../../assert.ts";
import { selectBackend } from "../../../core/backend/mod.ts";
import { tf } from "../../../core/tf.ts";
import type { MultiAgentSpec } from "../../../core/dataset.ts";
import { ValidationError } from "../../../core/errors.ts";
import { Rng } from "../../../core/rng.ts";
import { Learner } from "../../../core/learn/learner.ts";
import { parseTrainConfig } from "../../../core/learn/config.ts";
import { type BatchTensors, disposeBatch, uploadBatch } from "../../../core/learn/batch_tensors.ts";
import { qInputWith } from "../../../core/learn/shapes.ts";
import { mlpForward } from "../../../core/nn/dense.ts";
import { rawMeanGaussianHead } from "../../../core/nn/distributions.ts";
import { qmixTotal, qmixTotals } from "../../../core/nn/qmix.ts";
import { syntheticTransitions } from "../../../core/learn/synthetic.ts";
import type { TrainingState } from "../../../core/learn/algorithm.ts";
import {
  alphaLoss,
  behaviourCloningLoss,
  bellmanLoss,
  bellmanTarget,
  cqlLayouts,
  type CqlMaConfig,
  CqlNetworks,
  cqlPenalty,
  datasetLogProb,
  drawNoise,
  lagrangeLoss,
  lagrangeMultiplier,
  policyLoss,
  resolvedSizes,
  tanhGaussianSample,
} from "../../../core/algorithms/cql_ma.ts";
import {
  discreteCqlLayouts,
  DiscreteCqlNetworks,
  greedyOneHot,
  qmixTarget,
  qmixTdLoss,
  sampledCqlLoss,
  sampleJointActions,
} from "../../../core/algorithms/cql_ma_discrete.ts";

await selectBackend({ backend: "cpu" });

const read = (t: tf.Tensor) => Array.from(t.dataSync());
const value = (t: tf.Tensor) => t.dataSync()[0];
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const logSumExp = (xs: number[]) => {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
};

function closeAll(actual: number[], expected: number[], tolerance: number, what: string) {
  assertEquals(actual.length, expected.length, `${what}: length`);
  expected.forEach((x, i) => assertClose(actual[i], x, tolerance, `${what}[${i}]`));
}

const continuous: MultiAgentSpec = {
  nAgents: 2,
  obsDim: 2,
  stateDim: 2,
  actionKind: "continuous",
  actDim: 2,
};
const discrete: MultiAgentSpec = {
  nAgents: 3,
  obsDim: 2,
  stateDim: 2,
  actionKind: "discrete",
  actDim: 1,
  nActions: 3,
};

// ---------------------------------------------------------------------------------------------
// 1. Each loss on hand-made numbers against plain arithmetic.

Deno.test("config: rlkit's and OG-MARL's defaults, by action kind where they differ", () => {
  const config = parseTrainConfig({ algorithm: "cql-ma" }) as unknown as CqlMaConfig;
  assertEquals(
    [config.batchSize, config.gamma, config.tau, config.policyLr, config.qLr],
    [256, 0.99, 0.005, 1e-4, 3e-4],
  );
  assertEquals([config.policyEvalStart, config.withLagrange, config.deterministicBackup], [
    0,
    false,
    true,
  ]);
  assertEquals(config.targetUpdatePeriod, 200);
  assertEquals(resolvedSizes(continuous, config), {
    hiddenSize: 256,
    cqlWeight: 5,
    cqlSamples: 10,
  });
  assertEquals(resolvedSizes(discrete, config), { hiddenSize: 64, cqlWeight: 3, cqlSamples: 20 });
  const given = parseTrainConfig({ algorithm: "cql-ma", hiddenSize: 8, cqlWeight: 1 });
  assertEquals(resolvedSizes(discrete, given as unknown as CqlMaConfig).hiddenSize, 8);
  assertThrows(() => parseTrainConfig({ algorithm: "cql-ma", alpha: 2 }), ValidationError, "alpha");
});

Deno.test("tanh-Gaussian sample: a = tanh(mean + std eps), rlkit's log-density", () => {
  const mu = [[0.3, -0.5], [2.0, 0.1]];
  const rawLogStd = [[-1.0, 0.2], [3.0, -7.0]]; // clamped to 2 and -5
  const eps = [[0.7, -1.2], [0.1, 2.5]];
  const head = rawMeanGaussianHead(tf.concat([tf.tensor2d(mu), tf.tensor2d(rawLogStd)], 1));
  const { action, logProb } = tanhGaussianSample(head.mean, head.logStd, tf.tensor2d(eps));
  const expectedAction: number[] = [];
  const expectedLogProb = mu.map((row, r) => {
    let total = 0;
    row.forEach((m, d) => {
      const ls = Math.min(Math.max(rawLogStd[r][d], -5), 2);
      const z = m + Math.exp(ls) * eps[r][d];
      const a = Math.tanh(z);
      expectedAction.push(a);
      const gaussian = -((z - m) ** 2) / (2 * Math.exp(2 * ls)) - ls - 0.5 * Math.log(2 * Math.PI);
      total += gaussian - Math.log(1 - a * a + 1e-6);
    });
    return total;
  });
  closeAll(read(action), expectedAction, 1e-6, "action");
  closeAll(read(logProb), expectedLogProb, 1e-4, "log pi");
});

Deno.test("dataset log-density: clamped atanh, mean clamped to +-9, the 1e-6 Jacobian", () => {
  const mu = [[12.0, -0.4], [0.2, -10.0]]; // 12 -> 9, -10 -> -9
  const logStd = [[0.0, -1.0], [0.5, 0.3]];
  const action = [[1.0, 0.3], [-0.95, -1.0]]; // +-1: 1 +- a floored at 1e-6
  const logPi = read(datasetLogProb(tf.tensor2d(mu), tf.tensor2d(logStd), tf.tensor2d(action)));
  const expected = mu.map((row, r) => {
    let total = 0;
    row.forEach((m, d) => {
      const a = action[r][d];
      const u = 0.5 * Math.log(Math.max(1 + a, 1e-6) / Math.max(1 - a, 1e-6));
      const c = Math.min(Math.max(m, -9), 9);
      const s = Math.exp(logStd[r][d]);
      const gaussian = -((u - c) ** 2) / (2 * s * s) - logStd[r][d] - 0.5 * Math.log(2 * Math.PI);
      total += gaussian - Math.log(1 - a * a + 1e-6);
    });
    return total;
  });
  // atanh(+-1) sits on the 1e-6 floor, where float32 carries ~1e-6 relative error in log.
  closeAll(logPi, expected, 2e-3 * Math.max(...expected.map(Math.abs)), "log pi(a_data)");
});

Deno.test("alpha, policy and warm-start losses", () => {
  const logPi = [-1.0, 2.0, 0.5];
  const alphaValue = value(alphaLoss(tf.tensor1d([0.5]), tf.tensor1d(logPi), -2));
  assertClose(alphaValue, -mean(logPi.map((l) => 0.5 * (l - 2))), 1e-6, "L_alpha");
  const qNew = [0.3, -1.0, 4.0];
  const alpha = tf.scalar(0.2);
  assertClose(
    value(policyLoss(alpha, tf.tensor1d(logPi), tf.tensor1d(qNew))),
    mean(logPi.map((l, i) => 0.2 * l - qNew[i])),
    1e-6,
    "L_pi",
  );
  const dataLogPi = [-3.0, 0.1, -0.2];
  assertClose(
    value(behaviourCloningLoss(alpha, tf.tensor1d(logPi), tf.tensor1d(dataLogPi))),
    mean(logPi.map((l) => 0.2 * l)) - mean(dataLogPi),
    1e-6,
    "L_pi (BC)",
  );
});

Deno.test("Bellman target and loss: team reward, mask, optional entropy term, no 1/2", () => {
  const reward = [1.0, -0.5];
  const mask = [1, 0];
  const nextQ = [[2.0, 3.0], [4.0, 5.0]];
  const y = read(bellmanTarget(tf.tensor1d(reward), tf.tensor1d(mask), tf.tensor2d(nextQ), 0.9));
  closeAll(y, [1 + 0.9 * 2, 1 + 0.9 * 3, -0.5, -0.5], 1e-6, "y");
  const entropy = [[0.5, -1.0], [1.0, 1.0]];
  const ySoft = bellmanTarget(
    tf.tensor1d(reward),
    tf.tensor1d(mask),
    tf.tensor2d(nextQ),
    0.9,
    tf.tensor2d(entropy),
  );
  closeAll(read(ySoft), [1 + 0.9 * 1.5, 1 + 0.9 * 4, -0.5, -0.5], 1e-6, "y with entropy");
  const q = [[1.0, 2.0], [0.0, -1.0]];
  const loss = value(bellmanLoss(tf.tensor2d(q), tf.tensor2d([[0.5, 2.5], [1.0, 1.0]])));
  assertClose(loss, (0.25 + 0.25 + 1 + 4) / 4, 1e-6, "L_Q");
});

Deno.test("CQL(H): w T mean(logsumexp((Q - log density) / T)) - w mean(Q data)", () => {
  const qSampled = [[1.0, 0.5, -2.0], [3.0, 0.0, 1.0]];
  const logDensity = [[-2 * Math.log(2), -1.5, 0.7], [-2 * Math.log(2), 2.0, -0.3]];
  const qData = [0.4, -1.2];
  for (const temperature of [1, 0.5]) {
    const loss = value(
      cqlPenalty(
        tf.tensor2d(qSampled),
        tf.tensor2d(logDensity),
        tf.tensor1d(qData),
        5,
        temperature,
      ),
    );
    const lse = qSampled.map((row, r) =>
      logSumExp(row.map((q, j) => (q - logDensity[r][j]) / temperature))
    );
    const expected = 5 * temperature * mean(lse) - 5 * mean(qData);
    assertClose(loss, expected, 1e-5, `CQL at T = ${temperature}`);
  }
});

Deno.test("Lagrange form: alpha' = clamp(exp(log alpha'), 0, 1e6), L = -alpha' mean(c - tau)", () => {
  assertClose(value(lagrangeMultiplier(tf.tensor1d([0.3]))), Math.exp(0.3), 1e-6, "alpha'");
  assertEquals(value(lagrangeMultiplier(tf.tensor1d([20]))), 1e6);
  const loss = lagrangeLoss(tf.tensor1d([0.3]), tf.scalar(7), tf.scalar(2), 5);
  assertClose(value(loss), -Math.exp(0.3) * ((7 - 5) + (2 - 5)) / 2, 1e-5, "L_alpha'");
});

Deno.test("discrete: masked greedy one-hot, QMIX target, 0.5 TD loss, sampled CQL", () => {
  const best = greedyOneHot(
    tf.tensor2d([[1, 5, 3], [2, 1, 0]]),
    tf.tensor2d([[1, 0, 1], [0, 0, 1]]),
  );
  assertEquals(read(best), [0, 0, 1, 0, 0, 1]);
  const y = read(qmixTarget(tf.tensor1d([1, 2]), tf.tensor1d([1, 0]), tf.tensor1d([3, 4]), 0.99));
  closeAll(y, [1 + 0.99 * 3, 2], 1e-6, "y");
  const td = value(qmixTdLoss(tf.tensor1d([0.5, 1.0]), tf.tensor1d([1.0, -1.0])));
  assertClose(td, 0.5 * (0.25 + 4) / 2, 1e-6, "L_TD");
  const sampled = [[1.0, 2.0, -1.0], [0.0, 0.5, 3.0]];
  const total = [0.7, -0.2];
  const cql = value(sampledCqlLoss(tf.tensor2d(sampled), tf.tensor1d(total)));
  const expected = mean(sampled.map((row, b) => logSumExp([...row, total[b]]))) - mean(total);
  assertClose(cql, expected, 1e-5, "L_CQL");
});

Deno.test("discrete: joint actions by inverse CDF, as OG-MARL's logits or over available ones", () => {
  const avail = [[1, 0, 1, 1], [0, 1, 0, 0]];
  const u = [[0.0, 0.5], [0.34, 0.99], [0.99999, 0.2], [1.0, 0.7]]; // [K, R]
  const pick = (mode: "reference" | "available") =>
    read(tf.argMax(sampleJointActions(tf.tensor2d(avail), tf.tensor2d(u), mode), 2));
  // available: the floor(u n)-th available action (u = 1 stays inside).
  const expectedAvailable = u.flatMap((row) =>
    row.map((x, r) => {
      const legal = avail[r].flatMap((a, i) => (a ? [i] : []));
      return legal[Math.min(Math.floor(x * legal.length), legal.length - 1)];
    })
  );
  assertEquals(pick("available"), expectedAvailable);
  // reference: weights exp(avail / n_avail); the first action whose cumulative weight passes u.
  const expectedReference = u.flatMap((row) =>
    row.map((x, r) => {
      const n = avail[r].reduce((s, a) => s + a, 0);
      const weights = avail[r].map((a) => Math.exp(a / n));
      const target = x * weights.reduce((s, w) => s + w, 0);
      let cumulative = 0;
      const index = weights.findIndex((w) => (cumulative += w) > target);
      return index < 0 ? weights.length - 1 : index;
    })
  );
  assertEquals(pick("reference"), expectedReference);
  // The reference's quirk: unavailable actions are drawn too, near uniformly.
  const k = 4000;
  const uniforms = tf.tensor2d(Rng.fromSeed(1).fillUniform(new Float32Array(k)) as Float32Array, [
    k,
    1,
  ]);
  const counts = [0, 0, 0, 0];
  const drawn = read(
    tf.argMax(sampleJointActions(tf.tensor2d([avail[0]]), uniforms, "reference"), 2),
  );
  drawn.forEach((a) => counts[a]++);
  const p = 1 / (3 * Math.exp(1 / 3) + 1);
  assertClose(counts[1] / k, p, 0.02, "unavailable action's frequency");
});

// ---------------------------------------------------------------------------------------------
// 2. Gradients against central finite differences of the same losses (float32).

function cloneState(state: TrainingState): TrainingState {
  const copy = (record: Record<string, tf.Tensor1D>) =>
    Object.fromEntries(Object.entries(record).map(([k, t]) => [k, tf.clone(t)]));
  return {
    live: copy(state.live),
    target: copy(state.target),
    adam: Object.fromEntries(
      Object.entries(state.adam).map((
        [k, a],
      ) => [k, { m: tf.clone(a.m), v: tf.clone(a.v), step: a.step }]),
    ),
  };
}

/** Checks `analytic` against central differences of `loss` around `params`. */
async function checkAgainstDifferences(
  what: string,
  params: Float32Array,
  analytic: tf.Tensor,
  loss: (params: tf.Tensor1D) => tf.Scalar,
  epsilon = 1e-2,
  relative = 2e-2,
) {
  const gradient = await analytic.data();
  const at = (values: Float32Array) =>
    tf.tidy(() => {
      const vector = tf.tensor1d(values);
      return value(loss(vector));
    });
  const numeric = Array.from(params, (saved, k) => {
    const shifted = Float32Array.from(params);
    shifted[k] = saved + epsilon;
    const up = at(shifted);
    shifted[k] = saved - epsilon;
    const down = at(shifted);
    return (up - down) / (2 * epsilon);
  });
  const scale = Math.max(...numeric.map(Math.abs));
  assert(scale > 1e-3, `${what}: the gradient should not vanish on this fixture`);
  numeric.forEach((x, k) => assertClose(gradient[k], x, relative * scale, `${what}[${k}]`));
}

/**
 * Sets the policy's last layer so that one log-std crosses its lower clamp on some rows. (The
 * upper clamp, std e^2, and the mean clamp at +-9 saturate tanh, where rlkit's naive
 * log(1 - a^2 + 1e-6) is a float32 staircase that differences cannot follow; those two clamps
 * are checked on the losses' inputs below.)
 */
function pushIntoClamp(policy: Float32Array, networks: CqlNetworks) {
  const last = networks.layouts.policy.layers.at(-1)!;
  const a = networks.spec.actDim;
  for (let r = 0; r < last.inputs; r++) {
    policy[last.weightOffset + r * 2 * a + a + 1] = 8 * (r % 2 === 0 ? -1 : 1);
  }
  policy[last.biasOffset + a + 1] = -4.98; // no row within the differences' reach of -5
}

Deno.test("the clamps stop the gradient: log-std outside [-5, 2], the warm start's mean past 9", async () => {
  // [mean | raw log-std] for 3 rows, 2 dims: 2.6 and 2.3 above 2, -5.7 below -5, 10.5 and
  // -9.6 past the warm start's +-9 (tanh stays off saturation: small noise).
  const output = [
    [0.3, 10.5, 2.6, -0.5],
    [-9.6, 0.2, 0.4, -5.7],
    [1.0, -0.4, 1.5, 2.3],
  ];
  const noise = tf.tensor2d([[0.05, -0.1], [0.2, 0.03], [-0.07, 0.1]]);
  const action = tf.tensor2d([[0.3, -0.5], [0.9, 0.1], [-0.2, 0.6]]);
  const weights = tf.tensor2d([[1.0, -2.0], [0.5, 1.5], [-1.0, 0.7]]); // Q = sum(w a), any linear Q
  const alpha = tf.scalar(0.6);
  const losses = (x: tf.Tensor) => {
    const head = rawMeanGaussianHead(x);
    const sample = tanhGaussianSample(head.mean, head.logStd, noise);
    const qNew = tf.sum(tf.mul(weights, sample.action), 1);
    return [
      policyLoss(alpha, sample.logProb, qNew),
      behaviourCloningLoss(
        alpha,
        sample.logProb,
        datasetLogProb(head.mean, head.logStd, action),
      ),
    ];
  };
  for (const which of [0, 1]) {
    const base = Float32Array.from(output.flat());
    const [g] = tf.grads((x) => losses(x)[which])([tf.tensor2d(base, [3, 4])]);
    await checkAgainstDifferences(
      `dL/d(policy output), ${which === 0 ? "SAC" : "warm start"}`,
      base,
      g,
      (x) => losses(tf.reshape(x, [3, 4]))[which],
      1e-3,
      1e-2,
    );
    const gradient = read(g);
    for (const k of [2, 7, 11]) assertEquals(gradient[k], 0, `log-std entry ${k} is clamped`);
    if (which === 1) assert(Math.abs(gradient[1]) < 1e-6 && Math.abs(gradient[4]) < 1e-6, "mean");
  }
});

async function checkContinuousGradients(backend: "cpu" | "wasm") {
  await selectBackend({ backend });
  const data = syntheticTransitions(continuous, 30, 5);
  const config = {
    algorithm: "cql-ma",
    hiddenSize: 4,
    batchSize: 3,
    cqlSamples: 2,
    seed: 8,
    withLagrange: true,
  };
  const learner = Learner.create(continuous, config);
  learner.fit(data, 2); // targets now differ from the live networks
  const parsed = learner.config as unknown as CqlMaConfig;
  const networks = new CqlNetworks(
    continuous,
    parsed,
    cqlLayouts(continuous, parsed),
    learner.kernels,
  );
  const raw = uploadBatch(learner.sample(data), continuous);
  // Two dataset actions on the atanh floor.
  const actions = Float32Array.from(await raw.action!.data());
  actions[0] = 1;
  actions[3] = -1;
  const action = tf.tensor2d(actions, raw.action!.shape);
  const batch: BatchTensors = {
    ...raw,
    action,
    qInput: qInputWith(raw.obsWithId, action, continuous),
  };
  const policyValues = Float32Array.from(await learner.state.live.policy.data());
  pushIntoClamp(policyValues, networks);
  const state = cloneState(learner.state);
  state.live.policy = tf.tensor1d(policyValues);
  const heads = networks.heads(state.live.policy, batch);
  // The fixture reaches both sides of the clamp.
  const rawHeads = tf.split(
    mlpForward(
      learner.kernels,
      networks.layouts.policy,
      batch.obsWithId,
      state.live.policy,
    ),
    4,
    1,
  ).map(read);
  const logStd = rawHeads[3];
  assert(logStd.some((x) => x < -5) && logStd.some((x) => x > -5), `log-std around -5: ${logStd}`);
  assert(logStd.every((x) => Math.abs(x + 5) > 0.01), `log-std clear of the kink: ${logStd}`);
  const rows = batch.batchSize * continuous.nAgents;
  const noise = drawNoise(Rng.fromSeed(3), rows, 2, continuous.actDim);
  const alpha = tf.scalar(0.7);
  const alphaPrime = lagrangeMultiplier(tf.tensor1d([0.3]));
  const fixed = networks.constants(state, batch, heads, noise, alpha, alphaPrime);
  const live = { q1: state.live.q1, q2: state.live.q2 };
  for (const warmStart of [false, true]) {
    const { gradients } = networks.gradients(state, fixed, batch, warmStart);
    await checkAgainstDifferences(
      `${backend} dL_pi/dpolicy (warm start ${warmStart})`,
      policyValues,
      gradients.policy,
      (p) => networks.policyLoss(p, live, fixed, batch, warmStart),
      1e-3,
    );
    if (warmStart) continue;
    for (const q of ["q1", "q2"] as const) {
      const { bellman, cql } = tf.tidy(() => networks.qLosses(state.live[q], fixed, batch));
      assert(value(bellman) > 0 && Number.isFinite(value(cql)), "finite Q losses");
      await checkAgainstDifferences(
        `${backend} dL_${q}/d${q}`,
        Float32Array.from(await state.live[q].data()),
        gradients[q],
        (p) => {
          const losses = networks.qLosses(p, fixed, batch);
          return tf.add(losses.bellman, losses.cql) as tf.Scalar;
        },
      );
    }
  }
  // The scalar groups: log alpha, and log alpha' inside and past its clamp.
  const logProb = tf.tensor1d([-1.0, 0.4, 2.0]);
  const lagrange = (x: number | tf.Tensor) =>
    lagrangeLoss(typeof x === "number" ? tf.tensor1d([x]) : x, tf.scalar(7), tf.scalar(2), 5);
  for (const logAlphaPrime of [0.3, 14.5]) { // exp(14.5) > 1e6: the clamp holds alpha'
    const [g] = tf.grads((x) => lagrange(x))([tf.tensor1d([logAlphaPrime])]);
    const numeric =
      (value(lagrange(logAlphaPrime + 1e-2)) - value(lagrange(logAlphaPrime - 1e-2))) /
      2e-2;
    const expected = logAlphaPrime < Math.log(1e6) ? 0.5 * Math.exp(logAlphaPrime) : 0;
    assertClose(value(g), numeric, 1e-2, `dL_alpha'/dlog alpha' at ${logAlphaPrime}`);
    assertClose(value(g), expected, 1e-5, `closed form at ${logAlphaPrime}`);
  }
  const [gAlpha] = tf.grads((x) => alphaLoss(x, logProb, -2))([tf.tensor1d([0.5])]);
  assertClose(
    value(gAlpha),
    -mean([-1.0, 0.4, 2.0].map((l) => l - 2)),
    1e-6,
    "dL_alpha/dlog alpha",
  );
  disposeBatch(raw);
  learner.dispose();
}

Deno.test("continuous gradients match finite differences, clamps active (cpu)", async () => {
  await checkContinuousGradients("cpu");
});

Deno.test("continuous gradients match finite differences on wasm", async () => {
  await checkContinuousGradients("wasm");
  await selectBackend({ backend: "cpu" });
});

Deno.test("discrete gradient (Q network and QMIX mixer) matches finite differences", async () => {
  const data = syntheticTransitions(discrete, 30, 5);
  const learner = Learner.create(discrete, {
    algorithm: "cql-ma",
    hiddenSize: 4,
    mixerEmbed: 3,
    mixerHyperHidden: 4,
    batchSize: 4,
    cqlSamples: 3,
    seed: 8,
    targetUpdatePeriod: 100,
  });
  learner.fit(data, 2);
  const parsed = learner.config as unknown as CqlMaConfig;
  const networks = new DiscreteCqlNetworks(
    discrete,
    parsed,
    discreteCqlLayouts(discrete, parsed),
    learner.kernels,
  );
  const batch = uploadBatch(learner.sample(data), discrete);
  const rows = batch.batchSize * discrete.nAgents;
  const u = tf.tensor2d(Rng.fromSeed(2).fillUniform(new Float32Array(3 * rows)) as Float32Array, [
    3,
    rows,
  ]);
  const sampled = sampleJointActions(batch.avail!, u, "reference");
  const y = networks.target(learner.state, batch);
  const critic = learner.state.live.critic;
  // qmixTotals (hypernetworks once per state) is qmixTotal column by column.
  const layouts = discreteCqlLayouts(discrete, parsed);
  const columns = [0, 1].map((m) =>
    tf.randomNormal([batch.batchSize, discrete.nAgents], m, 1, "float32", m + 1) as tf.Tensor2D
  );
  const together = qmixTotals(
    learner.kernels,
    layouts.mixer,
    batch.state,
    tf.stack(columns, 1) as tf.Tensor3D,
    critic,
  );
  columns.forEach((q, m) =>
    closeAll(
      read(tf.squeeze(tf.slice(together, [0, m], [-1, 1]), [1])),
      read(qmixTotal(learner.kernels, layouts.mixer, batch.state, q, critic)),
      1e-5,
      `Q_tot column ${m}`,
    )
  );
  const [gradient] = tf.grads((c) => {
    const { td, cql } = networks.losses(c as tf.Tensor1D, y, sampled, batch);
    return tf.add(td, cql);
  })([critic]);
  await checkAgainstDifferences(
    "d(L_TD + L_CQL)/dcritic",
    Float32Array.from(await critic.data()),
    gradient,
    (c) => {
      const { td, cql } = networks.losses(c, y, sampled, batch);
      return tf.add(td, cql) as tf.Scalar;
    },
  );
  disposeBatch(batch);
  learner.dispose();
});

// ---------------------------------------------------------------------------------------------
// 3. The step inside the learner.

Deno.test("the step's losses are its pieces: warm start before policy_eval_start, then SAC", async () => {
  const data = syntheticTransitions(continuous, 40, 3);
  const learner = Learner.create(continuous, {
    algorithm: "cql-ma",
    hiddenSize: 5,
    batchSize: 4,
    cqlSamples: 3,
    policyEvalStart: 2, // rlkit counts steps from 1: step 1 is BC, step 2 is not
    seed: 2,
  });
  const parsed = learner.config as unknown as CqlMaConfig;
  const networks = new CqlNetworks(
    continuous,
    parsed,
    cqlLayouts(continuous, parsed),
    learner.kernels,
  );
  for (const warmStart of [true, false]) {
    const sampled = learner.sample(data);
    const before = cloneState(learner.state);
    const rng = learner.rng.clone();
    learner.step(sampled);
    const losses = (await learner.losses())!;
    const batch = uploadBatch(sampled, continuous);
    const noise = drawNoise(rng, batch.batchSize * continuous.nAgents, 3, continuous.actDim);
    const alpha = tf.exp(tf.reshape(learner.state.live.alpha, [])) as tf.Scalar;
    // The first Adam step moves log alpha by the learning rate.
    assertClose(
      Math.abs(Math.log(losses.alpha) - Math.log(value(tf.exp(before.live.alpha)))),
      1e-4,
      1e-6,
      "alpha step",
    );
    const heads = networks.heads(before.live.policy, batch);
    const fixed = networks.constants(before, batch, heads, noise, alpha, tf.scalar(1));
    const mine = networks.gradients(before, fixed, batch, warmStart).values;
    const other = networks.gradients(before, fixed, batch, !warmStart).values;
    assertClose(losses.policy, value(mine.policy), 1e-5, `policy loss (warm start ${warmStart})`);
    assert(Math.abs(losses.policy - value(other.policy)) > 1e-3, "the other policy loss differs");
    assertClose(losses.q, (value(mine.bellman1) + value(mine.bellman2)) / 2, 1e-5, "q");
    assertClose(losses.cql, (value(mine.cql1) + value(mine.cql2)) / 2, 1e-4, "cql");
    disposeBatch(batch);
  }
  learner.dispose();
});

Deno.test("discrete targets are hard copies after steps 0, period, 2 period", async () => {
  const data = syntheticTransitions(discrete, 40, 3);
  const learner = Learner.create(discrete, {
    algorithm: "cql-ma",
    hiddenSize: 6,
    batchSize: 4,
    targetUpdatePeriod: 2,
  });
  const same = async () => {
    const [live, target] = [
      await learner.state.live.critic.data(),
      await learner.state.target.critic.data(),
    ];
    return live.every((x, i) => x === target[i]);
  };
  const expected = [true, false, true, false];
  for (const copied of expected) {
    learner.step(data);
    assertEquals(await same(), copied, `after step ${learner.iteration}`);
  }
  learner.dispose();
});

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

Deno.test("the learner trains both kinds: finite losses, flat tensor count, exact resume, export", async () => {
  const cases = [
    [continuous, { withLagrange: true, policyEvalStart: 3, deterministicBackup: false }],
    [continuous, { automaticEntropyTuning: false }],
    [discrete, { targetUpdatePeriod: 2, oodSampling: "available" }],
    [discrete, {}],
  ] as const;
  for (const [spec, extra] of cases) {
    const what = `${spec.actionKind} ${JSON.stringify(extra)}`;
    const data = syntheticTransitions(spec, 64);
    const config = { algorithm: "cql-ma", hiddenSize: 8, batchSize: 8, ...extra };
    const whole = Learner.create(spec, config);
    whole.fit(data, 3);
    const count = tf.memory().numTensors;
    whole.fit(data, 3);
    assertEquals(tf.memory().numTensors, count, `${what}: tensors`);
    const losses = (await whole.losses())!;
    assertEquals(Object.keys(losses), [...whole.model.lossNames]);
    assert(Object.values(losses).every(Number.isFinite), `${what}: ${JSON.stringify(losses)}`);
    const half = Learner.create(spec, config);
    half.fit(data, 3);
    const resumed = Learner.fromCheckpoint(await half.checkpoint());
    resumed.fit(data, 3);
    assert(sameBytes(await resumed.checkpoint(), await whole.checkpoint()), `${what}: resume`);
    const policy = await whole.policy();
    const b = 5;
    const obs = Rng.fromSeed(4).fillNormal(
      new Float32Array(b * spec.nAgents * spec.obsDim),
    ) as Float32Array;
    if (spec.actionKind === "continuous") {
      const actions = await policy.act(obs);
      assertEquals(actions.length, b * spec.nAgents * spec.actDim);
      assert(Array.from(actions).every((a) => Math.abs(a) <= 1), `${what}: actions in [-1, 1]`);
    } else {
      const avail = new Uint8Array(b * spec.nAgents * spec.nActions!);
      for (let row = 0; row < b * spec.nAgents; row++) avail[row * spec.nActions! + (row % 3)] = 1;
      const actions = await policy.act(obs, avail);
      assertEquals(
        Array.from(actions),
        Array.from({ length: b * spec.nAgents }, (_, row) => row % 3),
      );
    }
    policy.dispose();
    for (const learner of [whole, half, resumed]) learner.dispose();
  }
});
