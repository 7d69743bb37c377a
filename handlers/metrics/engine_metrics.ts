/**
 * Prometheus metrics of the workflow engine, read from the store when `/metrics` is scraped
 * (so they include runs and steps of every process on this `OMIGA_HOME`):
 * - `omiga_runs{state}`: runs by state;
 * - `omiga_training_iterations_per_second{run_id,step}`: the rate of each running step's latest
 *   progress report counted in iterations;
 * - `omiga_step_duration_seconds{workflow,step,outcome}`: steps that finished since this
 *   server started, from their first start to their end.
 *
 * @module
 */
import { Gauge, Histogram, type Registry } from "prom-client";
import type { WorkflowStore } from "../../workflows/mod.ts";

/** Histogram buckets of step durations, in seconds: 10 ms to 6 h. */
export const STEP_DURATION_BUCKETS = [
  0.01,
  0.05,
  0.1,
  0.5,
  1,
  5,
  10,
  30,
  60,
  300,
  900,
  1800,
  3600,
  10800,
  21600,
];

/**
 * Registers the engine metrics on `registry`, collected from `store` on every scrape.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Registry } from "prom-client";
 * import { WorkflowStore } from "../../workflows/mod.ts";
 * import { registerEngineMetrics } from "./engine_metrics.ts";
 * const registry = new Registry();
 * registerEngineMetrics(registry, WorkflowStore.open({ home: Deno.makeTempDirSync() }));
 * assert.ok((await registry.metrics()).includes('omiga_runs{state="queued"} 0'));
 * ```
 */
export function registerEngineMetrics(
  registry: Registry,
  store: WorkflowStore,
  prefix = "omiga_",
  startedAt = Date.now(),
): void {
  new Gauge({
    name: `${prefix}runs`,
    help: "Runs by state",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      for (const [state, count] of Object.entries(store.runs.countByState())) {
        this.set({ state }, count);
      }
    },
  });

  new Gauge({
    name: `${prefix}training_iterations_per_second`,
    help: "Training iterations per second of each running step (its latest progress report)",
    labelNames: ["run_id", "step"],
    registers: [registry],
    collect() {
      this.reset();
      for (const run of store.runs.page({ state: "running", limit: 1000 }).runs) {
        const progress = store.events.latest(run.id, "step.progress");
        const payload = progress?.payload as { unit?: unknown; perSecond?: unknown } | undefined;
        const running = store.runs.steps(run.id).some((step) =>
          step.stepId === progress?.stepId && step.state === "running"
        );
        if (running && payload?.unit === "iteration" && typeof payload.perSecond === "number") {
          this.set({ run_id: run.id, step: progress!.stepId! }, payload.perSecond);
        }
      }
    },
  });

  let observedUntil = startedAt;
  new Histogram({
    name: `${prefix}step_duration_seconds`,
    help: "Durations of finished steps, from their first start to their end",
    labelNames: ["workflow", "step", "outcome"],
    buckets: STEP_DURATION_BUCKETS,
    registers: [registry],
    collect() {
      const now = Date.now();
      for (const step of store.steps.finishedBetween(observedUntil, now)) {
        if (step.startedAt === null || step.finishedAt === null) continue;
        this.observe(
          { workflow: step.workflow, step: step.stepId, outcome: step.state },
          (step.finishedAt - step.startedAt) / 1000,
        );
      }
      observedUntil = now;
    },
  });
}
