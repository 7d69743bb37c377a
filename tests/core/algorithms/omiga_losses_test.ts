import { assertClose } from "../../assert.ts";
import { selectBackend } from "../../../core/backend/mod.ts";
import { tf } from "../../../core/tf.ts";
import {
  advantageExponent,
  exponentShift,
  policyLoss,
  qLoss,
  scaledAdvantage,
  tdTarget,
  valueLoss,
  weightEffectiveSampleSize,
} from "../../../core/algorithms/omiga.ts";
import {
  categoricalLogProb,
  gaussianHead,
  tanhGaussianLogProb,
} from "../../../core/nn/distributions.ts";
import { Learner } from "../../../core/learn/learner.ts";
import { syntheticTransitions } from "../../../core/learn/synthetic.ts";
import type { MultiAgentSpec } from "../../../core/dataset.ts";
import { disposeBatch, uploadBatch } from "../../../core/learn/batch_tensors.ts";
import { mixedTotal } from "../../../core/nn/mixer.ts";
import { omigaParts } from "./omiga_parts.ts";
import { referenceLosses } from "./omiga_reference.ts";

await selectBackend({ backend: "cpu" });

const read = (t: tf.Tensor) => Array.from(t.dataSync());

function closeAll(actual: number[], expected: number[], tolerance: number, what: string) {
  expected.forEach((value, i) => assertClose(actual[i], value, tolerance, `${what}[${i}]`));
}

// Two transitions, two agents: [B, N] = [2, 2].
const w = [[0.5, 2.0], [1.5, 0.1]];
const q = [[1.0, -2.0], [0.5, 3.0]];
const b = [0.3, -0.7];

Deno.test("the weights' effective sample size is 1 for equal weights and 1/n for one weight", () => {
  const n = 8;
  const ess = (values: number[]) =>
    read(weightEffectiveSampleSize(tf.tensor2d(values, [2, values.length / 2])))[0];
  assertClose(ess(Array(n).fill(3.7)), 1, 1e-6, "equal weights");
  assertClose(ess([1, 0, 0, 0, 0, 0, 0, 0]), 1 / n, 1e-6, "one weight");
  // Two equal weights among zeros: (2w)^2 / (n * 2w^2) = 2 / n.
  assertClose(ess([0, 5, 0, 0, 5, 0, 0, 0]), 2 / n, 1e-6, "two weights");
});

Deno.test("Q_tot is the w-weighted sum of per-agent values plus b", () => {
  const total = read(mixedTotal(tf.tensor2d(w), tf.tensor2d(q), tf.tensor1d(b)));
  closeAll(total, [0.5 * 1 + 2 * -2 + 0.3, 1.5 * 0.5 + 0.1 * 3 - 0.7], 1e-6, "Q_tot");
});

Deno.test("the TD target is r + gamma * mask * V'_tot(s')", () => {
  const y = read(tdTarget(tf.tensor1d([1, -0.5]), tf.tensor1d([1, 0]), tf.tensor1d([2, 5]), 0.99));
  closeAll(y, [1 + 0.99 * 2, -0.5], 1e-6, "y");
});

Deno.test("the Q loss is the mean squared error against y", () => {
  const loss = qLoss(tf.tensor1d([1, 2, 3]), tf.tensor1d([0.5, 2.5, 5])).dataSync()[0];
  assertClose(loss, (0.25 + 0.25 + 4) / 3, 1e-6, "L_Q");
});

Deno.test("z = clamp((w'Q' - w'V) / alpha, -10, 10)", () => {
  const value = [[0.2, -1.0], [4.0, 0.0]];
  const alpha = 0.1;
  const scaled = scaledAdvantage(tf.tensor2d(w), tf.tensor2d(q), tf.tensor2d(value), alpha);
  const z = read(advantageExponent(scaled));
  const expected = w.flatMap((row, t) =>
    row.map((wi, i) => Math.min(Math.max((wi * q[t][i] - wi * value[t][i]) / alpha, -10), 10))
  );
  closeAll(z, expected, 1e-5, "z");
  assertClose(z[1], -10, 0, "clamped low"); // (2 * -2 - 2 * -1) / 0.1 = -20
});

function referenceValueLoss(z: number[][], wT: number[][], v: number[][], alpha: number) {
  const m = Math.max(Math.max(...z.flat()), -1);
  const terms = z.flatMap((row, t) =>
    row.map((zi, i) => Math.exp(zi - m) + Math.exp(-m) * wT[t][i] * v[t][i] / alpha)
  );
  return terms.reduce((s, x) => s + x, 0) / terms.length;
}

Deno.test("the V loss is mean(exp(z - m) + exp(-m) w' V / alpha), m = max(max z, -1)", () => {
  const value = [[0.2, -1.0], [4.0, 0.5]];
  for (const z of [[[0.3, -2.0], [1.5, -0.1]], [[-3, -2.5], [-4, -6]]]) { // m = 1.5; m floored at -1
    const zTensor = tf.tensor2d(z);
    const m = exponentShift(zTensor);
    assertClose(m.dataSync()[0], Math.max(Math.max(...z.flat()), -1), 1e-6, "m");
    const loss = valueLoss(zTensor, m, tf.tensor2d(w), tf.tensor2d(value), 10).dataSync()[0];
    assertClose(loss, referenceValueLoss(z, w, value, 10), 1e-5, `L_V for z=${z}`);
  }
});

