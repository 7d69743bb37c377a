/**
 * The `ingest` step: a stored dataset by id or name, or a built-in one generated and stored
 * now; the plan for evaluating policies trained on it.
 *
 * @module
 */
import { ENV_NAMES } from "../../core/envs/mod.ts";
import { DatasetError, type DatasetManifest, getManifest } from "../../data/mod.ts";
import { NonRetriableError } from "../errors.ts";
import { generateAndStore } from "../ingest.ts";
import type { StepContext } from "../step.ts";
import { evaluationSeeds, type TrainEvaluateParams } from "./params.ts";
import { checkDatasetFits } from "./preflight.ts";
import type { IngestOutput } from "./types.ts";

/** Runs the step. Generating is deterministic, so a repeated attempt stores the same dataset. */
export async function ingest(params: TrainEvaluateParams, ctx: StepContext): Promise<IngestOutput> {
  const home = ctx.home;
  let manifest: DatasetManifest;
  if (params.dataset !== undefined) {
    try {
      manifest = await getManifest(params.dataset, { home, newest: true });
    } catch (error) {
      // Removed since the run was submitted: retrying cannot bring it back.
      if (error instanceof DatasetError && error.code === "not_found") {
        throw new NonRetriableError(error.message, { cause: error });
      }
      throw error;
    }
    checkDatasetFits(manifest, params.algorithm);
  } else {
    ctx.log(`generating ${params.episodes} ${params.env} ${params.tier} episodes`);
    manifest = await generateAndStore({
      env: params.env!,
      tier: params.tier!,
      episodes: params.episodes,
      seed: params.datasetSeed ?? params.seed,
      onProgress: (done, total) => ctx.progress({ unit: "episode", done, total }),
    }, { home });
  }
  const output: IngestOutput = {
    datasetId: manifest.id,
    datasetName: manifest.name,
    contentHash: manifest.contentHash,
    env: manifest.env,
    episodes: manifest.episodes,
    transitions: manifest.transitions,
  };
  if (manifest.tier !== undefined) output.tier = manifest.tier;
  if (manifest.behaviourReturn !== undefined) output.behaviourReturn = manifest.behaviourReturn;
  if ((ENV_NAMES as readonly string[]).includes(manifest.env)) {
    output.evaluation = {
      env: manifest.env,
      envConfig: manifest.envConfig ?? {},
      episodes: params.evalEpisodes,
      seeds: evaluationSeeds(params),
      ...(manifest.reference ? { reference: manifest.reference } : {}),
    };
  } else {
    output.noEvaluation = `dataset ${manifest.id} comes from "${manifest.env}", which has no ` +
      `built-in simulator (built-in: ${
        ENV_NAMES.join(", ")
      }); the policy is trained, not evaluated`;
  }
  return output;
}
