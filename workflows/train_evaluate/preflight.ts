/**
 * What `train-evaluate` checks before a run is queued (and the `ingest` step again, for a
 * dataset stored or changed since): the stored dataset it names exists, its shapes are those of
 * the built-in environment it names, and the algorithm covers its action kind. A run that could
 * only fail is refused at submission (HTTP 404 / 400, CLI exit 2), not after retries, training
 * or every night of a schedule.
 *
 * @module
 */
import { ENV_NAMES, envSpec } from "../../core/envs/mod.ts";
import { describeSpec, specDifferences } from "../../core/dataset.ts";
import { ValidationError } from "../../core/errors.ts";
import { algorithmOf } from "../../core/learn/mod.ts";
import { type DatasetManifest, getManifest } from "../../data/mod.ts";
import type { PreflightContext } from "../definition.ts";
import type { TrainEvaluateParams } from "./params.ts";

/**
 * Refuses `manifest` for a run of `algorithm` when its shapes differ from those of the built-in
 * environment it names (a policy trained on it could not act there), or when the algorithm does
 * not cover its actions; each message names the dataset and what did not fit.
 */
export function checkDatasetFits(manifest: DatasetManifest, algorithm: string): void {
  const dataset = `dataset ${manifest.id} ("${manifest.name}")`;
  if ((ENV_NAMES as readonly string[]).includes(manifest.env)) {
    const env = envSpec(manifest.env, manifest.envConfig);
    const differ = specDifferences(manifest.spec, env);
    if (differ.length > 0) {
      throw new ValidationError(
        `${dataset} does not fit ${manifest.env}: it has ${describeSpec(manifest.spec, differ)}; ` +
          `${manifest.env} has ${
            describeSpec(env, differ)
          }. A policy trained on it could not act ` +
          `there: import it again under the environment it comes from (--env)`,
      );
    }
  }
  const covered = algorithmOf(algorithm).actionKinds;
  if (!covered.includes(manifest.spec.actionKind)) {
    throw new ValidationError(
      `${dataset} has ${manifest.spec.actionKind} actions; ${algorithm} covers ` +
        `${covered.join(" and ")} actions only: pick another algorithm`,
    );
  }
}

/**
 * The workflow's preflight: with `dataset`, it must name a stored dataset (`DatasetError`
 * `not_found` otherwise, naming it) that fits the run ({@link checkDatasetFits}).
 */
export async function preflightTrainEvaluate(
  params: TrainEvaluateParams,
  { home }: PreflightContext,
): Promise<void> {
  if (params.dataset === undefined) return;
  const manifest = await getManifest(params.dataset, { home, newest: true });
  checkDatasetFits(manifest, params.algorithm);
}
