/**
 * `deno task bench restate [--runs N] [--segments N] [--sweeps N] [--endpoints N] [--postgres]`:
 * what driving
 * runs with Restate costs against the SQLite engine, in one sitting on temporary homes (a local
 * Restate node is started from the pinned npm package on free ports; the endpoint is served in
 * this process):
 * - `msPerStep`: a three-step no-op workflow, submitted and executed, per step;
 * - `msPerSegment`: a one-step workflow that stores `--segments` checkpoints, per checkpoint
 *   (on Restate, each checkpoint is also one journaled segment);
 * - `queueSeconds`: six independent 200 ms steps of the `cpu` key under its limit of 2 (three
 *   rounds: 0.6 s at best), the median of `--runs` / 4 runs; it shows how soon a step waiting
 *   for its key starts once a place frees (on Restate, the key's gate wakes it);
 * - `sweepSeconds`: the median wall time of `--sweeps` runs of a small sweep (two cells side by
 *   side) on each engine, taking turns, after one unmeasured sweep on each;
 * - with `--endpoints N` (N > 1, needs HAProxy), `sweepSecondsByEndpoints`: the same sweep on
 *   Restate with its steps run by one endpoint process and by N behind a load balancer; with
 *   `--postgres` too, each endpoint has its own home and they share a PostgreSQL store (a local
 *   server, `scripts/bench/postgres.ts`) and one artifacts root, as separate machines would.
 *
 * @module
 */
import { join } from "node:path";
import { startLocalPostgres } from "./postgres.ts";
import { parseArgs } from "node:util";
import { z } from "zod";
import { startServer } from "../../handlers/server.ts";
import {
  defaultRegistry,
  defineWorkflow,
  Engine,
  WorkflowRegistry,
  WorkflowStore,
} from "../../workflows/mod.ts";
import {
  freeNodePorts,
  freePort,
  pollUntil,
  startLocalRestate,
  stopProcess,
  waitForDeployment,
} from "../../workflows/restate/local.ts";
import type { RestateUrls } from "../../workflows/restate/config.ts";
import { RestateEngine } from "../../workflows/restate/engine.ts";
import { OmigaError, ValidationError } from "../../core/errors.ts";
import { haproxyPath, startBalancer } from "./haproxy.ts";
import { noop } from "./engine.ts";
import { median } from "./stats.ts";

const checkpointing = defineWorkflow({
  name: "checkpoints",
  description: "bench",
  params: z.object({ segments: z.number().int().positive() }),
})
  .step("save", {
    input: ({ params }) => params.segments,
    run: async (segments, ctx) => {
      const bytes = new Uint8Array(1024);
      for (let i = 0; i < segments; i++) await ctx.checkpoint.save(bytes);
      return segments;
    },
  })
  .build();

/** Six independent steps of the `cpu` key, 200 ms each (`queueSeconds`). */
const QUEUED_STEPS = 6;
const queued = Array.from({ length: QUEUED_STEPS }, (_, i) => `s${i}`).reduce(
  (workflow, stepId) =>
    workflow.step(stepId, {
      after: [],
      concurrency: "cpu",
      input: () => 200,
      run: (ms: number) => new Promise<number>((resolve) => setTimeout(() => resolve(ms), ms)),
    }),
  defineWorkflow({ name: "queued", description: "bench", params: z.object({}) }),
).build();

/** A small sweep: two cells of a few iterations, side by side. */
const SWEEP = {
  preset: "smoke",
  datasets: "spread-medium",
  episodes: 8,
  algorithms: "omiga,bc",
  alphas: "10",
  seeds: 1,
  iterations: 40,
  evalEvery: 20,
  evalEpisodes: 2,
  checkpointEvery: 10,
  hiddenSize: 32,
  batchSize: 32,
  backend: "cpu",
  threads: 1,
};

interface EngineCosts {
  msPerStep: number;
  msPerSegment: number;
  queueSeconds: number;
  sweepSeconds?: number;
}

async function succeed(engine: Engine, workflow: string, params: unknown): Promise<number> {
  const start = performance.now();
  const run = await engine.execute(engine.submit(workflow, params).run.id);
  if (run.state !== "succeeded") throw new Error(`${workflow}: ${run.error ?? run.state}`);
  return performance.now() - start;
}

async function stepCosts(engine: Engine, runs: number, segments: number) {
  const perRun: number[] = [];
  for (let i = 0; i < runs; i++) perRun.push(await succeed(engine, "noop", {}));
  const msPerSegment = (await succeed(engine, "checkpoints", { segments })) / segments;
  const queue: number[] = [];
  for (let i = 0; i < Math.max(1, Math.round(runs / 4)); i++) {
    queue.push(await succeed(engine, "queued", {}));
  }
  return {
    msPerStep: Number((median(perRun) / 3).toFixed(2)),
    msPerSegment: Number(msPerSegment.toFixed(2)),
    queueSeconds: Number((median(queue) / 1000).toFixed(2)),
  };
}

