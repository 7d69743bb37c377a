/**
 * ICQ: each loss piece on hand-made numbers against plain arithmetic; the whole critic and
 * actor losses, and their gradients, against a float64 re-implementation here (central
 * differences); and the learner's contract (steps, memory, resume, export, refusals).
 */
import { assert, assertClose, assertEquals, assertThrows } from "../../assert.ts";
import { selectBackend } from "../../../core/backend/mod.ts";
import { tf } from "../../../core/tf.ts";
import type { MultiAgentSpec } from "../../../core/dataset.ts";
import { ValidationError } from "../../../core/errors.ts";
import { Learner } from "../../../core/learn/learner.ts";
import { loadPolicy } from "../../../core/learn/policy_export.ts";
import type { TrainingBatch } from "../../../core/learn/sampler.ts";
import { disposeBatch, uploadBatch } from "../../../core/learn/batch_tensors.ts";
import { syntheticTransitions } from "../../../core/learn/synthetic.ts";
import { mlpForward, type MlpLayout } from "../../../core/nn/dense.ts";
import {
  batchSoftmaxWeights,
  bootstrapWeights,
  counterfactualAdvantage,
  criticLoss,
  criticTarget,
  duelingQ,
  gaussianLogProb,
  type IcqConfig,
  icqLayouts,
  IcqNetworks,
  icqSettings,
  mixedQ,
  mixerWeights,
  policyEpsilon,
  policyLoss,
  policyProbabilities,
  tdAdvantage,
} from "../../../core/algorithms/icq.ts";

const discrete: MultiAgentSpec = {
  nAgents: 3,
  obsDim: 2,
  stateDim: 2,
  actionKind: "discrete",
  actDim: 1,
  nActions: 4,
};
const continuous: MultiAgentSpec = {
  nAgents: 2,
  obsDim: 3,
  stateDim: 2,
  actionKind: "continuous",
  actDim: 2,
};

const read = (t: tf.Tensor) => Array.from(t.dataSync());
const softmax = (xs: number[]) => {
  const top = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - top));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / total);
};
const closeAll = (actual: number[], expected: number[], tolerance: number, what: string) => {
  assertEquals(actual.length, expected.length, `${what}: length`);
  actual.forEach((value, i) => assertClose(value, expected[i], tolerance, `${what}[${i}]`));
};

// ---------------------------------------------------------------------------------------------
// 1. The pieces on hand-made numbers.

