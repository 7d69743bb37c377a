/**
 * How the scripted tiers score on an environment configuration: the random and expert means
 * are the reference returns of normalised scores (README, "Built-in environments"). Measured on fixed
 * reference seeds that no dataset seed changes, so every dataset and evaluation of one
 * configuration shares the same reference; cached per configuration in memory.
 *
 * @module
 */
import type { ReferenceReturns, ReturnSummary } from "../dataset.ts";
import { playEpisodes, summariseReturns } from "./episodes.ts";
import {
  envFactory,
  makeEnv,
  type PolicyLevel,
  prepareEnv,
  scriptedLevels,
  scriptedPolicy,
} from "./registry.ts";

/** The seed of the reference episodes. */
export const REFERENCE_SEED = 20_240_601;
/** Reference episodes per tier by default. */
export const REFERENCE_EPISODES = 200;

const cache = new Map<string, Promise<Partial<Record<PolicyLevel, ReturnSummary>>>>();

/**
 * The scripted controllers' return summaries (and win rates) on `env` with `config`, over
 * `episodes` reference episodes each: random, medium and expert on our simulators, random only on
 * the MuJoCo tasks (`scriptedLevels`). `onProgress` hears of the episodes played
 * when they are not cached yet.
 */
export async function tierReturns(
  env: string,
  config?: Record<string, unknown>,
  episodes = REFERENCE_EPISODES,
  onProgress?: (done: number, total: number) => void,
): Promise<Partial<Record<PolicyLevel, ReturnSummary>>> {
  await prepareEnv(env);
  const probe = makeEnv(env, 1, config);
  probe.dispose?.();
  const key = JSON.stringify([env, probe.config, episodes]);
  let summaries = cache.get(key);
  if (summaries === undefined) {
    summaries = measure(env, probe.config, episodes, onProgress);
    cache.set(key, summaries);
    summaries.catch(() => cache.delete(key));
  }
  return summaries;
}

async function measure(
  env: string,
  config: Readonly<Record<string, unknown>>,
  episodes: number,
  onProgress?: (done: number, total: number) => void,
): Promise<Partial<Record<PolicyLevel, ReturnSummary>>> {
  const factory = envFactory(env, { ...config });
  const probe = factory(1);
  const out: Partial<Record<PolicyLevel, ReturnSummary>> = {};
  const levels = scriptedLevels(env);
  for (const [k, level] of levels.entries()) {
    const policy = scriptedPolicy(probe, level, REFERENCE_SEED + k);
    const outcomes = await playEpisodes(factory, policy, {
      episodes,
      seeds: [REFERENCE_SEED],
      maxBatch: 256,
      onProgress: (done) => onProgress?.(k * episodes + done, levels.length * episodes),
    });
    out[level] = summariseReturns(outcomes.returns, outcomes.hasWinner ? outcomes.won : undefined);
  }
  probe.dispose?.();
  return out;
}

/**
 * The reference returns (random and expert means) of `env` with `config`; undefined where no
 * scripted expert exists (the MuJoCo tasks: their references come with a dataset).
 */
export async function referenceReturns(
  env: string,
  config?: Record<string, unknown>,
  episodes = REFERENCE_EPISODES,
): Promise<ReferenceReturns | undefined> {
  if (!scriptedLevels(env).includes("expert")) return undefined; // nothing to measure against
  const tiers = await tierReturns(env, config, episodes);
  if (tiers.random === undefined || tiers.expert === undefined) return undefined;
  return { random: tiers.random.mean, expert: tiers.expert.mean };
}
