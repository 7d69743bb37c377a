/**
 * The tiered datasets of a behaviour run, made the way the public multi-agent MuJoCo datasets
 * were (docs/behaviour.md, "Tiers"):
 * - `expert`: episodes of the final actor, actions sampled from its squashed Gaussian;
 * - `medium`: the same from the snapshot whose evaluation reached about a third to a half of the
 *   expert's return ({@link chooseMedium});
 * - `medium-replay`: every training episode up to that snapshot (the replay buffer then),
 *   replayed in the simulator from their seeds and recorded actions, so that the rows are the
 *   multi-agent observations the training episodes produced;
 * - `medium-expert`: the medium episodes followed by the expert ones;
 * - `random`: uniformly random actions.
 * The random and expert tiers' mean returns are every tier's reference returns.
 *
 * @module
 */
import type { CanonicalDataset, ReturnSummary } from "../dataset.ts";
import { OmigaError } from "../errors.ts";
import { episodeSeed } from "../envs/env.ts";
import { summariseReturns } from "../envs/episodes.ts";
import { MujocoEnv, mujocoSpec } from "../envs/mujoco/env.ts";
import { loadMujoco } from "../envs/mujoco/engine.ts";
import type { MujocoTaskName } from "../envs/mujoco/tasks.ts";
import { RandomPolicy } from "../envs/policies/random.ts";
import { BatchRecorder, concatRows } from "../envs/record.ts";
import { rollout } from "../envs/rollout.ts";
import type { Policy } from "../policy.ts";
import { jointToAgents } from "./policy.ts";
import type { ReplayBuffer } from "./replay.ts";
import type { EpisodeRecord, SnapshotRecord } from "./trainer.ts";
import { trainingSeedStream } from "./trainer.ts";

/** The tiers a behaviour run yields, in the order they are made. */
export const BEHAVIOUR_TIERS = [
  "random",
  "medium",
  "expert",
  "medium-replay",
  "medium-expert",
] as const;
/** One of {@link BEHAVIOUR_TIERS}. */
export type BehaviourTier = typeof BEHAVIOUR_TIERS[number];

/** The medium snapshot and why it was chosen. */
export interface MediumChoice {
  snapshot: SnapshotRecord;
  /** Its evaluation return over the expert's. */
  fraction: number;
  /** Whether it lies in [1/3, 1/2]; otherwise the nearest snapshot to that band was taken. */
  inBand: boolean;
}

/**
 * The snapshot for the `medium` tier: among those (before the last) whose evaluation return is
 * between a third and a half of `expertReturn`, the one nearest to 0.4 of it; if none is, the
 * snapshot nearest to the band. The fraction is taken of the return above `randomReturn`'s, so
 * that it means the same on tasks whose random return is far from zero.
 */
export function chooseMedium(
  snapshots: readonly SnapshotRecord[],
  expertReturn: number,
  randomReturn: number,
): MediumChoice {
  const candidates = snapshots.slice(0, -1);
  if (candidates.length === 0) {
    throw new OmigaError(
      "no_medium_snapshot",
      "the behaviour run has a single snapshot: a medium tier needs an earlier one " +
        "(lower snapshotEvery)",
    );
  }
  const span = expertReturn - randomReturn;
  const fractionOf = (s: SnapshotRecord) => (s.evaluation.mean - randomReturn) / span;
  const distance = (f: number) => (f < 1 / 3 ? 1 / 3 - f : f > 1 / 2 ? f - 1 / 2 : 0);
  let best = candidates[0];
  for (const snapshot of candidates) {
    const f = fractionOf(snapshot), b = fractionOf(best);
    const closer = distance(f) < distance(b) ||
      (distance(f) === distance(b) && Math.abs(f - 0.4) < Math.abs(b - 0.4));
    if (closer) best = snapshot;
  }
  const fraction = fractionOf(best);
  return { snapshot: best, fraction, inBand: distance(fraction) === 0 };
}

/** A played tier: its rows and its episodes' return summary. */
export interface TierData {
  dataset: CanonicalDataset;
  returns: Float64Array;
  summary: ReturnSummary;
}

/** Episodes per rollout batch (each copy holds a physics arena). */
const BATCH = 32;

/**
 * Plays `episodes` episodes of `task` in batches, episode e from seed `seedOf(e)` under the policy
 * `policyFor(first, size)` gives its batch, and records them (row episode numbers from
 * `firstEpisode`). Returns the rows and each episode's return and length.
 */
