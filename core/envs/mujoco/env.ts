/**
 * B copies of a multi-agent MuJoCo task on the real engine, as the OMIGA benchmark's
 * environment computes them (docs/mujoco.md): per step, each copy's joint action (the agents'
 * slices concatenated, clipped to [-1, 1]) becomes the actuators' controls for `frameSkip`
 * physics steps; the team reward and the termination are the single-agent task's; every
 * agent's observation, and its global state, is the whole single-agent observation followed by
 * its one-hot id, standardised over its own elements ((x - mean x) / std x). Episodes are cut
 * at `timeLimit` steps (1,000). One compiled model serves every copy; each copy has its own
 * `MjData`, freed by {@link MujocoEnv.dispose}.
 *
 * @module
 */
import type { MultiAgentSpec } from "../../dataset.ts";
import { OmigaError } from "../../errors.ts";
import { Rng } from "../../rng.ts";
import { resolveConfig } from "../config.ts";
import { copySeeds, StepBuffers, type VecEnv, type VecObservation, type VecStep } from "../env.ts";
import { ActionShapeError } from "../errors.ts";
import { loadedMujoco, type MainModule, type MjData, type MjModel, mujocoModel } from "./engine.ts";
import { MUJOCO_TASKS, type MujocoTask, type MujocoTaskName } from "./tasks.ts";

/** The most copies one environment holds (see `maxCopies` in `../registry.ts`). */
export const MAX_COPIES = 256;

/** The configuration of a MuJoCo task. */
export interface MujocoConfig extends Record<string, unknown> {
  timeLimit: number;
}

/** Default: the benchmark's 1,000-step episodes. */
export const mujocoDefaults: MujocoConfig = { timeLimit: 1000 };

/** The shapes of a task: per-agent observation = state = single observation + one-hot id. */
export function mujocoSpec(name: MujocoTaskName): MultiAgentSpec {
  const task = MUJOCO_TASKS[name];
  const nAgents = task.partition.length;
  const width = task.singleObsDim + nAgents;
  return {
    nAgents,
    obsDim: width,
    stateDim: width,
    actionKind: "continuous",
    actDim: Math.max(...task.partition),
  };
}

/** B copies of one MuJoCo task; call {@link MujocoEnv.dispose} when done. */
export class MujocoEnv implements VecEnv {
  readonly name: MujocoTaskName;
  readonly spec: MultiAgentSpec;
  readonly config: Readonly<MujocoConfig>;
  readonly numEnvs: number;
  readonly timeLimit: number;
  readonly hasWinner = false;

  readonly #task: MujocoTask;
  readonly #mujoco: MainModule;
  readonly #model: MjModel;
  readonly #data: MjData[];
  readonly #dt: number;
  readonly #torso: number;
  readonly #t: Int32Array;
  readonly #ended: Uint8Array;
  readonly #single: Float64Array;
  readonly #action: Float64Array;
  readonly #out: StepBuffers;
  #disposed = false;

  constructor(name: MujocoTaskName, numEnvs: number, config?: Record<string, unknown>) {
    if (!Number.isInteger(numEnvs) || numEnvs < 1 || numEnvs > MAX_COPIES) {
      throw new RangeError(
        `${name}: numEnvs must be an integer in [1, ${MAX_COPIES}] (each copy holds a 1 MB ` +
          `physics arena), got ${numEnvs}`,
      );
    }
    const mujoco = loadedMujoco();
    if (mujoco === undefined) {
      throw new OmigaError(
        "env_not_loaded",
        `${name} runs on MuJoCo, which is not loaded yet: await prepareEnv("${name}") first`,
      );
    }
    this.config = resolveConfig(name, mujocoDefaults, config, {
      timeLimit: { min: 1, max: 100_000, integer: true },
    });
    this.name = name;
    this.#task = MUJOCO_TASKS[name];
    this.spec = mujocoSpec(name);
    this.numEnvs = numEnvs;
    this.timeLimit = this.config.timeLimit;
    this.#mujoco = mujoco;
    this.#model = mujocoModel(mujoco, name, this.#task.mjcf);
    this.#data = Array.from({ length: numEnvs }, () => new mujoco.MjData(this.#model));
    this.#dt = this.#model.opt.timestep * this.#task.frameSkip;
    this.#torso = mujoco.mj_name2id(this.#model, mujoco.mjtObj.mjOBJ_BODY.value, "torso");
    this.#t = new Int32Array(numEnvs);
    this.#ended = new Uint8Array(numEnvs);
    this.#single = new Float64Array(this.spec.obsDim);
    this.#action = new Float64Array(this.#model.nu);
    this.#out = new StepBuffers(numEnvs, this.spec);
  }

  reset(seeds: number | ArrayLike<number>): VecObservation {
    this.#check();
    const episodeSeeds = copySeeds(seeds, this.numEnvs);
    for (let b = 0; b < this.numEnvs; b++) {
      const data = this.#data[b];
      this.#mujoco.mj_resetData(this.#model, data);
      const qpos = data.qpos as Float64Array;
      const qvel = data.qvel as Float64Array;
      this.#task.resetNoise(Rng.fromSeed(episodeSeeds[b]), qpos, qvel);
      this.#mujoco.mj_forward(this.#model, data);
      this.#t[b] = 0;
      this.#ended[b] = 0;
      this.#observe(b);
    }
    return this.#out.observation();
  }

