/**
 * The trainer the workflow engine calls: `train(data, config, options)` runs the config's
 * algorithm (OMIGA by default) for a number of iterations, resumable from checkpoint bytes,
 * reporting progress and checkpoints through callbacks and stopping cleanly when its signal
 * aborts. A caller that trains in segments (evaluating between them) opens one learner with
 * {@link openLearner} and passes it to every segment, so that the learner and its team of
 * threads start once. It touches no main-thread API (no DOM, no `Deno` calls), so it runs as
 * well inside a Worker.
 *
 * @module
 */
import type { TransitionArrays } from "../dataset.ts";
import { ValidationError } from "../errors.ts";
import { parseTrainConfig, type TrainConfigInput } from "./config.ts";
import { Learner, type Losses } from "./learner.ts";
import type { PolicyExport } from "./policy_export.ts";

/** A progress report. */
export interface TrainProgress {
  /** Completed iterations, counting those before a resume. */
  iteration: number;
  /** The iteration the run stops at. */
  iterations: number;
  /** The latest step's losses. */
  losses: Losses;
  /** Steps per second since the previous report. */
  itersPerSecond: number;
}

/** Options of {@link train}. */
export interface TrainOptions {
  /** Total iterations to reach (a resumed run continues up to it). */
  iterations: number;
  /** Checkpoint bytes to continue from; their config must equal the one given. */
  resumeFrom?: Uint8Array;
  /**
   * An open learner to continue (from {@link openLearner}; not with `resumeFrom`). Its config
   * must equal the one given. The caller owns it: `train` leaves it open, and on its team of
   * threads once it has one.
   */
  learner?: Learner;
  /** Emit a checkpoint every this many iterations (0: only at the end). Default 0. */
  checkpointEvery?: number;
  /** Receives checkpoint bytes and the iteration they hold. */
  onCheckpoint?: (bytes: Uint8Array, iteration: number) => void | Promise<void>;
  /** Report progress (and read the losses back) every this many iterations. Default 100. */
  progressEvery?: number;
  onProgress?: (progress: TrainProgress) => void | Promise<void>;
  /** Stops training at the next iteration boundary; the result then says `aborted`. */
  signal?: AbortSignal;
  /**
   * Threads each step runs on (`Learner.useThreads`); refused where the algorithm or backend
   * trains on one thread only. Default: up to `maxThreads`.
   */
  threads?: number;
  /**
   * Without `threads`: as many threads as this (at most the batch size) where the algorithm and
   * backend allow it, else 1. Default 1.
   */
  maxThreads?: number;
}

/** What {@link train} returns. */
export interface TrainResult {
  /** `completed`: reached `iterations`; `aborted`: stopped by the signal. */
  status: "completed" | "aborted";
  iteration: number;
  /** The final training state (resume from it to continue). */
  checkpoint: Uint8Array;
  /** The final policy. */
  policy: PolicyExport;
  /** The last step's losses, if any step ran. */
  losses?: Losses;
  /** Threads each step ran on. */
  threads: number;
}

/** Steps between yields to the event loop, so that an abort message can arrive. */
const YIELD_EVERY = 25;

function checkCount(name: string, value: number | undefined, minimum: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < minimum)) {
    throw new ValidationError(`train: ${name} must be an integer >= ${minimum}, got ${value}`);
  }
}

/**
 * Trains the config's algorithm on `data`.
 *
 * @example
 * ```ts ignore
 * const result = await train(transitions, { seed: 1 }, {
 *   iterations: 10_000,
 *   checkpointEvery: 1_000,
 *   onCheckpoint: (bytes, iteration) => save(bytes, iteration),
 *   onProgress: ({ iteration, losses }) => console.log(iteration, losses),
 *   signal,
 * });
 * ```
 */
