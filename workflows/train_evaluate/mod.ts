/**
 * `train-evaluate`: ingest (a stored dataset, or a built-in one generated now) -> train (OMIGA
 * or an ablation, any backend, in a Worker, checkpointed, under the `cpu` concurrency key) ->
 * evaluate (N episodes x seeds in the simulator, in a Worker) -> report (JSON and a human
 * summary). A chain: each step runs after the one before it.
 *
 * @module
 */
import { defineWorkflow } from "../definition.ts";
import { CPU_KEY } from "../store/limit_store.ts";
import { inWorker } from "../worker/in_worker.ts";
import { ingest } from "./ingest_step.ts";
import { defaultAlpha, trainEvaluateParams } from "./params.ts";
import { hasAlpha } from "../../core/learn/mod.ts";
import { preflightTrainEvaluate } from "./preflight.ts";
import { writeRunReport } from "./report_step.ts";
import { trainInput } from "./train_input.ts";
import type { EvaluateInput, EvaluateOutput, TrainInput, TrainOutput } from "./types.ts";

export {
  BUILT_IN_ALPHA,
  DEFAULT_ALPHA,
  defaultAlpha,
  type EnvFamily,
  envFamily,
  evaluationSeeds,
  PAPER_ALPHA,
  TRAIN_EVALUATE_CADENCES,
  TRAIN_EVALUATE_DEFAULTS,
  type TrainEvaluateParams,
  trainEvaluateParams,
} from "./params.ts";
export { checkDatasetFits, preflightTrainEvaluate } from "./preflight.ts";
export { summaryTable, type TrainEvaluateReport } from "./report_step.ts";
export { ARCHITECTURE_FILE, ONNX_FILE, POLICY_FILE } from "./train_step.ts";
export { type TrainChoices, trainInput } from "./train_input.ts";
export type * from "./types.ts";

/** The `train-evaluate` workflow. */
export const trainEvaluateWorkflow = defineWorkflow({
  name: "train-evaluate",
  description: "ingest a dataset, train OMIGA (or omiga-local, bc) on it, evaluate, report",
  params: trainEvaluateParams,
  preflight: preflightTrainEvaluate,
})
  .step("ingest", { input: ({ params }) => params, run: ingest })
  .step("train", {
    concurrency: CPU_KEY,
    retry: { maxAttempts: 5, baseDelayMs: 500 },
    input: ({ params, outputs }): TrainInput =>
      trainInput({
        ...params,
        // Alpha by the dataset's environment unless given (one place decides: defaultAlpha).
        alpha: params.alpha ??
          (hasAlpha(params.algorithm) ? defaultAlpha(outputs.ingest.env) : undefined),
        datasetId: outputs.ingest.datasetId,
        evaluation: outputs.ingest.evaluation,
      }),
    run: inWorker<TrainInput, TrainOutput>(
      new URL("./train_step.ts", import.meta.url),
      "trainOmiga",
    ),
  })
  .step("evaluate", {
    input: ({ params, outputs }): EvaluateInput => ({
      policyFile: outputs.train.policyFile,
      architectureFile: outputs.train.architectureFile,
      backend: params.backend,
      ...(outputs.ingest.evaluation ? { evaluation: outputs.ingest.evaluation } : {}),
      ...(outputs.ingest.noEvaluation ? { noEvaluation: outputs.ingest.noEvaluation } : {}),
    }),
    run: inWorker<EvaluateInput, EvaluateOutput>(
      new URL("./evaluate_step.ts", import.meta.url),
      "evaluatePolicy",
    ),
  })
  .step("report", {
    input: ({ params, outputs }) => ({
      params,
      ingest: outputs.ingest,
      train: outputs.train,
      evaluate: outputs.evaluate,
    }),
    run: writeRunReport,
  })
  .build();