Deno.test("loss pieces equal their formulas on hand-made numbers", async () => {
  await selectBackend({ backend: "cpu" });
  tf.tidy(() => {
    // Mixer, N = 2, E = 2: rows [W1 (2 x 2) | wf (2)], signs mixed so |.| matters.
    const k = mixerWeights(tf.tensor2d([[1, -2, 0.5, 3, -1, 2], [-1, 0, 0, 1, 3, -0.5]]), 2);
    const k0 = [1 * 1 + 2 * 2, 0.5 * 1 + 3 * 2];
    const k1 = [1 * 3 + 0 * 0.5, 0 * 3 + 1 * 0.5];
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    closeAll(read(k), [...k0.map((x) => x / sum(k0)), ...k1.map((x) => x / sum(k1))], 1e-6, "k");
    // Q_i(a) = A_i(a) + V_i.
    closeAll(read(duelingQ(tf.tensor2d([[1, 2, 3, 10]]), 3)), [11, 12, 13], 1e-6, "dueling");
    // Q_tot = sum_i k_i Q_i.
    closeAll(
      read(mixedQ(tf.tensor2d([[0.25, 0.75]]), tf.tensor2d([[4, -2]]))),
      [-0.5],
      1e-6,
      "Qtot",
    );
    // Batch softmax over axis 0, per column, times B.
    const x = [[1, -1], [2, 0.5], [0, 3]];
    const w = batchSoftmaxWeights(tf.tensor2d(x), 0.5);
    const column = (j: number) => softmax(x.map((row) => row[j] / 0.5)).map((v) => 3 * v);
    const [c0, c1] = [column(0), column(1)];
    closeAll(read(w), [c0[0], c1[0], c0[1], c1[1], c0[2], c1[2]], 1e-5, "batch softmax");
    // Bootstrap weights: discrete B softmax (no clamp); continuous clamp(B / alpha softmax, 0, 1)
    // with the clamp active on the largest entry.
    const next = [1, 2, 4];
    const plain = softmax(next.map((v) => v / 2)).map((v) => 3 * v);
    closeAll(read(bootstrapWeights(tf.tensor1d(next), 2, null)), plain, 1e-5, "w discrete");
    const clamped = plain.map((v) => Math.min(1, Math.max(0, v / 0.8)));
    assert(plain.some((v) => v / 0.8 > 1), "the clamp should be active on this fixture");
    closeAll(read(bootstrapWeights(tf.tensor1d(next), 2, 0.8)), clamped, 1e-5, "w continuous");
    // y = r + gamma mask w Q'; L_Q = mean((Q - y)^2).
    const y = criticTarget(
      tf.tensor1d([1, -1, 0.5]),
      tf.tensor1d([1, 0, 1]),
      tf.tensor1d([0.5, 2, 1.5]),
      tf.tensor1d([2, 3, -1]),
      0.9,
    );
    const yExpected = [1 + 0.9 * 0.5 * 2, -1, 0.5 + 0.9 * 1.5 * -1];
    closeAll(read(y), yExpected, 1e-6, "y");
    const q = [2, 0, 1];
    const loss = criticLoss(tf.tensor1d(q), y).dataSync()[0];
    assertClose(loss, q.reduce((a, v, i) => a + (v - yExpected[i]) ** 2, 0) / 3, 1e-5, "L_Q");
    // Probabilities: epsilon floor over all actions, then renormalised over available ones.
    const logits = [[0, 1, 2], [1, 1, -1]];
    const available = [[1, 0, 1], [0, 1, 1]];
    const p = policyProbabilities(tf.tensor2d(logits), tf.tensor2d(available), 0.3);
    const expectedP = logits.flatMap((row, r) => {
      const mixed = softmax(row).map((v, a) => (0.7 * v + 0.1) * available[r][a]);
      const total = mixed.reduce((s, v) => s + v, 0);
      return mixed.map((v) => v / total);
    });
    closeAll(read(p), expectedP, 1e-6, "pi");
    // Counterfactual advantage Q(a) - sum_a pi(a) Q(a).
    const qa = [[1, 2, 3], [0, -1, 4]];
    const adv = counterfactualAdvantage(tf.tensor2d(qa), p, tf.tensor2d([[0, 0, 1], [0, 1, 0]]));
    const baseline = (r: number) => qa[r].reduce((s, v, a) => s + v * expectedP[r * 3 + a], 0);
    closeAll(read(adv), [3 - baseline(0), -1 - baseline(1)], 1e-5, "advantage");
    // One-step advantage r + gamma mask Q'_tot - Q_tot.
    const td = tdAdvantage(
      tf.tensor1d([1, 2]),
      tf.tensor1d([1, 0]),
      tf.tensor1d([3, 5]),
      tf.tensor1d([0.5, 1]),
      0.5,
    );
    closeAll(read(td), [1 + 1.5 - 0.5, 2 - 1], 1e-6, "td advantage");
    // Gaussian log-density around tanh(u), log sigma = -6 + 6 sigmoid(theta), no Jacobian.
    const u = [[0.3, -1], [2, 0]];
    const action = [[0.1, -0.5], [0.9, 0.2]];
    const theta = [0.5, -1];
    const logStd = theta.map((t) => -6 + 6 / (1 + Math.exp(-t)));
    const expectedLogProb = u.map((row, r) =>
      row.reduce((s, ud, d) => {
        const z = (action[r][d] - Math.tanh(ud)) / Math.exp(logStd[d]);
        return s - 0.5 * z * z - logStd[d] - 0.5 * Math.log(2 * Math.PI);
      }, 0)
    );
    const logProb = gaussianLogProb(tf.tensor2d(u), tf.tensor1d(theta), tf.tensor2d(action));
    closeAll(read(logProb), expectedLogProb, 1e-3, "gaussian log-prob");
    // L_pi = -mean(k w log pi), w broadcast from [B, 1].
    const pl = policyLoss(
      tf.tensor2d([[0.2, 0.8], [0.5, 0.5]]),
      tf.tensor2d([[1.5], [0.5]]),
      tf.tensor2d([[-1, -2], [-0.5, -4]]),
    ).dataSync()[0];
    const expectedPl = -(0.2 * 1.5 * -1 + 0.8 * 1.5 * -2 + 0.5 * 0.5 * -0.5 + 0.5 * 0.5 * -4) / 4;
    assertClose(pl, expectedPl, 1e-6, "L_pi");
  });
});

