/**
 * What a policy is: anything with `act`. Learned OMIGA policies, exported policies and the
 * scripted behaviour policies all implement it, so evaluation treats them alike.
 *
 * @module
 */
import type { MultiAgentSpec } from "./dataset.ts";

/**
 * A decentralised multi-agent policy acting on a batch of B environment copies at once.
 *
 * - `obs`: [B, nAgents, obsDim] local observations.
 * - `avail`: [B, nAgents, nActions] available-action masks (discrete only).
 * - returns: continuous [B, nAgents, actDim] in [-1, 1] as Float32Array; discrete [B, nAgents]
 *   action indices as Int32Array, each one available.
 *
 * Asynchronous because a GPU backend can only read results back asynchronously.
 */
export interface Policy {
  readonly spec: MultiAgentSpec;
  act(obs: Float32Array, avail?: Uint8Array): Promise<Float32Array | Int32Array>;
}