  step(actions: Float32Array | Int32Array): VecStep {
    this.#check();
    const { nAgents, actDim } = this.spec;
    if (!(actions instanceof Float32Array) || actions.length !== this.numEnvs * nAgents * actDim) {
      throw new ActionShapeError(
        this.name,
        `expected a Float32Array of ${this.numEnvs * nAgents * actDim} values [B, agents, ` +
          `actDim], got ${actions.constructor.name} of ${actions.length}`,
      );
    }
    const out = this.#out;
    for (let b = 0; b < this.numEnvs; b++) {
      out.running[b] = this.#ended[b] ? 0 : 1;
      out.reward[b] = 0;
      out.terminated[b] = 0;
      out.truncated[b] = 0;
      if (this.#ended[b]) continue;
      this.#jointAction(actions, b);
      const data = this.#data[b];
      const ctrl = data.ctrl as Float64Array;
      ctrl.set(this.#action);
      const xBefore = this.#forwardX(data);
      for (let k = 0; k < this.#task.frameSkip; k++) this.#mujoco.mj_step(this.#model, data);
      const xAfter = this.#forwardX(data);
      out.reward[b] = this.#task.reward({ xBefore, xAfter, dt: this.#dt, action: this.#action });
      this.#t[b] += 1;
      if (!this.#task.healthy(data.qpos as Float64Array, data.qvel as Float64Array)) {
        out.terminated[b] = 1;
      } else if (this.#t[b] >= this.timeLimit) {
        out.truncated[b] = 1;
      }
      if (out.terminated[b] || out.truncated[b]) this.#ended[b] = 1;
      this.#observe(b);
    }
    return out.step();
  }

  won(): Uint8Array {
    return this.#out.won;
  }

  /** Copy b's physics state (copies of `qpos`, `qvel`), for tests and tools. */
  physics(b: number): { qpos: Float64Array; qvel: Float64Array } {
    this.#check();
    const data = this.#data[b];
    return { qpos: (data.qpos as Float64Array).slice(), qvel: (data.qvel as Float64Array).slice() };
  }

  /** Puts copy b in the physics state `qpos`, `qvel` (then recomputes its kinematics). */
  setPhysics(b: number, qpos: ArrayLike<number>, qvel: ArrayLike<number>): void {
    this.#check();
    const data = this.#data[b];
    (data.qpos as Float64Array).set(qpos);
    (data.qvel as Float64Array).set(qvel);
    this.#mujoco.mj_forward(this.#model, data);
    this.#observe(b);
  }

  /** Frees every copy's `MjData` (the shared model stays for later copies). */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const data of this.#data) data.delete();
  }

  #check(): void {
    if (this.#disposed) throw new OmigaError("env_disposed", `${this.name}: used after dispose`);
  }

  /** Copy b's joint action: the agents' slices of `actions`, clipped to [-1, 1]. */
  #jointAction(actions: Float32Array, b: number): void {
    const { nAgents, actDim } = this.spec;
    let u = 0;
    for (let i = 0; i < nAgents; i++) {
      for (let k = 0; k < this.#task.partition[i]; k++) {
        const value = actions[(b * nAgents + i) * actDim + k];
        if (Number.isNaN(value)) {
          throw new ActionShapeError(this.name, `action of copy ${b}, agent ${i} is NaN`);
        }
        this.#action[u++] = Math.min(1, Math.max(-1, value));
      }
    }
  }

  #forwardX(data: MjData): number {
    return this.#task.forward === "torso"
      ? (data.xpos as Float64Array)[3 * this.#torso]
      : (data.qpos as Float64Array)[0];
  }

  /** Writes copy b's per-agent observations (and states: the same vectors). */
  #observe(b: number): void {
    const data = this.#data[b];
    const { nAgents, obsDim } = this.spec;
    const vector = this.#single; // [single observation | one-hot id], float64 as the benchmark's
    this.#task.observe(data.qpos as Float64Array, data.qvel as Float64Array, vector);
    const single = this.#task.singleObsDim;
    for (let i = 0; i < nAgents; i++) {
      vector.fill(0, single);
      vector[single + i] = 1;
      let mean = 0;
      for (const v of vector) mean += v;
      mean /= obsDim;
      let variance = 0;
      for (const v of vector) variance += (v - mean) ** 2;
      const std = Math.sqrt(variance / obsDim); // population std, as numpy's
      const row = (b * nAgents + i) * obsDim;
      for (let k = 0; k < obsDim; k++) this.#out.obs[row + k] = (vector[k] - mean) / std;
    }
    const rows = this.#out.obs.subarray(b * nAgents * obsDim, (b + 1) * nAgents * obsDim);
    this.#out.state.set(rows, b * nAgents * obsDim);
  }
}

/**
 * The single-agent observation (the task's full state) of copy `b`, read back from its first
 * agent's row of `obs` [B, nAgents, obsDim] into `out` [singleObsDim]. That row is
 * `[single | one-hot id]` standardised by its own mean m and std s, and the id's entries are
 * known (1 at `single`, 0 at `single + 1`), so z1 - z0 = 1 / s and z0 = -m / s give s and m back,
 * and single = z s + m. What a centralised controller (a behaviour policy acting on the joint
 * action) sees through the multi-agent interface; exact up to float32 rounding.
 */
export function fullStateOf(
  obs: Float32Array,
  spec: MultiAgentSpec,
  b: number,
  out: Float32Array,
): Float32Array {
  const single = spec.obsDim - spec.nAgents;
  const row = b * spec.nAgents * spec.obsDim;
  const z1 = obs[row + single], z0 = obs[row + single + 1];
  const std = 1 / (z1 - z0);
  const mean = -z0 * std;
  for (let k = 0; k < single; k++) out[k] = obs[row + k] * std + mean;
  return out;
}
