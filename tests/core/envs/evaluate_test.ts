import { assert, assertClose, assertEquals, assertRejects, assertThrows } from "../../assert.ts";
import {
  episodeSeed,
  evaluate,
  makeEnv,
  referenceReturns,
  scriptedPolicy,
  SPREAD_AGENT_SIZE,
  spreadSpec,
  type VecEnv,
} from "../../../core/envs/mod.ts";
import type { MultiAgentSpec } from "../../../core/dataset.ts";
import type { Policy } from "../../../core/policy.ts";
import { ValidationError } from "../../../core/errors.ts";

/** A scripted policy that applies no force and counts its calls and batch sizes. */
class StandStill implements Policy {
  readonly spec: MultiAgentSpec = spreadSpec(3);
  calls = 0;
  batches: number[] = [];
  act(obs: Float32Array): Promise<Float32Array> {
    this.calls++;
    this.batches.push(obs.length / (3 * 14));
    return Promise.resolve(new Float32Array((obs.length / 14) * 2));
  }
}

/** Minus the sum of landmark distances to their closest agent, minus 1 per colliding pair. */
function spreadReward(state: Float32Array, at: number): number {
  let reward = 0;
  for (let l = 0; l < 3; l++) {
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      best = Math.min(
        best,
        Math.hypot(
          state[at + 4 * i] - state[at + 12 + 2 * l],
          state[at + 4 * i + 1] - state[at + 13 + 2 * l],
        ),
      );
    }
    reward -= best;
  }
  for (let i = 0; i < 3; i++) {
    for (let j = i + 1; j < 3; j++) {
      const d = Math.hypot(
        state[at + 4 * i] - state[at + 4 * j],
        state[at + 4 * i + 1] - state[at + 4 * j + 1],
      );
      if (d < 2 * SPREAD_AGENT_SIZE) reward -= 1;
    }
  }
  return reward;
}

Deno.test("evaluate: one policy call per step for all copies, returns from the reward rule", async () => {
  const policy = new StandStill();
  const report = await evaluate(policy, "spread", {
    episodes: 10,
    seeds: [1, 2],
    reference: { random: -60, expert: -10 },
  });
  assertEquals(policy.calls, 25);
  assert(policy.batches.every((b) => b === 20));
  assertEquals(report.returns.length, 20);
  assert(report.lengths.every((l) => l === 25));
  // Standing still, every step pays the reward of the start positions: rebuild it from the state.
  const env = makeEnv("spread", 20);
  const seeds = [];
  for (const s of [1, 2]) for (let k = 0; k < 10; k++) seeds.push(episodeSeed(s, k));
  const start = env.reset(seeds).state;
  for (let b = 0; b < 20; b++) {
    assertClose(report.returns[b], 25 * spreadReward(start, b * 3 * 18), 1e-3, `episode ${b}`);
  }
  const mean = report.returns.reduce((a, r) => a + r, 0) / 20;
  assertClose(report.mean, mean, 1e-9);
  assertClose(report.normalisedScore!, 100 * (mean + 60) / 50, 1e-9);
  assertEquals(report.winRate, undefined);
});

Deno.test("spread: each step's reward matches the state it leads to", async () => {
  const env = makeEnv("spread", 4);
  const expert = scriptedPolicy(env, "expert", 0);
  let observation = env.reset(9);
  for (let t = 0; t < 25; t++) {
    const step = env.step(await expert.act(observation.obs));
    for (let b = 0; b < 4; b++) {
      assertClose(step.reward[b], spreadReward(step.state, b * 3 * 18), 1e-4);
    }
    observation = step;
  }
});

Deno.test("evaluate: skirmish reports win rates and normalised scores from reference returns", async () => {
  const env = makeEnv("skirmish", 1);
  const reference = await referenceReturns("skirmish");
  const expert = await evaluate(scriptedPolicy(env, "expert", 3), "skirmish", {
    episodes: 40,
    seeds: [7],
  });
  const random = await evaluate(scriptedPolicy(env, "random", 3), { name: "skirmish" }, {
    episodes: 40,
    seeds: [7],
  });
  assertEquals(expert.reference, reference);
  assert(expert.winRate! >= 0.8 && random.winRate! < 0.05, `${expert.winRate} ${random.winRate}`);
  assert(expert.normalisedScore! > 90 && Math.abs(random.normalisedScore!) < 10);
  assert(expert.ci95[0] < expert.mean && expert.mean < expert.ci95[1]);
});

Deno.test("evaluate: a factory without reference returns gives no normalised score", async () => {
  const factory = (n: number): VecEnv => makeEnv("spread", n, { nAgents: 2 });
  const policy = scriptedPolicy(factory(1), "medium", 0);
  const report = await evaluate(policy, factory, { episodes: 3 });
  assertEquals(report.normalisedScore, undefined);
  assertEquals(report.envConfig.nAgents, 2);
});

Deno.test("evaluate: a policy for another environment is rejected", async () => {
  await assertRejects(
    () => evaluate(new StandStill(), "skirmish", { episodes: 1 }),
    ValidationError,
    "does not fit",
  );
  await assertRejects(
    () => evaluate(new StandStill(), "nowhere", { episodes: 1 }),
    ValidationError,
    "unknown environment",
  );
  await assertRejects(
    () => evaluate(new StandStill(), "spread", { episodes: 0 }),
    ValidationError,
    "episodes",
  );
});

Deno.test("configs: unknown fields and bad values name the field", () => {
  assertThrows(
    () => makeEnv("spread", 1, { agents: 3 }),
    ValidationError,
    `unknown config field "agents"`,
  );
  assertThrows(() => makeEnv("skirmish", 1, { nEnemies: 0 }), ValidationError, `"nEnemies"`);
});

Deno.test("evaluate: a signal that aborts (on a timer) stops long episodes and many batches", async () => {
  // One rollout of 100,000-step episodes: it yields to timers every few hundred steps.
  const long = new AbortController();
  const policy = new StandStill();
  setTimeout(() => long.abort(new Error("stopped mid-episode")), 50);
  await assertRejects(
    () =>
      evaluate(policy, { name: "spread", config: { timeLimit: 100_000 } }, {
        episodes: 2,
        signal: long.signal,
        reference: { random: -60, expert: -10 },
      }),
    Error,
    "stopped mid-episode",
  );
  assert(policy.calls < 100_000, `stopped part-way (${policy.calls} steps)`);
  // Many one-copy batches: it yields between them.
  const batches = new AbortController();
  setTimeout(() => batches.abort(new Error("stopped between batches")), 50);
  await assertRejects(
    () =>
      evaluate(new StandStill(), "spread", {
        episodes: 100_000,
        maxBatch: 1,
        signal: batches.signal,
        reference: { random: -60, expert: -10 },
      }),
    Error,
    "stopped between batches",
  );
  // Aborted already: nothing runs.
  const before = new StandStill();
  await assertRejects(
    () =>
      evaluate(before, "spread", {
        episodes: 1,
        signal: AbortSignal.abort(new Error("never started")),
        reference: { random: -60, expert: -10 },
      }),
    Error,
    "never started",
  );
  assertEquals(before.calls, 0);
});
