/**
 * The durable workflow engine (runs, steps, leases, retries, checkpoints, schedules on SQLite
 * under `OMIGA_HOME`) and the workflow definitions. Uses `core/` and `data/`; knows nothing of
 * HTTP.
 *
 * A workflow is a zod parameter schema plus a graph of named steps; a step body has the
 * engine-agnostic contract `(input, ctx) => Promise<output>` with `ctx.checkpoint`,
 * `ctx.progress`, `ctx.log` and `ctx.signal` (see {@link StepContext}).
 *
 * @module
 */
export { defaultRegistry } from "./catalog.ts";
export {
  CheckpointFiles,
  type CorruptCheckpoint,
  decodeCheckpoint,
  encodeCheckpoint,
  writeFileAtomic,
} from "./checkpoint.ts";
export {
  type DeclaredSegment,
  defineWorkflow,
  type ExpandedStep,
  type GroupSpec,
  parseParams,
  type StepDefinition,
  type StepOptions,
  type StepSpec,
  visibleOutputs,
  WorkflowBuilder,
  type WorkflowDefinition,
} from "./definition.ts";
export { hashChainParams, hashChainWorkflow } from "./demo/hash_chain.ts";
export { chainStepId, hashFanParams, hashFanWorkflow } from "./demo/hash_fan.ts";
export { sweepParams, sweepWorkflow } from "./sweep/mod.ts";
export { Engine, type EngineOptions, type SubmitOptions, type WorkOptions } from "./engine.ts";
export {
  IdempotencyConflictError,
  isRetriable,
  LeaseLostError,
  NonRetriableError,
  NotFoundError,
  RunCancelledError,
  RunFailedError,
  RunStateError,
  ShutdownError,
} from "./errors.ts";
export { omigaHome, runArtifactsDir, stateDbPath, stepCheckpointDir } from "./home.ts";
export { WorkflowRegistry } from "./registry.ts";
export { backoffDelayMs, DEFAULT_RETRY, type RetryPolicy } from "./retry.ts";
export { type Firing, nextFiring, Scheduler, type ScheduleSpec } from "./scheduler.ts";
export { type EngineServiceOptions, runEngineService } from "./service.ts";
export type { CheckpointAccess, StepBody, StepContext, StepProgress } from "./step.ts";
export { type FollowOptions, TERMINAL_EVENT_TYPES } from "./store/event_log.ts";
export { migrate, MIGRATIONS, schemaVersion } from "./store/migrations.ts";
export {
  isTerminalRunState,
  type Json,
  type RunEvent,
  type RunRecord,
  type RunState,
  type ScheduleRecord,
  type StepRecord,
  type StepState,
} from "./store/records.ts";
export {
  checkLimit,
  CONCURRENCY_KEY,
  type ConcurrencyLimit,
  CPU_KEY,
  defaultLimit,
  parseLimits,
} from "./store/limit_store.ts";
export { MIN_ID_PREFIX, type RunStore } from "./store/run_store.ts";
export type { ClaimedStep, ClaimRequest, StepFailure } from "./store/step_store.ts";
export {
  checkPolicyName,
  type NewPolicyVersion,
  POLICY_NAME,
  type PolicyEvent,
  type PolicyFiles,
  type PolicyLineage,
  type PolicyMetrics,
  type PolicyRecord,
  PolicyStore,
  type PolicyVersionRecord,
} from "./store/policy_store.ts";
export { decidePromotion, evaluationHash, type PromotionDecision } from "./policies/promotion.ts";
export { policyFolder } from "./policies/register.ts";
export { WorkflowStore } from "./store/store.ts";
export { inWorker, type InWorkerOptions } from "./worker/in_worker.ts";
export { type EngineKind, engineKind, type RestateUrls, restateUrls } from "./restate/config.ts";
export {
  RestateEngine,
  type RestateEngineOptions,
  RestateUnavailableError,
  RUN_DRIVER,
  type SegmentOutcome,
} from "./restate/engine.ts";
export { type LocalRestate, registerDeployment, startLocalRestate } from "./restate/local.ts";
