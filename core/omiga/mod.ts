/**
 * OMIGA (offline multi-agent RL with implicit global-to-local value regularisation), as
 * DESIGN.md section 5 states it, with its ablations `omiga-local` and `bc`.
 *
 * ```ts ignore
 * import { OmigaLearner, train } from "./mod.ts";
 * const learner = OmigaLearner.create(transitions.spec, { seed: 1 });
 * learner.fit(transitions, 1000);
 * const bytes = await learner.checkpoint();
 * const policy = await learner.policy();
 * const actions = await policy.act(obs);
 * ```
 *
 * @module
 */
export {
  hasAlpha,
  OMIGA_ALGORITHMS,
  type OmigaAlgorithm,
  type OmigaConfig,
  type OmigaConfigInput,
  omigaConfigSchema,
  parseOmigaConfig,
} from "./config.ts";
export { OmigaLearner, type OmigaLosses } from "./learner.ts";
export { train, type TrainOptions, type TrainProgress, type TrainResult } from "./train.ts";
export {
  CheckpointError,
  decodeCheckpoint,
  encodeCheckpoint,
  writeCheckpointFile,
} from "./checkpoint.ts";
export {
  LoadedPolicy,
  loadPolicy,
  type PolicyArchitecture,
  type PolicyExport,
} from "./policy_export.ts";
export { BatchSampler, type TrainingBatch, validateTransitions } from "./sampler.ts";
export type { OmigaArchitecture } from "./networks.ts";
export { syntheticTransitions } from "./synthetic.ts";
