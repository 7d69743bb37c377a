/**
 * `deno task start`: the main job. Trains OMIGA and behaviour cloning side by side on one
 * built-in dataset (`spread` medium, generated on the first run, then reused), evaluates both
 * policies in the simulator, and ends with one table: the behaviour data's return and normalised
 * score, each algorithm's (with its win rate where the environment has a winner) and its
 * iterations/s, and the artifacts. Any `train-evaluate`
 * flag overrides the defaults of both runs, e.g. `deno task start --iterations 500 --backend cpu`;
 * `--algorithm NAME` puts NAME beside BC instead of OMIGA, and `--alpha` applies to the runs of
 * algorithms that have one.
 *
 * @module
 */
import { ALGORITHM_NAMES, hasAlpha } from "../../core/learn/mod.ts";
import { type Engine, parseParams, type RunRecord } from "../../workflows/mod.ts";
import { withCadences } from "../../workflows/cadence.ts";
import {
  TRAIN_EVALUATE_CADENCES,
  TRAIN_EVALUATE_DEFAULTS,
  trainEvaluateWorkflow,
} from "../../workflows/train_evaluate/mod.ts";
import type { TrainEvaluateParams } from "../../workflows/train_evaluate/mod.ts";
import {
  comparisonTable,
  type TrainEvaluateReport,
} from "../../workflows/train_evaluate/report_step.ts";
import type { Command } from "./command.ts";
import { flagName, paramsFromFlags } from "./flags.ts";
import { ProgressView } from "./progress_view.ts";
import { INTERRUPTED, openEngine } from "./workflow_engine.ts";

/**
 * The main job's dataset and budget: a few minutes on a 2-core machine without a GPU, the two
 * trainings running at once. In `spread` medium the behaviour's noise only costs return and its
 * decisions are poor (core/envs/policies/spread.ts): cloning recovers about the data's score,
 * and weighing actions by their value does better (RESULTS.md).
 */
export const START_DEFAULTS = {
  env: "spread",
  tier: "medium",
  episodes: 200,
  iterations: 5_000,
  evalEvery: 1_000,
  // 100 episodes: the standard error of the mean return is then about 2 normalised points.
  evalEpisodes: 100,
  seed: 0,
} as const;

/** The algorithms the main job compares: OMIGA, and behaviour cloning as the baseline. */
export const START_ALGORITHMS = ["omiga", "bc"] as const;

/** The parameters of each of the main job's runs, from the command line's flags. */
export function startParams(args: string[]): TrainEvaluateParams[] {
  const { algorithm: chosen, alpha: givenAlpha, ...flags } = paramsFromFlags(
    trainEvaluateWorkflow.params,
    args,
  );
  const first = String(chosen ?? START_ALGORITHMS[0]);
  const algorithms = [...new Set([first, ...START_ALGORITHMS.slice(1)])];
  const defaults = START_DEFAULTS;
  // Given --iterations alone, the evaluation cadence keeps its share of the job (five
  // evaluations) and the checkpoint cadence is cut to it, as in every workflow.
  const budget = withCadences(
    flags,
    { ...defaults, checkpointEvery: TRAIN_EVALUATE_DEFAULTS.checkpointEvery },
    "iterations",
    TRAIN_EVALUATE_CADENCES,
  );
  return algorithms.map((algorithm) => {
    // A given alpha goes to the algorithms that have one (bc and the baselines take none; an
    // unknown name is left to the parameter check to refuse); without one, each trains with
    // the default for the dataset's environment (workflows/train_evaluate/params.ts).
    const withAlpha = givenAlpha !== undefined && ALGORITHM_NAMES.includes(algorithm as never) &&
      hasAlpha(algorithm);
    return parseParams(trainEvaluateWorkflow, {
      ...defaults,
      ...budget,
      algorithm,
      ...(withAlpha ? { alpha: givenAlpha } : {}),
    }, flagName);
  });
}

export const startCommand: Command = {
  name: "start",
  summary: "the main job: OMIGA beside behaviour cloning on a built-in spread medium dataset",
  usage: "start [any train-evaluate flag, e.g. --iterations 500 --backend cpu]",
  async run(args) {
    const all = startParams(args);
    const engine = openEngine();
    // Both runs are checked (their dataset exists and fits) before either is queued.
    for (const params of all) await engine.preflight(trainEvaluateWorkflow.name, params);
    const runs = all.map((params) => ({
      params,
      id: engine.submit(trainEvaluateWorkflow.name, params).run.id,
    }));
    const { env, tier, episodes, iterations } = all[0];
    console.log(
      `omiga-flow: ${all.map((p) => p.algorithm).join(" and ")} on ${env} ${tier} ` +
        `(${episodes} episodes), ${iterations} iterations; runs ` +
        runs.map((r) => `${r.id} (${r.params.algorithm})`).join(", "),
    );
    const finished = await executeSideBySide(
      engine,
      runs.map((r) => ({ id: r.id, label: r.params.algorithm })),
    );
    const failed = finished.filter((run) => run.state !== "succeeded");
    for (const run of failed) {
      console.error(`run ${run.id} ${run.state}${run.error ? `: ${run.error}` : ""}`);
      console.error(`resume it with: deno task omiga runs resume ${run.id}`);
    }
    if (failed.length > 0) return 1;
    const reports = finished.map((run) => run.output as unknown as TrainEvaluateReport);
    console.log(`\n${comparisonTable(reports)}`);
    return 0;
  },
};

/**
 * Runs several runs in this process at once, showing their events in one view with each step
 * named by its run's label (`omiga train`, `bc train`), and returns the finished runs in order.
 * Ctrl-C cancels them all (their checkpoints stay, so `runs resume` continues each); a second
 * Ctrl-C exits at once.
 */
async function executeSideBySide(
  engine: Engine,
  runs: { id: string; label: string }[],
): Promise<RunRecord[]> {
  const view = new ProgressView();
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) Deno.exit(130);
    interrupted = true;
    view.line(`interrupted: stopping runs ${runs.map((r) => r.id).join(", ")}`);
    for (const run of runs) {
      try {
        engine.cancel(run.id, INTERRUPTED);
      } catch {
        // It ended meanwhile: nothing to stop.
      }
    }
  };
  Deno.addSignalListener("SIGINT", onSignal);
  const following = new AbortController();
  const shown = runs.map(async ({ id, label }) => {
    for await (const event of engine.events(id, { signal: following.signal })) {
      view.show({ ...event, stepId: event.stepId === null ? label : `${label} ${event.stepId}` });
    }
  });
  try {
    const finished = await Promise.all(runs.map((run) => engine.execute(run.id)));
    // Show everything up to the end of the runs.
    setTimeout(() => following.abort(), engine.pollMs * 2);
    await Promise.all(shown);
    return finished;
  } finally {
    following.abort();
    view.close();
    Deno.removeSignalListener("SIGINT", onSignal);
  }
}
