/**
 * A trained behaviour actor as a {@link Policy} of the multi-agent interface: it reads each
 * copy's full state back from the agents' observations (`fullStateOf`), picks one joint action
 * and hands each agent its slice. With an Rng it samples the squashed Gaussian (how the tiers'
 * data is collected, as the public datasets were); without one it takes the mean action.
 *
 * @module
 */
import type { MultiAgentSpec } from "../dataset.ts";
import { fullStateOf } from "../envs/mujoco/env.ts";
import type { Kernels } from "../kernels/mod.ts";
import type { Policy } from "../policy.ts";
import type { Rng } from "../rng.ts";
import { tf } from "../tf.ts";
import { sacAct, type SacLayouts } from "./sac.ts";

/** `count` standard normal draws from `rng`. */
export function normals(rng: Rng, count: number): Float32Array {
  const out = new Float32Array(count);
  rng.fillNormal(out);
  return out;
}

/** Writes joint actions [B, A] into the agents' layout [B, nAgents, actDim] by `partition`. */
export function jointToAgents(
  joint: Float32Array,
  partition: readonly number[],
  actDim: number,
  out: Float32Array,
): Float32Array {
  const width = partition.reduce((a, b) => a + b, 0);
  const copies = joint.length / width;
  out.fill(0);
  for (let b = 0; b < copies; b++) {
    let u = b * width;
    for (let i = 0; i < partition.length; i++) {
      const at = (b * partition.length + i) * actDim;
      for (let k = 0; k < partition[i]; k++) out[at + k] = joint[u++];
    }
  }
  return out;
}

/** A SAC actor acting for every agent of a MuJoCo task. */
export class BehaviourPolicy implements Policy {
  readonly #stateDim: number;
  readonly #actionDim: number;

  constructor(
    readonly spec: MultiAgentSpec,
    readonly partition: readonly number[],
    readonly kernels: Kernels,
    readonly layouts: SacLayouts,
    readonly actor: tf.Tensor1D,
    readonly rng?: Rng,
  ) {
    this.#stateDim = spec.obsDim - spec.nAgents;
    this.#actionDim = partition.reduce((a, b) => a + b, 0);
  }

  /** The full states [B, S] of a batch of observations. */
  fullStates(obs: Float32Array): Float32Array {
    const copies = obs.length / (this.spec.nAgents * this.spec.obsDim);
    const S = this.#stateDim;
    const states = new Float32Array(copies * S);
    const row = new Float32Array(S);
    for (let b = 0; b < copies; b++) states.set(fullStateOf(obs, this.spec, b, row), b * S);
    return states;
  }

  /** Joint actions [B, A] for full states [B, S]. */
  async jointActions(states: Float32Array): Promise<Float32Array> {
    const copies = states.length / this.#stateDim;
    const noise = this.rng && normals(this.rng, copies * this.#actionDim);
    const actions = tf.tidy(() =>
      sacAct(
        this.kernels,
        this.layouts,
        this.actor,
        tf.tensor2d(states, [copies, this.#stateDim]),
        noise && tf.tensor2d(noise, [copies, this.#actionDim]),
      )
    );
    const values = await actions.data() as Float32Array;
    actions.dispose();
    return values;
  }

  async act(obs: Float32Array): Promise<Float32Array> {
    const joint = await this.jointActions(this.fullStates(obs));
    const copies = joint.length / this.#actionDim;
    return jointToAgents(
      joint,
      this.partition,
      this.spec.actDim,
      new Float32Array(copies * this.spec.nAgents * this.spec.actDim),
    );
  }
}
