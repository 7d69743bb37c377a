/**
 * A sweep's `dataset/<env>-<tier>` step: generates and stores the built-in dataset (the
 * `ingest` step of train-evaluate, reused), or for a MuJoCo task finds the tier a `behaviour`
 * run stored, and describes it for the report: the behaviour
 * data's normalised score and its histogram of episode returns (DuckDB).
 *
 * @module
 */
import { normalisedScore } from "../../core/dataset.ts";
import { type DatasetManifest, datasetStats, listDatasets } from "../../data/mod.ts";
import { isMujocoTask } from "../../core/envs/mujoco/tasks.ts";
import { NonRetriableError } from "../errors.ts";
import type { StepContext } from "../step.ts";
import { ingest } from "../train_evaluate/ingest_step.ts";
import { trainEvaluateParams } from "../train_evaluate/params.ts";
import type { IngestOutput } from "../train_evaluate/types.ts";
import { DATASET_KEY } from "./params.ts";

/** The step's input. */
export interface SweepDatasetInput {
  /** `<env>-<tier>`. */
  key: string;
  episodes: number;
  datasetSeed: number;
  evalEpisodes: number;
  evalSeeds: number;
}

/** The step's output. */
export interface SweepDatasetOutput {
  key: string;
  ingest: IngestOutput;
  /** Normalised score of the behaviour data's mean return (NaN-free: null when unknown). */
  behaviourScore: number | null;
  returnHistogram: { edges: number[]; counts: number[] };
}

/**
 * The stored dataset of a MuJoCo tier among `stored` (a home's `listDatasets`): the newest stored
 * under the key's name by a `behaviour` run (those tiers come from a trained behaviour policy,
 * not from a scripted controller), or undefined.
 */
export function storedBehaviourDataset(
  key: string,
  stored: readonly DatasetManifest[],
): DatasetManifest | undefined {
  return stored.filter((m) => m.name === key && m.source === "behaviour").at(-1);
}

/** What to do about MuJoCo tiers `keys` that no `behaviour` run has stored yet. */
export function missingTiersMessage(keys: readonly string[]): string {
  const envs = [...new Set(keys.map((key) => DATASET_KEY.exec(key)?.[1] ?? key))];
  return `no stored dataset ${keys.join(", ")}: the MuJoCo tiers come from a behaviour run; ` +
    `store them with ${
      envs.map((env) => `\`deno task omiga run behaviour --env ${env}\``).join(" and ")
    } on this home first`;
}

async function behaviourDataset(key: string, ctx: StepContext): Promise<string> {
  const found = storedBehaviourDataset(key, await listDatasets({ home: ctx.home }));
  if (found === undefined) throw new NonRetriableError(missingTiersMessage([key]));
  ctx.log(`${key}: stored dataset ${found.id} (behaviour run ${found.behaviour?.run ?? "?"})`);
  return found.id;
}

/** Runs the step. */
export async function describeSweepDataset(
  input: SweepDatasetInput,
  ctx: StepContext,
): Promise<SweepDatasetOutput> {
  const [, env, tier] = DATASET_KEY.exec(input.key) ?? [];
  const source = isMujocoTask(env) ? { dataset: await behaviourDataset(input.key, ctx) } : {
    env,
    tier,
  };
  const params = trainEvaluateParams.parse({
    ...source,
    episodes: input.episodes,
    datasetSeed: input.datasetSeed,
    evalEpisodes: input.evalEpisodes,
    evalSeeds: input.evalSeeds,
  });
  const ingested = await ingest(params, ctx);
  const stats = await datasetStats(ingested.datasetId, {
    home: ctx.home,
  });
  const reference = ingested.evaluation?.reference;
  const behaviour = ingested.behaviourReturn?.mean;
  return {
    key: input.key,
    ingest: ingested,
    behaviourScore: reference && behaviour !== undefined
      ? normalisedScore(behaviour, reference)
      : null,
    returnHistogram: stats.returnHistogram,
  };
}
