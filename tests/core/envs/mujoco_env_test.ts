/**
 * The multi-agent MuJoCo tasks on the real engine: shapes, determinism, the observation and the
 * reward recomputed here from qpos/qvel with the benchmark's formulas, termination by the
 * health checks, the time limit, a resting cheetah, and memory that stays flat.
 */
import { assert, assertClose, assertEquals, assertThrows } from "../../assert.ts";
import { makeEnv, prepareEnv, scriptedPolicy } from "../../../core/envs/mod.ts";
import { loadMujoco } from "../../../core/envs/mujoco/engine.ts";
import { MujocoEnv } from "../../../core/envs/mujoco/env.ts";
import { MUJOCO_TASKS, type MujocoTaskName } from "../../../core/envs/mujoco/tasks.ts";
import { ValidationError } from "../../../core/errors.ts";

const SHAPES: Record<MujocoTaskName, [number, number, number]> = {
  "hopper-3x1": [3, 14, 1],
  "halfcheetah-6x1": [6, 23, 1],
  "ant-2x4": [2, 113, 4],
};

async function env(name: MujocoTaskName, copies = 2): Promise<MujocoEnv> {
  await prepareEnv(name);
  return makeEnv(name, copies) as MujocoEnv;
}

/** The benchmark's observation of agent i: [single obs | one-hot id], standardised. */
function expectedObs(single: number[], i: number, n: number): number[] {
  const vector = [...single, ...Array.from({ length: n }, (_, j) => (j === i ? 1 : 0))];
  const mean = vector.reduce((a, b) => a + b, 0) / vector.length;
  const std = Math.sqrt(vector.reduce((a, b) => a + (b - mean) ** 2, 0) / vector.length);
  return vector.map((v) => (v - mean) / std);
}

/** gym v2's single-agent observation, from qpos/qvel. */
function singleObs(name: MujocoTaskName, qpos: Float64Array, qvel: Float64Array): number[] {
  if (name === "hopper-3x1") {
    return [...qpos.slice(1), ...Array.from(qvel, (v) => Math.max(-10, Math.min(10, v)))];
  }
  if (name === "halfcheetah-6x1") return [...qpos.slice(1), ...qvel];
  return [...qpos.slice(2), ...qvel, ...new Array(84).fill(0)];
}

for (const name of Object.keys(SHAPES) as MujocoTaskName[]) {
  Deno.test(`${name}: shapes, and every agent observes the standardised whole observation`, async () => {
    const e = await env(name);
    const [agents, width, act] = SHAPES[name];
    assertEquals(
      [e.spec.nAgents, e.spec.obsDim, e.spec.stateDim, e.spec.actDim],
      [agents, width, width, act],
    );
    const first = e.reset(7);
    const { qpos, qvel } = e.physics(1);
    const single = singleObs(name, qpos, qvel);
    for (let i = 0; i < agents; i++) {
      const row = first.obs.subarray((agents + i) * width, (agents + i + 1) * width);
      expectedObs(single, i, agents).forEach((v, k) =>
        assertClose(row[k], v, 1e-5, `${name} agent ${i} obs[${k}]`)
      );
      const state = first.state.subarray((agents + i) * width, (agents + i + 1) * width);
      assertEquals(Array.from(state), Array.from(row));
    }
    e.dispose();
  });

  Deno.test(`${name}: an episode is a function of its seed and actions`, async () => {
    const run = async (seed: number) => {
      const e = await env(name, 3);
      let obs = e.reset(seed).obs.slice();
      const actions = new Float32Array(3 * e.spec.nAgents * e.spec.actDim);
      for (let t = 0; t < 30; t++) {
        for (let k = 0; k < actions.length; k++) actions[k] = Math.sin(0.3 * t + k);
        obs = e.step(actions).obs.slice();
      }
      e.dispose();
      return obs;
    };
    assertEquals(await run(4), await run(4));
    const [a, b] = [await run(4), await run(5)];
    assert(a.some((v, k) => v !== b[k]), "two seeds gave the same episode");
  });

  Deno.test(`${name}: the reward is the single-agent task's, recomputed from qpos`, async () => {
    const e = await env(name, 1);
    const task = MUJOCO_TASKS[name];
    e.reset(3);
    const actions = new Float32Array(e.spec.nAgents * e.spec.actDim);
    for (let t = 0; t < 5; t++) {
      for (let k = 0; k < actions.length; k++) actions[k] = 0.7 * Math.cos(t + 2 * k);
      const before = e.physics(0).qpos;
      const step = e.step(actions);
      const after = e.physics(0).qpos;
      const dt = { "hopper-3x1": 0.008, "halfcheetah-6x1": 0.05, "ant-2x4": 0.05 }[name];
      const control = Array.from(actions).reduce((a, v) => a + v * v, 0);
      // The forward coordinate: qpos[0]; Ant's torso x equals its free joint's x.
      const velocity = (after[0] - before[0]) / dt;
      const expected = name === "hopper-3x1"
        ? velocity + 1 - 1e-3 * control
        : name === "halfcheetah-6x1"
        ? velocity - 0.1 * control
        : velocity - 0.5 * control + 1;
      // Ant reads the torso's x from the kinematics of the last physics step's start.
      const tolerance = name === "ant-2x4" ? 0.5 : 1e-4;
      assertClose(step.reward[0], expected, tolerance, `${name} reward at step ${t}`);
      assertEquals(task.frameSkip, name === "hopper-3x1" ? 4 : 5);
    }
    e.dispose();
  });
}

