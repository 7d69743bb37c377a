/**
 * The `random` tier: uniform actions, from a seeded {@link Rng}. Continuous: each component
 * uniform over the 2^24 evenly spaced float32 values (2k + 1) / 2^24 - 1 of (-1, 1), so never
 * exactly +-1 (whose atanh would be an outlier in a tanh-Gaussian fit). Discrete: uniform over
 * the available actions.
 *
 * @module
 */
import type { MultiAgentSpec } from "../../dataset.ts";
import type { Policy } from "../../policy.ts";
import { Rng } from "../../rng.ts";
import { ValidationError } from "../../errors.ts";

/** Continuous actions are drawn from this many evenly spaced values in (-1, 1). */
const GRID = 2 ** 24;

/** Uniformly random actions. */
export class RandomPolicy implements Policy {
  readonly spec: MultiAgentSpec;
  readonly #rng: Rng;

  constructor(spec: MultiAgentSpec, seed: number) {
    this.spec = spec;
    this.#rng = Rng.fromSeed(seed);
  }

  act(obs: Float32Array, avail?: Uint8Array): Promise<Float32Array | Int32Array> {
    return Promise.resolve(this.actNow(obs, avail));
  }

  /** The same as {@link act}, synchronously (for policies that mix this one in). */
  actNow(obs: Float32Array, avail?: Uint8Array): Float32Array | Int32Array {
    const { nAgents, obsDim, actDim } = this.spec;
    const rows = obs.length / obsDim; // B * nAgents
    if (this.spec.actionKind === "continuous") {
      const out = new Float32Array(rows * actDim);
      for (let k = 0; k < out.length; k++) {
        out[k] = (2 * this.#rng.int(0, GRID - 1) + 1) / GRID - 1;
      }
      return out;
    }
    const nActions = this.spec.nActions ?? 0;
    if (avail === undefined || avail.length !== rows * nActions) {
      throw new ValidationError(
        `random policy: a discrete environment needs avail [B, ${nAgents}, ${nActions}]`,
      );
    }
    const out = new Int32Array(rows);
    for (let r = 0; r < rows; r++) out[r] = pickAvailable(avail, r * nActions, nActions, this.#rng);
    return out;
  }
}

/** A uniformly chosen available action among `avail[base .. base + nActions)`. */
export function pickAvailable(avail: Uint8Array, base: number, nActions: number, rng: Rng): number {
  let count = 0;
  for (let a = 0; a < nActions; a++) count += avail[base + a];
  if (count === 0) {
    throw new ValidationError(`no action is available at mask offset ${base}`);
  }
  let k = rng.int(0, count - 1);
  for (let a = 0; a < nActions; a++) {
    if (avail[base + a] && k-- === 0) return a;
  }
  return 0;
}
