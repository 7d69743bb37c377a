/**
 * The common interface of the built-in multi-agent environments: PettingZoo-parallel style
 * (`reset(seed)`, `step(actions)`, `terminated` vs `truncated`, available-action masks), and
 * vectorised: one object steps B independent copies at once over flat typed arrays, so that a
 * policy makes one call for all copies.
 *
 * Each copy plays one episode from its own episode seed; nothing else is random, so an episode
 * is a pure function of its seed and its actions. A copy whose episode has ended stays frozen
 * (reward 0, `running` 0, actions ignored) until the next `reset`.
 *
 * The arrays a `reset` or `step` returns are the environment's own buffers: they stay valid
 * until the next call, and a caller that keeps them copies them.
 *
 * @module
 */
import type { MultiAgentSpec } from "../dataset.ts";

/** What every copy looks like after a reset or a step. */
export interface VecObservation {
  /** [B, nAgents, obsDim] local observations. */
  obs: Float32Array;
  /** [B, nAgents, stateDim] global state per agent (the mixer's input). */
  state: Float32Array;
  /** [B, nAgents, nActions] available-action masks (discrete environments only). */
  avail?: Uint8Array;
}

/** The outcome of one vectorised step. */
export interface VecStep extends VecObservation {
  /** [B] team reward of this step (0 for a copy whose episode had already ended). */
  reward: Float32Array;
  /** [B] 1 where the episode reached a true terminal state on this step. */
  terminated: Uint8Array;
  /** [B] 1 where the episode was cut by the time limit on this step (never with terminated). */
  truncated: Uint8Array;
  /** [B] 1 where the copy's episode was still running when this step began. */
  running: Uint8Array;
}

/** B copies of one environment, stepped together. */
export interface VecEnv {
  /** The registered environment name (`spread`, `skirmish`, `matrix`). */
  readonly name: string;
  readonly spec: MultiAgentSpec;
  /** The resolved configuration (every field, defaults filled in), JSON-safe. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Number of copies B. */
  readonly numEnvs: number;
  /** Steps after which an episode is truncated. */
  readonly timeLimit: number;
  /** Whether episodes have a winner (then `won` is meaningful). */
  readonly hasWinner: boolean;
  /**
   * Starts a new episode in every copy. `seeds[b]` is copy b's episode seed; a single number s
   * gives copy b the seed `episodeSeed(s, b)`.
   */
  reset(seeds: number | ArrayLike<number>): VecObservation;
  /**
   * Applies one joint action per copy. Continuous: Float32Array [B, nAgents, actDim], clipped to
   * [-1, 1]. Discrete: Int32Array [B, nAgents], each action available (else an
   * {@link UnavailableActionError}).
   */
  step(actions: Float32Array | Int32Array): VecStep;
  /** [B] 1 where the copy's episode ended in a win (environments with a winner). */
  won(): Uint8Array;
  /**
   * Frees what the copies hold outside JavaScript's heap (the MuJoCo tasks' physics data); the
   * environment is unusable afterwards. Absent where there is nothing to free.
   */
  dispose?(): void;
}

/**
 * The arrays a vectorised environment hands back, allocated once for its B copies and
 * overwritten by every `reset` and `step` (struct of arrays, no per-step allocation).
 */
export class StepBuffers {
  readonly obs: Float32Array; // [B, nAgents, obsDim]
  readonly state: Float32Array; // [B, nAgents, stateDim]
  readonly avail?: Uint8Array; // [B, nAgents, nActions], discrete only
  readonly reward: Float32Array; // [B]
  readonly terminated: Uint8Array; // [B]
  readonly truncated: Uint8Array; // [B]
  readonly running: Uint8Array; // [B]
  readonly won: Uint8Array; // [B]

  constructor(numEnvs: number, spec: MultiAgentSpec) {
    const rows = numEnvs * spec.nAgents;
    this.obs = new Float32Array(rows * spec.obsDim);
    this.state = new Float32Array(rows * spec.stateDim);
    if (spec.actionKind === "discrete") this.avail = new Uint8Array(rows * (spec.nActions ?? 0));
    this.reward = new Float32Array(numEnvs);
    this.terminated = new Uint8Array(numEnvs);
    this.truncated = new Uint8Array(numEnvs);
    this.running = new Uint8Array(numEnvs);
    this.won = new Uint8Array(numEnvs);
  }

  /** What `reset` returns. */
  observation(): VecObservation {
    const { obs, state, avail } = this;
    return avail === undefined ? { obs, state } : { obs, state, avail };
  }

  /** What `step` returns. */
  step(): VecStep {
    const { reward, terminated, truncated, running } = this;
    return { ...this.observation(), reward, terminated, truncated, running };
  }
}

/** Builds a vectorised environment with B copies. */
export type VecEnvFactory = (numEnvs: number) => VecEnv;

/**
 * A well-mixed 32-bit episode seed from a run seed and an episode index, so that episode k of
 * seed s is the same episode however the episodes are batched.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { episodeSeed } from "./env.ts";
 * assert.ok(episodeSeed(0, 1) === episodeSeed(0, 1));
 * assert.ok(episodeSeed(0, 1) !== episodeSeed(1, 0));
 * ```
 */
export function episodeSeed(seed: number, episode: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(episode + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h | 0;
}

/** The per-copy episode seeds of a `reset` argument. */
export function copySeeds(seeds: number | ArrayLike<number>, numEnvs: number): Int32Array {
  const out = new Int32Array(numEnvs);
  if (typeof seeds === "number") {
    for (let b = 0; b < numEnvs; b++) out[b] = episodeSeed(seeds, b);
    return out;
  }
  if (seeds.length !== numEnvs) {
    throw new RangeError(`reset needs ${numEnvs} episode seeds, got ${seeds.length}`);
  }
  for (let b = 0; b < numEnvs; b++) out[b] = seeds[b];
  return out;
}
