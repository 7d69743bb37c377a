/**
 * Policies made of other policies, for the dataset tiers that mix behaviour: per environment
 * copy, a choice of component (`medium-expert`) or a rate of random actions (`medium-replay`).
 * They act from observations only, like their components.
 *
 * @module
 */
import type { MultiAgentSpec } from "../../dataset.ts";
import { ValidationError } from "../../errors.ts";
import type { Policy } from "../../policy.ts";
import { Rng } from "../../rng.ts";

/** Number of copies B in a batch of observations, checked against the per-copy settings. */
function copiesIn(spec: MultiAgentSpec, obs: Float32Array, expected: number, who: string): number {
  const copies = obs.length / (spec.nAgents * spec.obsDim);
  if (copies !== expected) {
    throw new ValidationError(
      `${who}: built for ${expected} copies, got observations of ${copies}`,
    );
  }
  return copies;
}

/** Copy b acts with `components[choice[b]]`. */
export class PerCopyMixture implements Policy {
  readonly spec: MultiAgentSpec;

  constructor(readonly components: Policy[], readonly choice: Int32Array) {
    this.spec = components[0].spec;
  }

  async act(obs: Float32Array, avail?: Uint8Array): Promise<Float32Array | Int32Array> {
    const B = copiesIn(this.spec, obs, this.choice.length, "per-copy mixture");
    const perCopy = this.spec.nAgents *
      (this.spec.actionKind === "continuous" ? this.spec.actDim : 1);
    const out = this.spec.actionKind === "continuous"
      ? new Float32Array(B * perCopy)
      : new Int32Array(B * perCopy);
    for (let c = 0; c < this.components.length; c++) {
      if (!this.choice.includes(c)) continue;
      const actions = await this.components[c].act(obs, avail);
      for (let b = 0; b < B; b++) {
        if (this.choice[b] === c) {
          out.set(actions.subarray(b * perCopy, (b + 1) * perCopy), b * perCopy);
        }
      }
    }
    return out;
  }
}

/** Each agent of copy b takes `random`'s action with probability `rate[b]`, else `base`'s. */
export class RandomActionMixture implements Policy {
  readonly spec: MultiAgentSpec;
  readonly #rng: Rng;

  constructor(
    readonly base: Policy,
    readonly random: Policy,
    readonly rate: Float32Array,
    seed: number,
  ) {
    this.spec = base.spec;
    this.#rng = Rng.fromSeed(seed);
  }

  async act(obs: Float32Array, avail?: Uint8Array): Promise<Float32Array | Int32Array> {
    const B = copiesIn(this.spec, obs, this.rate.length, "random-action mixture");
    const width = this.spec.actionKind === "continuous" ? this.spec.actDim : 1;
    const out = await this.base.act(obs, avail);
    const noise = await this.random.act(obs, avail);
    const n = this.spec.nAgents;
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < n; i++) {
        if (this.#rng.float() >= this.rate[b]) continue;
        const at = (b * n + i) * width;
        out.set(noise.subarray(at, at + width), at);
      }
    }
    return out;
  }
}