Deno.test("hopper and ant terminate when unhealthy; halfcheetah runs to the 1,000-step limit", async () => {
  const hopper = await env("hopper-3x1", 1);
  hopper.reset(0);
  const fallen = hopper.physics(0);
  fallen.qpos[1] = 0.5; // below the 0.7 height
  hopper.setPhysics(0, fallen.qpos, fallen.qvel);
  const hop = hopper.step(new Float32Array(3));
  assertEquals([hop.terminated[0], hop.truncated[0]], [1, 0]);
  hopper.dispose();

  const ant = await env("ant-2x4", 1);
  ant.reset(0);
  const flying = ant.physics(0);
  flying.qpos[2] = 1.6; // above the healthy 1.0
  ant.setPhysics(0, flying.qpos, flying.qvel);
  assertEquals(ant.step(new Float32Array(8)).terminated[0], 1);
  ant.dispose();

  const cheetah = await env("halfcheetah-6x1", 1);
  cheetah.reset(0);
  const actions = new Float32Array(6);
  let steps = 0;
  let last;
  do {
    for (let k = 0; k < 6; k++) actions[k] = Math.sin(0.2 * steps + k);
    last = cheetah.step(actions);
    steps += last.running[0];
  } while (!last.terminated[0] && !last.truncated[0]);
  assertEquals([steps, last.terminated[0], last.truncated[0]], [1000, 0, 1]);
  cheetah.dispose();
});

Deno.test("a halfcheetah given no action comes to rest near its start", async () => {
  const e = await env("halfcheetah-6x1", 1);
  e.reset(1);
  const start = e.physics(0).qpos[0];
  for (let t = 0; t < 200; t++) e.step(new Float32Array(6));
  const { qpos, qvel } = e.physics(0);
  assert(Math.abs(qpos[0] - start) < 0.3, `it drifted ${qpos[0] - start}`);
  assert(qvel.every((v) => Math.abs(v) < 0.5), `still moving: ${Array.from(qvel)}`);
  e.dispose();
});

Deno.test("memory stays flat over 300 episodes of created and disposed copies", async () => {
  await loadMujoco();
  // Each copy holds a 1 MB physics arena: 300 leaked copies would add 300 MB.
  const heap = () => Deno.memoryUsage().rss;
  const play = async () => {
    const e = await env("hopper-3x1", 10);
    e.reset(2);
    for (let t = 0; t < 20; t++) e.step(new Float32Array(30).fill(0.5));
    e.dispose();
  };
  for (let k = 0; k < 3; k++) await play(); // the heap settles
  const before = heap();
  for (let k = 0; k < 30; k++) await play();
  const grown = (heap() - before) / 1e6;
  assert(grown < 100, `resident memory grew by ${grown.toFixed(0)} MB over 300 copies`);
  const disposed = await env("hopper-3x1", 1);
  disposed.dispose();
  assertThrows(() => disposed.reset(0), Error, "after dispose");
});

Deno.test("the MuJoCo tasks have a random tier only; other tiers are refused naming why", async () => {
  const e = await env("hopper-3x1", 1);
  const random = scriptedPolicy(e, "random", 1);
  assertEquals((await random.act(new Float32Array(3 * 14))).length, 3);
  assertThrows(() => scriptedPolicy(e, "expert", 1), ValidationError, "trained policies");
  e.dispose();
});