Deno.test("kind-dependent defaults and the epsilon schedule", () => {
  const config = { algorithm: "icq" } as IcqConfig;
  const base = { ...config, hiddenSize: 256, bootstrapAlpha: 2 } as IcqConfig;
  const d = icqSettings(discrete, base);
  assertEquals(
    [d.policyLr, d.criticLr, d.criticBeta, d.policyBeta, d.targetUpdateInterval, d.bootstrapAlpha],
    [5e-4, 1e-4, 1000, 0.1, 600, null],
  );
  assertEquals([d.policyHiddenSize, d.policyDepth, d.policyWeightDecay], [64, 2, 0]);
  const c = icqSettings(continuous, base);
  assertEquals(
    [c.policyLr, c.criticLr, c.criticBeta, c.policyBeta, c.targetUpdateInterval, c.bootstrapAlpha],
    [3e-4, 3e-4, 600, 600, 0, 2],
  );
  assertEquals([c.policyHiddenSize, c.policyDepth, c.policyWeightDecay], [256, 4, 1e-4]);
  const schedule = { epsilonStart: 0.5, epsilonFinish: 0.05, epsilonAnnealSteps: 5000 };
  const eps = (i: number) => policyEpsilon({ ...base, ...schedule }, i);
  assertClose(eps(0), 0.5, 1e-12);
  assertClose(eps(2500), 0.275, 1e-12);
  assertClose(eps(9000), 0.05, 1e-12);
});

// ---------------------------------------------------------------------------------------------
// 2. The whole losses against a float64 re-implementation, and their gradients.

type Vec = Float64Array;

function forward(layout: MlpLayout, params: Vec, x: number[]): number[] {
  let h = x;
  layout.layers.forEach((layer, l) => {
    const out = new Array(layer.outputs).fill(0);
    for (let j = 0; j < layer.outputs; j++) {
      let s = params[layer.biasOffset + j];
      for (let i = 0; i < layer.inputs; i++) {
        s += h[i] * params[layer.weightOffset + i * layer.outputs + j];
      }
      out[j] = l === layout.layers.length - 1 ? s : Math.max(0, s);
    }
    h = out;
  });
  return h;
}

/** The reference's per-agent Q at chosen actions [B][N] (or all actions) and k [B][N]. */
function referenceCritic(
  spec: MultiAgentSpec,
  layouts: ReturnType<typeof icqLayouts>,
  critic: Vec,
  batch: TrainingBatch,
  next: boolean,
) {
  const { nAgents: n, obsDim, actDim } = spec;
  const nActions = spec.nActions ?? 0;
  const states = n * spec.stateDim;
  const local = obsDim + n;
  const state = next ? batch.nextState : batch.state;
  const obs = next ? batch.nextObsWithId : batch.obsWithId;
  const taken: number[][] = [];
  const all: number[][][] = [];
  const k: number[][] = [];
  for (let b = 0; b < batch.batchSize; b++) {
    const s = Array.from(state.subarray(b * states, (b + 1) * states));
    const m = forward(layouts.mixer, critic, s);
    const embed = m.length / (n + 1);
    const raw = Array.from({ length: n }, (_, i) => {
      let total = 0;
      for (let e = 0; e < embed; e++) {
        total += Math.abs(m[i * embed + e]) * Math.abs(m[n * embed + e]);
      }
      return total;
    });
    const rawSum = raw.reduce((x, y) => x + y, 0);
    k.push(raw.map((x) => x / rawSum));
    taken.push([]);
    all.push([]);
    for (let i = 0; i < n; i++) {
      const row = b * n + i;
      const o = Array.from(obs.subarray(row * local, (row + 1) * local));
      if (spec.actionKind === "discrete") {
        const out = forward(layouts.critic, critic, [...s, ...o]);
        const q = out.slice(0, nActions).map((v) => v + out[nActions]);
        const oneHot = next ? batch.nextAction! : batch.actionOneHot!;
        all[b].push(q);
        taken[b].push(q.reduce((x, v, a) => x + v * oneHot[row * nActions + a], 0));
      } else {
        const a = Array.from(
          (next ? batch.nextAction! : batch.action!).subarray(row * actDim, (row + 1) * actDim),
        );
        const input = [...s, ...o.slice(0, obsDim), ...a, ...o.slice(obsDim)];
        taken[b].push(forward(layouts.critic, critic, input)[0]);
      }
    }
  }
  const total = taken.map((q, b) => q.reduce((x, v, i) => x + v * k[b][i], 0));
  return { taken, all, k, total };
}

