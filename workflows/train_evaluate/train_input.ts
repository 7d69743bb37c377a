/**
 * The `train` step's input from a plan's choices; shared by train-evaluate and the sweep cells.
 *
 * @module
 */
import type { AlgorithmName } from "../../core/learn/mod.ts";
import type { EvaluationPlan, TrainInput } from "./types.ts";

/** What a plan decides about one training job. */
export interface TrainChoices {
  datasetId: string;
  algorithm: AlgorithmName;
  seed: number;
  /** Absent or null: the algorithm's default (bc has none). */
  alpha?: number | null;
  batchSize?: number;
  hiddenSize?: number;
  iterations: number;
  checkpointEvery: number;
  backend: string;
  evalEvery: number;
  evaluation?: EvaluationPlan;
  /** Folder inside the run's artifact folder (default: the run's folder itself). */
  folder?: string;
  /** Threads per training step (default: the step's share of the cores). */
  threads?: number;
}

/**
 * Builds a {@link TrainInput}: OMIGA's config holds only the fields the plan sets, so the rest
 * keep the paper's defaults.
 */
export function trainInput(choices: TrainChoices): TrainInput {
  const { alpha, batchSize, hiddenSize, evaluation, folder } = choices;
  return {
    datasetId: choices.datasetId,
    config: {
      algorithm: choices.algorithm,
      seed: choices.seed,
      ...(alpha !== undefined && alpha !== null ? { alpha } : {}),
      ...(batchSize !== undefined ? { batchSize } : {}),
      ...(hiddenSize !== undefined ? { hiddenSize } : {}),
    },
    iterations: choices.iterations,
    checkpointEvery: choices.checkpointEvery,
    backend: choices.backend,
    evalEvery: choices.evalEvery,
    ...(evaluation ? { evaluation } : {}),
    ...(folder !== undefined ? { folder } : {}),
    ...(choices.threads !== undefined ? { threads: choices.threads } : {}),
  };
}
