/**
 * Training: a {@link Learner} around any algorithm of `core/algorithms` (OMIGA, its ablations
 * and the baselines; docs/algorithms.md), the resumable {@link train} loop the workflows call,
 * checkpoints and policy export.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tf } from "../tf.ts";
 * import { Learner, syntheticTransitions } from "./mod.ts";
 * await tf.setBackend("cpu");
 * const spec = { nAgents: 2, obsDim: 3, stateDim: 3, actionKind: "continuous" as const, actDim: 1 };
 * const data = syntheticTransitions(spec, 64);
 * const learner = Learner.create(spec, { hiddenSize: 8, batchSize: 16 });
 * learner.fit(data, 2);
 * const again = Learner.fromCheckpoint(await learner.checkpoint());
 * assert.equal(again.iteration, 2);
 * const policy = await learner.policy();
 * assert.equal((await policy.act(data.obs.subarray(0, 6))).length, 2);
 * [learner, again, policy].forEach((x) => x.dispose());
 * ```
 *
 * @module
 */
export { ALGORITHM_NAMES, type AlgorithmName, algorithmOf, hasAlpha } from "../algorithms/mod.ts";
export { parseTrainConfig, type TrainConfig, type TrainConfigInput } from "./config.ts";
export { Learner, type Losses } from "./learner.ts";
export {
  openLearner,
  train,
  type TrainOptions,
  type TrainProgress,
  type TrainResult,
} from "./train.ts";
export {
  CheckpointError,
  decodeCheckpoint,
  encodeCheckpoint,
  writeCheckpointFile,
} from "./checkpoint.ts";
export {
  exportPolicyHead,
  LoadedPolicy,
  loadPolicy,
  type PolicyArchitecture,
  type PolicyExport,
  type PolicyInputLayout,
  policyInputLayout,
  type PolicyInputPart,
} from "./policy_export.ts";
export { encodePolicyOnnx, onnxUnsupportedReason, POLICY_ONNX_OPSET } from "./policy_onnx.ts";
export { MAX_POLICY_LAYERS, parsePolicyArchitecture, PolicyError } from "./policy_file.ts";
export { BatchSampler, type TrainingBatch, validateTransitions } from "./sampler.ts";
export { syntheticTransitions } from "./synthetic.ts";
