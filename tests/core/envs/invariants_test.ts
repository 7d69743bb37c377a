import fc from "fast-check";
import { assert } from "../../assert.ts";
import {
  makeEnv,
  MAX_RETURN,
  RandomPolicy,
  rollout,
  type RolloutRecorder,
  scriptedPolicy,
  skirmishDefaults,
} from "../../../core/envs/mod.ts";

const { nAllies, nEnemies } = skirmishDefaults;

Deno.test("skirmish invariants hold for any seeds and any mix of behaviours", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer(),
      fc.integer(),
      fc.constantFrom("random", "medium", "expert"),
      async (envSeed, policySeed, level) => {
        const env = makeEnv("skirmish", 8);
        const policy = level === "random"
          ? new RandomPolicy(env.spec, policySeed)
          : scriptedPolicy(env, level, policySeed);
        let previousAlive = new Int32Array(8).fill(nAllies + nEnemies);
        const recorder: RolloutRecorder = {
          chosen: () => {},
          stepped: (_t, step) => {
            const stateDim = env.spec.stateDim;
            for (let b = 0; b < 8; b++) {
              if (!step.running[b]) continue;
              assert(step.reward[b] >= 0, "rewards are never negative");
              assert(!(step.terminated[b] && step.truncated[b]), "terminated xor truncated");
              let alive = 0;
              const s = b * nAllies * stateDim;
              for (let k = 0; k < stateDim; k++) {
                const v = step.state[s + k];
                assert(Number.isFinite(v) && v >= -1 - 1e-6 && v <= 1 + 1e-6, `state ${k} = ${v}`);
              }
              for (let i = 0; i < nAllies; i++) alive += step.state[s + 4 * i] > 0 ? 1 : 0;
              for (let j = 0; j < nEnemies; j++) {
                alive += step.state[s + 4 * nAllies + 3 * j] > 0 ? 1 : 0;
              }
              assert(alive <= previousAlive[b], "the dead stay dead");
              previousAlive[b] = alive;
            }
            previousAlive = previousAlive.slice();
          },
        };
        const result = await rollout(env, policy, envSeed, recorder);
        for (let b = 0; b < 8; b++) {
          assert(result.returns[b] <= MAX_RETURN + 1e-4, `return ${result.returns[b]}`);
          assert(!result.won[b] || result.terminated[b], "a win is a terminal");
        }
      },
    ),
    { numRuns: 25 },
  );
});
