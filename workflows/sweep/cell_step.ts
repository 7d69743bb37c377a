/**
 * A sweep cell's step: the train-evaluate `train` body then its `evaluate` body, each in a
 * Worker of its own (the same code, not a copy), writing into the cell's folder
 * `cells/<dataset>/<algorithm>/a<alpha>/s<seed>/` of the sweep run. Training checkpoints go
 * through the cell step's context, so a killed cell resumes where it stopped; a finished cell
 * is never run again (the engine memoises its output).
 *
 * @module
 */
import type { StepContext } from "../step.ts";
import type {
  EvaluateInput,
  EvaluateOutput,
  TrainInput,
  TrainOutput,
} from "../train_evaluate/types.ts";
import { inWorker } from "../worker/in_worker.ts";
import type { SweepCellKey } from "./cells.ts";

/** The step's input. */
export interface SweepCellInput {
  cell: SweepCellKey;
  train: TrainInput;
  /** The evaluation of the final policy (its files come from the training). */
  evaluate: Omit<EvaluateInput, "policyFile" | "architectureFile">;
}

/** The step's output. */
export interface SweepCellOutput {
  cell: SweepCellKey;
  train: TrainOutput;
  evaluate: EvaluateOutput;
}

const trainInWorker = inWorker<TrainInput, TrainOutput>(
  new URL("../train_evaluate/train_step.ts", import.meta.url),
  "trainOmiga",
);
const evaluateInWorker = inWorker<EvaluateInput, EvaluateOutput>(
  new URL("../train_evaluate/evaluate_step.ts", import.meta.url),
  "evaluatePolicy",
);

/** Runs the step. */
export async function trainAndEvaluateCell(
  input: SweepCellInput,
  ctx: StepContext,
): Promise<SweepCellOutput> {
  const train = await trainInWorker(input.train, ctx);
  ctx.signal.throwIfAborted();
  const evaluate = await evaluateInWorker({
    ...input.evaluate,
    policyFile: train.policyFile,
    architectureFile: train.architectureFile,
  }, ctx);
  return { cell: input.cell, train, evaluate };
}
