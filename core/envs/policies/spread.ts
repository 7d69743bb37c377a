/**
 * Scripted `spread` controllers, acting from each agent's local observation only (layout in
 * `../spread.ts`: own velocity, own position, landmarks relative, other agents relative).
 *
 * Both squash their actions the way a learned tanh-Gaussian policy does: a rule computes the
 * force it wants, softly limited to a pre-activation u in (-3, 3); Gaussian noise is added to u
 * and the action is tanh(u). No action sits exactly at the bounds (a dataset action of +-1 would
 * be an atanh outlier of about 8 in every Gaussian fit of the data), and the noise only costs
 * return: each rule scores at least as well without it on the same episodes, so a tier's score
 * comes from its decisions.
 *
 * - expert: every agent solves the same minimum-total-distance assignment of agents to landmarks
 *   (it sees all agents and landmarks relative to itself), steers to its own landmark with a
 *   velocity controller that arrives without overshooting, and keeps its distance from agents
 *   closer than {@link PERSONAL_SPACE}. Noise of std {@link EXPERT_NOISE}.
 * - medium: a fixed plan that ignores where everyone starts: agent i heads for landmark i, at a
 *   slow cruising speed, without minding the other agents (so paths cross and agents whose
 *   landmarks are close together collide). Noise of std {@link MEDIUM_NOISE}.
 *
 * @module
 */
import type { MultiAgentSpec } from "../../dataset.ts";
import type { Policy } from "../../policy.ts";
import { Rng } from "../../rng.ts";

const DT = 0.1;
const DAMPING = 0.25;
const SENSITIVITY = 5;

/** The expert keeps this far from other agents where it can (two collide closer than 0.3). */
export const PERSONAL_SPACE = 0.45;
/** Desired speed away from an agent per unit it is inside the personal space. */
const AVOIDANCE_GAIN = 6;
/** The rules' pre-activations are softly limited to (-RULE_LIMIT, RULE_LIMIT): tanh(3) = 0.995. */
const RULE_LIMIT = 3;
/**
 * Pre-activations after noise are clamped to this: float32 tanh(8) is still below 1, and
 * reaching it takes noise beyond 5, over 8 of the medium controller's standard deviations.
 */
const PRE_ACTIVATION_LIMIT = 8;
/** Standard deviation of the medium controller's noise on its pre-activation. */
export const MEDIUM_NOISE = 0.6;
/**
 * The expert's noise: a noise-free controller's data lets a fitted Gaussian policy shrink its
 * std to the floor on the easy steps (an agent resting on its landmark), whose gradients then
 * drown those of the steps that decide the episode.
 */
export const EXPERT_NOISE = 0.3;
/** The medium controller's cruising speed (the expert's is 2). */
const MEDIUM_SPEED = 0.5;

/** All permutations of 0..n-1 (n small). */
function permutations(n: number): Int8Array[] {
  if (n === 0) return [new Int8Array(0)];
  const out: Int8Array[] = [];
  for (const rest of permutations(n - 1)) {
    for (let at = 0; at <= rest.length; at++) {
      const p = new Int8Array(n);
      p.set(rest.subarray(0, at), 0);
      p[at] = n - 1;
      p.set(rest.subarray(at), at + 1);
      out.push(p);
    }
  }
  return out;
}

/**
 * The action tanh(u) of a rule's force plus noise: u = 3 tanh(force / 3) + noise, clamped to
 * +-8, so that an action is never exactly +-1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { squashedAction } from "./spread.ts";
 * assert.equal(squashedAction(0), 0);
 * assert.ok(squashedAction(1e6) < 1 && squashedAction(1e6, 1e6) < 1);
 * assert.ok(Math.abs(squashedAction(0.2) - 0.2) < 0.01); // a small force passes through
 * ```
 */
export function squashedAction(force: number, noise = 0): number {
  const u = RULE_LIMIT * Math.tanh(force / RULE_LIMIT) + noise;
  return Math.tanh(Math.max(-PRE_ACTIVATION_LIMIT, Math.min(PRE_ACTIVATION_LIMIT, u)));
}

/**
 * Writes the forces that drive the agent observed at `obs[o..]` towards the offset (dx, dy):
 * desired velocity `gain * offset` capped at `maxSpeed`, with `avoid` pushed away from agents
 * inside the personal space, reached in one step where the force allows. Forces are not limited
 * here ({@link squashedAction} does that).
 */
function steer(
  out: Float64Array,
  obs: Float32Array,
  o: number,
  n: number,
  dx: number,
  dy: number,
  gain: number,
  maxSpeed: number,
  avoid: boolean,
): void {
  let wx = gain * dx, wy = gain * dy;
  const speed = Math.hypot(wx, wy);
  if (speed > maxSpeed) {
    wx *= maxSpeed / speed;
    wy *= maxSpeed / speed;
  }
  for (let k = 0; avoid && k < n - 1; k++) {
    const ox = obs[o + 4 + 2 * n + 2 * k], oy = obs[o + 5 + 2 * n + 2 * k];
    const d = Math.hypot(ox, oy);
    if (d >= PERSONAL_SPACE) continue;
    const push = AVOIDANCE_GAIN * (PERSONAL_SPACE - d) / Math.max(d, 1e-3);
    wx -= push * ox;
    wy -= push * oy;
  }
  out[0] = (wx - (1 - DAMPING) * obs[o]) / (SENSITIVITY * DT);
  out[1] = (wy - (1 - DAMPING) * obs[o + 1]) / (SENSITIVITY * DT);
}

