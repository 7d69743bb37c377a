/**
 * A sweep's `dataset/<env>-<tier>` step: generates and stores the built-in dataset (the
 * `ingest` step of train-evaluate, reused), and describes it for the report: the behaviour
 * data's normalised score and its histogram of episode returns (DuckDB).
 *
 * @module
 */
import { normalisedScore } from "../../core/dataset.ts";
import { datasetStats } from "../../data/mod.ts";
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

/** Runs the step. */
export async function describeSweepDataset(
  input: SweepDatasetInput,
  ctx: StepContext,
): Promise<SweepDatasetOutput> {
  const [, env, tier] = DATASET_KEY.exec(input.key) ?? [];
  const params = trainEvaluateParams.parse({
    env,
    tier,
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