const batchWeights = (xs: number[], beta: number) =>
  softmax(xs.map((x) => x / beta)).map((v) => v * xs.length);

/** L_Q of the live critic against the target critic's y, in float64. */
function referenceCriticLoss(
  spec: MultiAgentSpec,
  config: IcqConfig,
  critic: Vec,
  target: Vec,
  batch: TrainingBatch,
): number {
  const layouts = icqLayouts(spec, config);
  const settings = icqSettings(spec, config);
  const next = referenceCritic(spec, layouts, target, batch, true).total;
  let w = batchWeights(next, settings.criticBeta);
  if (settings.bootstrapAlpha !== null) {
    w = w.map((v) => Math.min(1, Math.max(0, v / settings.bootstrapAlpha!)));
  }
  const y = next.map((q, b) => batch.reward[b] + config.gamma * batch.mask[b] * w[b] * q);
  const now = referenceCritic(spec, layouts, critic, batch, false).total;
  return now.reduce((x, q, b) => x + (q - y[b]) ** 2, 0) / now.length;
}

/**
 * L_pi in float64: `policy` gives log pi; `frozen` gives the probabilities in the baseline
 * (discrete), which carry no gradient; the critic gives Q, k and the weights.
 */
function referencePolicyLoss(
  spec: MultiAgentSpec,
  config: IcqConfig,
  policy: Vec,
  frozen: Vec,
  critic: Vec,
  batch: TrainingBatch,
  epsilon: number,
): number {
  const layouts = icqLayouts(spec, config);
  const settings = icqSettings(spec, config);
  const { nAgents: n, obsDim, actDim } = spec;
  const local = obsDim + n;
  const rows = batch.batchSize * n;
  const input = (row: number) =>
    Array.from(batch.obsWithId.subarray(row * local, (row + 1) * local));
  const now = referenceCritic(spec, layouts, critic, batch, false);
  const logProb: number[] = [];
  const weight: number[][] = []; // [B][N]
  if (spec.actionKind === "discrete") {
    const nActions = spec.nActions!;
    const probs = (params: Vec, row: number) => {
      const p = softmax(forward(layouts.policy, params, input(row))).map((v, a) => {
        const available = Math.max(
          batch.avail![row * nActions + a],
          batch.actionOneHot![row * nActions + a],
        );
        return ((1 - epsilon) * v + epsilon / nActions) * available;
      });
      const total = p.reduce((x, y) => x + y, 0);
      return p.map((v) => v / total);
    };
    const advantage: number[][] = [];
    for (let row = 0; row < rows; row++) {
      const [b, i] = [Math.floor(row / n), row % n];
      const oneHot = batch.actionOneHot!.subarray(row * nActions, (row + 1) * nActions);
      const pFrozen = probs(frozen, row);
      const q = now.all[b][i];
      (advantage[b] ??= [])[i] = now.taken[b][i] - q.reduce((x, v, a) => x + v * pFrozen[a], 0);
      logProb.push(Math.log(probs(policy, row).reduce((x, v, a) => x + v * oneHot[a], 0)));
    }
    for (let b = 0; b < batch.batchSize; b++) weight.push([]);
    for (let i = 0; i < n; i++) {
      const column = batchWeights(advantage.map((row) => row[i]), settings.policyBeta);
      column.forEach((v, b) => (weight[b][i] = v));
    }
  } else {
    const next = referenceCritic(spec, layouts, critic, batch, true).total;
    const advantage = now.total.map((q, b) =>
      batch.reward[b] + config.gamma * batch.mask[b] * next[b] - q
    );
    const w = batchWeights(advantage, settings.policyBeta);
    for (let b = 0; b < batch.batchSize; b++) weight.push(new Array(n).fill(w[b]));
    const theta = Array.from({ length: actDim }, (_, d) => policy[layouts.policy.size + d]);
    for (let row = 0; row < rows; row++) {
      const u = forward(layouts.policy, policy, input(row));
      let s = 0;
      for (let d = 0; d < actDim; d++) {
        const logStd = -6 + 6 / (1 + Math.exp(-theta[d]));
        const z = (batch.action![row * actDim + d] - Math.tanh(u[d])) / Math.exp(logStd);
        s += -0.5 * z * z - logStd - 0.5 * Math.log(2 * Math.PI);
      }
      logProb.push(s);
    }
  }
  let total = 0;
  for (let row = 0; row < rows; row++) {
    const [b, i] = [Math.floor(row / n), row % n];
    total += now.k[b][i] * weight[b][i] * logProb[row];
  }
  return -total / rows;
}