Deno.test("the policy loss is -mean(weight * log pi)", () => {
  const weight = [[1.0, 2.0], [0.5, 3.0]];
  const logPi = [[-0.1, -2.0], [-1.0, -0.3]];
  const loss = policyLoss(tf.tensor2d(weight), tf.tensor2d(logPi)).dataSync()[0];
  assertClose(loss, -(-0.1 - 4 - 0.5 - 0.9) / 4, 1e-6, "L_pi");
});

Deno.test("tanh-Gaussian log-density: atanh of the clipped action, Gaussian, tanh Jacobian", () => {
  // Two rows, two action dims: [mean | log-std] per row, one log-std and one mean out of range.
  const output = [[0.3, -12.0, -0.5, 3.0], [1.0, 0.2, 0.1, -7.0]];
  const action = [[0.5, -0.9], [1.0, -0.2]]; // 1.0 is clipped to 1 - 1e-7
  const { mean, logStd } = gaussianHead(tf.tensor2d(output));
  const logPi = read(tanhGaussianLogProb(mean, logStd, tf.tensor2d(action)));
  const expected = output.map((out, r) => {
    let total = 0;
    for (let k = 0; k < 2; k++) {
      const mu = Math.min(Math.max(out[k], -9), 9);
      const ls = Math.min(Math.max(out[2 + k], -5), 2);
      const a = Math.min(Math.max(action[r][k], -(1 - 1e-7)), 1 - 1e-7);
      const u = 0.5 * Math.log((1 + a) / (1 - a));
      const density = Math.exp(-0.5 * ((u - mu) / Math.exp(ls)) ** 2) /
        (Math.exp(ls) * Math.sqrt(2 * Math.PI));
      total += Math.log(density) - Math.log(1 - a * a); // d tanh(u)/du = 1 - tanh(u)^2 = 1 - a^2
    }
    return total;
  });
  assertClose(logPi[0], expected[0], 1e-4, "log pi row 0");
  // Row 1 sits at the clip edge, where float32 atanh carries ~1e-3 relative error.
  assertClose(logPi[1], expected[1], Math.abs(expected[1]) * 2e-3, "log pi row 1");
});

Deno.test("categorical log-density is the log-softmax at the taken action", () => {
  const logits = [[1.0, 2.0, -1.0], [0.0, 0.0, 5.0]];
  const taken = [1, 0];
  const oneHot = taken.map((a) => [0, 1, 2].map((k) => (k === a ? 1 : 0)));
  const logPi = read(categoricalLogProb(tf.tensor2d(logits), tf.tensor2d(oneHot)));
  logits.forEach((row, r) => {
    const expected = row[taken[r]] - Math.log(row.reduce((s, x) => s + Math.exp(x), 0));
    assertClose(logPi[r], expected, 1e-5, `log pi row ${r}`);
  });
});

async function wiringCase(spec: MultiAgentSpec, algorithm: "omiga" | "omiga-local" | "bc") {
  const data = syntheticTransitions(spec, 40, 3);
  const learner = Learner.create(spec, {
    hiddenSize: 5,
    mixerHiddenSize: 4,
    batchSize: 6,
    seed: 4,
    alpha: 0.5,
    algorithm,
  });
  learner.fit(data, 3); // targets now differ from the live networks
  const batch = learner.sample(data);
  const uploaded = uploadBatch(batch, spec);
  const { networks, live, targets, layouts, config } = omigaParts(learner);
  const fixed = networks.targetValues(targets, uploaded);
  const losses = tf.tidy(() => {
    const { policy, q, v } = networks.forward(live, fixed, uploaded).losses;
    return { policy, q, v };
  });
  const expected = referenceLosses(
    layouts,
    spec,
    {
      policy: await live.policy.data(),
      critic: await live.critic.data(),
      value: await live.value.data(),
      criticTarget: await targets.critic.data(),
      valueTarget: await targets.value.data(),
    },
    batch,
    config,
  );
  for (const key of ["policy", "q", "v"] as const) {
    const actual = (await losses[key].data())[0];
    assertClose(
      actual,
      expected[key],
      1e-4 * Math.max(1, Math.abs(expected[key])),
      `${algorithm} ${key}`,
    );
  }
  tf.dispose([losses.policy, losses.q, losses.v, fixed.y, fixed.qTarget, fixed.wTarget]);
  disposeBatch(uploaded);
  learner.dispose();
}

Deno.test("the step's three losses through the networks equal a plain float64 evaluation", async () => {
  const continuous: MultiAgentSpec = {
    nAgents: 3,
    obsDim: 4,
    stateDim: 2,
    actionKind: "continuous",
    actDim: 2,
  };
  const discrete: MultiAgentSpec = {
    nAgents: 2,
    obsDim: 3,
    stateDim: 3,
    actionKind: "discrete",
    actDim: 1,
    nActions: 4,
  };
  await wiringCase(continuous, "omiga");
  await wiringCase(continuous, "omiga-local");
  await wiringCase(continuous, "bc");
  await wiringCase(discrete, "omiga");
});
