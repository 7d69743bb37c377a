/**
 * The built-in multi-agent environments (`spread`, `skirmish`, `matrix`), vectorised over many
 * copies; their scripted behaviour policies at quality tiers; the dataset generator; evaluation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluate, generateDataset, makeEnv, scriptedPolicy } from "./mod.ts";
 * const { dataset, info } = await generateDataset({
 *   env: "spread", tier: "expert", episodes: 8, seed: 0, referenceEpisodes: 20,
 * });
 * const expert = scriptedPolicy(makeEnv("spread", 1), "expert", 0);
 * const report = await evaluate(expert, "spread", { episodes: 20, reference: info.reference });
 * assert.ok(dataset.size === 200 && report.normalisedScore! > 50);
 * ```
 *
 * @module
 */
export * from "./env.ts";
export * from "./errors.ts";
export {
  SPREAD_AGENT_SIZE,
  type SpreadConfig,
  spreadConfig,
  spreadDefaults,
  SpreadEnv,
  spreadSpec,
} from "./spread.ts";
export { SkirmishEnv } from "./skirmish.ts";
export {
  MAX_RETURN,
  type SkirmishConfig,
  skirmishConfig,
  skirmishDefaults,
  skirmishSpec,
} from "./skirmish_world.ts";
export {
  type MatrixConfig,
  matrixConfig,
  matrixDefaults,
  MatrixEnv,
  matrixPayoff,
  matrixSpec,
} from "./matrix.ts";
export * from "./registry.ts";
export * from "./rollout.ts";
export * from "./episodes.ts";
export * from "./reference.ts";
export * from "./evaluate.ts";
export * from "./generate.ts";
export { RandomPolicy } from "./policies/random.ts";
export { SpreadExpertPolicy, SpreadMediumPolicy } from "./policies/spread.ts";
export { SkirmishExpertPolicy, SkirmishMediumPolicy } from "./policies/skirmish.ts";
export { FixedJointActionPolicy } from "./policies/matrix.ts";
export { PerCopyMixture, RandomActionMixture } from "./policies/mixtures.ts";
export { type Tier, TierBehaviour, tierLevels, tierName, TIERS } from "./policies/tiers.ts";
