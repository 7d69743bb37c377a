/**
 * The `train` step of `behaviour`, run in a Worker: SAC on the task (core/behaviour/trainer.ts),
 * checkpointed through the step context at episode boundaries, so that a killed run resumes
 * exactly where its last checkpoint stopped. Each snapshot's actor is written to the run's
 * artifacts (`behaviour/snapshot-<step>.safetensors`) before the run records it; at the end the
 * final actor (`behaviour/expert.safetensors`) and the final checkpoint
 * (`behaviour/run.safetensors`, with the replay buffer the tiers replay).
 *
 * @module
 */
import { join } from "node:path";
import { type BackendName, describeBackend, selectBackend } from "../../core/backend/mod.ts";
import { writeFileAtomic } from "../../core/checkpoint/mod.ts";
import { BehaviourRun, encodeBehaviourPolicy } from "../../core/behaviour/trainer.ts";
import { kernelsFor } from "../../core/kernels/mod.ts";
import type { StepContext } from "../step.ts";
import type { Json } from "../store/records.ts";
import type { BehaviourTrainInput, BehaviourTrainOutput } from "./types.ts";

/** The folder of a behaviour run's files inside its artifacts. */
export const BEHAVIOUR_FOLDER = "behaviour";

const snapshotFile = (step: number) => join(BEHAVIOUR_FOLDER, `snapshot-${step}.safetensors`);

/** The learning curve: one point per `every` steps (the mean return of the last 10 episodes). */
function curveOf(run: BehaviourRun, every: number): [number, number][] {
  const points: [number, number][] = [];
  let next = every;
  run.episodes.forEach((episode, i) => {
    if (episode.step < next && i < run.episodes.length - 1) return;
    const recent = run.episodes.slice(Math.max(0, i - 9), i + 1);
    points.push([episode.step, recent.reduce((a, e) => a + e.return, 0) / recent.length]);
    next = episode.step + every;
  });
  return points;
}

/** Runs the step (exported for the Worker host). */
export async function trainBehaviour(
  input: BehaviourTrainInput,
  ctx: StepContext,
): Promise<BehaviourTrainOutput> {
  const report = await selectBackend({
    backend: input.backend as BackendName | "auto",
    allowSoftwareGpu: Deno.env.get("OMIGA_ALLOW_SOFTWARE_GPU") === "1",
  });
  ctx.annotate("backend", report as unknown as Json);
  ctx.log(describeBackend(report));
  const { settings } = input;
  const checkpoint = await ctx.checkpoint.load();
  const run = await BehaviourRun.open(settings, kernelsFor(), checkpoint);
  if (checkpoint) ctx.log(`resuming from step ${run.step} (${run.episodes.length} episodes)`);
  await Deno.mkdir(join(ctx.artifactsDir, BEHAVIOUR_FOLDER), { recursive: true });
  const started = performance.now(), startStep = run.step;
  try {
    const outcome = await run.train({
      signal: ctx.signal,
      onProgress: (p) =>
        ctx.progress({
          unit: "step",
          done: p.step,
          total: p.total,
          perSecond: p.stepsPerSecond,
          metrics: {
            recentReturn: p.recentReturn,
            episodes: p.episodes,
            ...(p.snapshot ? { snapshotReturn: p.snapshot.evaluation.mean } : {}),
            ...p.losses,
          },
          ...(p.snapshot ? { message: `snapshot at step ${p.step}` } : {}),
        }),
      onSnapshot: async (snapshot, policy) => {
        await writeFileAtomic(
          join(ctx.artifactsDir, snapshotFile(snapshot.step)),
          encodeBehaviourPolicy(policy),
        );
      },
      onCheckpoint: async (bytes) => void await ctx.checkpoint.save(bytes),
    });
    if (outcome === "aborted") throw ctx.signal.reason ?? new Error("training was aborted");
    const policy = join(BEHAVIOUR_FOLDER, "expert.safetensors");
    await writeFileAtomic(join(ctx.artifactsDir, policy), encodeBehaviourPolicy(run.policyFile()));
    const runFile = join(BEHAVIOUR_FOLDER, "run.safetensors");
    await writeFileAtomic(join(ctx.artifactsDir, runFile), run.checkpoint());
    const seconds = (performance.now() - started) / 1000;
    return {
      steps: run.step,
      episodes: run.episodes.length,
      backend: report.backend,
      seconds,
      stepsPerSecond: seconds > 0 ? (run.step - startStep) / seconds : 0,
      snapshots: run.snapshots.map((s) => ({ ...s, policy: snapshotFile(s.step) })),
      policy,
      run: runFile,
      curve: curveOf(run, settings.snapshotEvery),
    };
  } finally {
    run.dispose();
  }
}
