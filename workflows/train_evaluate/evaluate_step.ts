/**
 * The `evaluate` step, run in a Worker: the trained policy, deterministic, for N episodes x
 * seeds in its built-in simulator.
 *
 * @module
 */
import { join } from "node:path";
import { type BackendName, selectBackend } from "../../core/backend/mod.ts";
import type { PolicyArchitecture } from "../../core/learn/mod.ts";
import type { StepContext } from "../step.ts";
import { evaluateExport } from "./policy_evaluation.ts";
import type { EvaluateInput, EvaluateOutput } from "./types.ts";

/** Runs the step (exported for the Worker host). */
export async function evaluatePolicy(
  input: EvaluateInput,
  ctx: StepContext,
): Promise<EvaluateOutput> {
  if (input.evaluation === undefined) {
    return { skipped: input.noEvaluation ?? "no built-in environment to evaluate in" };
  }
  const report = await selectBackend({
    backend: input.backend as BackendName | "auto",
    allowSoftwareGpu: Deno.env.get("OMIGA_ALLOW_SOFTWARE_GPU") === "1",
  });
  const weights = await Deno.readFile(join(ctx.artifactsDir, input.policyFile));
  const architecture = JSON.parse(
    await Deno.readTextFile(join(ctx.artifactsDir, input.architectureFile)),
  ) as PolicyArchitecture;
  const plan = input.evaluation;
  ctx.log(`evaluating on ${plan.env}: ${plan.episodes} episodes x ${plan.seeds.length} seeds`);
  const evaluation = await evaluateExport({ weights, architecture }, plan, ctx.signal);
  const output: EvaluateOutput = {
    teamReturn: evaluation.mean,
    std: evaluation.std,
    ci95: evaluation.ci95,
    episodes: evaluation.returns.length,
    backend: report.backend,
  };
  if (evaluation.normalisedScore !== undefined) output.normalisedScore = evaluation.normalisedScore;
  if (evaluation.winRate !== undefined) output.winRate = evaluation.winRate;
  return output;
}
