/**
 * `hash-fan`: the engine's self-check for graphs. `plan` derives one start per chain from the
 * seed; `chain/<i>` (one per chain, each in its own Worker under the `cpu` concurrency key, all
 * after `plan` and free to run at once) runs the checkpointed hash chain of `hash-chain`;
 * `report` (after every chain) lists their digests. However many chains ran at once, and
 * however often a process was killed, the digests are those of uninterrupted chains.
 *
 * @module
 */
import { z } from "zod";
import { defineWorkflow } from "../definition.ts";
import { CPU_KEY } from "../store/limit_store.ts";
import { inWorker } from "../worker/in_worker.ts";
import { chainStarts, hashChainParams } from "./hash_chain.ts";
import type { HashChainInput, HashChainOutput } from "./hash_chain_body.ts";

/** Parameters of `hash-fan`. */
export const hashFanParams = hashChainParams.extend({
  chains: z.number().int().min(1).max(64).default(2),
});

/** The step id of chain `index`. */
export function chainStepId(index: number): string {
  return `chain/${index}`;
}

const runChain = inWorker<HashChainInput, HashChainOutput>(
  new URL("./hash_chain_body.ts", import.meta.url),
  "hashChain",
);

/** The `hash-fan` workflow. */
export const hashFanWorkflow = defineWorkflow({
  name: "hash-fan",
  description: "engine self-check: independent checkpointed chains in Workers, run at once",
  params: hashFanParams,
})
  .step("plan", {
    input: ({ params }) => params,
    run: (params) => Promise.resolve({ starts: chainStarts(params.seed, params.chains) }),
  })
  .expand("chain", {
    steps: (params) =>
      Array.from({ length: params.chains }, (_, index) => ({
        id: chainStepId(index),
        concurrency: CPU_KEY,
        retry: { maxAttempts: 5, baseDelayMs: 200 },
        input: ({ outputs }): HashChainInput => ({
          start: outputs.plan.starts[index],
          iterations: params.iterations,
          roundsPerIteration: params.roundsPerIteration,
          checkpointEvery: params.checkpointEvery,
          artifact: `chain-${index}.bin`,
        }),
        run: runChain,
      })),
  })
  .step("report", {
    input: ({ params, outputs }) =>
      Array.from({ length: params.chains }, (_, i) => outputs.chain[chainStepId(i)]),
    run: (chains) =>
      Promise.resolve({
        digests: chains.map((chain) => chain.digest),
        resumedFrom: chains.map((chain) => chain.resumedFrom),
      }),
  })
  .build();