/** Runs the benchmark. */
export async function benchRestate(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      runs: { type: "string", default: "20" },
      segments: { type: "string", default: "50" },
      sweeps: { type: "string", default: "3" },
      endpoints: { type: "string", default: "1" },
      postgres: { type: "boolean", default: false },
    },
    strict: true,
  });
  const runs = Number(values.runs);
  const segments = Number(values.segments);
  const sweeps = Number(values.sweeps);
  const endpoints = Number(values.endpoints);
  if (!Number.isInteger(endpoints) || endpoints < 1 || endpoints > 4) {
    throw new ValidationError(
      `--endpoints must be an integer from 1 to 4, got ${values.endpoints}`,
    );
  }
  const registry = new WorkflowRegistry([
    noop,
    checkpointing,
    queued,
    defaultRegistry().get("sweep"),
  ]);
  const dir = await Deno.makeTempDir({ prefix: "omiga-bench-restate-" });
  const limits = { cpu: 2 };
  const restate = await startLocalRestate({ dir: join(dir, "restate"), ports: freeNodePorts() });
  const store = WorkflowStore.open({ home: join(dir, "sqlite") });
  const server = startServer({
    port: 0,
    home: join(dir, "home"),
    registry,
    engineKind: "restate",
    engine: { pollMs: 20, limits, restate: restate.urls },
  });
  try {
    await server.ready;
    const engines = {
      sqlite: new Engine(store, registry, { pollMs: 20, limits }),
      restate: server.engine,
    };
    const result: Record<"sqlite" | "restate", EngineCosts> = {
      sqlite: await stepCosts(engines.sqlite, runs, segments),
      restate: await stepCosts(engines.restate, runs, segments),
    };
    if (sweeps > 0) {
      // One unmeasured sweep each (its dataset is generated then, and reused after), then the
      // engines in turn, so that the machine's drift reaches both alike.
      const times: Record<"sqlite" | "restate", number[]> = { sqlite: [], restate: [] };
      for (let round = 0; round <= sweeps; round++) {
        for (const name of ["sqlite", "restate"] as const) {
          const ms = await succeed(engines[name], "sweep", SWEEP);
          if (round > 0) times[name].push(ms);
        }
      }
      for (const name of ["sqlite", "restate"] as const) {
        result[name].sweepSeconds = Number((median(times[name]) / 1000).toFixed(2));
      }
    }
    const byEndpoints = endpoints > 1 && sweeps > 0
      ? await sweepsOnEndpoints(dir, restate.urls, endpoints, sweeps, values.postgres)
      : undefined;
    return {
      bench: "restate",
      runs,
      segments,
      sweeps,
      ...result,
      nodes: 1,
      ...(byEndpoints
        ? {
          sweepSecondsByEndpoints: byEndpoints,
          endpointStore: values.postgres ? "postgres, a home each" : "sqlite, one home",
        }
        : {}),
    };
  } finally {
    await server.stop();
    store.close();
    await restate.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/**
 * The small sweep's median wall time on Restate with its steps run by 1 endpoint process and by
 * `count` endpoint processes behind HAProxy (`deno task serve --engine restate` each), one setup
 * after the other (a registration makes its URL the services' deployment), each after one
 * unmeasured sweep. A setup's processes share one home, or, with `postgres`, keep a home each and
 * share a PostgreSQL database and an artifacts root.
 */
async function sweepsOnEndpoints(
  dir: string,
  urls: RestateUrls,
  count: number,
  sweeps: number,
  postgres: boolean,
): Promise<Record<string, number>> {
  if (haproxyPath() === undefined) {
    throw new OmigaError("haproxy_missing", "--endpoints needs haproxy: apt-get install haproxy");
  }
  const server = postgres ? await startLocalPostgres() : undefined;
  const seconds: Record<string, number> = {};
  try {
    for (const n of [1, count]) {
      const setup = join(dir, `endpoints-${n}`);
      const shared = server === undefined
        ? {}
        : { url: server.database(), artifacts: join(setup, "artifacts") };
      const sharedEnv: Record<string, string> = shared.url === undefined
        ? {}
        : { OMIGA_STORE: shared.url, OMIGA_ARTIFACTS: shared.artifacts };
      const homeOf = (i: number) => server === undefined ? setup : join(setup, `home-${i}`);
      const ports = Array.from({ length: n }, freePort);
      const balancer = n > 1 ? await startBalancer(dir, freePort(), ports) : undefined;
      const url = `${balancer?.url ?? `http://127.0.0.1:${ports[0]}`}/restate`;
      const processes = ports.map((port, i) =>
        new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", "scripts/serve.ts", "--port", String(port), "--engine", "restate"],
          env: {
            OMIGA_HOME: homeOf(i),
            OMIGA_RESTATE_INGRESS: urls.ingress,
            OMIGA_RESTATE_ADMIN: urls.admin,
            OMIGA_RESTATE_ENDPOINT: url,
            OMIGA_CONCURRENCY: "cpu=2",
            ...sharedEnv,
          },
          stdout: "null",
          stderr: "null",
        }).spawn()
      );
      try {
        for (const port of ports) await waitForHealth(`http://127.0.0.1:${port}/healthz`);
        await waitForDeployment(urls.admin, url);
        using store = WorkflowStore.open({ home: homeOf(n), ...shared });
        const client = new RestateEngine(store, defaultRegistry(), { pollMs: 20, restate: urls });
        const times: number[] = [];
        for (let round = 0; round <= sweeps; round++) {
          const ms = await succeed(client, "sweep", SWEEP);
          if (round > 0) times.push(ms);
        }
        seconds[String(n)] = Number((median(times) / 1000).toFixed(2));
      } finally {
        await Promise.all(processes.map((p) => stopProcess(p, "SIGTERM")));
        await balancer?.stop();
      }
    }
  } finally {
    await server?.stop();
  }
  return seconds;
}

function waitForHealth(url: string): Promise<void> {
  return pollUntil(
    async () => {
      const response = await fetch(url);
      await response.body?.cancel();
      return response.ok;
    },
    60_000,
    () => new OmigaError("bench_failed", `${url} did not answer`),
  );
}
