/**
 * What the steps of `train-evaluate` hand to each other (all JSON).
 *
 * @module
 */
import type { ReferenceReturns } from "../../core/dataset.ts";
import type { TrainConfig, TrainConfigInput } from "../../core/learn/mod.ts";

/** How to evaluate a policy: a built-in environment, its config, episodes and seeds. */
export interface EvaluationPlan {
  env: string;
  envConfig: Record<string, unknown>;
  episodes: number;
  seeds: number[];
  reference?: ReferenceReturns;
}

/** The `ingest` step's output. */
export interface IngestOutput {
  datasetId: string;
  datasetName: string;
  /** The dataset's content hash (absent in runs from before it was recorded). */
  contentHash?: string;
  /** The environment the dataset comes from (its manifest's `env`). */
  env: string;
  episodes: number;
  transitions: number;
  tier?: string;
  behaviourReturn?: { mean: number; std: number };
  /** Absent when the dataset has no built-in environment to evaluate in. */
  evaluation?: EvaluationPlan;
  /** Why there is no evaluation plan. */
  noEvaluation?: string;
}

/** The `train` step's input. */
export interface TrainInput {
  datasetId: string;
  config: TrainConfigInput;
  iterations: number;
  checkpointEvery: number;
  backend: string;
  /** Evaluate every this many iterations (0: never during training). */
  evalEvery: number;
  evaluation?: EvaluationPlan;
  /** A subfolder of the run's artifact folder for the step's files; default the folder itself. */
  folder?: string;
  /**
   * Threads per training step; absent: the step's share of the cores (`ctx.cores`) where the
   * algorithm and backend can use them (docs/threads.md).
   */
  threads?: number;
}

/** A point of a learning curve. */
export interface CurvePoint {
  iteration: number;
  teamReturn: number;
  score?: number;
}

/** The `train` step's output. */
export interface TrainOutput {
  /** Paths relative to the run's artifact folder. */
  policyFile: string;
  architectureFile: string;
  /** The policy as ONNX, where it could be written (absent in older runs). */
  onnxFile?: string;
  iterations: number;
  backend: string;
  /** Iterations per second of the last attempt. */
  itersPerSecond: number;
  /** Threads each training step ran on (absent in older runs: 1). */
  threads?: number;
  losses: Record<string, number>;
  curve: CurvePoint[];
  /** The training config after defaults: what the policy was trained with. */
  config: TrainConfig;
}

/** The `evaluate` step's input. */
export interface EvaluateInput {
  policyFile: string;
  architectureFile: string;
  backend: string;
  evaluation?: EvaluationPlan;
  noEvaluation?: string;
}

/** The `evaluate` step's output. */
export interface EvaluateOutput {
  skipped?: string;
  teamReturn?: number;
  std?: number;
  ci95?: [number, number];
  normalisedScore?: number;
  winRate?: number;
  episodes?: number;
  backend?: string;
}
