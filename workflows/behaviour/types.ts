/**
 * What the steps of `behaviour` hand to each other (all JSON).
 *
 * @module
 */
import type { ReturnSummary } from "../../core/dataset.ts";
import type { BehaviourSettings, SnapshotRecord } from "../../core/behaviour/trainer.ts";

/** The `train` step's input. */
export interface BehaviourTrainInput {
  settings: BehaviourSettings;
  backend: string;
}

/** The `train` step's output. */
export interface BehaviourTrainOutput {
  steps: number;
  episodes: number;
  backend: string;
  /** Wall time of this attempt's training and its rate (a resumed attempt counts its own part). */
  seconds: number;
  stepsPerSecond: number;
  snapshots: (SnapshotRecord & { policy: string })[];
  /** The final actor (the expert). */
  policy: string;
  /** The final checkpoint (replay buffer, episode log), for the tiers. */
  run: string;
  /** The learning curve: [step, mean return of the last 10 training episodes] every ~N steps. */
  curve: [number, number][];
}

/** The `tiers` step's input. */
export interface BehaviourTiersInput {
  settings: BehaviourSettings;
  backend: string;
  tierEpisodes: number;
  train: BehaviourTrainOutput;
}

/** One stored tier. */
export interface StoredTier {
  tier: string;
  datasetId: string;
  episodes: number;
  transitions: number;
  /** The tier's episodes' returns. */
  returns: ReturnSummary;
  /** Normalised by the random and expert tiers' means. */
  normalisedScore: number;
  /** The actor that played it (absent: random actions). */
  step?: number;
}

/** The `tiers` step's output. */
export interface BehaviourTiersOutput {
  medium: { step: number; fraction: number; inBand: boolean; evaluation: ReturnSummary };
  reference: { random: number; expert: number };
  tiers: StoredTier[];
  /** Whether random < medium < expert with disjoint 95% intervals. */
  ordered: boolean;
  seconds: number;
}
