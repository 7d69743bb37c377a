/**
 * The canonical multi-agent dataset (README, "Dataset formats") as typed arrays, shared by the
 * generators (`core/envs`), the store (`data/`) and the trainer (`core/learn`). Arrays are
 * agent-major per row: `obs[(row * nAgents + agent) * obsDim + k]`.
 *
 * @module
 */

/** Continuous actions live in [-1, 1]; discrete actions are indices with availability masks. */
export type ActionKind = "continuous" | "discrete";

/** The shapes of a dataset, an environment or a policy. */
export interface MultiAgentSpec {
  nAgents: number;
  obsDim: number;
  stateDim: number;
  actionKind: ActionKind;
  /** Continuous: action dimension. Discrete: 1. */
  actDim: number;
  /** Discrete only: number of actions (width of `avail`). */
  nActions?: number;
}

/** Per-row canonical arrays, N rows, in episode order (rows of one episode contiguous, t = 0..). */
export interface CanonicalDataset {
  spec: MultiAgentSpec;
  /** Number of rows N. */
  size: number;
  episode: Int32Array; // [N]
  t: Int32Array; // [N]
  obs: Float32Array; // [N, nAgents, obsDim]
  state: Float32Array; // [N, nAgents, stateDim]
  action: Float32Array | Int32Array; // [N, nAgents, actDim]: f32 in [-1, 1] or i32 index
  avail?: Uint8Array; // [N, nAgents, nActions], discrete only
  reward: Float32Array; // [N] team reward
  done: Uint8Array; // [N] 1 = true terminal after this row's action
  truncated: Uint8Array; // [N] 1 = episode cut by a time limit after this row's action
}

/**
 * Training transitions with their next-step fields, contiguous, no per-row objects. Built from a
 * {@link CanonicalDataset} by the data layer: row i's next fields are row i+1 of the same
 * episode; a terminal row (done = 1) has mask 0 and zero next fields; a row cut by a time limit
 * (truncated = 1, done = 0) has no next observation and is not a transition start.
 */
export interface TransitionArrays {
  spec: MultiAgentSpec;
  /** Number of transitions M. */
  size: number;
  obs: Float32Array; // [M, nAgents, obsDim]
  state: Float32Array; // [M, nAgents, stateDim]
  action: Float32Array | Int32Array; // [M, nAgents, actDim]
  reward: Float32Array; // [M]
  mask: Float32Array; // [M] 1 - done
  nextObs: Float32Array; // [M, nAgents, obsDim]
  nextState: Float32Array; // [M, nAgents, stateDim]
  avail?: Uint8Array; // [M, nAgents, nActions]
  nextAvail?: Uint8Array; // [M, nAgents, nActions]
  /** The dataset's action at the next step (zero on a terminal row), for SARSA-style targets. */
  nextAction?: Float32Array | Int32Array; // [M, nAgents, actDim]
}

/** The fields that tell two data shapes apart, in the order messages name them. */
export const SPEC_FIELDS = [
  "nAgents",
  "obsDim",
  "stateDim",
  "actDim",
  "actionKind",
  "nActions",
] as const;

/** One of {@link SPEC_FIELDS}. */
export type SpecField = typeof SPEC_FIELDS[number];

/**
 * The fields in which the shapes `a` and `b` differ; none when they are the same.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { specDifferences } from "./dataset.ts";
 * const a = { nAgents: 2, obsDim: 3, stateDim: 3, actionKind: "continuous" as const, actDim: 1 };
 * assert.deepEqual(specDifferences(a, { ...a, obsDim: 4 }), ["obsDim"]);
 * assert.deepEqual(specDifferences(a, a), []);
 * ```
 */
export function specDifferences(a: MultiAgentSpec, b: MultiAgentSpec): SpecField[] {
  return SPEC_FIELDS.filter((field) => a[field] !== b[field]);
}

/** `spec`'s values of `fields`, for messages: `nAgents 3, obsDim 14`. */
export function describeSpec(spec: MultiAgentSpec, fields: readonly SpecField[]): string {
  return fields.map((field) => `${field} ${spec[field]}`).join(", ");
}

/** Reference returns used for normalised scores: 100 * (R - random) / (expert - random). */
export interface ReferenceReturns {
  random: number;
  expert: number;
}

/** Episode returns of one policy summarised: mean, sample std, 95% interval of the mean. */
export interface ReturnSummary {
  episodes: number;
  mean: number;
  std: number;
  /** mean -+ 1.96 std / sqrt(episodes). */
  ci95: [number, number];
  /** Fraction of episodes won, for environments with a winner. */
  winRate?: number;
}

/**
 * What a producer knows about a dataset; the store adds the row/episode counts, content hash
 * and timestamps when it writes it.
 */
export interface DatasetInfo {
  name: string;
  env: string;
  /** The environment's configuration, enough to rebuild it for evaluation. */
  envConfig: Record<string, unknown>;
  tier?: string;
  /** Mean and standard deviation of the behaviour data's episode returns. */
  behaviourReturn?: { mean: number; std: number };
  reference?: ReferenceReturns;
  /** Fraction of the behaviour data's episodes won, for environments with a winner. */
  behaviourWinRate?: number;
  /**
   * Generated datasets: the scripted tiers (`random`, `medium`, `expert`) evaluated on the same
   * environment configuration; `reference` holds their random and expert means.
   */
  tierReturns?: Record<string, ReturnSummary>;
  /** Generated datasets: what regenerates them exactly (with `env`, `envConfig` and `tier`). */
  generator?: { seed: number; episodes: number; referenceEpisodes: number; referenceSeed: number };
  /**
   * Datasets of a behaviour run (`behaviour` workflow): the run, the learner, the environment
   * step of the actor that played the tier (the medium snapshot's, the final one's) and its file
   * in the run's artifacts.
   */
  behaviour?: { run: string; algorithm: string; step?: number; policy?: string };
  /** Where it came from: `generate`, `behaviour`, `hdf5`, `csv`, `arrow`, `filter`. */
  source: string;
  /** For derived datasets: the parent's id and the filter applied. */
  lineage?: { parent: string; filter: string }[];
}

/**
 * The normalised score of a return.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalisedScore } from "./dataset.ts";
 * assert.ok(normalisedScore(5, { random: 0, expert: 10 }) === 50);
 * ```
 */
export function normalisedScore(teamReturn: number, reference: ReferenceReturns): number {
  return (100 * (teamReturn - reference.random)) / (reference.expert - reference.random);
}
