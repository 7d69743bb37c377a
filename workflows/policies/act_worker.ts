/**
 * One Worker of the {@link ActPool}: loads registered policies (each once, the most recently
 * used few kept) on the pool's backend and answers `act` requests, one at a time.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { selectBackend } from "../../core/backend/mod.ts";
import { type LoadedPolicy, loadPolicy, type PolicyArchitecture } from "../../core/learn/mod.ts";
import { toWireError } from "../worker/wire_error.ts";
import type { ActReply, ActRequest } from "./act_pool.ts";

const KEPT = 16;
const loaded = new Map<string, LoadedPolicy>();
let ready: Promise<unknown> | undefined;

async function policyAt(weights: string, architecture: string): Promise<LoadedPolicy> {
  const known = loaded.get(weights);
  if (known !== undefined) {
    loaded.delete(weights);
    loaded.set(weights, known); // most recently used last
    return known;
  }
  const described = JSON.parse(await Deno.readTextFile(architecture)) as PolicyArchitecture;
  const policy = loadPolicy(await Deno.readFile(weights), described);
  loaded.set(weights, policy);
  if (loaded.size > KEPT) {
    const [oldest, dropped] = loaded.entries().next().value!;
    loaded.delete(oldest);
    dropped.dispose();
  }
  return policy;
}

self.onmessage = async (event: MessageEvent<ActRequest>) => {
  const { id, backend, weights, architecture, obs, avail } = event.data;
  try {
    await (ready ??= selectBackend({ backend }));
    const policy = await policyAt(weights, architecture);
    const actions = await policy.act(obs, avail);
    self.postMessage({ id, actions } satisfies ActReply, [actions.buffer]);
  } catch (error) {
    self.postMessage({ id, error: toWireError(error) } satisfies ActReply);
  }
};
