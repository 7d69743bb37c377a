/**
 * The multi-agent MuJoCo tasks of the OMIGA benchmark (docs/mujoco.md, "Tasks"): a gym v2
 * single-agent MuJoCo task whose actuators are split into contiguous groups, one per agent.
 * Every agent observes the whole single-agent observation; the team reward, the health check
 * and the reset noise are the single-agent task's. Each definition says how to read the
 * single-agent observation from `qpos`/`qvel`, the reward's terms and when the body is
 * unhealthy, as gym's `hopper.py`, `half_cheetah.py` and `ant.py` (v2) compute them.
 *
 * @module
 */
import type { Rng } from "../../rng.ts";
import { ANT_MJCF, HALF_CHEETAH_MJCF, HOPPER_MJCF } from "./models.ts";

/** The names of the tasks. */
export const MUJOCO_TASK_NAMES = ["hopper-3x1", "halfcheetah-6x1", "ant-2x4"] as const;

/** One of {@link MUJOCO_TASK_NAMES}. */
export type MujocoTaskName = typeof MUJOCO_TASK_NAMES[number];

/** What a step's reward reads: positions before and after, and the (clipped) actions. */
export interface RewardInput {
  /** The forward coordinate before the step's frames and after them. */
  xBefore: number;
  xAfter: number;
  /** timestep * frameSkip. */
  dt: number;
  /** The joint action, [nu], in [-1, 1]. */
  action: Float64Array;
}

/** One task. */
export interface MujocoTask {
  name: MujocoTaskName;
  mjcf: string;
  /** Physics steps per environment step. */
  frameSkip: number;
  /** Actuators per agent, contiguous in model order. */
  partition: number[];
  /** Length of the single-agent observation. */
  singleObsDim: number;
  /**
   * Where the forward coordinate is read: `qpos0` (qpos[0]) or `torso` (the torso body's x in
   * `xpos`, as gym's `get_body_com`).
   */
  forward: "qpos0" | "torso";
  /** Writes the single-agent observation of `qpos`, `qvel` into `out`. */
  observe(qpos: Float64Array, qvel: Float64Array, out: Float64Array): void;
  reward(input: RewardInput): number;
  /** Whether the episode goes on (the single-agent task's health check; true if it has none). */
  healthy(qpos: Float64Array, qvel: Float64Array): boolean;
  /** Perturbs the initial `qpos`/`qvel` in place for a new episode. */
  resetNoise(rng: Rng, qpos: Float64Array, qvel: Float64Array): void;
}

const squaredSum = (values: Float64Array) => values.reduce((total, v) => total + v * v, 0);
const allFinite = (...arrays: Float64Array[]) => arrays.every((a) => a.every(Number.isFinite));

function addUniform(rng: Rng, values: Float64Array, scale: number): void {
  for (let i = 0; i < values.length; i++) values[i] += scale * (2 * rng.float() - 1);
}

function addNormal(rng: Rng, values: Float64Array, scale: number): void {
  for (let i = 0; i < values.length; i++) values[i] += scale * rng.normal();
}

/**
 * Hopper-v2 split 3 x 1 (thigh, leg, foot). Observation qpos[1:] + clip(qvel, +-10) (11);
 * reward (x' - x) / dt + 1 - 1e-3 |a|^2; healthy while qpos, qvel are finite, |s[2:]| < 100 for
 * s = [qpos | qvel], height qpos[1] > 0.7 and |angle qpos[2]| < 0.2; reset noise U(+-0.005).
 */
const hopper: MujocoTask = {
  name: "hopper-3x1",
  mjcf: HOPPER_MJCF,
  frameSkip: 4,
  partition: [1, 1, 1],
  singleObsDim: 11,
  forward: "qpos0",
  observe(qpos, qvel, out) {
    for (let i = 1; i < 6; i++) out[i - 1] = qpos[i];
    for (let i = 0; i < 6; i++) out[5 + i] = Math.min(10, Math.max(-10, qvel[i]));
  },
  reward: ({ xBefore, xAfter, dt, action }) =>
    (xAfter - xBefore) / dt + 1 - 1e-3 * squaredSum(action),
  healthy(qpos, qvel) {
    if (!allFinite(qpos, qvel)) return false;
    const small = (v: number) => Math.abs(v) < 100;
    return qpos.subarray(2).every(small) && qvel.every(small) && qpos[1] > 0.7 &&
      Math.abs(qpos[2]) < 0.2;
  },
  resetNoise(rng, qpos, qvel) {
    addUniform(rng, qpos, 0.005);
    addUniform(rng, qvel, 0.005);
  },
};

/**
 * HalfCheetah-v2 split 6 x 1 (bthigh, bshin, bfoot, fthigh, fshin, ffoot). Observation qpos[1:]
 * + qvel (17); reward (x' - x) / dt - 0.1 |a|^2; never terminates; reset noise qpos U(+-0.1),
 * qvel 0.1 N(0, 1).
 */
const halfCheetah: MujocoTask = {
  name: "halfcheetah-6x1",
  mjcf: HALF_CHEETAH_MJCF,
  frameSkip: 5,
  partition: [1, 1, 1, 1, 1, 1],
  singleObsDim: 17,
  forward: "qpos0",
  observe(qpos, qvel, out) {
    for (let i = 1; i < 9; i++) out[i - 1] = qpos[i];
    for (let i = 0; i < 9; i++) out[8 + i] = qvel[i];
  },
  reward: ({ xBefore, xAfter, dt, action }) => (xAfter - xBefore) / dt - 0.1 * squaredSum(action),
  healthy: () => true,
  resetNoise(rng, qpos, qvel) {
    addUniform(rng, qpos, 0.1);
    addNormal(rng, qvel, 0.1);
  },
};

/**
 * Ant-v2 split 2 x 4 (actuators 0-3 and 4-7). Observation qpos[2:] + qvel + clip(cfrc_ext,
 * +-1) (13 + 14 + 84 = 111), the contact forces kept zero as on MuJoCo 2.0, where the public
 * data was made; reward (torso x' - x) / dt - 0.5 |a|^2 - contact cost (zero likewise) + 1;
 * healthy while finite and 0.2 <= torso height qpos[2] <= 1; reset noise qpos U(+-0.1), qvel
 * 0.1 N(0, 1).
 */
const ant: MujocoTask = {
  name: "ant-2x4",
  mjcf: ANT_MJCF,
  frameSkip: 5,
  partition: [4, 4],
  singleObsDim: 111,
  forward: "torso",
  observe(qpos, qvel, out) {
    for (let i = 2; i < 15; i++) out[i - 2] = qpos[i];
    for (let i = 0; i < 14; i++) out[13 + i] = qvel[i];
    out.fill(0, 27, 111);
  },
  reward: ({ xBefore, xAfter, dt, action }) =>
    (xAfter - xBefore) / dt - 0.5 * squaredSum(action) + 1,
  healthy: (qpos, qvel) => allFinite(qpos, qvel) && qpos[2] >= 0.2 && qpos[2] <= 1,
  resetNoise(rng, qpos, qvel) {
    addUniform(rng, qpos, 0.1);
    addNormal(rng, qvel, 0.1);
  },
};

/** The tasks by name. */
export const MUJOCO_TASKS: Readonly<Record<MujocoTaskName, MujocoTask>> = {
  "hopper-3x1": hopper,
  "halfcheetah-6x1": halfCheetah,
  "ant-2x4": ant,
};

/** Whether `name` is a MuJoCo task. */
export function isMujocoTask(name: string): name is MujocoTaskName {
  return (MUJOCO_TASK_NAMES as readonly string[]).includes(name);
}
