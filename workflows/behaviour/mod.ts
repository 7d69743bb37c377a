/**
 * `behaviour`: trains an online behaviour policy (SAC) on a multi-agent MuJoCo task, then plays
 * and stores the tiered datasets the public benchmark has (`random`, `medium`, `expert`,
 * `medium-replay`, `medium-expert`), then reports. train (in a Worker, checkpointed, under the
 * `cpu` concurrency key) -> tiers (in a Worker) -> report. docs/behaviour.md says why SAC and
 * how the tiers are made.
 *
 * @module
 */
import { defineWorkflow } from "../definition.ts";
import { CPU_KEY } from "../store/limit_store.ts";
import { inWorker } from "../worker/in_worker.ts";
import { behaviourParams, settingsOf } from "./params.ts";
import { writeBehaviourReport } from "./report_step.ts";
import type {
  BehaviourTiersInput,
  BehaviourTiersOutput,
  BehaviourTrainInput,
  BehaviourTrainOutput,
} from "./types.ts";

export { type BehaviourParams, behaviourParams, settingsOf } from "./params.ts";
export { type BehaviourReport, behaviourSummary } from "./report_step.ts";
export type * from "./types.ts";

/** The `behaviour` workflow. */
export const behaviourWorkflow = defineWorkflow({
  name: "behaviour",
  description:
    "train a SAC behaviour policy on a MuJoCo task, store its random/medium/expert/medium-replay/" +
    "medium-expert datasets, report",
  params: behaviourParams,
})
  .step("train", {
    concurrency: CPU_KEY,
    retry: { maxAttempts: 5, baseDelayMs: 500 },
    input: ({ params }): BehaviourTrainInput => ({
      settings: settingsOf(params),
      backend: params.backend,
    }),
    run: inWorker<BehaviourTrainInput, BehaviourTrainOutput>(
      new URL("./train_step.ts", import.meta.url),
      "trainBehaviour",
    ),
  })
  .step("tiers", {
    concurrency: CPU_KEY,
    input: ({ params, outputs }): BehaviourTiersInput => ({
      settings: settingsOf(params),
      backend: params.backend,
      tierEpisodes: params.tierEpisodes,
      train: outputs.train,
    }),
    run: inWorker<BehaviourTiersInput, BehaviourTiersOutput>(
      new URL("./tiers_step.ts", import.meta.url),
      "storeBehaviourTiers",
    ),
  })
  .step("report", {
    input: ({ params, outputs }) => ({ params, train: outputs.train, tiers: outputs.tiers }),
    run: writeBehaviourReport,
  })
  .build();
