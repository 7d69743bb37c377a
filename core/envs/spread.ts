/**
 * `spread`: cooperative navigation (the multi-agent particle task "simple spread"). N agents and
 * N landmarks on a plane; agents accelerate with 2-D forces in [-1, 1]; the shared reward of a
 * step is minus the sum over landmarks of the distance to the closest agent, minus a penalty per
 * pair of colliding agents. Episodes always end by the time limit (truncated, never terminated).
 *
 * Physics (per step, dt = 0.1): v <- (1 - damping) v + sensitivity * dt * u; p <- p + dt * v.
 * Start: agents and landmarks uniform in [-1, 1]^2, velocities 0.
 *
 * Observation of agent i (4N + 2 numbers; 14 for N = 3): own velocity (2), own position (2),
 * every landmark relative to itself (2N), every other agent relative to itself (2(N - 1), in
 * index order).
 * State (the mixer's input): the same global vector for every agent (6N numbers): every agent's
 * position and velocity (4N), then every landmark's position (2N).
 *
 * @module
 */
import type { MultiAgentSpec } from "../dataset.ts";
import { Rng } from "../rng.ts";
import { resolveConfig } from "./config.ts";
import { copySeeds, StepBuffers, type VecEnv, type VecObservation, type VecStep } from "./env.ts";
import { ActionShapeError } from "./errors.ts";

/** The configuration of `spread`. */
export interface SpreadConfig extends Record<string, unknown> {
  nAgents: number;
  timeLimit: number;
  collisionPenalty: number;
}

/** Defaults: 3 agents, 25 steps, penalty 1 per colliding pair. */
export const spreadDefaults: SpreadConfig = { nAgents: 3, timeLimit: 25, collisionPenalty: 1 };

/** Agent radius; two agents collide when closer than twice this. */
export const SPREAD_AGENT_SIZE = 0.15;
const DT = 0.1;
const DAMPING = 0.25;
const SENSITIVITY = 5;

/** Fills defaults in and checks a `spread` configuration. */
export function spreadConfig(given?: Record<string, unknown>): SpreadConfig {
  return resolveConfig("spread", spreadDefaults, given, {
    nAgents: { min: 1, max: 32, integer: true },
    timeLimit: { min: 1, max: 100_000, integer: true },
    collisionPenalty: { min: 0, max: 1e6 },
  });
}

/** The shapes of `spread` with `nAgents` agents. */
export function spreadSpec(nAgents: number): MultiAgentSpec {
  return {
    nAgents,
    obsDim: 4 * nAgents + 2,
    stateDim: 6 * nAgents,
    actionKind: "continuous",
    actDim: 2,
  };
}

/** B copies of `spread`. */
export class SpreadEnv implements VecEnv {
  readonly name = "spread";
  readonly spec: MultiAgentSpec;
  readonly config: Readonly<SpreadConfig>;
  readonly numEnvs: number;
  readonly timeLimit: number;
  readonly hasWinner = false;

  readonly #n: number;
  readonly #pos: Float64Array; // [B, N, 2]
  readonly #vel: Float64Array; // [B, N, 2]
  readonly #landmark: Float64Array; // [B, N, 2]
  readonly #t: Int32Array; // [B]
  readonly #ended: Uint8Array; // [B]

  readonly #out: StepBuffers;

  constructor(numEnvs: number, config?: Record<string, unknown>) {
    if (!Number.isInteger(numEnvs) || numEnvs < 1) {
      throw new RangeError(`spread: numEnvs must be a positive integer, got ${numEnvs}`);
    }
    this.config = spreadConfig(config);
    const n = this.config.nAgents;
    this.#n = n;
    this.spec = spreadSpec(n);
    this.numEnvs = numEnvs;
    this.timeLimit = this.config.timeLimit;
    this.#pos = new Float64Array(numEnvs * n * 2);
    this.#vel = new Float64Array(numEnvs * n * 2);
    this.#landmark = new Float64Array(numEnvs * n * 2);
    this.#t = new Int32Array(numEnvs);
    this.#ended = new Uint8Array(numEnvs);
    this.#out = new StepBuffers(numEnvs, this.spec);
  }

  reset(seeds: number | ArrayLike<number>): VecObservation {
    const perCopy = copySeeds(seeds, this.numEnvs);
    const span = this.#n * 2;
    for (let b = 0; b < this.numEnvs; b++) {
      const rng = Rng.fromSeed(perCopy[b]);
      const base = b * span;
      for (let k = 0; k < span; k++) this.#pos[base + k] = 2 * rng.float() - 1;
      for (let k = 0; k < span; k++) this.#landmark[base + k] = 2 * rng.float() - 1;
      this.#vel.fill(0, base, base + span);
      this.#t[b] = 0;
      this.#ended[b] = 0;
    }
    this.#writeObservations();
    return this.#out.observation();
  }

