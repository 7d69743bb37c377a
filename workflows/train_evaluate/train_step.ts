/**
 * The `train` step, run in a Worker: OMIGA (or an ablation) on the stored dataset, on the
 * chosen tensor backend, checkpointed through the step context so that a killed run resumes
 * where it stopped with identical weights. With `evalEvery`, the policy is evaluated along the
 * way for a learning curve (kept in `curve.json`, so that it survives a restart too).
 *
 * @module
 */
import { join } from "node:path";
import { type BackendName, describeBackend, selectBackend } from "../../core/backend/mod.ts";
import { writeFileAtomic } from "../../core/checkpoint/mod.ts";
import {
  decodeCheckpoint,
  encodePolicyOnnx,
  onnxUnsupportedReason,
  openLearner,
  parseTrainConfig,
  type PolicyExport,
  train,
} from "../../core/learn/mod.ts";
import { loadTrainingData } from "../../data/mod.ts";
import type { StepContext } from "../step.ts";
import type { Json } from "../store/records.ts";
import { evaluateExport } from "./policy_evaluation.ts";
import type { CurvePoint, TrainInput, TrainOutput } from "./types.ts";

/** File names in the run's artifact folder. */
export const POLICY_FILE = "policy.safetensors";
export const ARCHITECTURE_FILE = "policy.json";
/** The same policy as an ONNX graph, for the output rules that have one (not bcq_candidates). */
export const ONNX_FILE = "policy.onnx";
const CURVE_FILE = "curve.json";

async function readCurve(path: string, upTo: number): Promise<CurvePoint[]> {
  try {
    const points = JSON.parse(await Deno.readTextFile(path)) as CurvePoint[];
    return points.filter((p) => p.iteration <= upTo);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

const encodeJson = (value: unknown) => new TextEncoder().encode(JSON.stringify(value, null, 2));

/** The iterations after which the policy is evaluated (always including the last one). */
function segmentEnds(iterations: number, evalEvery: number): number[] {
  if (evalEvery <= 0) return [iterations];
  const ends: number[] = [];
  for (let end = evalEvery; end < iterations; end += evalEvery) ends.push(end);
  ends.push(iterations);
  return ends;
}

/** Runs the step (exported for the Worker host). */
export async function trainOmiga(input: TrainInput, ctx: StepContext): Promise<TrainOutput> {
  const report = await selectBackend({
    backend: input.backend as BackendName | "auto",
    allowSoftwareGpu: Deno.env.get("OMIGA_ALLOW_SOFTWARE_GPU") === "1",
  });
  ctx.annotate("backend", report as unknown as Json);
  ctx.log(describeBackend(report));
  const { transitions } = await loadTrainingData(input.datasetId, {
    home: ctx.home,
  });

  let checkpoint = await ctx.checkpoint.load();
  const resumedAt = checkpoint ? decodeCheckpoint(checkpoint).iteration : 0;
  if (checkpoint) ctx.log(`resuming from iteration ${resumedAt}`);
  // Files go into the run's artifact folder, or a subfolder of it (one per sweep cell).
  const folder = input.folder ?? "";
  await Deno.mkdir(join(ctx.artifactsDir, folder), { recursive: true });
  const curvePath = join(ctx.artifactsDir, folder, CURVE_FILE);
  const curve = await readCurve(curvePath, resumedAt);
  const started = performance.now();
  let policy: PolicyExport | undefined;
  let losses: Record<string, number> = {};
  let iteration = resumedAt;
  let savedAt = resumedAt; // the iteration the newest saved checkpoint holds
  let threads = 1;

  // One learner (and one team of threads) for every segment: a segment continues the state the
  // previous one left, exactly as resuming from its checkpoint would.
  const learner = openLearner(transitions, input.config, checkpoint);
  try {
    for (const end of segmentEnds(input.iterations, input.evalEvery)) {
      const evaluated = curve.some((p) => p.iteration === end);
      // A finished segment is skipped, but never the last: it yields the policy (at once, when
      // the checkpoint already holds every iteration).
      if (end <= iteration && evaluated && end < input.iterations) continue;
      const result = await train(transitions, input.config, {
        iterations: end,
        learner,
        checkpointEvery: input.checkpointEvery,
        onCheckpoint: async (bytes, at) => {
          await ctx.checkpoint.save(bytes);
          savedAt = at;
        },
        onProgress: (p) =>
          ctx.progress({
            unit: "iteration",
            done: p.iteration,
            total: input.iterations,
            perSecond: p.itersPerSecond,
            metrics: { ...p.losses },
          }),
        signal: ctx.signal,
        ...(input.threads !== undefined ? { threads: input.threads } : { maxThreads: ctx.cores }),
      });
      if (threads !== result.threads) ctx.log(`training on ${result.threads} thread(s)`);
      threads = result.threads;
      if (result.status === "aborted") throw ctx.signal.reason ?? new Error("training was aborted");
      checkpoint = result.checkpoint;
      iteration = result.iteration;
      policy = result.policy;
      losses = { ...(result.losses ?? {}) };
      if (input.evalEvery > 0 && input.evaluation && !evaluated) {
        const evaluation = await evaluateExport(policy, input.evaluation, ctx.signal);
        const point: CurvePoint = { iteration, teamReturn: evaluation.mean };
        if (evaluation.normalisedScore !== undefined) point.score = evaluation.normalisedScore;
        curve.push(point);
        await writeFileAtomic(curvePath, encodeJson(curve));
        ctx.progress({
          unit: "iteration",
          done: iteration,
          total: input.iterations,
          metrics: {
            teamReturn: point.teamReturn,
            ...(point.score !== undefined ? { score: point.score } : {}),
          },
          message: "evaluated",
        });
      }
    }
  } finally {
    learner.dispose();
  }
  if (policy === undefined) throw new Error("training produced no policy");
  // The final state, unless the trainer's own cadence has just saved it.
  if (savedAt !== iteration) await ctx.checkpoint.save(checkpoint!);
  await writeFileAtomic(join(ctx.artifactsDir, folder, POLICY_FILE), policy.weights);
  await writeFileAtomic(
    join(ctx.artifactsDir, folder, ARCHITECTURE_FILE),
    encodeJson(policy.architecture),
  );
  const noOnnx = onnxUnsupportedReason(policy.architecture);
  if (noOnnx === undefined) {
    await writeFileAtomic(join(ctx.artifactsDir, folder, ONNX_FILE), encodePolicyOnnx(policy));
  } else {
    ctx.log(`no ${ONNX_FILE}: ${noOnnx}`);
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    policyFile: join(folder, POLICY_FILE),
    architectureFile: join(folder, ARCHITECTURE_FILE),
    ...(noOnnx === undefined ? { onnxFile: join(folder, ONNX_FILE) } : {}),
    iterations: iteration,
    backend: report.backend,
    itersPerSecond: seconds > 0 ? (iteration - resumedAt) / seconds : 0,
    threads,
    losses,
    curve,
    config: parseTrainConfig(input.config),
  };
}
