/**
 * Plays many episodes of one environment with one policy, batched into vectorised copies, and
 * summarises their returns. Episode k of seed s always starts from the episode seed
 * `episodeSeed(s, k)`, however the episodes are batched.
 *
 * @module
 */
import type { ReturnSummary } from "../dataset.ts";
import { ValidationError } from "../errors.ts";
import type { Policy } from "../policy.ts";
import { episodeSeed, type VecEnvFactory } from "./env.ts";
import { rollout } from "./rollout.ts";

/** Which episodes to play. */
export interface EpisodePlan {
  /** Episodes per seed. */
  episodes: number;
  /** Seeds; `episodes` episodes are played for each. Default [0]. */
  seeds?: number[];
  /** Most copies stepped at once (default 1024). */
  maxBatch?: number;
  /** Called after every batch with the episodes finished so far and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Stops the episodes (with its reason) once it aborts. */
  signal?: AbortSignal;
}

/** Per-episode outcomes, seed-major (all episodes of seeds[0] first). */
export interface EpisodeOutcomes {
  returns: Float64Array;
  lengths: Int32Array;
  won: Uint8Array;
  hasWinner: boolean;
}

/** Plays every episode of `plan` with `policy` in copies made by `factory`. */
export async function playEpisodes(
  factory: VecEnvFactory,
  policy: Policy,
  plan: EpisodePlan,
): Promise<EpisodeOutcomes> {
  const seeds = plan.seeds ?? [0];
  if (!Number.isInteger(plan.episodes) || plan.episodes < 1) {
    throw new ValidationError(`episodes must be a positive integer, got ${plan.episodes}`);
  }
  if (seeds.length === 0 || !seeds.every(Number.isInteger)) {
    throw new ValidationError(
      `seeds must be a non-empty list of integers, got ${JSON.stringify(seeds)}`,
    );
  }
  const total = plan.episodes * seeds.length;
  const episodeSeeds = new Int32Array(total);
  for (let s = 0; s < seeds.length; s++) {
    for (let k = 0; k < plan.episodes; k++) {
      episodeSeeds[s * plan.episodes + k] = episodeSeed(seeds[s], k);
    }
  }
  const maxBatch = plan.maxBatch ?? 1024;
  const returns = new Float64Array(total);
  const lengths = new Int32Array(total);
  const won = new Uint8Array(total);
  let hasWinner = false;
  for (let start = 0; start < total; start += maxBatch) {
    const size = Math.min(maxBatch, total - start);
    const env = factory(size);
    hasWinner = env.hasWinner;
    let result;
    try {
      result = await rollout(
        env,
        policy,
        episodeSeeds.subarray(start, start + size),
        undefined,
        plan.signal,
      );
    } finally {
      env.dispose?.();
    }
    returns.set(result.returns, start);
    lengths.set(result.lengths, start);
    won.set(result.won, start);
    plan.onProgress?.(start + size, total);
    if (plan.signal && start + size < total) {
      // Let the abort's message or timer run between batches, as rollout does within one.
      await new Promise((resolve) => setTimeout(resolve, 0));
      plan.signal.throwIfAborted();
    }
  }
  return { returns, lengths, won, hasWinner };
}

/**
 * Mean, sample standard deviation and 95% interval of the mean of episode returns, and the win
 * rate when `won` is given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summariseReturns } from "./episodes.ts";
 * const s = summariseReturns([1, 2, 3]);
 * assert.ok(s.mean === 2 && s.std === 1);
 * ```
 */
export function summariseReturns(
  returns: ArrayLike<number>,
  won?: ArrayLike<number>,
): ReturnSummary {
  const n = returns.length;
  let sum = 0;
  for (let k = 0; k < n; k++) sum += returns[k];
  const mean = n > 0 ? sum / n : NaN;
  let squares = 0;
  for (let k = 0; k < n; k++) squares += (returns[k] - mean) ** 2;
  const std = n > 1 ? Math.sqrt(squares / (n - 1)) : 0;
  const half = n > 0 ? (1.96 * std) / Math.sqrt(n) : NaN;
  const summary: ReturnSummary = { episodes: n, mean, std, ci95: [mean - half, mean + half] };
  if (won !== undefined) {
    let wins = 0;
    for (let k = 0; k < won.length; k++) wins += won[k];
    summary.winRate = won.length > 0 ? wins / won.length : NaN;
  }
  return summary;
}
