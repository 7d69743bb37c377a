/**
 * `skirmish`: a SMAC-like discrete combat task. A team of allied units (default 5), one agent
 * each, fights a scripted enemy team (default 6 units of the same kind) on a square map. Units
 * have health, a weapon range and a weapon cooldown; allies see only within a sight range.
 * Scripted enemies attack the nearest living ally when it is within weapon range and otherwise
 * walk towards it.
 *
 * One step, all units acting on the state at the start of the step: shots are resolved
 * (a unit whose weapon is ready hits its target, and the weapon cools down), then units move,
 * then damage is applied, so two units can kill each other in the same step. An attack order on
 * a cooling weapon holds position. A step with an unavailable action raises an
 * `UnavailableActionError` and changes nothing.
 *
 * Team reward: damage dealt + 10 per kill + 200 for a win, scaled so that a perfect episode
 * returns 20 (as in SMAC). An episode terminates when a team is eliminated (a win when only the
 * enemies are) and is truncated at the time limit.
 *
 * Layouts of actions, observations and state: `skirmish_world.ts`.
 *
 * @module
 */
import type { MultiAgentSpec } from "../dataset.ts";
import { Rng } from "../rng.ts";
import { copySeeds, StepBuffers, type VecEnv, type VecObservation, type VecStep } from "./env.ts";
import { ActionShapeError, UnavailableActionError } from "./errors.ts";
import {
  KILL_BONUS,
  MAX_RETURN,
  MOVE_X,
  MOVE_Y,
  SKIRMISH_MOVE_ACTIONS,
  type SkirmishConfig,
  skirmishConfig,
  skirmishSpec,
  SkirmishWorld,
  WIN_BONUS,
} from "./skirmish_world.ts";

/** B copies of `skirmish`. */
export class SkirmishEnv implements VecEnv {
  readonly name = "skirmish";
  readonly spec: MultiAgentSpec;
  readonly config: Readonly<SkirmishConfig>;
  readonly numEnvs: number;
  readonly timeLimit: number;
  readonly hasWinner = true;

  readonly #world: SkirmishWorld;
  readonly #rewardScale: number;
  readonly #t: Int32Array;
  readonly #ended: Uint8Array;
  readonly #allyTarget: Int32Array; // [B * nAllies] enemy index hit this step, or -1
  readonly #enemyTarget: Int32Array; // [B * nEnemies] ally index hit this step, or -1

  readonly #out: StepBuffers;

  constructor(numEnvs: number, config?: Record<string, unknown>) {
    if (!Number.isInteger(numEnvs) || numEnvs < 1) {
      throw new RangeError(`skirmish: numEnvs must be a positive integer, got ${numEnvs}`);
    }
    const c = skirmishConfig(config);
    this.config = c;
    this.spec = skirmishSpec(c);
    this.numEnvs = numEnvs;
    this.timeLimit = c.timeLimit;
    this.#world = new SkirmishWorld(numEnvs, c);
    this.#rewardScale = MAX_RETURN /
      (c.nEnemies * c.enemyHealth + KILL_BONUS * c.nEnemies + WIN_BONUS);
    this.#t = new Int32Array(numEnvs);
    this.#ended = new Uint8Array(numEnvs);
    this.#out = new StepBuffers(numEnvs, this.spec);
    this.#allyTarget = new Int32Array(numEnvs * c.nAllies);
    this.#enemyTarget = new Int32Array(numEnvs * c.nEnemies);
  }

