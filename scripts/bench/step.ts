/**
 * `deno task bench step [--algorithm NAME] [--backend NAME] [--shape reference|discrete]
 * [--batch N] [--steps N]`: where one training step's time goes. Every call of the kernels
 * (`core/kernels`) is timed and its floating-point work counted, per kernel method: milliseconds
 * and GFLOP per step and the rate reached, beside the whole step's time. The rest of a step
 * (element-wise tfjs ops, the tape's bookkeeping, random draws) is what the kernels do not
 * account for.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { backendChoiceFrom, selectBackend } from "../../core/backend/mod.ts";
import { ValidationError } from "../../core/errors.ts";
import { type Kernels, kernelsFor } from "../../core/kernels/mod.ts";
import { algorithmOf } from "../../core/algorithms/mod.ts";
import { Learner } from "../../core/learn/learner.ts";
import { syntheticTransitions } from "../../core/learn/synthetic.ts";
import type { tf } from "../../core/tf.ts";
import { BENCH_SHAPES, positive } from "./train.ts";

type Tally = { ms: number; calls: number; flop: number };

/** `kernels` with every method timed into `tally`. */
function timedKernels(kernels: Kernels, tally: Record<string, Tally>): Kernels {
  const product = (rows: number, inner: number, columns: number) => 2 * rows * inner * columns;
  const flops: Partial<Record<keyof Kernels, (...args: tf.Tensor2D[]) => number>> = {
    dense: (x, w) => product(x.shape[0], w.shape[0], w.shape[1]),
    denseGradients: (input, upstream) => product(input.shape[1], input.shape[0], upstream.shape[1]),
    inputGradient: (upstream, w) => product(upstream.shape[0], w.shape[1], w.shape[0]),
  };
  const timed = { ...kernels } as Record<string, unknown>;
  for (const key of Object.keys(kernels) as (keyof Kernels)[]) {
    const method = kernels[key];
    if (typeof method !== "function") continue;
    timed[key] = (...args: unknown[]) => {
      const start = performance.now();
      const out = (method as (...a: unknown[]) => unknown)(...args);
      const entry = tally[key] ??= { ms: 0, calls: 0, flop: 0 };
      entry.ms += performance.now() - start;
      entry.calls += 1;
      entry.flop += flops[key]?.(...(args as tf.Tensor2D[])) ?? 0;
      return out;
    };
  }
  return timed as unknown as Kernels;
}

export async function benchStep(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      algorithm: { type: "string" },
      backend: { type: "string" },
      shape: { type: "string" },
      batch: { type: "string" },
      steps: { type: "string" },
    },
    strict: true,
  });
  const report = await selectBackend({ backend: backendChoiceFrom(values.backend) });
  const algorithm = values.algorithm ?? "omiga";
  const definition = algorithmOf(algorithm);
  const shapeName = values.shape ??
    (definition.actionKinds.includes("continuous") ? "reference" : "discrete");
  const spec = BENCH_SHAPES[shapeName];
  if (spec === undefined) {
    throw new ValidationError(`--shape must be one of ${Object.keys(BENCH_SHAPES)}`);
  }
  const steps = positive("steps", values.steps, 5);
  const tally: Record<string, Tally> = {};
  const kernels = timedKernels(kernelsFor(), tally);
  const config = { algorithm, batchSize: positive("batch", values.batch, 128), seed: 0 };
  const learner = Learner.create(spec, config, { kernels });
  const data = syntheticTransitions(spec, 10_000, 1);
  try {
    learner.fit(data, 2); // warm-up
    await learner.losses();
    for (const key of Object.keys(tally)) delete tally[key];
    const start = performance.now();
    learner.fit(data, steps);
    await learner.losses();
    const stepMs = (performance.now() - start) / steps;
    const perStep = Object.fromEntries(
      Object.entries(tally).map(([key, t]) => [key, {
        ms: Number((t.ms / steps).toFixed(2)),
        calls: t.calls / steps,
        ...(t.flop > 0
          ? {
            gflop: Number((t.flop / steps / 1e9).toFixed(3)),
            gflopPerSecond: Number((t.flop / t.ms / 1e6).toFixed(1)),
          }
          : {}),
      }]),
    );
    const kernelMs = Object.values(tally).reduce((total, t) => total + t.ms, 0) / steps;
    const flop = Object.values(tally).reduce((total, t) => total + t.flop, 0) / steps;
    return {
      bench: "step",
      algorithm,
      backend: report.backend,
      kernels: kernels.name,
      shape: shapeName,
      spec,
      steps,
      stepMs: Number(stepMs.toFixed(1)),
      gflopPerStep: Number((flop / 1e9).toFixed(3)),
      kernelsMs: Number(kernelMs.toFixed(1)),
      otherMs: Number((stepMs - kernelMs).toFixed(1)),
      perKernel: perStep,
    };
  } finally {
    learner.dispose();
  }
}
