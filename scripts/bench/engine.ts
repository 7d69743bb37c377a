/**
 * `deno task bench engine [--runs N] [--postgres]`: the workflow engine's own costs, on a
 * temporary store.
 * - `msPerRun`: submit and execute a three-step no-op workflow (claims, leases, outputs, events);
 * - `msPerProgressEvent`: one `ctx.progress` call (an event appended to SQLite);
 * - `msPerRead`: one `runs.get` (a primary-key read);
 * - `synchronousNormal`: the same three on a store committing with `synchronous = NORMAL`, to show
 *   what the store's FULL costs;
 * - `postgres` (with `--postgres`): the same three on a PostgreSQL store (a local server started
 *   from Debian's binaries, `scripts/bench/postgres.ts`), what sharing one store across machines
 *   costs before any network;
 * - `msPerWorkerRun`: a one-step run whose (trivial) body runs in a fresh Worker;
 * - `timerLagMs`: the worst delay of a 10 ms main-thread timer while a CPU-bound hash chain
 *   (one stretch of about 10^8 hash rounds, no await inside) runs in a Worker, against the same
 *   chain run on the main thread.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import {
  defineWorkflow,
  Engine,
  inWorker,
  WorkflowRegistry,
  WorkflowStore,
} from "../../workflows/mod.ts";
import { hashChain, type HashChainInput } from "../../workflows/demo/hash_chain_body.ts";
import { startLocalPostgres } from "./postgres.ts";
import { median } from "./stats.ts";

/** A three-step no-op workflow: what the engine itself costs per run. */
export const noop = defineWorkflow({ name: "noop", description: "bench", params: z.object({}) })
  .step("a", { input: () => 1, run: (x) => Promise.resolve(x + 1) })
  .step("b", { input: ({ outputs }) => outputs.a, run: (x) => Promise.resolve(x + 1) })
  .step("c", { input: ({ outputs }) => outputs.b, run: (x) => Promise.resolve(x + 1) })
  .build();

const chainInput: HashChainInput = {
  start: 1,
  iterations: 500,
  roundsPerIteration: 200_000,
  checkpointEvery: 500,
};

const progressing = defineWorkflow({ name: "progress", description: "bench", params: z.object({}) })
  .step("loop", {
    input: () => null,
    run: (_input, ctx) => {
      for (let i = 0; i < 2_000; i++) ctx.progress({ unit: "iteration", done: i, total: 2_000 });
      return Promise.resolve(null);
    },
  })
  .build();

const inWorkerChain = defineWorkflow({
  name: "chain-worker",
  description: "bench",
  params: z.object({}),
})
  .step("chain", {
    concurrency: "cpu",
    input: () => chainInput,
    run: inWorker(new URL("../../workflows/demo/hash_chain_body.ts", import.meta.url), "hashChain"),
  })
  .build();

const tinyWorkerStep = defineWorkflow({
  name: "tiny-worker",
  description: "bench",
  params: z.object({}),
})
  .step("chain", {
    input: () => ({ ...chainInput, iterations: 1, roundsPerIteration: 1, checkpointEvery: 1 }),
    run: inWorker(new URL("../../workflows/demo/hash_chain_body.ts", import.meta.url), "hashChain"),
  })
  .build();

const inProcessChain = defineWorkflow({
  name: "chain-main",
  description: "bench",
  params: z.object({}),
})
  .step("chain", { concurrency: "cpu", input: () => chainInput, run: hashChain })
  .build();

async function worstTimerLag(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 10);
    last = now;
  }, 10);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.round(worst);
}

/** What a store costs the engine: a no-op run, a progress event, a read. */
async function storeCosts(store: WorkflowStore, registry: WorkflowRegistry, runs: number) {
  const engine = new Engine(store, registry, { pollMs: 20 });
  const perRun: number[] = [];
  let last = "";
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const run = await engine.execute(engine.submit("noop", {}).run.id);
    perRun.push(performance.now() - start);
    last = run.id;
  }
  const progressStart = performance.now();
  await engine.execute(engine.submit("progress", {}).run.id);
  const msPerProgressEvent = (performance.now() - progressStart) / 2_000;
  const readStart = performance.now();
  for (let i = 0; i < 1_000; i++) store.runs.get(last);
  const msPerRead = (performance.now() - readStart) / 1_000;
  return {
    msPerRun: Number(median(perRun).toFixed(2)),
    msPerProgressEvent: Number(msPerProgressEvent.toFixed(3)),
    msPerRead: Number(msPerRead.toFixed(3)),
  };
}

export async function benchEngine(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: { runs: { type: "string" }, postgres: { type: "boolean" } },
    strict: true,
  });
  const runs = Number(values.runs ?? 50);
  const home = Deno.makeTempDirSync({ prefix: "omiga-bench-" });
  const store = WorkflowStore.open({ home });
  const registry = new WorkflowRegistry([
    noop,
    progressing,
    inWorkerChain,
    inProcessChain,
    tinyWorkerStep,
  ]);
  const engine = new Engine(store, registry, { pollMs: 20 });
  try {
    const execute = async (workflow: string) =>
      await engine.execute(engine.submit(workflow, {}).run.id);
    const full = await storeCosts(store, registry, runs);
    const workerRuns: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = performance.now();
      const run = await execute("tiny-worker");
      if (run.state !== "succeeded") throw new Error(run.error ?? run.state);
      workerRuns.push(performance.now() - start);
    }
    // The same small runs and events on a store that commits with synchronous = NORMAL: what
    // FULL (one fsync per transaction, the store's setting) costs.
    const normalHome = Deno.makeTempDirSync({ prefix: "omiga-bench-normal-" });
    const normal = WorkflowStore.open({ home: normalHome, synchronous: "NORMAL" });
    let synchronousNormal;
    try {
      synchronousNormal = await storeCosts(normal, registry, runs);
    } finally {
      normal.close();
      Deno.removeSync(normalHome, { recursive: true });
    }
    let postgres;
    if (values.postgres) {
      const server = await startLocalPostgres();
      try {
        using shared = WorkflowStore.open({ home, url: server.database() });
        postgres = await storeCosts(shared, registry, runs);
      } finally {
        await server.stop();
      }
    }
    return {
      bench: "engine",
      runs,
      ...full,
      synchronousNormal,
      ...(postgres ? { postgres } : {}),
      msPerWorkerRun: Number(median(workerRuns).toFixed(1)),
      timerLagMs: {
        chainInWorker: await worstTimerLag(() => execute("chain-worker")),
        chainOnMainThread: await worstTimerLag(() => execute("chain-main")),
      },
    };
  } finally {
    store.close();
    Deno.removeSync(home, { recursive: true });
  }
}
