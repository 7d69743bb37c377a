/**
 * `deno task bench behaviour [--env TASK] [--hidden N] [--batch N] [--steps N] [--backend NAME]`:
 * the behaviour learner's speed on a MuJoCo task (default halfcheetah-6x1, SAC 256 x 2, batch
 * 256): environment steps per second with one SAC update each (after a warm-up of random
 * steps), by wall time and by this process's CPU time, which other load disturbs less.
 *
 * @module
 */
import { cpuUsage } from "node:process";
import { parseArgs } from "node:util";
import { backendChoiceFrom, describeBackend, selectBackend } from "../../core/backend/mod.ts";
import { BehaviourRun, parseBehaviourSettings } from "../../core/behaviour/trainer.ts";
import { kernelsFor } from "../../core/kernels/mod.ts";
import { positive } from "./train.ts";

export async function benchBehaviour(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      env: { type: "string" },
      hidden: { type: "string" },
      batch: { type: "string" },
      steps: { type: "string" },
      backend: { type: "string" },
    },
    strict: true,
  });
  const report = await selectBackend({ backend: backendChoiceFrom(values.backend) });
  const warmupSteps = 1_000;
  const timed = positive("steps", values.steps, 2_000);
  const settings = parseBehaviourSettings({
    env: values.env ?? "halfcheetah-6x1",
    steps: warmupSteps + timed,
    warmupSteps,
    sac: {
      hiddenSize: positive("hidden", values.hidden, 256),
      batchSize: positive("batch", values.batch, 256),
    },
    snapshotEvery: 10 * (warmupSteps + timed), // no snapshot evaluations in the timing
  });
  const run = await BehaviourRun.open(settings, kernelsFor());
  let from: { at: number; step: number; cpu: NodeJS.CpuUsage } | undefined;
  let to: { at: number; step: number; cpu: NodeJS.CpuUsage } | undefined;
  try {
    await run.train({
      onProgress: (p) => {
        const point = { at: performance.now(), step: p.step, cpu: cpuUsage() };
        if (from === undefined && p.step >= warmupSteps) from = point;
        else if (from !== undefined) to = point;
      },
    });
  } finally {
    run.dispose();
  }
  if (from === undefined || to === undefined) {
    throw new Error("the run ended before two timed episodes: raise --steps");
  }
  const steps = to.step - from.step;
  const cpuSeconds = (to.cpu.user + to.cpu.system - from.cpu.user - from.cpu.system) / 1e6;
  return {
    bench: "behaviour",
    env: settings.env,
    backend: report.backend,
    describe: describeBackend(report),
    kernels: run.networks.kernels.name,
    sac: settings.sac,
    timedSteps: steps,
    stepsPerSecond: Number((steps / ((to.at - from.at) / 1000)).toFixed(1)),
    stepsPerCpuSecond: Number((steps / cpuSeconds).toFixed(1)),
    loadAverage: Deno.loadavg()[0],
  };
}
