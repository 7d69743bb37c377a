/**
 * Evaluates an exported policy in its built-in environment; shared by the learning-curve points
 * of the `train` step and the final `evaluate` step.
 *
 * @module
 */
import { evaluate, type EvaluationReport } from "../../core/envs/mod.ts";
import { loadPolicy, type PolicyExport } from "../../core/learn/mod.ts";
import type { EvaluationPlan } from "./types.ts";

/**
 * Runs `plan.episodes` episodes per seed with the deterministic policy; stops with `signal`'s
 * reason once it aborts (a cancelled run does not finish its evaluation first).
 */
export async function evaluateExport(
  exported: PolicyExport,
  plan: EvaluationPlan,
  signal?: AbortSignal,
): Promise<EvaluationReport> {
  const policy = loadPolicy(exported.weights, exported.architecture);
  try {
    return await evaluate(policy, { name: plan.env, config: plan.envConfig }, {
      episodes: plan.episodes,
      seeds: plan.seeds,
      reference: plan.reference,
      ...(signal ? { signal } : {}),
    });
  } finally {
    policy.dispose();
  }
}
