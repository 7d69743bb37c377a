/**
 * The `ingest` step: a stored dataset by id or name, or a built-in one generated and stored
 * now; the plan for evaluating policies trained on it.
 *
 * @module
 */
import { ENV_NAMES, envSpec } from "../../core/envs/mod.ts";
import { describeSpec, specDifferences } from "../../core/dataset.ts";
import { ValidationError } from "../../core/errors.ts";
import { type DatasetManifest, getManifest } from "../../data/mod.ts";
import { generateAndStore } from "../ingest.ts";
import type { StepContext } from "../step.ts";
import { evaluationSeeds, type TrainEvaluateParams } from "./params.ts";
import type { IngestOutput } from "./types.ts";

/** Runs the step. Generating is deterministic, so a repeated attempt stores the same dataset. */
export async function ingest(params: TrainEvaluateParams, ctx: StepContext): Promise<IngestOutput> {
  const home = ctx.home;
  let manifest: DatasetManifest;
  if (params.dataset !== undefined) {
    manifest = await getManifest(params.dataset, { home, newest: true });
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
    env: manifest.env,
    episodes: manifest.episodes,
    transitions: manifest.transitions,
  };
  if (manifest.tier !== undefined) output.tier = manifest.tier;
  if (manifest.behaviourReturn !== undefined) output.behaviourReturn = manifest.behaviourReturn;
  if ((ENV_NAMES as readonly string[]).includes(manifest.env)) {
    checkFitsEnv(manifest);
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

/**
 * Refuses, before any training, a dataset whose shapes differ from those of the built-in
 * environment it names (one stored before imports checked them): its policy could not act there.
 */
function checkFitsEnv(manifest: DatasetManifest): void {
  const env = envSpec(manifest.env, manifest.envConfig);
  const differ = specDifferences(manifest.spec, env);
  if (differ.length > 0) {
    throw new ValidationError(
      `dataset ${manifest.id} has ${describeSpec(manifest.spec, differ)}, but ${manifest.env} ` +
        `has ${describeSpec(env, differ)}: a policy trained on it could not act there`,
    );
  }
}
