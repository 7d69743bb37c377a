/**
 * The state of B copies of `skirmish` as flat arrays (struct of arrays), its configuration and
 * what every ally observes. Dynamics live in `skirmish.ts`.
 *
 * Action indices of an ally: 0 no-op (dead units only), 1 stop, 2 north (+y), 3 south (-y),
 * 4 east (+x), 5 west (-x), 6 + j attack enemy j (alive and within weapon range).
 *
 * Observation of an ally (zeros when it is dead), 4 + 5 nEnemies + 5 (nAllies - 1) + 2 numbers
 * (56 for 5 v 6):
 * - 4 move flags: whether moving north, south, east, west keeps it on the map;
 * - per enemy j: [attackable, distance, dx, dy, health fraction], distances divided by the sight
 *   range; all zeros unless the enemy is alive and within sight;
 * - per other ally (index order): [visible, distance, dx, dy, health fraction], the same way;
 * - own [health fraction, weapon cooldown fraction].
 *
 * State (the mixer's input), the same global vector for every ally, 4 nAllies + 3 nEnemies
 * numbers (38 for 5 v 6): per ally [health fraction, cooldown fraction, x, y], per enemy
 * [health fraction, x, y]; positions relative to the map centre divided by half the map size.
 *
 * @module
 */
import type { MultiAgentSpec } from "../dataset.ts";
import { resolveConfig } from "./config.ts";

/** The configuration of `skirmish`. */
export interface SkirmishConfig extends Record<string, unknown> {
  nAllies: number;
  nEnemies: number;
  timeLimit: number;
  mapSize: number;
  sightRange: number;
  weaponRange: number;
  /** Distance a move action covers in one step (both teams). */
  moveStep: number;
  /** Steps a weapon waits after a shot before it can fire again (both teams). */
  cooldown: number;
  allyHealth: number;
  allyDamage: number;
  /** The enemy's strength: its units' health and damage per shot. */
  enemyHealth: number;
  enemyDamage: number;
}

/**
 * Defaults: 5 allies against 6 enemies, 100 steps. An enemy unit is a little weaker than an
 * ally (7 shots kill it; it needs 10 to kill an ally) but the enemy has one unit more: tuned so
 * that focus fire wins almost always, spread fire about a third of the time, and random play
 * never.
 */
export const skirmishDefaults: SkirmishConfig = {
  nAllies: 5,
  nEnemies: 6,
  timeLimit: 100,
  mapSize: 32,
  sightRange: 9,
  weaponRange: 6,
  moveStep: 0.5,
  cooldown: 2,
  allyHealth: 45,
  allyDamage: 6,
  enemyHealth: 40,
  enemyDamage: 4.5,
};

/** Reward per point of damage, per kill and for a win, before scaling. */
export const KILL_BONUS = 10;
export const WIN_BONUS = 200;
/** A perfect episode (every enemy killed, a win) returns this much, as in SMAC. */
export const MAX_RETURN = 20;

/** Number of non-attack actions (no-op, stop, 4 moves). */
export const SKIRMISH_MOVE_ACTIONS = 6;
/** Unit direction of move action 2 + d (north, south, east, west). */
export const MOVE_X = [0, 0, 1, -1] as const;
export const MOVE_Y = [1, -1, 0, 0] as const;
/** Width of the per-unit feature block in observations. */
export const UNIT_FEATURES = 5;

/** Fills defaults in and checks a `skirmish` configuration. */
export function skirmishConfig(given?: Record<string, unknown>): SkirmishConfig {
  const config = resolveConfig("skirmish", skirmishDefaults, given, {
    nAllies: { min: 1, max: 64, integer: true },
    nEnemies: { min: 1, max: 64, integer: true },
    timeLimit: { min: 1, max: 100_000, integer: true },
    mapSize: { min: 4, max: 1000 },
    sightRange: { min: 0.1, max: 1000 },
    weaponRange: { min: 0.1, max: 1000 },
    moveStep: { min: 0.01, max: 100 },
    cooldown: { min: 1, max: 1000, integer: true },
    allyHealth: { min: 1, max: 1e6 },
    allyDamage: { min: 0, max: 1e6 },
    enemyHealth: { min: 1, max: 1e6 },
    enemyDamage: { min: 0, max: 1e6 },
  });
  return config;
}

/** The shapes of `skirmish` for a configuration. */
export function skirmishSpec(config: SkirmishConfig): MultiAgentSpec {
  const { nAllies, nEnemies } = config;
  return {
    nAgents: nAllies,
    obsDim: 4 + UNIT_FEATURES * nEnemies + UNIT_FEATURES * (nAllies - 1) + 2,
    stateDim: 4 * nAllies + 3 * nEnemies,
    actionKind: "discrete",
    actDim: 1,
    nActions: SKIRMISH_MOVE_ACTIONS + nEnemies,
  };
}

