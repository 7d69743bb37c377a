/**
 * Scripted `skirmish` controllers, acting from each ally's local observation (layout in
 * `../skirmish_world.ts`) and its available-action mask.
 *
 * - expert: focus fire (every ally shoots the weakest enemy it can reach, ties to the lowest
 *   index, so allies in reach of the same enemies pick the same one); a wounded ally whose
 *   weapon is cooling and that an enemy is probably aiming at (it is the nearest ally that enemy
 *   can see) steps back out of range, so the enemy walks or retargets instead of shooting; an
 *   ally with nothing to shoot keeps with its group and advances on the weakest visible enemy.
 * - medium: a mixture of good and poor decisions. Every ally, at every step, acts like the expert
 *   with probability 1/2 ({@link MEDIUM_EXPERT_SHARE}) and otherwise like a reckless rule that
 *   never wins on its own ({@link SkirmishRecklessPolicy}: it charges into the enemy's fire
 *   before shooting, spreads its fire and never falls back). Where the two disagree (about 60% of
 *   the decisions) neither action is the rule of the data: cloning it gives a blend of both,
 *   while a learner that weighs actions by their value can tell the good ones apart.
 *
 * @module
 */
import type { MultiAgentSpec } from "../../dataset.ts";
import type { Policy } from "../../policy.ts";
import { Rng } from "../../rng.ts";
import { ValidationError } from "../../errors.ts";

const NOOP = 0, STOP = 1, NORTH = 2, SOUTH = 3, EAST = 4, WEST = 5, ATTACK = 6;
const FEATURES = 5;

/** Where the blocks of a skirmish observation start. */
interface Layout {
  nEnemies: number;
  nAllies: number;
  enemies: number;
  allies: number;
  own: number;
}

function layoutOf(spec: MultiAgentSpec): Layout {
  const nEnemies = (spec.nActions ?? 0) - ATTACK;
  const nAllies = spec.nAgents;
  const enemies = 4, allies = enemies + FEATURES * nEnemies;
  return { nEnemies, nAllies, enemies, allies, own: allies + FEATURES * (nAllies - 1) };
}

/** The move (among available ones) that best follows direction (dx, dy); STOP if none. */
function moveTowards(avail: Uint8Array, m: number, dx: number, dy: number): number {
  const options: [number, number][] = [[NORTH, dy], [SOUTH, -dy], [EAST, dx], [WEST, -dx]];
  let best = STOP, score = 0;
  for (const [action, gain] of options) {
    if (avail[m + action] && gain > score) [best, score] = [action, gain];
  }
  return best;
}

function checkAvail(spec: MultiAgentSpec, obs: Float32Array, avail?: Uint8Array): Uint8Array {
  const rows = obs.length / spec.obsDim;
  if (avail === undefined || avail.length !== rows * (spec.nActions ?? 0)) {
    throw new ValidationError(
      `skirmish policy: needs avail [B, ${spec.nAgents}, ${spec.nActions}]`,
    );
  }
  return avail;
}

/** The `skirmish` expert: focus fire, wounded units fall back, the group advances together. */
export class SkirmishExpertPolicy implements Policy {
  readonly spec: MultiAgentSpec;
  readonly #layout: Layout;

  constructor(spec: MultiAgentSpec) {
    this.spec = spec;
    this.#layout = layoutOf(spec);
  }

  act(obs: Float32Array, avail?: Uint8Array): Promise<Int32Array> {
    return Promise.resolve(this.actNow(obs, avail));
  }