  /**
   * Allies start in a loose group left of the centre, enemies right of it, each unit jittered
   * uniformly (the only randomness of an episode).
   */
  reset(seeds: number | ArrayLike<number>): VecObservation {
    const perCopy = copySeeds(seeds, this.numEnvs);
    const w = this.#world, c = this.config, nA = c.nAllies, nE = c.nEnemies;
    const centre = c.mapSize / 2;
    for (let b = 0; b < this.numEnvs; b++) {
      const rng = Rng.fromSeed(perCopy[b]);
      for (let i = 0; i < nA; i++) {
        const a = b * nA + i;
        w.allyX[a] = centre - 5 + 3 * (rng.float() - 0.5);
        w.allyY[a] = centre + 8 * (rng.float() - 0.5);
        w.allyHealth[a] = c.allyHealth;
        w.allyCooldown[a] = 0;
      }
      for (let j = 0; j < nE; j++) {
        const e = b * nE + j;
        w.enemyX[e] = centre + 5 + 3 * (rng.float() - 0.5);
        w.enemyY[e] = centre + 8 * (rng.float() - 0.5);
        w.enemyHealth[e] = c.enemyHealth;
        w.enemyCooldown[e] = 0;
      }
      this.#t[b] = 0;
      this.#ended[b] = 0;
      this.#out.won[b] = 0;
      w.observe(b, this.spec, this.#out.obs, this.#out.state, this.#out.avail!);
    }
    return this.#out.observation();
  }

  step(actions: Float32Array | Int32Array): VecStep {
    const c = this.config, nA = c.nAllies;
    if (!(actions instanceof Int32Array) || actions.length !== this.numEnvs * nA) {
      throw new ActionShapeError(
        "skirmish",
        `expected an Int32Array of ${this.numEnvs * nA} action indices [B=${this.numEnvs}, ` +
          `nAllies=${nA}], got ${actions.constructor.name} of ${actions.length}`,
      );
    }
    // Check every copy first, so that a rejected step changes nothing.
    for (let b = 0; b < this.numEnvs; b++) if (!this.#ended[b]) this.#checkActions(b, actions);
    for (let b = 0; b < this.numEnvs; b++) {
      this.#out.terminated[b] = 0;
      this.#out.truncated[b] = 0;
      if (this.#ended[b]) {
        this.#out.running[b] = 0;
        this.#out.reward[b] = 0;
        continue;
      }
      this.#out.running[b] = 1;
      this.#out.reward[b] = this.#advance(b, actions) * this.#rewardScale;
      this.#world.observe(b, this.spec, this.#out.obs, this.#out.state, this.#out.avail!);
    }
    return this.#out.step();
  }

  won(): Uint8Array {
    return this.#out.won;
  }

  /** Throws unless every ally's action of copy b is available (the mask of the last observation). */
  #checkActions(b: number, actions: Int32Array): void {
    const nA = this.config.nAllies, nActions = this.spec.nActions ?? 0;
    for (let i = 0; i < nA; i++) {
      const action = actions[b * nA + i];
      if (action >= 0 && action < nActions && this.#out.avail![(b * nA + i) * nActions + action]) {
        continue;
      }
      throw new UnavailableActionError(
        "skirmish",
        b,
        i,
        action,
        this.#whyUnavailable(b, i, action),
      );
    }
  }

  #whyUnavailable(b: number, i: number, action: number): string {
    const w = this.#world, c = this.config, a = b * c.nAllies + i;
    if (!Number.isInteger(action) || action < 0 || action >= (this.spec.nActions ?? 0)) {
      return `actions are 0..${(this.spec.nActions ?? 0) - 1}`;
    }
    if (w.allyHealth[a] <= 0) return "the unit is dead: only no-op (0) is available";
    if (action === 0) return "no-op is only for dead units; a living unit stops with 1";
    if (action < SKIRMISH_MOVE_ACTIONS) return "the move would leave the map";
    const e = b * c.nEnemies + action - SKIRMISH_MOVE_ACTIONS;
    if (w.enemyHealth[e] <= 0) return `enemy ${action - SKIRMISH_MOVE_ACTIONS} is dead`;
    return `enemy ${action - SKIRMISH_MOVE_ACTIONS} is out of weapon range`;
  }