/** B copies' unit arrays. Health <= 0 means dead. */
export class SkirmishWorld {
  readonly allyX: Float64Array; // [B, nAllies]
  readonly allyY: Float64Array;
  readonly allyHealth: Float64Array;
  readonly allyCooldown: Int32Array;
  readonly enemyX: Float64Array; // [B, nEnemies]
  readonly enemyY: Float64Array;
  readonly enemyHealth: Float64Array;
  readonly enemyCooldown: Int32Array;

  constructor(readonly numEnvs: number, readonly config: SkirmishConfig) {
    const a = numEnvs * config.nAllies, e = numEnvs * config.nEnemies;
    this.allyX = new Float64Array(a);
    this.allyY = new Float64Array(a);
    this.allyHealth = new Float64Array(a);
    this.allyCooldown = new Int32Array(a);
    this.enemyX = new Float64Array(e);
    this.enemyY = new Float64Array(e);
    this.enemyHealth = new Float64Array(e);
    this.enemyCooldown = new Int32Array(e);
  }

  /** Whether ally `a` of copy b (flat index b * nAllies + i) can move by (dx, dy). */
  canMove(a: number, dx: number, dy: number): boolean {
    const x = this.allyX[a] + dx, y = this.allyY[a] + dy, size = this.config.mapSize;
    return x >= 0 && x <= size && y >= 0 && y <= size;
  }

  /**
   * Writes copy b's observations, states and masks into the [B, nAllies, ...] arrays.
   */
  observe(
    b: number,
    spec: MultiAgentSpec,
    obs: Float32Array,
    state: Float32Array,
    avail: Uint8Array,
  ) {
    const c = this.config, nA = c.nAllies, nE = c.nEnemies, nActions = spec.nActions ?? 0;
    const sight = c.sightRange, sight2 = sight * sight, range2 = c.weaponRange * c.weaponRange;
    const step = c.moveStep;
    obs.fill(0, b * nA * spec.obsDim, (b + 1) * nA * spec.obsDim);
    avail.fill(0, b * nA * nActions, (b + 1) * nA * nActions);
    for (let i = 0; i < nA; i++) {
      const a = b * nA + i;
      const m = a * nActions;
      if (this.allyHealth[a] <= 0) {
        avail[m] = 1;
        continue;
      }
      const x = this.allyX[a], y = this.allyY[a];
      let o = a * spec.obsDim;
      avail[m + 1] = 1;
      for (let d = 0; d < 4; d++) {
        const flag = this.canMove(a, MOVE_X[d] * step, MOVE_Y[d] * step) ? 1 : 0;
        obs[o++] = flag;
        avail[m + 2 + d] = flag;
      }
      for (let j = 0; j < nE; j++, o += UNIT_FEATURES) {
        const e = b * nE + j;
        if (this.enemyHealth[e] <= 0) continue;
        const dx = this.enemyX[e] - x, dy = this.enemyY[e] - y, d2 = dx * dx + dy * dy;
        if (d2 > sight2) continue;
        const inRange = d2 <= range2 ? 1 : 0;
        avail[m + SKIRMISH_MOVE_ACTIONS + j] = inRange;
        obs[o] = inRange;
        obs[o + 1] = Math.sqrt(d2) / sight;
        obs[o + 2] = dx / sight;
        obs[o + 3] = dy / sight;
        obs[o + 4] = this.enemyHealth[e] / c.enemyHealth;
      }
      for (let k = 0; k < nA; k++) {
        if (k === i) continue;
        const f = b * nA + k;
        if (this.allyHealth[f] > 0) {
          const dx = this.allyX[f] - x, dy = this.allyY[f] - y, d2 = dx * dx + dy * dy;
          if (d2 <= sight2) {
            obs[o] = 1;
            obs[o + 1] = Math.sqrt(d2) / sight;
            obs[o + 2] = dx / sight;
            obs[o + 3] = dy / sight;
            obs[o + 4] = this.allyHealth[f] / c.allyHealth;
          }
        }
        o += UNIT_FEATURES;
      }
      obs[o++] = this.allyHealth[a] / c.allyHealth;
      obs[o++] = this.allyCooldown[a] / c.cooldown;
    }
    const half = c.mapSize / 2;
    const s0 = b * nA * spec.stateDim;
    let s = s0;
    for (let i = 0; i < nA; i++) {
      const a = b * nA + i;
      const alive = this.allyHealth[a] > 0;
      state[s++] = alive ? this.allyHealth[a] / c.allyHealth : 0;
      state[s++] = alive ? this.allyCooldown[a] / c.cooldown : 0;
      state[s++] = alive ? (this.allyX[a] - half) / half : 0;
      state[s++] = alive ? (this.allyY[a] - half) / half : 0;
    }
    for (let j = 0; j < nE; j++) {
      const e = b * nE + j;
      const alive = this.enemyHealth[e] > 0;
      state[s++] = alive ? this.enemyHealth[e] / c.enemyHealth : 0;
      state[s++] = alive ? (this.enemyX[e] - half) / half : 0;
      state[s++] = alive ? (this.enemyY[e] - half) / half : 0;
    }
    for (let i = 1; i < nA; i++) state.copyWithin(s0 + i * spec.stateDim, s0, s0 + spec.stateDim);
  }
}