  /** Synchronous {@link act}. */
  actNow(obs: Float32Array, avail?: Uint8Array): Int32Array {
    const mask = checkAvail(this.spec, obs, avail);
    const { obsDim, nActions = 0 } = this.spec;
    const L = this.#layout;
    const rows = obs.length / obsDim;
    const out = new Int32Array(rows);
    for (let r = 0; r < rows; r++) {
      const o = r * obsDim, m = r * nActions;
      if (mask[m + NOOP]) {
        out[r] = NOOP;
        continue;
      }
      const health = obs[o + L.own], cooling = obs[o + L.own + 1] > 0;
      // Weakest enemy in reach; weakest visible enemy.
      let target = -1, targetHealth = Infinity;
      let weakest = -1, weakestHealth = Infinity;
      for (let j = 0; j < L.nEnemies; j++) {
        const f = o + L.enemies + FEATURES * j;
        if (obs[f + 1] === 0 && obs[f + 4] === 0) continue; // not visible
        const h = obs[f + 4];
        if (mask[m + ATTACK + j] && h < targetHealth - 1e-6) [target, targetHealth] = [j, h];
        if (h < weakestHealth - 1e-6) [weakest, weakestHealth] = [j, h];
      }
      const threat = cooling && health < RETREAT_HEALTH ? this.#threat(obs, o) : -1;
      if (threat >= 0) {
        const f = o + L.enemies + FEATURES * threat;
        const away = moveTowards(mask, m, -obs[f + 2], -obs[f + 3]);
        if (away !== STOP) {
          out[r] = away;
          continue;
        }
      }
      if (target >= 0) {
        out[r] = ATTACK + target;
        continue;
      }
      // Nothing in reach: keep with the group, then advance on the weakest visible enemy.
      let cx = 0, cy = 0, count = 1;
      for (let k = 0; k < L.nAllies - 1; k++) {
        const f = o + L.allies + FEATURES * k;
        if (obs[f] > 0) {
          cx += obs[f + 2];
          cy += obs[f + 3];
          count++;
        }
      }
      cx /= count;
      cy /= count;
      if (cx * cx + cy * cy > GROUP_RADIUS * GROUP_RADIUS) {
        out[r] = moveTowards(mask, m, cx, cy);
      } else if (weakest >= 0) {
        const f = o + L.enemies + FEATURES * weakest;
        out[r] = moveTowards(mask, m, obs[f + 2], obs[f + 3]);
      } else {
        out[r] = moveTowards(mask, m, 1, 0);
      }
    }
    return out;
  }

  /**
   * An enemy that can shoot this ally and has no other visible ally nearer to it (so it is
   * probably aiming here), or -1.
   */
  #threat(obs: Float32Array, o: number): number {
    const L = this.#layout;
    let threat = -1, closest = Infinity;
    for (let j = 0; j < L.nEnemies; j++) {
      const f = o + L.enemies + FEATURES * j;
      const d = obs[f + 1];
      if (obs[f] === 0) continue; // not within weapon range (ranges are equal on both sides)
      let mine = true;
      for (let k = 0; k < L.nAllies - 1 && mine; k++) {
        const g = o + L.allies + FEATURES * k;
        if (obs[g] === 0) continue;
        const dx = obs[f + 2] - obs[g + 2], dy = obs[f + 3] - obs[g + 3];
        if (dx * dx + dy * dy < d * d) mine = false;
      }
      if (mine && d < closest) [threat, closest] = [j, d];
    }
    return threat;
  }
}

/** Below this health fraction an ally with a cooling weapon falls back. */
const RETREAT_HEALTH = 0.7;
/** Allies further than this (in sight-range units) from their group's centre rejoin it. */
const GROUP_RADIUS = 0.25;

/** The reckless rule walks on until its nearest enemy is this close (sight ranges; reach 2/3). */
const CHARGE_UNTIL = 0.6;

/**
 * A reckless `skirmish` rule: every ally charges, walking towards the nearest visible enemy
 * until it is within {@link CHARGE_UNTIL} sight ranges (well inside weapon range, so it walks
 * into the enemy's fire instead of shooting); then it shoots the healthiest enemy it can reach
 * (the farthest among equally healthy ones), which spreads fire over the enemy team. With no
 * enemy in sight it walks east. It never falls back and never waits for its group.
 */
export class SkirmishRecklessPolicy implements Policy {
  readonly spec: MultiAgentSpec;
  readonly #layout: Layout;

