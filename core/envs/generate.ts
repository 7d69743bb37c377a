/**
 * The dataset generator: plays a tier's behaviour in a built-in environment and returns the
 * canonical dataset (README, "Dataset formats") with what the manifest needs: the behaviour data's
 * returns, the scripted tiers' returns on the same configuration and the reference returns for
 * normalised scores. Writing files is the data layer's job.
 *
 * @module
 */
import type { CanonicalDataset, DatasetInfo } from "../dataset.ts";
import { ValidationError } from "../errors.ts";
import { episodeSeed } from "./env.ts";
import { summariseReturns } from "./episodes.ts";
import { BatchRecorder, concatRows } from "./record.ts";
import { REFERENCE_EPISODES, REFERENCE_SEED, tierReturns } from "./reference.ts";
import { makeEnv, prepareEnv, scriptedLevels } from "./registry.ts";
import { rollout } from "./rollout.ts";
import { TierBehaviour } from "./policies/tiers.ts";

/** What to generate. */
export interface GenerateOptions {
  /** A built-in environment: `spread`, `skirmish` or `matrix`. */
  env: string;
  envConfig?: Record<string, unknown>;
  /** `random`, `medium`, `expert`, `medium-replay` or `medium-expert`. */
  tier: string;
  episodes: number;
  seed: number;
  /** Reference episodes per scripted tier (default 200). */
  referenceEpisodes?: number;
  /** Called as work finishes: episodes done (dataset and reference) out of the total. */
  onProgress?: (done: number, total: number) => void;
}

/** Floats recorded per batch at most: bounds the generator's working memory. */
const BATCH_FLOATS = 4_000_000;

/**
 * Generates a dataset.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateDataset } from "./generate.ts";
 * const { dataset, info } = await generateDataset({
 *   env: "spread", tier: "medium", episodes: 4, seed: 0, referenceEpisodes: 10,
 * });
 * assert.ok(dataset.size === 4 * 25 && info.tier === "medium");
 * ```
 */
export async function generateDataset(
  options: GenerateOptions,
): Promise<{ dataset: CanonicalDataset; info: DatasetInfo }> {
  const { episodes, seed } = options;
  if (!Number.isInteger(episodes) || episodes < 1) {
    throw new ValidationError(`generate: episodes must be a positive integer, got ${episodes}`);
  }
  if (!Number.isInteger(seed)) {
    throw new ValidationError(`generate: seed must be an integer, got ${seed}`);
  }
  const referenceEpisodes = options.referenceEpisodes ?? REFERENCE_EPISODES;
  await prepareEnv(options.env);
  const probe = makeEnv(options.env, 1, options.envConfig);
  probe.dispose?.();
  const behaviour = new TierBehaviour(probe, options.tier, episodes, seed);
  const { spec, timeLimit } = probe;
  const floatsPerCopy = timeLimit * spec.nAgents *
    (spec.obsDim + spec.stateDim + spec.actDim + (spec.nActions ?? 0));
  const batch = Math.max(1, Math.min(1024, Math.floor(BATCH_FLOATS / floatsPerCopy)));
  const total = episodes + scriptedLevels(options.env).length * referenceEpisodes;

  // Dataset episodes draw their starts from their own stream of the seed, so that evaluating
  // with the same seed never replays a start the data was collected from.
  const datasetStream = episodeSeed(seed, -1);
  const chunks = [];
  const returns = new Float64Array(episodes);
  const won = new Uint8Array(episodes);
  for (let first = 0; first < episodes; first += batch) {
    const size = Math.min(batch, episodes - first);
    const env = makeEnv(options.env, size, options.envConfig);
    const seeds = new Int32Array(size);
    for (let b = 0; b < size; b++) seeds[b] = episodeSeed(datasetStream, first + b);
    const recorder = new BatchRecorder(spec);
    let result;
    try {
      result = await rollout(env, behaviour.forBatch(first, size), seeds, recorder);
    } finally {
      env.dispose?.();
    }
    returns.set(result.returns, first);
    won.set(result.won, first);
    chunks.push(recorder.rows(size, first));
    options.onProgress?.(first + size, total);
  }
  const dataset = concatRows(spec, chunks);

  const tiers = await tierReturns(
    options.env,
    options.envConfig,
    referenceEpisodes,
    (done) => options.onProgress?.(episodes + done, total),
  );
  options.onProgress?.(total, total);
  const behaviourSummary = summariseReturns(returns, probe.hasWinner ? won : undefined);
  const info: DatasetInfo = {
    name: `${probe.name}-${behaviour.tier}`,
    env: probe.name,
    envConfig: { ...probe.config },
    tier: behaviour.tier,
    behaviourReturn: { mean: behaviourSummary.mean, std: behaviourSummary.std },
    ...(tiers.random && tiers.expert
      ? { reference: { random: tiers.random.mean, expert: tiers.expert.mean } }
      : {}),
    tierReturns: { ...tiers },
    source: "generate",
    generator: { seed, episodes, referenceEpisodes, referenceSeed: REFERENCE_SEED },
  };
  if (behaviourSummary.winRate !== undefined) info.behaviourWinRate = behaviourSummary.winRate;
  return { dataset, info };
}
