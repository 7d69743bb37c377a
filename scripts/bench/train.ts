/**
 * `deno task bench train [--algorithm NAME] [--gradients hand|tape] [--backend NAME] [--batch N]
 * [--windows N] [--steps N] [--shape reference|discrete] [--threads N] [--torch]`: training
 * iterations per second (median over timed windows after a warm-up) of an algorithm (default
 * OMIGA) on synthetic data for two shapes (an algorithm that covers one action kind runs that
 * shape only), on `--threads` threads (default 1, docs/threads.md). `--torch` also times the
 * same OMIGA step in PyTorch on as many threads (`omiga_torch.py`, where python3 has torch),
 * in the same run, and reports the ratio:
 * - reference: 3 agents, obs 14, state 14, continuous action 1, hidden 256 (MaMuJoCo Hopper-like);
 * - discrete: 5 agents, obs 55, state 120 per agent (a bigger global state), 12 actions.
 *
 * @module
 */
import { cpuUsage } from "node:process";
import { parseArgs } from "node:util";
import { backendChoiceFrom, describeBackend, selectBackend } from "../../core/backend/mod.ts";
import type { MultiAgentSpec } from "../../core/dataset.ts";
import { ValidationError } from "../../core/errors.ts";
import { algorithmOf } from "../../core/algorithms/mod.ts";
import { Learner } from "../../core/learn/learner.ts";
import { syntheticTransitions } from "../../core/learn/synthetic.ts";
import { tf } from "../../core/tf.ts";
import { median } from "./stats.ts";

/** The benchmark shapes. */
export const BENCH_SHAPES: Record<string, MultiAgentSpec> = {
  reference: { nAgents: 3, obsDim: 14, stateDim: 14, actionKind: "continuous", actDim: 1 },
  discrete: {
    nAgents: 5,
    obsDim: 55,
    stateDim: 120,
    actionKind: "discrete",
    actDim: 1,
    nActions: 12,
  },
};

/** A positive integer flag, or `fallback`. */
export function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new ValidationError(`--${name} must be a positive integer, got "${text}"`);
  }
  return value;
}

export async function benchTrain(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      backend: { type: "string" },
      batch: { type: "string" },
      windows: { type: "string" },
      steps: { type: "string" },
      shape: { type: "string" },
      algorithm: { type: "string" },
      gradients: { type: "string" },
      threads: { type: "string" },
      torch: { type: "boolean" },
    },
    strict: true,
  });
  const threads = positive("threads", values.threads, 1);
  const report = await selectBackend({ backend: backendChoiceFrom(values.backend) });
  const batchSize = positive("batch", values.batch, 128);
  const windows = positive("windows", values.windows, 5);
  const steps = positive("steps", values.steps, 20);
  const algorithm = values.algorithm ?? "omiga";
  const definition = algorithmOf(algorithm);
  const config = {
    algorithm,
    batchSize,
    seed: 0,
    ...(values.gradients !== undefined ? { gradients: values.gradients } : {}),
  };
  const names = values.shape === undefined
    ? Object.keys(BENCH_SHAPES).filter((name) =>
      definition.actionKinds.includes(BENCH_SHAPES[name].actionKind)
    )
    : [values.shape];
  const shapes: Record<string, unknown> = {};
  const loadBefore = Deno.loadavg();
  for (const name of names) {
    const spec = BENCH_SHAPES[name];
    if (spec === undefined) {
      throw new ValidationError(`--shape must be one of ${Object.keys(BENCH_SHAPES)}`);
    }
    const data = syntheticTransitions(spec, 10_000, 1);
    const learner = Learner.create(spec, config);
    try {
      await learner.useThreads(threads, data);
      for (let i = 0; i < 10; i++) learner.step(data); // warm-up
      await learner.losses();
      const rates: number[] = [];
      const cpuRates: number[] = [];
      for (let w = 0; w < windows; w++) {
        const start = performance.now();
        const cpuStart = cpuUsage();
        for (let i = 0; i < steps; i++) learner.step(data);
        await learner.losses(); // one read-back per window waits for the work
        rates.push((1000 * steps) / (performance.now() - start));
        const cpu = cpuUsage(cpuStart);
        cpuRates.push((1e6 * steps) / (cpu.user + cpu.system));
      }
      const itersPerSecond = Number(median(rates).toFixed(2));
      const torch = values.torch ? await torchRate(name, threads, steps, windows) : undefined;
      shapes[name] = {
        spec,
        batchSize,
        threads,
        hiddenSize: learner.config.hiddenSize,
        kernels: learner.kernels.name,
        itersPerSecond,
        windows: rates.map((rate) => Number(rate.toFixed(2))),
        ...(torch === undefined ? {} : {
          torch,
          ratioToTorch: "itersPerSecond" in torch
            ? Number((itersPerSecond / torch.itersPerSecond).toFixed(3))
            : null,
        }),
        // Steps per second of this process's CPU time: less sensitive to other load.
        itersPerCpuSecond: Number(median(cpuRates).toFixed(2)),
        stepsPerWindow: steps,
        tensorsAfter: tf.memory().numTensors,
      };
    } finally {
      learner.dispose();
    }
  }
  return {
    bench: "train",
    algorithm,
    ...(values.gradients !== undefined ? { gradients: values.gradients } : {}),
    backend: report.backend,
    describe: describeBackend(report),
    // 1-minute load average before and after: other work on the machine slows every number here.
    loadAverage: { before: loadBefore[0], after: Deno.loadavg()[0] },
    shapes,
  };
}

/**
 * The PyTorch reference's rate for a shape at `threads` threads (`omiga_torch.py`), or why
 * there is none (no python3, no torch).
 */
async function torchRate(
  shape: string,
  threads: number,
  steps: number,
  windows: number,
): Promise<{ itersPerSecond: number; torch: string } | { error: string }> {
  const script = new URL("./omiga_torch.py", import.meta.url).pathname;
  const args = [script, "--shape", shape, "--threads", `${threads}`, "--steps", `${steps * 10}`];
  try {
    const out = await new Deno.Command("python3", {
      args: [...args, "--windows", `${windows}`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.success ? out.stdout : out.stderr).trim();
    if (!out.success) return { error: text.split("\n").at(-1) ?? "python3 failed" };
    return JSON.parse(text.split("\n").at(-1)!);
  } catch (error) {
    return { error: `python3 did not run: ${(error as Error).message}` };
  }
}