  constructor(spec: MultiAgentSpec) {
    this.spec = spec;
    this.#layout = layoutOf(spec);
  }

  act(obs: Float32Array, avail?: Uint8Array): Promise<Int32Array> {
    return Promise.resolve(this.actNow(obs, avail));
  }

  /** Synchronous {@link act}. */
  actNow(obs: Float32Array, avail?: Uint8Array): Int32Array {
    const mask = checkAvail(this.spec, obs, avail);
    const { obsDim, nActions = 0 } = this.spec;
    const L = this.#layout;
    const rows = obs.length / obsDim;
    const out = new Int32Array(rows);
    for (let r = 0; r < rows; r++) {
      const o = r * obsDim, m = r * nActions;
      if (mask[m + NOOP]) {
        out[r] = NOOP;
        continue;
      }
      let nearest = -1, nearestDistance = Infinity;
      let target = -1, targetHealth = -Infinity, targetDistance = -Infinity;
      for (let j = 0; j < L.nEnemies; j++) {
        const f = o + L.enemies + FEATURES * j;
        if (obs[f + 1] === 0 && obs[f + 4] === 0) continue; // not visible
        const d = obs[f + 1], h = obs[f + 4];
        if (d < nearestDistance) [nearest, nearestDistance] = [j, d];
        if (!mask[m + ATTACK + j]) continue;
        if (h > targetHealth + 1e-6 || (h > targetHealth - 1e-6 && d > targetDistance)) {
          [target, targetHealth, targetDistance] = [j, h, d];
        }
      }
      if (nearest >= 0 && nearestDistance > CHARGE_UNTIL) {
        const f = o + L.enemies + FEATURES * nearest;
        const mv = moveTowards(mask, m, obs[f + 2], obs[f + 3]);
        if (mv !== STOP) {
          out[r] = mv;
          continue;
        }
      }
      if (target >= 0) out[r] = ATTACK + target;
      else if (nearest >= 0) {
        const f = o + L.enemies + FEATURES * nearest;
        out[r] = moveTowards(mask, m, obs[f + 2], obs[f + 3]);
      } else out[r] = moveTowards(mask, m, 1, 0);
    }
    return out;
  }
}

/** The share of the medium controller's decisions that are the expert's. */
export const MEDIUM_EXPERT_SHARE = 0.5;

/**
 * The `skirmish` medium controller: every ally, at every step, takes the expert's action with
 * probability `expertShare` and the {@link SkirmishRecklessPolicy} action otherwise (one draw
 * per ally and step, whichever rules agree).
 */
export class SkirmishMediumPolicy implements Policy {
  readonly spec: MultiAgentSpec;
  readonly #expert: SkirmishExpertPolicy;
  readonly #reckless: SkirmishRecklessPolicy;
  readonly #rng: Rng;
  readonly expertShare: number;

  constructor(spec: MultiAgentSpec, seed: number, expertShare = MEDIUM_EXPERT_SHARE) {
    if (!(expertShare >= 0 && expertShare <= 1)) {
      throw new ValidationError(
        `skirmish medium: expertShare must be in [0, 1], got ${expertShare}`,
      );
    }
    this.spec = spec;
    this.#expert = new SkirmishExpertPolicy(spec);
    this.#reckless = new SkirmishRecklessPolicy(spec);
    this.#rng = Rng.fromSeed(seed);
    this.expertShare = expertShare;
  }

  act(obs: Float32Array, avail?: Uint8Array): Promise<Int32Array> {
    return Promise.resolve(this.actNow(obs, avail));
  }

  /** Synchronous {@link act}. */
  actNow(obs: Float32Array, avail?: Uint8Array): Int32Array {
    const out = this.#expert.actNow(obs, avail);
    const poor = this.#reckless.actNow(obs, avail);
    for (let r = 0; r < out.length; r++) {
      if (this.#rng.float() >= this.expertShare) out[r] = poor[r];
    }
    return out;
  }
}
