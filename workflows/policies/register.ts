/**
 * How a finished `train-evaluate` run registers its policy: under `policyName`, else its
 * schedule's id (a run with neither registers nothing); its files copied into the registry
 * (`$OMIGA_HOME/policies/<name>/<run id>/`), then the version, the gate's decision and any
 * change of latest in one transaction ({@link PolicyStore.register}).
 *
 * It runs inside the run's last step, after every other step has succeeded, so a run that
 * fails registers nothing; a retried step finds the version it registered before.
 *
 * @module
 */
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { codeVersion } from "../../core/version.ts";
import { getManifest } from "../../data/mod.ts";
import type { Json } from "../store/records.ts";
import type { PolicyMetrics, PolicyVersionRecord } from "../store/policy_store.ts";
import { WorkflowStore } from "../store/store.ts";
import type { StepContext } from "../step.ts";
import type { TrainEvaluateParams } from "../train_evaluate/params.ts";
import type { EvaluateOutput, IngestOutput, TrainOutput } from "../train_evaluate/types.ts";
import { evaluationHash } from "./promotion.ts";

/** The registry folder of one version's files, relative to the artifacts root. */
export function policyFolder(name: string, runId: string): string {
  return join("policies", name, runId);
}

/** What the gate compares and the registry shows, from the evaluate and train steps. */
export function policyMetrics(evaluate: EvaluateOutput, train: TrainOutput): PolicyMetrics {
  const metrics: PolicyMetrics = {};
  if (evaluate.teamReturn !== undefined) {
    metrics.teamReturn = evaluate.teamReturn;
    metrics.score = evaluate.normalisedScore ?? evaluate.teamReturn;
    metrics.scoreKind = evaluate.normalisedScore === undefined ? "team_return" : "normalised_score";
  }
  if (evaluate.normalisedScore !== undefined) metrics.normalisedScore = evaluate.normalisedScore;
  if (evaluate.episodes !== undefined) metrics.episodes = evaluate.episodes;
  if (train.losses.weightEss !== undefined) metrics.weightEss = train.losses.weightEss;
  return metrics;
}

/** The run's finished steps, as the report step has them. */
export interface RegistrationInput {
  params: TrainEvaluateParams;
  ingest: IngestOutput;
  train: TrainOutput;
  evaluate: EvaluateOutput;
}

/**
 * Registers the run's policy, or returns undefined when it has no name to go under. The files
 * named by `train` (relative to the run's artifact folder), and any ONNX file beside them, are
 * copied first.
 */
export async function registerRunPolicy(
  input: RegistrationInput,
  ctx: StepContext,
): Promise<PolicyVersionRecord | undefined> {
  using store = WorkflowStore.open(ctx.store);
  const run = store.runs.get(ctx.runId);
  const name = input.params.policyName ?? run.scheduleId ?? undefined;
  if (name === undefined) return undefined;
  const known = store.policies.byRun(ctx.runId);
  if (known !== undefined) return known;

  const folder = policyFolder(name, ctx.runId);
  await mkdir(join(ctx.home, folder), { recursive: true });
  const copy = async (relative: string) => {
    const target = join(folder, relative.split("/").at(-1)!);
    await copyFile(join(ctx.artifactsDir, relative), join(ctx.home, target));
    return target;
  };
  const files = {
    policy: await copy(input.train.policyFile),
    architecture: await copy(input.train.architectureFile),
    ...(input.train.onnxFile ? { onnx: await copy(input.train.onnxFile) } : {}),
  };
  const contentHash = input.ingest.contentHash ??
    (await getManifest(input.ingest.datasetId, { home: ctx.home })).contentHash;
  const plan = input.ingest.evaluation;
  const evaluated = plan !== undefined && input.evaluate.teamReturn !== undefined;
  const record = store.policies.register({
    name,
    runId: ctx.runId,
    metrics: policyMetrics(input.evaluate, input.train),
    lineage: {
      runId: ctx.runId,
      scheduleId: run.scheduleId,
      datasetId: input.ingest.datasetId,
      datasetName: input.ingest.datasetName,
      datasetContentHash: contentHash,
      algorithm: input.params.algorithm,
      config: input.train.config as unknown as Json,
      backend: input.train.backend,
      codeVersion: codeVersion(),
    },
    files,
    evaluationHash: evaluated ? evaluationHash(plan) : null,
    tolerance: input.params.promotionTolerance ?? 0,
  });
  ctx.log(
    `registered ${name} v${record.version}: ${
      record.latest ? "latest" : "candidate"
    } (${record.decision.reason})`,
  );
  return record;
}
