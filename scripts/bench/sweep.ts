/**
 * `deno task bench sweep [--preset smoke] [--limits 1,2] [sweep flags]`: the same sweep run once
 * per `cpu` limit (default 1, then the core count), each in a fresh temporary home, in this
 * process; reports each run's wall time, the speed-up over the first, the most cells that ran at
 * once, and whether every run wrote byte-identical `table.csv` and `cells.csv`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ValidationError } from "../../core/errors.ts";
import {
  defaultRegistry,
  Engine,
  parseParams,
  type RunEvent,
  WorkflowStore,
} from "../../workflows/mod.ts";
import { type SweepReportOutput, sweepWorkflow } from "../../workflows/sweep/mod.ts";
import { paramsFromFlags } from "../cli/flags.ts";

interface SweepTiming {
  cpuLimit: number;
  seconds: number;
  mostCellsAtOnce: number;
  table: string;
  cells: string;
}

/** The most steps whose ids start with `prefix` that held a lease at once, from a run's events. */
export function mostAtOnce(events: readonly RunEvent[], prefix: string): number {
  let running = 0;
  let most = 0;
  for (const e of events) {
    if (!e.stepId?.startsWith(prefix)) continue;
    if (e.type === "step.started") most = Math.max(most, ++running);
    if (e.type === "step.succeeded") running--;
  }
  return most;
}

async function timeSweep(params: unknown, cpuLimit: number): Promise<SweepTiming> {
  const home = await Deno.makeTempDir({ prefix: "omiga-bench-sweep-" });
  try {
    using store = WorkflowStore.open({ home });
    const engine = new Engine(store, defaultRegistry(), { limits: { cpu: cpuLimit } });
    const { run } = engine.submit("sweep", params);
    const start = performance.now();
    const finished = await engine.execute(run.id);
    const seconds = (performance.now() - start) / 1000;
    if (finished.state !== "succeeded") {
      throw new Error(`sweep ${finished.state}: ${finished.error}`);
    }
    const mostCellsAtOnce = mostAtOnce(store.events.list(run.id, 0, 1_000_000), "cell/");
    const output = finished.output as unknown as SweepReportOutput;
    return {
      cpuLimit,
      seconds,
      mostCellsAtOnce,
      table: await Deno.readTextFile(output.files.tableCsv),
      cells: await Deno.readTextFile(output.files.cellsCsv),
    };
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

/** Runs the benchmark. */
export async function benchSweep(args: string[]): Promise<Record<string, unknown>> {
  const { values, tokens } = parseArgs({
    args,
    options: { limits: { type: "string" } },
    strict: false,
    tokens: true,
  });
  const rest = args.filter((_, i) =>
    !tokens.some((t) =>
      t.kind === "option" && t.name === "limits" && (t.index === i || t.index + 1 === i)
    )
  );
  const limits =
    (typeof values.limits === "string" ? values.limits : `1,${navigator.hardwareConcurrency}`)
      .split(",").map(Number);
  if (limits.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new ValidationError("--limits must be positive integers, e.g. 1,2");
  }
  const params = parseParams(sweepWorkflow, {
    preset: "smoke",
    ...paramsFromFlags(sweepWorkflow.params, rest),
  });
  const runs: SweepTiming[] = [];
  for (const limit of limits) runs.push(await timeSweep(params, limit));
  return {
    preset: (params as { preset: string }).preset,
    cores: navigator.hardwareConcurrency,
    runs: runs.map((r) => ({
      cpuLimit: r.cpuLimit,
      seconds: Number(r.seconds.toFixed(1)),
      speedup: Number((runs[0].seconds / r.seconds).toFixed(2)),
      mostCellsAtOnce: r.mostCellsAtOnce,
    })),
    identicalTables: runs.every((r) => r.table === runs[0].table && r.cells === runs[0].cells),
  };
}