function centralDifferences(params: Vec, loss: () => number, epsilon = 1e-6): number[] {
  return Array.from(params, (_, j) => {
    const saved = params[j];
    params[j] = saved + epsilon;
    const up = loss();
    params[j] = saved - epsilon;
    const down = loss();
    params[j] = saved;
    return (up - down) / (2 * epsilon);
  });
}

function compare(analytic: ArrayLike<number>, numeric: number[], what: string) {
  const scale = Math.max(...numeric.map(Math.abs));
  assert(scale > 1e-5, `${what}: the gradient should not vanish on this fixture`);
  numeric.forEach((value, j) =>
    assertClose(analytic[j], value, 2e-3 * scale, `${what}[${j}] (scale ${scale})`)
  );
}

async function checkLossesAndGradients(spec: MultiAgentSpec, backend: "cpu" | "wasm") {
  await selectBackend({ backend });
  const isDiscrete = spec.actionKind === "discrete";
  const learner = Learner.create(spec, {
    algorithm: "icq",
    hiddenSize: 4,
    policyHiddenSize: 4,
    mixerEmbedSize: 2,
    batchSize: 5,
    seed: 4,
    // Sharp actor weights, so that a baseline leaking gradient would show.
    policyBeta: isDiscrete ? 0.05 : 0.5,
    criticBeta: 2,
    bootstrapAlpha: 0.5,
    targetUpdateInterval: 100,
    policyLr: 1e-2,
    criticLr: 1e-2,
  });
  const data = syntheticTransitions(spec, 40, 9);
  learner.fit(data, 3);
  const config = learner.config as unknown as IcqConfig;
  const layouts = icqLayouts(spec, config);
  const networks = new IcqNetworks(spec, config, layouts, learner.kernels);
  const batch = learner.sample(data);
  const uploaded = uploadBatch(batch, spec);
  const { live, target } = learner.state;
  const critic = Float64Array.from(await live.critic.data());
  const criticTarget = Float64Array.from(await target.critic.data());
  const policy = Float64Array.from(await live.policy.data());
  assert(critic.some((v, j) => v !== criticTarget[j]), "live and target critics should differ");
  const epsilon = 0.3;

  // The fixture's thresholds: mixer outputs of both signs (|.|), unavailable actions (the
  // renormalisation), the continuous bootstrap clamp.
  const mixerOut = read(mlpForward(learner.kernels, layouts.mixer, uploaded.state, live.critic));
  assert(mixerOut.some((v) => v < 0) && mixerOut.some((v) => v > 0), "mixer signs");
  if (isDiscrete) assert(batch.avail!.some((v) => v === 0), "some actions unavailable");

  // Critic loss and gradient.
  const y = networks.target(target.critic, uploaded);
  const criticResult = tf.valueAndGrads((c: tf.Tensor) =>
    networks.criticObjective(c as tf.Tensor1D, y, uploaded)
  )([live.critic]);
  const criticRef = () => referenceCriticLoss(spec, config, critic, criticTarget, batch);
  const lq = criticResult.value.dataSync()[0];
  assertClose(lq, criticRef(), 1e-4 * Math.max(1, Math.abs(lq)), `${backend} L_Q`);
  compare(
    await criticResult.grads[0].data(),
    centralDifferences(critic, criticRef),
    `${backend} ${spec.actionKind} dL_Q/dcritic`,
  );

  // Actor loss and gradient (weights, baseline and k constant).
  let policyResult: { value: tf.Scalar; grads: tf.Tensor[] };
  let extra: tf.Tensor[];
  if (isDiscrete) {
    const { all, k, taken } = networks.critic(
      live.critic,
      uploaded.state,
      uploaded.obsWithId,
      uploaded.actionOneHot,
    );
    policyResult = tf.valueAndGrads((p: tf.Tensor) =>
      networks.discretePolicyObjective(p as tf.Tensor1D, all!, k, uploaded, epsilon)
    )([live.policy]);
    extra = [all!, k, taken];
  } else {
    const { weight, k } = networks.continuousWeights(live.critic, uploaded);
    policyResult = tf.valueAndGrads((p: tf.Tensor) =>
      networks.continuousPolicyObjective(p as tf.Tensor1D, weight, k, uploaded)
    )([live.policy]);
    extra = [weight, k];
  }
  const frozen = Float64Array.from(policy);
  const policyRef = () => referencePolicyLoss(spec, config, policy, frozen, critic, batch, epsilon);
  const lp = policyResult.value.dataSync()[0];
  assertClose(lp, policyRef(), 1e-4 * Math.max(1, Math.abs(lp)), `${backend} L_pi`);
  const numeric = centralDifferences(policy, policyRef);
  compare(
    await policyResult.grads[0].data(),
    numeric,
    `${backend} ${spec.actionKind} dL_pi/dpolicy`,
  );
  if (isDiscrete) {
    // Letting the baseline carry gradient would change the answer on this fixture.
    const leaky = centralDifferences(
      policy,
      () => referencePolicyLoss(spec, config, policy, policy, critic, batch, epsilon),
    );
    const scale = Math.max(...numeric.map(Math.abs));
    const gap = Math.max(...leaky.map((v, j) => Math.abs(v - numeric[j])));
    assert(gap > 0.05 * scale, `the stop-gradient should matter here (gap ${gap}, scale ${scale})`);
  }
  tf.dispose([
    y,
    criticResult.value,
    ...criticResult.grads,
    policyResult.value,
    ...policyResult.grads,
  ]);
  tf.dispose(extra);
  disposeBatch(uploaded);
  learner.dispose();
}