  /** One step of copy b; returns the unscaled reward. */
  #advance(b: number, actions: Int32Array): number {
    const w = this.#world, c = this.config, nA = c.nAllies, nE = c.nEnemies;
    const range2 = c.weaponRange * c.weaponRange, step = c.moveStep;
    const a0 = b * nA, e0 = b * nE;
    // Shots, from the state at the start of the step.
    for (let i = 0; i < nA; i++) {
      const a = a0 + i, action = actions[a];
      this.#allyTarget[a] = -1;
      if (action >= SKIRMISH_MOVE_ACTIONS && w.allyCooldown[a] === 0) {
        this.#allyTarget[a] = action - SKIRMISH_MOVE_ACTIONS;
        w.allyCooldown[a] = c.cooldown + 1; // the end-of-step tick makes it `cooldown`
      }
    }
    // Scripted enemies: shoot the nearest living ally in range, else walk towards it.
    for (let j = 0; j < nE; j++) {
      const e = e0 + j;
      this.#enemyTarget[e] = -1;
      if (w.enemyHealth[e] <= 0) continue;
      const ex = w.enemyX[e], ey = w.enemyY[e];
      let nearest = -1, best = Infinity;
      for (let i = 0; i < nA; i++) {
        const a = a0 + i;
        if (w.allyHealth[a] <= 0) continue;
        const dx = w.allyX[a] - ex, dy = w.allyY[a] - ey, d2 = dx * dx + dy * dy;
        if (d2 < best) [best, nearest] = [d2, i];
      }
      if (nearest < 0) continue;
      if (best <= range2) {
        if (w.enemyCooldown[e] === 0) {
          this.#enemyTarget[e] = nearest;
          w.enemyCooldown[e] = c.cooldown + 1;
        }
      } else {
        const d = Math.sqrt(best);
        w.enemyX[e] = clamp(ex + (step * (w.allyX[a0 + nearest] - ex)) / d, c.mapSize);
        w.enemyY[e] = clamp(ey + (step * (w.allyY[a0 + nearest] - ey)) / d, c.mapSize);
      }
    }
    // Ally moves.
    for (let i = 0; i < nA; i++) {
      const a = a0 + i, action = actions[a];
      if (action >= 2 && action < SKIRMISH_MOVE_ACTIONS) {
        w.allyX[a] += MOVE_X[action - 2] * step;
        w.allyY[a] += MOVE_Y[action - 2] * step;
      }
    }
    // Damage, kills, cooldown ticks.
    let reward = 0;
    for (let i = 0; i < nA; i++) {
      const a = a0 + i, j = this.#allyTarget[a];
      if (j < 0) continue;
      const e = e0 + j, before = w.enemyHealth[e];
      if (before <= 0) continue;
      const after = before - c.allyDamage;
      w.enemyHealth[e] = after;
      reward += after > 0 ? c.allyDamage : before + KILL_BONUS;
    }
    for (let j = 0; j < nE; j++) {
      const i = this.#enemyTarget[e0 + j];
      if (i >= 0) w.allyHealth[a0 + i] -= c.enemyDamage;
    }
    let alliesAlive = 0, enemiesAlive = 0;
    for (let i = 0; i < nA; i++) {
      const a = a0 + i;
      if (w.allyCooldown[a] > 0) w.allyCooldown[a]--;
      if (w.allyHealth[a] > 0) alliesAlive++;
      else w.allyHealth[a] = 0;
    }
    for (let j = 0; j < nE; j++) {
      const e = e0 + j;
      if (w.enemyCooldown[e] > 0) w.enemyCooldown[e]--;
      if (w.enemyHealth[e] > 0) enemiesAlive++;
      else w.enemyHealth[e] = 0;
    }
    this.#t[b]++;
    if (enemiesAlive === 0 || alliesAlive === 0) {
      this.#out.terminated[b] = 1;
      this.#ended[b] = 1;
      if (enemiesAlive === 0 && alliesAlive > 0) {
        this.#out.won[b] = 1;
        reward += WIN_BONUS;
      }
    } else if (this.#t[b] >= this.timeLimit) {
      this.#out.truncated[b] = 1;
      this.#ended[b] = 1;
    }
    return reward;
  }
}

function clamp(v: number, size: number): number {
  return v < 0 ? 0 : v > size ? size : v;
}
