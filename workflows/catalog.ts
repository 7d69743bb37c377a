/**
 * The workflows every omiga-flow process (CLI, worker, server) can run. Add a workflow by
 * registering it in {@link defaultRegistry}.
 *
 * @module
 */
import { behaviourWorkflow } from "./behaviour/mod.ts";
import { hashChainWorkflow } from "./demo/hash_chain.ts";
import { hashFanWorkflow } from "./demo/hash_fan.ts";
import { WorkflowRegistry } from "./registry.ts";
import { sweepWorkflow } from "./sweep/mod.ts";
import { trainEvaluateWorkflow } from "./train_evaluate/mod.ts";

/**
 * A registry holding the built-in workflows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultRegistry } from "./catalog.ts";
 * assert.ok(defaultRegistry().has("hash-fan"));
 * ```
 */
export function defaultRegistry(): WorkflowRegistry {
  return new WorkflowRegistry([
    trainEvaluateWorkflow,
    sweepWorkflow,
    behaviourWorkflow,
    hashChainWorkflow,
    hashFanWorkflow,
  ]);
}
