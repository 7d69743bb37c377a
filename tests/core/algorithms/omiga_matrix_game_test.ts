import { assert, assertClose, assertEquals } from "../../assert.ts";
import { selectBackend } from "../../../core/backend/mod.ts";
import { tf } from "../../../core/tf.ts";
import type { MultiAgentSpec, TransitionArrays } from "../../../core/dataset.ts";
import { Learner } from "../../../core/learn/learner.ts";
import { mlpForward } from "../../../core/nn/dense.ts";
import { Rng } from "../../../core/rng.ts";
import { omigaParts } from "./omiga_parts.ts";

/**
 * A one-step cooperative matrix game: two agents, three actions each, a known payoff table and
 * independent behaviour distributions. With one state and mask 0, Q_tot fits the payoff, and the
 * theory says the learned local policies pi_i = mu_i exp(w_i (Q_i - V_i) / alpha) are
 * self-normalised and multiply to pi* proportional to mu exp(Q_tot / alpha).
 */
const behaviour = [[0.6, 0.3, 0.1], [0.5, 0.2, 0.3]];
const agentValue = [[0, 2, 1], [0, 0.5, 2]];
const payoff = (a1: number, a2: number) =>
  agentValue[0][a1] + agentValue[1][a2] + (a1 === 1 && a2 === 2 ? 0.5 : 0);
const alpha = 1;

const spec: MultiAgentSpec = {
  nAgents: 2,
  obsDim: 1,
  stateDim: 1,
  actionKind: "discrete",
  actDim: 1,
  nActions: 3,
};

function matrixGameDataset(size: number, rng: Rng): TransitionArrays {
  const draw = (probabilities: number[]) => {
    let u = rng.float();
    for (let a = 0; a < probabilities.length; a++) if ((u -= probabilities[a]) < 0) return a;
    return probabilities.length - 1;
  };
  const action = new Int32Array(size * 2);
  const reward = new Float32Array(size);
  for (let t = 0; t < size; t++) {
    action[2 * t] = draw(behaviour[0]);
    action[2 * t + 1] = draw(behaviour[1]);
    reward[t] = payoff(action[2 * t], action[2 * t + 1]);
  }
  const ones = new Float32Array(size * 2).fill(1);
  return {
    spec,
    size,
    obs: ones,
    state: ones,
    action,
    reward,
    mask: new Float32Array(size), // one step: every transition is terminal
    nextObs: ones,
    nextState: ones,
    avail: new Uint8Array(size * 2 * 3).fill(1),
    nextAvail: new Uint8Array(size * 2 * 3).fill(1),
  };
}

Deno.test("matrix game: local policies self-normalise and agree with the closed-form pi*", async () => {
  await selectBackend({ backend: "wasm" });
  const data = matrixGameDataset(4000, Rng.fromSeed(21));
  const learner = Learner.create(spec, {
    hiddenSize: 32,
    mixerHiddenSize: 16,
    batchSize: 512,
    alpha,
    policyLr: 3e-3,
    qLr: 3e-3,
    vLr: 1e-3,
    tau: 0.05,
    seed: 1,
  });
  learner.fit(data, 800);

  // E_mu[exp(w'_i (Q'_i - V_i) / alpha)] per agent, exactly over the three actions, with the
  // networks the V loss uses (target Q and mixer, live V).
  const { layouts, live, targets } = omigaParts(learner);
  const k = learner.kernels;
  const [q, v, mix] = tf.tidy(() => {
    const input = tf.tensor2d([[1, 1, 0], [1, 0, 1]]); // [obs | one-hot id] per agent
    return [
      mlpForward(k, layouts.q, input, targets.critic), // [2, 3]
      mlpForward(k, layouts.value, input, live.value), // [2, 1]
      mlpForward(k, layouts.mixer!, tf.tensor2d([[1, 1]]), targets.critic), // [1, 3]
    ];
  });
  const [qValues, vValues, mixer] = [q.dataSync(), v.dataSync(), mix.dataSync()];
  tf.dispose([q, v, mix]);
  for (let i = 0; i < 2; i++) {
    const w = Math.abs(mixer[i]);
    const normaliser = behaviour[i].reduce(
      (sum, mu, a) => sum + mu * Math.exp((w * (qValues[i * 3 + a] - vValues[i])) / alpha),
      0,
    );
    // Not trivially 1: the advantages w (Q - V) spread widely over the actions.
    const advantages = [0, 1, 2].map((a) => w * (qValues[i * 3 + a] - vValues[i]));
    assert(Math.max(...advantages) - Math.min(...advantages) > 1, `agent ${i}: flat advantages`);
    assertClose(normaliser, 1, 0.05, `agent ${i}: E_mu[exp(w (Q - V) / alpha)]`);
  }

  // The closed form's preferred joint action.
  let best = [0, 0];
  let bestScore = -Infinity;
  for (let a1 = 0; a1 < 3; a1++) {
    for (let a2 = 0; a2 < 3; a2++) {
      const score = behaviour[0][a1] * behaviour[1][a2] * Math.exp(payoff(a1, a2) / alpha);
      if (score > bestScore) [best, bestScore] = [[a1, a2], score];
    }
  }
  assertEquals(best, [1, 2]); // differs from the behaviour's mode (0, 0)
  const policy = await learner.policy();
  const greedy = await policy.act(new Float32Array([1, 1]), new Uint8Array(6).fill(1));
  assertEquals(Array.from(greedy), best);
  policy.dispose();
  learner.dispose();
  await selectBackend({ backend: "cpu" });
});
