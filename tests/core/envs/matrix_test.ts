import { assertEquals, assertThrows } from "../../assert.ts";
import { evaluate, makeEnv, matrixDefaults, scriptedPolicy } from "../../../core/envs/mod.ts";
import { ValidationError } from "../../../core/errors.ts";

Deno.test("matrix: every joint action pays its table entry and terminates", () => {
  const env = makeEnv("matrix", 9);
  env.reset(0);
  const actions = new Int32Array(18);
  for (let b = 0; b < 9; b++) [actions[2 * b], actions[2 * b + 1]] = [Math.floor(b / 3), b % 3];
  const step = env.step(actions);
  assertEquals(Array.from(step.reward), matrixDefaults.payoff);
  assertEquals(Array.from(step.terminated), new Array(9).fill(1));
  assertEquals(Array.from(step.truncated), new Array(9).fill(0));
  // A finished copy pays nothing more until reset.
  assertEquals(Array.from(env.step(actions).reward), new Array(9).fill(0));
});

Deno.test("matrix: a configured table for three agents, agent 0 most significant", () => {
  const payoff = [0, 1, 2, 3, 4, 5, 6, 7];
  const env = makeEnv("matrix", 2, { nAgents: 3, nActions: 2, payoff });
  env.reset(0);
  const step = env.step(Int32Array.from([1, 0, 1, 0, 1, 1]));
  assertEquals(Array.from(step.reward), [5, 3]);
  assertEquals(env.spec, {
    nAgents: 3,
    obsDim: 1,
    stateDim: 1,
    actionKind: "discrete",
    actDim: 1,
    nActions: 2,
  });
});

Deno.test("matrix: a table of the wrong size is rejected with the expected size", () => {
  assertThrows(
    () => makeEnv("matrix", 1, { payoff: [1, 2, 3] }),
    ValidationError,
    "must be 9 finite numbers",
  );
  assertThrows(
    () => makeEnv("matrix", 1, { payoff: [1, 2, 3, 4, 5, 6, 7, 8, NaN] }),
    ValidationError,
    "payoff",
  );
});

Deno.test("matrix tiers: expert finds the optimum, medium the independent learners' action", async () => {
  const env = makeEnv("matrix", 1);
  const reference = { random: -4, expert: 8 };
  const expert = await evaluate(scriptedPolicy(env, "expert", 0), "matrix", {
    episodes: 5,
    reference,
  });
  const medium = await evaluate(scriptedPolicy(env, "medium", 0), "matrix", {
    episodes: 5,
    reference,
  });
  assertEquals([expert.mean, expert.std, expert.normalisedScore], [8, 0, 100]);
  assertEquals([medium.mean, medium.normalisedScore], [0, 100 * 4 / 12]);
  const random = await evaluate(scriptedPolicy(env, "random", 0), "matrix", { episodes: 4000 });
  // Uniform play: the table's mean, -40 / 9.
  assertEquals(Math.abs(random.mean + 40 / 9) < 0.5, true);
});