  step(actions: Float32Array | Int32Array): VecStep {
    const n = this.#n;
    const expected = this.numEnvs * n * 2;
    if (!(actions instanceof Float32Array) || actions.length !== expected) {
      throw new ActionShapeError(
        "spread",
        `expected a Float32Array of ${expected} numbers [B=${this.numEnvs}, nAgents=${n}, 2], ` +
          `got ${actions.constructor.name} of ${actions.length}`,
      );
    }
    const pos = this.#pos, vel = this.#vel, landmark = this.#landmark;
    const collide = (2 * SPREAD_AGENT_SIZE) ** 2;
    const penalty = this.config.collisionPenalty;
    for (let k = 0; k < expected; k++) {
      if (Number.isNaN(actions[k])) {
        const copy = Math.floor(k / (2 * n)), agent = (k >> 1) % n;
        throw new ActionShapeError("spread", `action of copy ${copy}, agent ${agent} is NaN`);
      }
    }
    for (let b = 0; b < this.numEnvs; b++) {
      this.#out.terminated[b] = 0;
      this.#out.truncated[b] = 0;
      if (this.#ended[b]) {
        this.#out.running[b] = 0;
        this.#out.reward[b] = 0;
        continue;
      }
      this.#out.running[b] = 1;
      const base = b * n * 2;
      for (let k = base; k < base + n * 2; k++) {
        const u = actions[k] > 1 ? 1 : actions[k] < -1 ? -1 : actions[k];
        vel[k] = (1 - DAMPING) * vel[k] + SENSITIVITY * DT * u;
        pos[k] += DT * vel[k];
      }
      let reward = 0;
      for (let l = 0; l < n; l++) {
        const lx = landmark[base + 2 * l], ly = landmark[base + 2 * l + 1];
        let best = Infinity;
        for (let i = 0; i < n; i++) {
          const dx = pos[base + 2 * i] - lx, dy = pos[base + 2 * i + 1] - ly;
          const d = dx * dx + dy * dy;
          if (d < best) best = d;
        }
        reward -= Math.sqrt(best);
      }
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          const dx = pos[base + 2 * i] - pos[base + 2 * j];
          const dy = pos[base + 2 * i + 1] - pos[base + 2 * j + 1];
          if (dx * dx + dy * dy < collide) reward -= penalty;
        }
      }
      this.#out.reward[b] = reward;
      if (++this.#t[b] >= this.timeLimit) {
        this.#out.truncated[b] = 1;
        this.#ended[b] = 1;
      }
    }
    this.#writeObservations();
    return this.#out.step();
  }

  won(): Uint8Array {
    return this.#out.won;
  }

  #writeObservations(): void {
    const n = this.#n, obsDim = this.spec.obsDim, stateDim = this.spec.stateDim;
    const pos = this.#pos, vel = this.#vel, landmark = this.#landmark;
    const obs = this.#out.obs, state = this.#out.state;
    for (let b = 0; b < this.numEnvs; b++) {
      const base = b * n * 2;
      for (let i = 0; i < n; i++) {
        const px = pos[base + 2 * i], py = pos[base + 2 * i + 1];
        let o = (b * n + i) * obsDim;
        obs[o++] = vel[base + 2 * i];
        obs[o++] = vel[base + 2 * i + 1];
        obs[o++] = px;
        obs[o++] = py;
        for (let l = 0; l < n; l++) {
          obs[o++] = landmark[base + 2 * l] - px;
          obs[o++] = landmark[base + 2 * l + 1] - py;
        }
        for (let j = 0; j < n; j++) {
          if (j === i) continue;
          obs[o++] = pos[base + 2 * j] - px;
          obs[o++] = pos[base + 2 * j + 1] - py;
        }
      }
      // Global state: written once for agent 0, copied to the others.
      const s0 = b * n * stateDim;
      let s = s0;
      for (let i = 0; i < n; i++) {
        state[s++] = pos[base + 2 * i];
        state[s++] = pos[base + 2 * i + 1];
        state[s++] = vel[base + 2 * i];
        state[s++] = vel[base + 2 * i + 1];
      }
      for (let k = 0; k < n * 2; k++) state[s++] = landmark[base + k];
      for (let i = 1; i < n; i++) state.copyWithin(s0 + i * stateDim, s0, s0 + stateDim);
    }
  }
}
