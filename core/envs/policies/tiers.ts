/**
 * The dataset tiers: which behaviour plays each episode of a generated dataset.
 *
 * - `random`, `medium`, `expert`: the scripted controller of that level for every episode.
 * - `medium-replay`: a sequence of policies of rising quality, like the replay buffer of a
 *   training run that reached the medium level: in episode e of E every agent acts randomly
 *   with probability 1 - (e + 0.5) / E and like the medium controller otherwise.
 * - `medium-expert`: the first half of the episodes medium, the second half expert.
 *
 * @module
 */
import { ValidationError } from "../../errors.ts";
import type { Policy } from "../../policy.ts";
import { Rng } from "../../rng.ts";
import type { VecEnv } from "../env.ts";
import { type PolicyLevel, scriptedPolicy } from "../registry.ts";
import { PerCopyMixture, RandomActionMixture } from "./mixtures.ts";

/** Names of the dataset tiers. */
export const TIERS = ["random", "medium", "expert", "medium-replay", "medium-expert"] as const;
/** A dataset tier. */
export type Tier = typeof TIERS[number];

/** Checks that `name` is a dataset tier. */
export function tierName(name: string): Tier {
  if (!(TIERS as readonly string[]).includes(name)) {
    throw new ValidationError(`unknown tier "${name}"; tiers: ${TIERS.join(", ")}`);
  }
  return name as Tier;
}

/**
 * The behaviour of a tier over a dataset of `totalEpisodes` episodes: `forBatch(first, size)`
 * is the policy that plays episodes first .. first + size - 1 as copies 0 .. size - 1.
 */
/** The scripted controllers each tier plays. */
const TIER_LEVELS: Readonly<Record<Tier, readonly PolicyLevel[]>> = {
  random: ["random"],
  medium: ["medium"],
  expert: ["expert"],
  "medium-replay": ["medium", "random"],
  "medium-expert": ["medium", "expert"],
};

/** The scripted controllers `tier` plays (medium-replay: medium and random). */
export function tierLevels(tier: Tier): readonly PolicyLevel[] {
  return TIER_LEVELS[tier];
}

export class TierBehaviour {
  readonly tier: Tier;
  readonly #levels: Partial<Record<PolicyLevel, Policy>> = {};
  readonly #rng: Rng;

  constructor(env: VecEnv, tier: string, readonly totalEpisodes: number, seed: number) {
    this.tier = tierName(tier);
    this.#rng = Rng.fromSeed(seed);
    const seedOf = () => this.#rng.int(-0x80000000, 0x7fffffff);
    // Three seeds drawn in this order whichever levels the tier uses, so a tier's data does not
    // depend on which controllers exist; only the controllers the tier plays are built.
    const seeds = { random: seedOf(), medium: seedOf(), expert: seedOf() };
    for (const level of TIER_LEVELS[this.tier]) {
      this.#levels[level] = scriptedPolicy(env, level, seeds[level]);
    }
  }

  /** The policy for episodes `first` .. `first + size - 1`. */
  forBatch(first: number, size: number): Policy {
    switch (this.tier) {
      case "random":
      case "medium":
      case "expert":
        return this.#levels[this.tier]!;
      case "medium-replay": {
        const rate = new Float32Array(size);
        for (let b = 0; b < size; b++) rate[b] = 1 - (first + b + 0.5) / this.totalEpisodes;
        return new RandomActionMixture(
          this.#levels.medium!,
          this.#levels.random!,
          rate,
          this.#rng.int(-0x80000000, 0x7fffffff),
        );
      }
      case "medium-expert": {
        const choice = new Int32Array(size);
        const half = Math.floor(this.totalEpisodes / 2);
        for (let b = 0; b < size; b++) choice[b] = first + b < half ? 0 : 1;
        return new PerCopyMixture([this.#levels.medium!, this.#levels.expert!], choice);
      }
    }
  }
}
