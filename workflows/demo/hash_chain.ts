/**
 * `hash-chain`: a small workflow that exercises the engine end to end the way training does.
 * `plan` derives the chain's start from the seed; `chain` (a training step, in a Worker) runs a
 * checkpointed CPU-bound loop; `report` summarises. Killing a worker mid-chain and starting
 * another gives the same digest as an uninterrupted run.
 *
 * @module
 */
import { z } from "zod";
import { Rng } from "../../core/rng.ts";
import { defineWorkflow } from "../definition.ts";
import { CPU_KEY } from "../store/limit_store.ts";
import { inWorker } from "../worker/in_worker.ts";
import type { HashChainInput, HashChainOutput } from "./hash_chain_body.ts";

/** Parameters of `hash-chain`, shared by the CLI and the HTTP API. */
export const hashChainParams = z.object({
  iterations: z.number().int().min(1).max(10_000_000).default(2_000),
  seed: z.number().int().default(0),
  roundsPerIteration: z.number().int().min(1).max(10_000_000).default(200_000),
  checkpointEvery: z.number().int().min(1).default(100),
});

/**
 * The starts of `count` chains from `seed`, one forked stream each (the first draws straight
 * after seeding are poorly mixed); `hash-chain` runs the first, `hash-fan` all of them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chainStarts } from "./hash_chain.ts";
 * const [first, second] = chainStarts(7, 2);
 * assert.equal(chainStarts(7, 1)[0], first);
 * assert.notEqual(first, second);
 * ```
 */
export function chainStarts(seed: number, count: number): number[] {
  const rng = Rng.fromSeed(seed);
  return Array.from({ length: count }, () => Math.floor(rng.fork().float() * 2 ** 32));
}

/** The `hash-chain` workflow. */
export const hashChainWorkflow = defineWorkflow({
  name: "hash-chain",
  description: "engine self-check: a deterministic CPU-bound chain in a Worker, checkpointed",
  params: hashChainParams,
})
  .step("plan", {
    input: ({ params }) => params,
    run: (params) => {
      const [start] = chainStarts(params.seed, 1);
      return Promise.resolve({ ...params, start } satisfies HashChainInput & { seed: number });
    },
  })
  .step("chain", {
    concurrency: CPU_KEY,
    retry: { maxAttempts: 5, baseDelayMs: 200 },
    input: ({ outputs }) => outputs.plan,
    run: inWorker<HashChainInput, HashChainOutput>(
      new URL("./hash_chain_body.ts", import.meta.url),
      "hashChain",
    ),
  })
  .step("report", {
    input: ({ outputs }) => ({ plan: outputs.plan, chain: outputs.chain }),
    run: ({ plan, chain }) =>
      Promise.resolve({
        digest: chain.digest,
        iterations: chain.iterations,
        summary: `hash chain of ${chain.iterations} iterations x ${plan.roundsPerIteration} ` +
          `rounds from seed ${plan.seed}: ${chain.digest}`,
      }),
  })
  .build();
