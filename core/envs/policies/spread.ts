/**
 * Scripted `spread` controllers, acting from each agent's local observation only (layout in
 * `../spread.ts`: own velocity, own position, landmarks relative, other agents relative).
 *
 * - expert: every agent solves the same minimum-total-distance assignment of agents to landmarks
 *   (it sees all agents and landmarks relative to itself) and steers to its own landmark with a
 *   velocity controller that arrives without overshooting.
 * - medium: every agent steers, with a sluggish controller and steering noise, to the nearest
 *   landmark that no other agent is closer to (else to its nearest landmark): a greedy rule
 *   without a shared plan, so agents often share a landmark, collide and leave another one
 *   uncovered.
 *
 * @module
 */
import type { MultiAgentSpec } from "../../dataset.ts";
import type { Policy } from "../../policy.ts";
import { Rng } from "../../rng.ts";

const DT = 0.1;
const DAMPING = 0.25;
const SENSITIVITY = 5;

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
 * Writes the force that drives an agent with velocity (vx, vy) towards the offset (dx, dy):
 * desired velocity `gain * offset` capped at `maxSpeed`, reached in one step where the force
 * allows.
 */
function steer(
  out: Float32Array,
  at: number,
  vx: number,
  vy: number,
  dx: number,
  dy: number,
  gain: number,
  maxSpeed: number,
): void {
  let wx = gain * dx, wy = gain * dy;
  const speed = Math.hypot(wx, wy);
  if (speed > maxSpeed) {
    wx *= maxSpeed / speed;
    wy *= maxSpeed / speed;
  }
  const ux = (wx - (1 - DAMPING) * vx) / (SENSITIVITY * DT);
  const uy = (wy - (1 - DAMPING) * vy) / (SENSITIVITY * DT);
  out[at] = ux > 1 ? 1 : ux < -1 ? -1 : ux;
  out[at + 1] = uy > 1 ? 1 : uy < -1 ? -1 : uy;
}

/** The `spread` expert: shared optimal assignment, then precise steering. */
export class SpreadExpertPolicy implements Policy {
  readonly spec: MultiAgentSpec;
  readonly #perms: Int8Array[];
  readonly #rel: Float64Array; // [N, 2] agents relative to the acting agent

  constructor(spec: MultiAgentSpec) {
    this.spec = spec;
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
    const rel = this.#rel;
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
      steer(out, 2 * r, obs[o], obs[o + 1], dx, dy, 4, 2);
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

/** The `spread` medium controller: greedy landmark choice, sluggish noisy steering. */
export class SpreadMediumPolicy implements Policy {
  readonly spec: MultiAgentSpec;
  readonly #rng: Rng;
  readonly noise: number;

  constructor(spec: MultiAgentSpec, seed: number, noise = 0.3) {
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
    for (let r = 0; r < rows; r++) {
      const o = r * obsDim;
      // Nearest landmark that no other agent is closer to; else the nearest one.
      let best = Infinity, bx = 0, by = 0, free = Infinity, fx = 0, fy = 0;
      for (let l = 0; l < n; l++) {
        const dx = obs[o + 4 + 2 * l], dy = obs[o + 5 + 2 * l];
        const d = dx * dx + dy * dy;
        if (d < best) [best, bx, by] = [d, dx, dy];
        let mine = true;
        for (let k = 0; k < n - 1 && mine; k++) {
          const ex = dx - obs[o + 4 + 2 * n + 2 * k], ey = dy - obs[o + 5 + 2 * n + 2 * k];
          if (ex * ex + ey * ey < d) mine = false;
        }
        if (mine && d < free) [free, fx, fy] = [d, dx, dy];
      }
      if (free < Infinity) [bx, by] = [fx, fy];
      steer(out, 2 * r, obs[o], obs[o + 1], bx, by, 1.5, 1);
      for (let k = 0; k < 2; k++) {
        const u = out[2 * r + k] + this.noise * this.#rng.normal();
        out[2 * r + k] = u > 1 ? 1 : u < -1 ? -1 : u;
      }
    }
    return out;
  }
}
