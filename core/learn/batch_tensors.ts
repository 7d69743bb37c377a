/**
 * A training batch on the tensor backend: the sampler's typed arrays uploaded once per step.
 *
 * @module
 */
import { tf } from "../tf.ts";
import type { MultiAgentSpec } from "../dataset.ts";
import type { TrainingBatch } from "./sampler.ts";

/** A batch on the backend. */
export interface BatchTensors {
  batchSize: number;
  obsWithId: tf.Tensor2D;
  nextObsWithId: tf.Tensor2D;
  /** The Q network's input: continuous [obs | action | id], discrete [obs | id]. */
  qInput: tf.Tensor2D;
  action?: tf.Tensor2D;
  actionOneHot?: tf.Tensor2D;
  /** Discrete: [R, nActions], 1 where available. */
  avail?: tf.Tensor2D;
  /** Discrete: [R, nActions] at the next step. */
  nextAvail?: tf.Tensor2D;
  /** The dataset's next action when the data has it: continuous [R, A], discrete one-hot. */
  nextAction?: tf.Tensor2D;
  state: tf.Tensor2D;
  nextState: tf.Tensor2D;
  reward: tf.Tensor1D;
  mask: tf.Tensor1D;
}

/** Uploads a sampled batch. */
export function uploadBatch(batch: TrainingBatch, spec: MultiAgentSpec): BatchTensors {
  const b = batch.batchSize;
  const rows = b * spec.nAgents;
  const local = spec.obsDim + spec.nAgents;
  const obsWithId = tf.tensor2d(batch.obsWithId, [rows, local]);
  const stateWidth = spec.nAgents * spec.stateDim;
  const continuous = spec.actionKind === "continuous";
  return {
    batchSize: b,
    obsWithId,
    nextObsWithId: tf.tensor2d(batch.nextObsWithId, [rows, local]),
    qInput: continuous
      ? tf.tensor2d(batch.obsActionWithId!, [rows, spec.obsDim + spec.actDim + spec.nAgents])
      : obsWithId,
    action: continuous ? tf.tensor2d(batch.action!, [rows, spec.actDim]) : undefined,
    actionOneHot: continuous ? undefined : tf.tensor2d(batch.actionOneHot!, [rows, spec.nActions!]),
    avail: continuous ? undefined : tf.tensor2d(batch.avail!, [rows, spec.nActions!]),
    nextAvail: continuous ? undefined : tf.tensor2d(batch.nextAvail!, [rows, spec.nActions!]),
    nextAction: batch.nextAction === undefined ? undefined : tf.tensor2d(
      batch.nextAction,
      [rows, continuous ? spec.actDim : spec.nActions!],
    ),
    state: tf.tensor2d(batch.state, [b, stateWidth]),
    nextState: tf.tensor2d(batch.nextState, [b, stateWidth]),
    reward: tf.tensor1d(batch.reward),
    mask: tf.tensor1d(batch.mask),
  };
}

/** Frees a batch's tensors. */
export function disposeBatch(batch: BatchTensors): void {
  tf.dispose([
    batch.obsWithId,
    batch.nextObsWithId,
    batch.qInput,
    batch.state,
    batch.nextState,
    batch.reward,
    batch.mask,
    ...(batch.action ? [batch.action] : []),
    ...(batch.actionOneHot ? [batch.actionOneHot] : []),
    ...(batch.avail ? [batch.avail, batch.nextAvail!] : []),
    ...(batch.nextAction ? [batch.nextAction] : []),
  ]);
}
