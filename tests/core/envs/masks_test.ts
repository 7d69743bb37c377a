import { assert, assertThrows } from "../../assert.ts";
import {
  makeEnv,
  RandomPolicy,
  rollout,
  type RolloutRecorder,
  scriptedPolicy,
  skirmishDefaults,
  SkirmishEnv,
  UnavailableActionError,
  type VecObservation,
} from "../../../core/envs/mod.ts";

const ATTACK = 6;
const { nAllies, nEnemies, weaponRange, mapSize } = skirmishDefaults;
const half = mapSize / 2;

/** Checks every mask entry of one observation against the global state. */
function checkMasks(env: SkirmishEnv, observation: VecObservation): number {
  const { stateDim, nActions = 0 } = env.spec;
  const { state, avail } = observation;
  let attacks = 0;
  for (let b = 0; b < env.numEnvs; b++) {
    const s = b * nAllies * stateDim; // agent 0's copy of the global state
    for (let i = 0; i < nAllies; i++) {
      const m = (b * nAllies + i) * nActions;
      const health = state[s + 4 * i];
      if (health <= 0) {
        for (let a = 0; a < nActions; a++) {
          assert(avail![m + a] === (a === 0 ? 1 : 0), "dead: no-op only");
        }
        continue;
      }
      assert(avail![m] === 0, "a living unit has no no-op");
      const x = state[s + 4 * i + 2] * half, y = state[s + 4 * i + 3] * half;
      for (let j = 0; j < nEnemies; j++) {
        const e = s + 4 * nAllies + 3 * j;
        const alive = state[e] > 0;
        const distance = Math.hypot(state[e + 1] * half - x, state[e + 2] * half - y);
        const available = avail![m + ATTACK + j] === 1;
        if (available) {
          attacks++;
          assert(alive, `copy ${b} ally ${i}: attack on dead enemy ${j} is available`);
          assert(distance <= weaponRange + 1e-4, `attack on enemy ${j} at ${distance} available`);
        } else if (alive) {
          assert(distance > weaponRange - 1e-4, `in-range living enemy ${j} not attackable`);
        }
      }
    }
  }
  return attacks;
}

Deno.test("skirmish: an attack on a dead or out-of-range enemy is never available", async () => {
  for (const level of ["random", "medium", "expert"] as const) {
    const env = new SkirmishEnv(16);
    let attacks = 0, deadEnemiesSeen = 0;
    const recorder: RolloutRecorder = {
      chosen: (_t, observation) => {
        attacks += checkMasks(env, observation);
        for (let k = 0; k < observation.state.length; k += env.spec.stateDim * nAllies) {
          for (let j = 0; j < nEnemies; j++) {
            if (observation.state[k + 4 * nAllies + 3 * j] === 0) deadEnemiesSeen++;
          }
        }
      },
      stepped: () => {},
    };
    await rollout(env, scriptedPolicy(env, level, 1), 40 + level.length, recorder);
    assert(attacks > 0, `${level}: some attacks were available`);
    if (level !== "random") assert(deadEnemiesSeen > 0, `${level}: some enemies died`);
  }
});

Deno.test("skirmish: taking an unavailable action is a clear typed error", async () => {
  const env = new SkirmishEnv(1);
  const start = env.reset(3);
  // At the start the teams are about 10 apart, beyond weapon range (6).
  assert(start.avail![ATTACK] === 0);
  const outOfRange = new Int32Array(nAllies).fill(1);
  outOfRange[0] = ATTACK;
  const error = assertThrows(
    () => env.step(outOfRange),
    UnavailableActionError,
    "out of weapon range",
  );
  assert(error.code === "unavailable_action" && error.agent === 0 && error.copy === 0);

  const noop = new Int32Array(nAllies); // no-op is for dead units only
  assertThrows(() => env.step(noop), UnavailableActionError, "only for dead units");

  // Play the expert until an enemy has died, then order an attack on it.
  const expert = scriptedPolicy(env, "expert", 0);
  let observation = env.reset(3);
  let dead = -1;
  for (let t = 0; t < env.timeLimit && dead < 0; t++) {
    observation = env.step(await expert.act(observation.obs, observation.avail) as Int32Array);
    for (let j = 0; j < nEnemies; j++) if (observation.state[4 * nAllies + 3 * j] === 0) dead = j;
  }
  assert(dead >= 0, "the expert killed an enemy");
  const attackDead = new Int32Array(nAllies);
  for (let i = 0; i < nAllies; i++) {
    attackDead[i] = observation.avail![i * env.spec.nActions!] ? 0 : 1;
  }
  const living = attackDead.indexOf(1);
  attackDead[living] = ATTACK + dead;
  assertThrows(() => env.step(attackDead), UnavailableActionError, `enemy ${dead} is dead`);
});

Deno.test("random play that follows the masks never raises", async () => {
  const env = makeEnv("skirmish", 64);
  const result = await rollout(env, new RandomPolicy(env.spec, 9), 0);
  assert(result.lengths.every((l) => l > 0 && l <= env.timeLimit));
});

Deno.test("matrix: an action outside the table is an unavailable action", () => {
  const env = makeEnv("matrix", 1);
  env.reset(0);
  assertThrows(() => env.step(Int32Array.from([0, 3])), UnavailableActionError, "actions are 0..2");
});
