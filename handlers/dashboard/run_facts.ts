/**
 * What the dashboard's run table shows of a run, read from its parameters and output: the
 * dataset, the algorithm, alpha, the evaluation score and how long it took. Workflows differ in
 * what they record, so each fact is looked up where the workflows put it and is absent where a
 * run has none.
 *
 * @module
 */
import { hasAlpha } from "../../core/algorithms/mod.ts";
import type { Json, RunRecord } from "../../workflows/mod.ts";
import { defaultAlpha } from "../../workflows/train_evaluate/params.ts";

/** One row of the run table. */
export interface RunFacts {
  id: string;
  /** The id's first 8 characters (any unique prefix of 4 or more names the run). */
  shortId: string;
  workflow: string;
  state: RunRecord["state"];
  dataset?: string;
  algorithm?: string;
  alpha?: number;
  /** The normalised evaluation score, or the team return where there is no reference. */
  score?: number;
  /** Finished: how long it ran; running: how long so far; in ms. */
  durationMs?: number;
  createdAt: number;
  startedAt: number | null;
}

type JsonObject = { [key: string]: Json };

const objectOf = (value: Json | undefined): JsonObject | undefined =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? value : undefined;

/** The value at `path` inside `value`, when every step of the way is an object. */
export function pick(value: Json | undefined, ...path: string[]): Json | undefined {
  let here: Json | undefined = value;
  for (const key of path) here = objectOf(here)?.[key];
  return here;
}

const text = (value: Json | undefined) => typeof value === "string" ? value : undefined;
const number = (value: Json | undefined) =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined;

function datasetOf(run: RunRecord): string | undefined {
  const { params, output } = run;
  const named = text(pick(output, "dataset", "name")) ?? text(pick(params, "dataset"));
  if (named !== undefined) return named;
  const datasets = pick(params, "datasets");
  if (Array.isArray(datasets)) {
    return datasets.length === 1 ? String(datasets[0]) : `${datasets.length} datasets`;
  }
  const env = text(pick(params, "env"));
  const tier = text(pick(params, "tier"));
  return env === undefined ? undefined : tier === undefined ? env : `${env}-${tier}`;
}

/**
 * The run's alpha: the one its output records; else the one it was given; else, for a
 * train-evaluate run on a built-in environment or MuJoCo task with an algorithm that has an
 * alpha, the default it will train with ({@link defaultAlpha}), so that a queued or running run
 * shows it too. A run on a stored dataset shows none until its output names it (the default
 * depends on the dataset's environment).
 */
function alphaOf(run: RunRecord): number | undefined {
  const given = number(pick(run.output, "alpha")) ?? number(pick(run.params, "alpha"));
  if (given !== undefined || run.workflow !== "train-evaluate") return given;
  const env = text(pick(run.params, "env"));
  const algorithm = text(pick(run.params, "algorithm"));
  if (env === undefined || text(pick(run.params, "dataset")) !== undefined) return undefined;
  if (algorithm === undefined) return undefined;
  try {
    return hasAlpha(algorithm) ? defaultAlpha(env) : undefined;
  } catch {
    return undefined; // an algorithm this version does not know (an old record)
  }
}

function algorithmOf(run: RunRecord): string | undefined {
  const one = text(pick(run.output, "algorithm")) ?? text(pick(run.params, "algorithm"));
  if (one !== undefined) return one;
  const many = pick(run.params, "algorithms");
  return Array.isArray(many) ? many.join(", ") : undefined;
}

/**
 * The table row of `run` at time `now`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runFacts } from "./run_facts.ts";
 * const facts = runFacts({
 *   id: "6aa8132b-8a0f-4843-9556-a140a2fe1bfb", workflow: "train-evaluate", state: "succeeded",
 *   params: { env: "spread", tier: "medium", algorithm: "omiga", alpha: 0.1 },
 *   output: { policy: { teamReturn: -37.2, normalisedScore: 40.8 } },
 *   idempotencyKey: null, scheduleId: null, error: null, errorCode: null, annotations: {},
 *   requestHash: "", createdAt: 0, updatedAt: 0, startedAt: 1_000, finishedAt: 61_000,
 * }, 0);
 * assert.deepEqual(
 *   [facts.shortId, facts.dataset, facts.algorithm, facts.alpha, facts.score, facts.durationMs],
 *   ["6aa8132b", "spread-medium", "omiga", 0.1, 40.8, 60_000],
 * );
 * ```
 */
export function runFacts(run: RunRecord, now = Date.now()): RunFacts {
  const policy = pick(run.output, "policy");
  const end = run.finishedAt ?? (run.state === "running" ? now : null);
  return {
    id: run.id,
    shortId: run.id.slice(0, 8),
    workflow: run.workflow,
    state: run.state,
    dataset: datasetOf(run),
    algorithm: algorithmOf(run),
    alpha: alphaOf(run),
    score: number(pick(policy, "normalisedScore")) ?? number(pick(policy, "teamReturn")),
    durationMs: run.startedAt !== null && end !== null ? end - run.startedAt : undefined,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
  };
}
