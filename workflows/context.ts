/**
 * Builds the {@link StepContext} a step body gets from the engine: checkpoints in the run's
 * artifact folder, progress and log lines into the run's event log, annotations onto the run.
 *
 * @module
 */
import { mkdirSync } from "node:fs";
import { CheckpointFiles } from "./checkpoint.ts";
import { runArtifactsDir, stepCheckpointDir } from "./home.ts";
import type { StepContext, StepProgress } from "./step.ts";
import type { Json, RunRecord, StepRecord } from "./store/records.ts";
import type { WorkflowStore } from "./store/store.ts";

/** Fills in `perSecond` and `etaSeconds` from the reports of this attempt. */
export class ProgressRate {
  #first: { time: number; done: number } | undefined;

  /** The report completed with a rate and an ETA where they can be computed. */
  complete(progress: StepProgress, now = performance.now()): StepProgress {
    if (this.#first === undefined || progress.done < this.#first.done) {
      this.#first = { time: now, done: progress.done };
      return progress;
    }
    const seconds = (now - this.#first.time) / 1000;
    const perSecond = progress.perSecond ??
      (seconds > 0 ? (progress.done - this.#first.done) / seconds : undefined);
    const etaSeconds = progress.etaSeconds ??
      (progress.total !== undefined && perSecond !== undefined && perSecond > 0
        ? Math.max(0, progress.total - progress.done) / perSecond
        : undefined);
    const completed: StepProgress = { ...progress };
    if (perSecond !== undefined) completed.perSecond = perSecond;
    if (etaSeconds !== undefined) completed.etaSeconds = etaSeconds;
    return completed;
  }
}

/**
 * The context of one attempt of `step` (its run's artifact folder is created first).
 * `assertLease` throws (and aborts the step) when this process no longer holds the step, so a
 * step that was taken over never writes a checkpoint.
 */
export function createStepContext(
  store: WorkflowStore,
  run: RunRecord,
  step: StepRecord,
  signal: AbortSignal,
  assertLease: () => void,
  cores = navigator.hardwareConcurrency,
): StepContext {
  const artifactsDir = runArtifactsDir(store.artifacts, run.id);
  mkdirSync(artifactsDir, { recursive: true });
  const events = store.events;
  const files = new CheckpointFiles(stepCheckpointDir(store.artifacts, run.id, step.stepId));
  const rate = new ProgressRate();
  const append = (type: string, payload: Json) => events.append(run.id, type, payload, step.stepId);
  return {
    runId: run.id,
    stepId: step.stepId,
    attempt: step.attempt,
    signal,
    home: store.artifacts,
    artifactsDir,
    store: store.location,
    cores,
    checkpoint: {
      async save(bytes) {
        signal.throwIfAborted();
        assertLease();
        const sequence = await files.save(bytes);
        append("step.checkpoint", { sequence, bytes: bytes.length });
        return sequence;
      },
      async load() {
        const loaded = await files.loadLatest((corrupt) =>
          append("step.log", {
            level: "warn",
            message: `checkpoint ${corrupt.sequence} is unusable (${corrupt.reason}); ` +
              `falling back to an older one`,
          })
        );
        if (loaded !== undefined) append("step.restored", { sequence: loaded.sequence });
        return loaded?.bytes;
      },
    },
    progress(progress) {
      append("step.progress", rate.complete(progress) as unknown as Json);
    },
    log(message, fields = {}) {
      append("step.log", { ...fields, message });
    },
    annotate(name, value) {
      store.runs.annotate(run.id, name, value);
      append("run.annotated", { name, value });
    },
  };
}