export async function train(
  data: TransitionArrays,
  config: TrainConfigInput,
  options: TrainOptions,
): Promise<TrainResult> {
  checkCount("iterations", options.iterations, 0);
  checkCount("checkpointEvery", options.checkpointEvery, 0);
  checkCount("progressEvery", options.progressEvery, 1);
  checkCount("threads", options.threads, 1);
  checkCount("maxThreads", options.maxThreads, 1);
  if (options.learner && options.resumeFrom) {
    throw new ValidationError("train: give either learner or resumeFrom, not both");
  }
  const owned = options.learner === undefined;
  const learner = options.learner ?? openLearner(data, config, options.resumeFrom);
  try {
    if (!owned) checkSameConfig(learner.config, parseTrainConfig(config));
    const threads = threadsFor(learner, options);
    if (learner.threads === 1) {
      // A learner that already holds every iteration (a step resumed after its last checkpoint)
      // takes no step: starting a team for it would only cost its start (~0.4 s).
      if (learner.iteration < options.iterations) await learner.useThreads(threads, data);
    } else if (options.threads !== undefined && options.threads !== learner.threads) {
      throw new ValidationError(
        `train: the learner trains on ${learner.threads} threads, the options ask for ${options.threads}`,
      );
    }
    const checkpointEvery = options.checkpointEvery ?? 0;
    const progressEvery = options.progressEvery ?? 100;
    let lastReport = { time: performance.now(), iteration: learner.iteration };
    let aborted = false;
    while (learner.iteration < options.iterations) {
      if (options.signal?.aborted) {
        aborted = true;
        break;
      }
      learner.step(data);
      const iteration = learner.iteration;
      if (options.onProgress && iteration % progressEvery === 0) {
        const losses = (await learner.losses())!;
        const now = performance.now();
        const itersPerSecond = (1000 * (iteration - lastReport.iteration)) /
          Math.max(now - lastReport.time, 1e-3);
        lastReport = { time: now, iteration };
        await options.onProgress({
          iteration,
          iterations: options.iterations,
          losses,
          itersPerSecond,
        });
      }
      if (checkpointEvery > 0 && iteration % checkpointEvery === 0 && options.onCheckpoint) {
        await options.onCheckpoint(await learner.checkpoint(), iteration);
      }
      if (iteration % YIELD_EVERY === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const checkpoint = await learner.checkpoint();
    return {
      status: aborted ? "aborted" : "completed",
      iteration: learner.iteration,
      checkpoint,
      policy: await learner.exportPolicy(),
      losses: await learner.losses(),
      // The threads it trains on (a learner with nothing left to train names those it would use).
      threads: learner.threads === 1 ? threads : learner.threads,
    };
  } finally {
    if (owned) learner.dispose();
  }
}

/**
 * A learner for {@link train}'s `learner` option: restored from `resumeFrom` (whose config must
 * equal `config`), else fresh for `data`. Dispose of it when done.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tf } from "../tf.ts";
 * import { syntheticTransitions } from "./synthetic.ts";
 * import { openLearner, train } from "./train.ts";
 * await tf.setBackend("cpu");
 * const spec = { nAgents: 2, obsDim: 3, stateDim: 3, actionKind: "continuous" as const, actDim: 1 };
 * const data = syntheticTransitions(spec, 64, 1);
 * const config = { hiddenSize: 8, batchSize: 16, seed: 1 };
 * const learner = openLearner(data, config);
 * await train(data, config, { iterations: 2, learner });
 * const last = await train(data, config, { iterations: 4, learner });
 * assert.equal(last.iteration, 4);
 * learner.dispose();
 * ```
 */
export function openLearner(
  data: TransitionArrays,
  config: TrainConfigInput,
  resumeFrom?: Uint8Array,
): Learner {
  const parsed = parseTrainConfig(config);
  if (resumeFrom === undefined) return Learner.create(data.spec, parsed);
  const learner = Learner.fromCheckpoint(resumeFrom);
  try {
    checkSameConfig(learner.config, parsed);
  } catch (error) {
    learner.dispose();
    throw error;
  }
  return learner;
}

/** The threads of {@link TrainOptions}: `threads`, else up to `maxThreads` where allowed. */
function threadsFor(learner: Learner, options: TrainOptions): number {
  if (options.threads !== undefined) return options.threads;
  const most = Math.min(options.maxThreads ?? 1, learner.config.batchSize);
  return most > 1 && learner.threadsRefusal(most) === undefined ? most : 1;
}

function checkSameConfig(stored: object, given: object): void {
  const a = stored as Record<string, unknown>;
  const b = given as Record<string, unknown>;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) {
      throw new ValidationError(
        `train: the checkpoint was made with ${key} = ${JSON.stringify(a[key])}, ` +
          `the config asks for ${JSON.stringify(b[key])}; resume with the same config`,
      );
    }
  }
}