async function recordEpisodes(
  task: MujocoTaskName,
  timeLimit: number,
  episodes: number,
  seedOf: (episode: number) => number,
  policyFor: (first: number, size: number) => Policy,
  firstEpisode = 0,
): Promise<TierData & { lengths: Int32Array }> {
  await loadMujoco();
  const spec = mujocoSpec(task);
  const chunks = [];
  const returns = new Float64Array(episodes);
  const lengths = new Int32Array(episodes);
  for (let first = 0; first < episodes; first += BATCH) {
    const size = Math.min(BATCH, episodes - first);
    const env = new MujocoEnv(task, size, { timeLimit });
    const seeds = Int32Array.from({ length: size }, (_, b) => seedOf(first + b));
    const recorder = new BatchRecorder(spec);
    try {
      const result = await rollout(env, policyFor(first, size), seeds, recorder);
      returns.set(result.returns, first);
      lengths.set(result.lengths, first);
    } finally {
      env.dispose();
    }
    chunks.push(recorder.rows(size, firstEpisode + first));
  }
  return {
    dataset: concatRows(spec, chunks),
    returns,
    lengths,
    summary: summariseReturns(returns),
  };
}

/** Plays `episodes` episodes of `policy` on `task` from the seed stream `stream`, recording them. */
export async function playTier(
  task: MujocoTaskName,
  timeLimit: number,
  policy: Policy,
  episodes: number,
  stream: number,
): Promise<TierData> {
  const { lengths: _, ...data } = await recordEpisodes(
    task,
    timeLimit,
    episodes,
    (e) => episodeSeed(stream, e),
    () => policy,
  );
  return data;
}

/** The random tier's policy. */
export function randomBehaviour(task: MujocoTaskName, seed: number): Policy {
  return new RandomPolicy(mujocoSpec(task), seed);
}

/**
 * Replays training episodes: copy b of a batch starting at episode `first` takes, at step t,
 * the action the run took at step t of episode `first + b` (read from the replay buffer).
 */
class ReplayedActions implements Policy {
  readonly spec;
  #t = 0;

  constructor(
    readonly task: MujocoTaskName,
    readonly partition: readonly number[],
    readonly replay: ReplayBuffer,
    readonly starts: Int32Array,
    readonly lengths: Int32Array,
  ) {
    this.spec = mujocoSpec(task);
  }

  act(): Promise<Float32Array> {
    const A = this.replay.actionDim, copies = this.starts.length;
    const joint = new Float32Array(copies * A);
    for (let b = 0; b < copies; b++) {
      if (this.#t >= this.lengths[b]) continue; // that episode has ended; its action is ignored
      const at = (this.starts[b] + this.#t) * A;
      joint.set(this.replay.arrays.action.subarray(at, at + A), b * A);
    }
    this.#t++;
    const out = new Float32Array(copies * this.spec.nAgents * this.spec.actDim);
    return Promise.resolve(jointToAgents(joint, this.partition, this.spec.actDim, out));
  }
}

/**
 * The training episodes before `episodes` replayed and recorded (the `medium-replay` rows). Each
 * replayed return must equal the logged one: the simulator is deterministic, so a difference
 * means the replay is not what the run saw, and that is an error.
 */
export async function replayTraining(
  task: MujocoTaskName,
  timeLimit: number,
  partition: readonly number[],
  seed: number,
  replay: ReplayBuffer,
  log: readonly EpisodeRecord[],
  episodes: number,
): Promise<TierData> {
  const stream = trainingSeedStream(seed);
  const starts = new Int32Array(episodes);
  for (let e = 1; e < episodes; e++) starts[e] = starts[e - 1] + log[e - 1].length;
  const { lengths, ...data } = await recordEpisodes(
    task,
    timeLimit,
    episodes,
    (e) => episodeSeed(stream, e),
    (first, size) =>
      new ReplayedActions(
        task,
        partition,
        replay,
        starts.subarray(first, first + size),
        Int32Array.from({ length: size }, (_, b) => log[first + b].length),
      ),
  );
  for (let e = 0; e < episodes; e++) {
    const logged = log[e];
    const close = Math.abs(data.returns[e] - logged.return) <=
      1e-3 * Math.max(1, Math.abs(logged.return));
    if (lengths[e] !== logged.length || !close) {
      throw new OmigaError(
        "replay_mismatch",
        `replaying training episode ${e} gave ${lengths[e]} steps and return ` +
          `${data.returns[e]}, the run logged ${logged.length} steps and ${logged.return}`,
      );
    }
  }
  return data;
}

/** Two tiers' episodes one after the other (the second's episode numbers follow the first's). */
export function concatTiers(a: TierData, b: TierData): TierData {
  const shift = a.dataset.size === 0 ? 0 : a.dataset.episode[a.dataset.size - 1] + 1;
  const second = { ...b.dataset, episode: b.dataset.episode.map((e) => e + shift) };
  const dataset = concatRows(a.dataset.spec, [
    { size: a.dataset.size, rows: a.dataset },
    { size: second.size, rows: second },
  ]);
  const returns = new Float64Array(a.returns.length + b.returns.length);
  returns.set(a.returns);
  returns.set(b.returns, a.returns.length);
  return { dataset, returns, summary: summariseReturns(returns) };
}