Deno.test("discrete: L_Q and L_pi and their gradients match a float64 reference (cpu)", async () => {
  await checkLossesAndGradients(discrete, "cpu");
});

Deno.test("continuous: L_Q and L_pi and their gradients match a float64 reference (cpu)", async () => {
  await checkLossesAndGradients(continuous, "cpu");
});

Deno.test("the gradients match on wasm too", async () => {
  await checkLossesAndGradients(discrete, "wasm");
  await checkLossesAndGradients(continuous, "wasm");
  await selectBackend({ backend: "cpu" });
});

// ---------------------------------------------------------------------------------------------
// 3. The learner.

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

for (const spec of [discrete, continuous]) {
  Deno.test(`${spec.actionKind}: trains, keeps memory flat, resumes bit for bit, exports`, async () => {
    await selectBackend({ backend: "cpu" });
    const data = syntheticTransitions(spec, 64);
    const config = { algorithm: "icq", hiddenSize: 8, batchSize: 8, targetUpdateInterval: 4 };
    const learner = Learner.create(spec, config);
    learner.fit(data, 2);
    const count = tf.memory().numTensors;
    learner.fit(data, 3);
    assertEquals(tf.memory().numTensors, count, "tensor count across steps");
    const losses = (await learner.losses())!;
    assertEquals(Object.keys(losses), ["policy", "q"]);
    assert(Object.values(losses).every(Number.isFinite), `finite losses ${JSON.stringify(losses)}`);
    // Resume after 5 steps; 5 more cross the hard copy at step 8.
    const resumed = Learner.fromCheckpoint(await learner.checkpoint());
    const whole = Learner.create(spec, config);
    whole.fit(data, 10);
    learner.fit(data, 5);
    resumed.fit(data, 5);
    const [a, b, c] = [
      await learner.checkpoint(),
      await resumed.checkpoint(),
      await whole.checkpoint(),
    ];
    assert(sameBytes(a, c), "5 + 5 steps in one learner differ from 10");
    assert(sameBytes(b, c), "a resumed learner differs from an uninterrupted one");
    // Export and act.
    const exported = await learner.exportPolicy();
    assertEquals(
      exported.architecture.output.kind,
      spec.actionKind === "discrete" ? "categorical_argmax" : "tanh",
    );
    const policy = loadPolicy(exported.weights);
    const obs = data.obs.subarray(0, 2 * spec.nAgents * spec.obsDim);
    if (spec.actionKind === "discrete") {
      const avail = data.avail!.subarray(0, 2 * spec.nAgents * spec.nActions!);
      const actions = await policy.act(obs, avail);
      actions.forEach((a, row) => assertEquals(avail[row * spec.nActions! + a], 1));
    } else {
      // The action is the actor's mean tanh(u).
      const actions = await policy.act(obs);
      const layouts = icqLayouts(spec, learner.config as unknown as IcqConfig);
      const width = spec.obsDim + spec.nAgents;
      const input = new Float32Array(2 * spec.nAgents * width);
      for (let row = 0; row < 2 * spec.nAgents; row++) {
        input.set(obs.subarray(row * spec.obsDim, (row + 1) * spec.obsDim), row * width);
        input[row * width + spec.obsDim + (row % spec.nAgents)] = 1;
      }
      const mean = tf.tidy(() =>
        tf.tanh(
          mlpForward(
            learner.kernels,
            layouts.policy,
            tf.tensor2d(input, [2 * spec.nAgents, width]),
            learner.state.live.policy,
          ),
        )
      );
      closeAll(Array.from(actions), read(mean), 1e-6, "continuous action");
      mean.dispose();
    }
    policy.dispose();
    [learner, resumed, whole].forEach((l) => l.dispose());
  });
}

