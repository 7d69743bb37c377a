/**
 * `deno task start`: the main job. Trains OMIGA on a built-in `spread` medium dataset (generated
 * on the first run, then reused), evaluates the policy in the simulator, and ends with a table:
 * behaviour return, OMIGA return, normalised scores, backend, iterations/s, artifacts. Any
 * `train-evaluate` flag overrides the defaults, e.g. `deno task start --iterations 500`.
 *
 * @module
 */
import { ALGORITHM_NAMES, hasAlpha } from "../../core/learn/mod.ts";
import { parseParams } from "../../workflows/mod.ts";
import { BUILT_IN_ALPHA, trainEvaluateWorkflow } from "../../workflows/train_evaluate/mod.ts";
import type { TrainEvaluateReport } from "../../workflows/train_evaluate/mod.ts";
import type { Command } from "./command.ts";
import { paramsFromFlags } from "./flags.ts";
import { executeWithProgress, openEngine } from "./workflow_engine.ts";

/** The main job's budget: a few minutes on a 2-core machine without a GPU. */
export const START_DEFAULTS = {
  env: "spread",
  tier: "medium",
  episodes: 200,
  iterations: 5_000,
  evalEvery: 1_000,
  // 100 episodes: the standard error of the mean return is then about 2 normalised points.
  evalEpisodes: 100,
  seed: 0,
  // The built-in environments' alpha (at the paper's 10 OMIGA scores as BC does here).
  alpha: BUILT_IN_ALPHA,
} as const;

export const startCommand: Command = {
  name: "start",
  summary: "the main job: train-evaluate OMIGA on a built-in spread medium dataset",
  usage: "start [any train-evaluate flag, e.g. --iterations 500 --backend cpu]",
  async run(args) {
    const engine = openEngine();
    const flags = paramsFromFlags(trainEvaluateWorkflow.params, args);
    // The built-in alpha is OMIGA's; an algorithm without one (bc, the baselines) takes none.
    const { alpha, ...rest } = START_DEFAULTS;
    const algorithm = String(flags.algorithm ?? "omiga");
    const defaults = ALGORITHM_NAMES.includes(algorithm as never) && hasAlpha(algorithm)
      ? { ...rest, alpha }
      : rest;
    const params = parseParams(trainEvaluateWorkflow, { ...defaults, ...flags });
    const { run } = engine.submit(trainEvaluateWorkflow.name, params);
    console.log(
      `omiga-flow: ${params.algorithm} on ${params.env} ${params.tier} ` +
        `(${params.episodes} episodes), ${params.iterations} iterations; run ${run.id}`,
    );
    const finished = await executeWithProgress(engine, run.id);
    if (finished.state !== "succeeded") {
      console.error(
        `run ${run.id} ${finished.state}${finished.error ? `: ${finished.error}` : ""}`,
      );
      console.error(`resume it with: deno task omiga runs resume ${run.id}`);
      return 1;
    }
    console.log(`\n${(finished.output as unknown as TrainEvaluateReport).summary}`);
    return 0;
  },
};
