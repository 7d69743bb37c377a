/**
 * Evaluation (README, "Built-in environments"): N episodes per seed with a policy, all copies stepped
 * together so the policy makes one `act` call per step; the team returns' mean and standard
 * deviation, the normalised score and, where the environment has one, the win rate.
 *
 * @module
 */
import { normalisedScore, type ReferenceReturns } from "../dataset.ts";
import { ValidationError } from "../errors.ts";
import type { Policy } from "../policy.ts";
import type { VecEnvFactory } from "./env.ts";
import { playEpisodes, summariseReturns } from "./episodes.ts";
import { referenceReturns } from "./reference.ts";
import { envFactory, maxCopies, prepareEnv } from "./registry.ts";

/** A built-in environment by name, with an optional configuration. */
export interface EnvChoice {
  name: string;
  config?: Record<string, unknown>;
}

/** What to evaluate on. */
export interface EvaluateOptions {
  /** Episodes per seed. */
  episodes: number;
  /** Seeds (default [0]); episode k of seed s starts from `episodeSeed(s, k)`. */
  seeds?: number[];
  /**
   * Returns of the random and expert policies for the normalised score. Default for a built-in
   * environment: its reference returns for the configuration; for a factory: no score.
   */
  reference?: ReferenceReturns;
  /** Most copies stepped at once (default 1024). */
  maxBatch?: number;
  onProgress?: (done: number, total: number) => void;
  /** Stops the evaluation (with its reason) once it aborts. */
  signal?: AbortSignal;
}

/** The outcome of an evaluation. */
export interface EvaluationReport {
  env: string;
  envConfig: Record<string, unknown>;
  seeds: number[];
  /** Per-episode team returns, seed-major. */
  returns: number[];
  /** Per-episode lengths, seed-major. */
  lengths: number[];
  mean: number;
  std: number;
  ci95: [number, number];
  reference?: ReferenceReturns;
  /** 100 * (mean - random) / (expert - random), when reference returns are known. */
  normalisedScore?: number;
  /** Fraction of episodes won (environments with a winner). */
  winRate?: number;
}

/**
 * Evaluates `policy` on a built-in environment (a name, or a name with a configuration) or on
 * the copies a factory makes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluate, makeEnv, scriptedPolicy } from "./mod.ts";
 * const policy = scriptedPolicy(makeEnv("spread", 1), "expert", 0);
 * const report = await evaluate(policy, "spread", { episodes: 10, seeds: [1] });
 * assert.ok(report.returns.length === 10);
 * ```
 */
export async function evaluate(
  policy: Policy,
  env: string | EnvChoice | VecEnvFactory,
  options: EvaluateOptions,
): Promise<EvaluationReport> {
  const choice: EnvChoice | undefined = typeof env === "string"
    ? { name: env }
    : typeof env === "function"
    ? undefined
    : env;
  if (choice) await prepareEnv(choice.name);
  const factory = choice ? envFactory(choice.name, choice.config) : env as VecEnvFactory;
  const probe = factory(1);
  if (typeof probe?.reset !== "function") {
    throw new ValidationError("evaluate: the environment factory did not return an environment");
  }
  probe.dispose?.();
  const seeds = options.seeds ?? [0];
  const outcomes = await playEpisodes(factory, policy, {
    episodes: options.episodes,
    seeds,
    maxBatch: Math.min(options.maxBatch ?? 1024, choice ? maxCopies(choice.name) : 1024),
    onProgress: options.onProgress,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const summary = summariseReturns(outcomes.returns, outcomes.hasWinner ? outcomes.won : undefined);
  const reference = options.reference ??
    (choice ? await referenceReturns(choice.name, choice.config) : undefined);
  const report: EvaluationReport = {
    env: probe.name,
    envConfig: { ...probe.config },
    seeds: [...seeds],
    returns: Array.from(outcomes.returns),
    lengths: Array.from(outcomes.lengths),
    mean: summary.mean,
    std: summary.std,
    ci95: summary.ci95,
  };
  if (reference !== undefined) {
    report.reference = reference;
    report.normalisedScore = normalisedScore(summary.mean, reference);
  }
  if (summary.winRate !== undefined) report.winRate = summary.winRate;
  return report;
}