Deno.test("targets: a hard copy every targetUpdateInterval steps (discrete), Polyak otherwise", async () => {
  await selectBackend({ backend: "cpu" });
  const data = syntheticTransitions(discrete, 32);
  const learner = Learner.create(discrete, {
    algorithm: "icq",
    hiddenSize: 8,
    batchSize: 8,
    targetUpdateInterval: 3,
  });
  const initial = read(learner.state.target.critic);
  learner.fit(data, 2);
  assertEquals(read(learner.state.target.critic), initial, "no copy before step 3");
  learner.fit(data, 1);
  assertEquals(read(learner.state.target.critic), read(learner.state.live.critic), "copy at 3");
  learner.fit(data, 1);
  assert(
    read(learner.state.target.critic).some((v, j) => v !== read(learner.state.live.critic)[j]),
    "the target stays put after the copy",
  );
  learner.dispose();
  const soft = Learner.create(continuous, {
    algorithm: "icq",
    hiddenSize: 8,
    batchSize: 8,
    tau: 0.5,
  });
  const before = read(soft.state.target.critic);
  soft.fit(syntheticTransitions(continuous, 32), 1);
  const live = read(soft.state.live.critic);
  closeAll(
    read(soft.state.target.critic),
    before.map((v, j) => 0.5 * v + 0.5 * live[j]),
    1e-6,
    "polyak",
  );
  soft.dispose();
});

Deno.test("refusals: data without next actions, and unknown config fields", async () => {
  await selectBackend({ backend: "cpu" });
  const data = syntheticTransitions(discrete, 32);
  const { nextAction: _, ...withoutNext } = data;
  const learner = Learner.create(discrete, { algorithm: "icq", hiddenSize: 8, batchSize: 8 });
  assertThrows(
    () => learner.step(withoutNext),
    ValidationError,
    "icq needs the dataset's next action",
  );
  learner.dispose();
  assertThrows(
    () => Learner.create(discrete, { algorithm: "icq", alpha: 3 }),
    ValidationError,
    "invalid icq config",
  );
});