/** The `spread` expert: shared optimal assignment, then precise steering. */
export class SpreadExpertPolicy implements Policy {
  readonly spec: MultiAgentSpec;
  readonly #perms: Int8Array[];
  readonly #rel: Float64Array; // [N, 2] agents relative to the acting agent
  readonly #force = new Float64Array(2);
  readonly #rng: Rng;
  /** Standard deviation of the noise on the pre-activation (0: the noise-free rule). */
  readonly noise: number;

  /** `seed` seeds the noise. */
  constructor(spec: MultiAgentSpec, seed = 0, noise = EXPERT_NOISE) {
    this.spec = spec;
    this.#rng = Rng.fromSeed(seed);
    this.noise = noise;
    const n = spec.nAgents;
    this.#perms = n <= 7 ? permutations(n) : [];
    this.#rel = new Float64Array(n * 2);
  }

  act(obs: Float32Array): Promise<Float32Array> {
    return Promise.resolve(this.actNow(obs));
  }

  /** Synchronous {@link act}. */
  actNow(obs: Float32Array): Float32Array {
    const { nAgents: n, obsDim } = this.spec;
    const rows = obs.length / obsDim;
    const out = new Float32Array(rows * 2);
    const rel = this.#rel, force = this.#force;
    const lmBase = 4, otherBase = 4 + 2 * n;
    for (let r = 0; r < rows; r++) {
      const o = r * obsDim;
      const self = r % n;
      // Agents relative to the acting agent, in index order.
      for (let j = 0, k = 0; j < n; j++) {
        if (j === self) {
          rel[2 * j] = 0;
          rel[2 * j + 1] = 0;
        } else {
          rel[2 * j] = obs[o + otherBase + 2 * k];
          rel[2 * j + 1] = obs[o + otherBase + 2 * k + 1];
          k++;
        }
      }
      const target = this.#assignment(obs, o + lmBase, rel, self);
      const dx = obs[o + lmBase + 2 * target], dy = obs[o + lmBase + 2 * target + 1];
      steer(force, obs, o, n, dx, dy, 4, 2, true);
      for (let k = 0; k < 2; k++) {
        const noise = this.noise > 0 ? this.noise * this.#rng.normal() : 0;
        out[2 * r + k] = squashedAction(force[k], noise);
      }
    }
    return out;
  }

  /** The landmark the optimal assignment gives `self`. */
  #assignment(obs: Float32Array, lm: number, rel: Float64Array, self: number): number {
    const n = this.spec.nAgents;
    const cost = (agent: number, landmark: number) =>
      Math.hypot(
        obs[lm + 2 * landmark] - rel[2 * agent],
        obs[lm + 2 * landmark + 1] - rel[2 * agent + 1],
      );
    if (this.#perms.length > 0) {
      let best = Infinity, bestLandmark = 0;
      for (const p of this.#perms) {
        let total = 0;
        for (let a = 0; a < n; a++) total += cost(a, p[a]);
        if (total < best - 1e-9) {
          best = total;
          bestLandmark = p[self];
        }
      }
      return bestLandmark;
    }
    // Large N: greedy pairs by increasing distance.
    const takenAgent = new Uint8Array(n), takenLandmark = new Uint8Array(n);
    for (let round = 0; round < n; round++) {
      let best = Infinity, ba = 0, bl = 0;
      for (let a = 0; a < n; a++) {
        if (takenAgent[a]) continue;
        for (let l = 0; l < n; l++) {
          if (takenLandmark[l]) continue;
          const c = cost(a, l);
          if (c < best) [best, ba, bl] = [c, a, l];
        }
      }
      if (ba === self) return bl;
      takenAgent[ba] = 1;
      takenLandmark[bl] = 1;
    }
    return 0;
  }
}

/** The `spread` medium controller: landmark by index, slow steering, no care for others. */
export class SpreadMediumPolicy implements Policy {
  readonly spec: MultiAgentSpec;
  readonly #rng: Rng;
  readonly #force = new Float64Array(2);
  /** Standard deviation of the noise on the pre-activation (0: the noise-free rule). */
  readonly noise: number;

  constructor(spec: MultiAgentSpec, seed: number, noise = MEDIUM_NOISE) {
    this.spec = spec;
    this.#rng = Rng.fromSeed(seed);
    this.noise = noise;
  }

  act(obs: Float32Array): Promise<Float32Array> {
    return Promise.resolve(this.actNow(obs));
  }

  /** Synchronous {@link act}. */
  actNow(obs: Float32Array): Float32Array {
    const { nAgents: n, obsDim } = this.spec;
    const rows = obs.length / obsDim;
    const out = new Float32Array(rows * 2);
    const force = this.#force;
    for (let r = 0; r < rows; r++) {
      const o = r * obsDim;
      const mine = r % n;
      const bx = obs[o + 4 + 2 * mine], by = obs[o + 5 + 2 * mine];
      steer(force, obs, o, n, bx, by, 4, MEDIUM_SPEED, false);
      for (let k = 0; k < 2; k++) {
        const noise = this.noise > 0 ? this.noise * this.#rng.normal() : 0;
        out[2 * r + k] = squashedAction(force[k], noise);
      }
    }
    return out;
  }
}
