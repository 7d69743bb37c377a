/**
 * `matrix`: a one-step cooperative matrix game. Every agent picks one of `nActions` actions; the
 * team reward is the payoff table's entry for the joint action, and the episode terminates.
 * Observations and state are a constant 1 (obsDim = stateDim = 1); every action is available.
 *
 * The payoff table is flat and row-major over the agents' actions, agent 0 most significant:
 * entry `a0 * nActions^(n-1) + a1 * nActions^(n-2) + ...`. The default is the 3 x 3
 * non-monotonic game of the QTRAN paper, whose optimum (0, 0) = 8 is surrounded by -12s, so
 * agents that best-respond to a uniform partner settle on a worse joint action.
 *
 * @module
 */
import type { MultiAgentSpec } from "../dataset.ts";
import { ValidationError } from "../errors.ts";
import { resolveConfig } from "./config.ts";
import { copySeeds, StepBuffers, type VecEnv, type VecObservation, type VecStep } from "./env.ts";
import { ActionShapeError, UnavailableActionError } from "./errors.ts";

/** The configuration of `matrix`. */
export interface MatrixConfig extends Record<string, unknown> {
  nAgents: number;
  nActions: number;
  /** nActions^nAgents payoffs, row-major over agents' actions. */
  payoff: number[];
}

/** Defaults: the QTRAN 3 x 3 non-monotonic game for 2 agents. */
export const matrixDefaults: MatrixConfig = {
  nAgents: 2,
  nActions: 3,
  payoff: [8, -12, -12, -12, 0, 0, -12, 0, 0],
};

/** Fills defaults in and checks a `matrix` configuration. */
export function matrixConfig(given?: Record<string, unknown>): MatrixConfig {
  const config = resolveConfig("matrix", matrixDefaults, given, {
    nAgents: { min: 1, max: 8, integer: true },
    nActions: { min: 1, max: 64, integer: true },
  });
  const size = config.nActions ** config.nAgents;
  const payoff = config.payoff;
  if (
    !Array.isArray(payoff) || payoff.length !== size ||
    !payoff.every((v) => typeof v === "number" && Number.isFinite(v))
  ) {
    throw new ValidationError(
      `matrix: config field "payoff" must be ${size} finite numbers ` +
        `(nActions^nAgents = ${config.nActions}^${config.nAgents}), got ${JSON.stringify(payoff)}`,
    );
  }
  return { ...config, payoff: [...payoff] };
}

/** The shapes of `matrix`. */
export function matrixSpec(config: MatrixConfig): MultiAgentSpec {
  return {
    nAgents: config.nAgents,
    obsDim: 1,
    stateDim: 1,
    actionKind: "discrete",
    actDim: 1,
    nActions: config.nActions,
  };
}

/** The payoff of one joint action. */
export function matrixPayoff(config: MatrixConfig, joint: ArrayLike<number>): number {
  let index = 0;
  for (let i = 0; i < config.nAgents; i++) index = index * config.nActions + joint[i];
  return config.payoff[index];
}

/** B copies of `matrix`. */
export class MatrixEnv implements VecEnv {
  readonly name = "matrix";
  readonly spec: MultiAgentSpec;
  readonly config: Readonly<MatrixConfig>;
  readonly numEnvs: number;
  readonly timeLimit = 1;
  readonly hasWinner = false;

  readonly #ended: Uint8Array;

  readonly #out: StepBuffers;

  constructor(numEnvs: number, config?: Record<string, unknown>) {
    if (!Number.isInteger(numEnvs) || numEnvs < 1) {
      throw new RangeError(`matrix: numEnvs must be a positive integer, got ${numEnvs}`);
    }
    this.config = matrixConfig(config);
    this.spec = matrixSpec(this.config);
    this.numEnvs = numEnvs;
    this.#ended = new Uint8Array(numEnvs);
    this.#out = new StepBuffers(numEnvs, this.spec);
    // The one-step game has nothing to observe: a constant 1 as obs and state, every action available.
    this.#out.obs.fill(1);
    this.#out.state.fill(1);
    this.#out.avail!.fill(1);
  }

  reset(seeds: number | ArrayLike<number>): VecObservation {
    copySeeds(seeds, this.numEnvs); // checks the count; the game has no randomness
    this.#ended.fill(0);
    return this.#out.observation();
  }

  step(actions: Float32Array | Int32Array): VecStep {
    const { nAgents: n, nActions } = this.config;
    if (!(actions instanceof Int32Array) || actions.length !== this.numEnvs * n) {
      throw new ActionShapeError(
        "matrix",
        `expected an Int32Array of ${this.numEnvs * n} action indices [B=${this.numEnvs}, ` +
          `nAgents=${n}], got ${actions.constructor.name} of ${actions.length}`,
      );
    }
    for (let k = 0; k < actions.length; k++) {
      const a = actions[k];
      if (!this.#ended[Math.floor(k / n)] && !(a >= 0 && a < nActions)) {
        throw new UnavailableActionError(
          "matrix",
          Math.floor(k / n),
          k % n,
          a,
          `actions are 0..${nActions - 1}`,
        );
      }
    }
    for (let b = 0; b < this.numEnvs; b++) {
      this.#out.running[b] = this.#ended[b] ? 0 : 1;
      this.#out.terminated[b] = this.#out.running[b];
      this.#out.truncated[b] = 0;
      this.#out.reward[b] = 0;
      if (!this.#out.running[b]) continue;
      this.#out.reward[b] = matrixPayoff(this.config, actions.subarray(b * n, (b + 1) * n));
      this.#ended[b] = 1;
    }
    return this.#out.step();
  }

  won(): Uint8Array {
    return this.#out.won;
  }
}
