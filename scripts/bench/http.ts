/**
 * `deno task bench http [--connections 100] [--seconds 10] [--client raw|fetch]
 * [--in-process] [--no-training]`: the API's latency
 * while it trains. The server runs as a subprocess (`scripts/serve.ts`, engine service
 * included) on a temporary `OMIGA_HOME`; the bench generates a dataset and submits a
 * `train-evaluate` run long enough to stay busy, waits until its training step runs (in the
 * server's Worker), then sends `GET /v1/runs/:id` from `connections` closed-loop loopback
 * clients for `seconds`. Target: p99 under 50 ms and no errors. `--in-process` serves from
 * this process instead (the load generator then shares the server's event loop);
 * `--no-training` measures the same route with nothing training, for comparison. The clients
 * are lean keep-alive HTTP/1.1 connections (`--client raw`, like wrk) or `fetch`
 * (`--client fetch`, which costs the shared CPU several times more per request). `--mixed`
 * runs everything at once instead (see http_mixed.ts).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ValidationError } from "../../core/errors.ts";
import { startServer } from "../../handlers/server.ts";
import {
  auth,
  type BenchServer,
  generateBenchDataset,
  positive,
  post,
  serveSubprocess,
  TOKEN,
  waitForEvent,
} from "./http_server.ts";
import { benchHttpMixed } from "./http_mixed.ts";
import { loadTest } from "./load.ts";

const TARGET_P99_MS = 50;

/** Runs the bench and returns its JSON result. */
export async function benchHttp(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      connections: { type: "string", default: "100" },
      seconds: { type: "string", default: "10" },
      iterations: { type: "string", default: "1000000" },
      "in-process": { type: "boolean", default: false },
      "no-training": { type: "boolean", default: false },
      client: { type: "string", default: "raw" },
      mixed: { type: "boolean", default: false },
      trainings: { type: "string", default: "2" },
      subscribers: { type: "string", default: "200" },
      submitters: { type: "string", default: "8" },
    },
    strict: true,
  });
  if (values.mixed) {
    return await benchHttpMixed({
      trainings: Math.round(positive("trainings", values.trainings)),
      subscribers: Math.round(positive("subscribers", values.subscribers)),
      submitters: Math.round(positive("submitters", values.submitters)),
      connections: Math.round(positive("connections", values.connections)),
      durationMs: positive("seconds", values.seconds) * 1000,
      iterations: Math.round(positive("iterations", values.iterations)),
    });
  }
  const client = values.client;
  if (client !== "raw" && client !== "fetch") {
    throw new ValidationError(`--client must be raw or fetch, got "${client}"`);
  }
  const connections = Math.round(positive("connections", values.connections));
  const durationMs = positive("seconds", values.seconds) * 1000;
  const home = await Deno.makeTempDir({ prefix: "omiga-bench-http-" });
  const server: BenchServer = values["in-process"]
    ? startServer({ home, token: TOKEN, port: 0 })
    : await serveSubprocess(home);
  try {
    const training = !values["no-training"];
    let runId: string;
    let progress: Record<string, unknown> = {};
    if (training) {
      const dataset = await generateBenchDataset(server.url);
      const run = await post(`${server.url}/v1/runs`, {
        workflow: "train-evaluate",
        params: {
          dataset: dataset.id,
          iterations: Math.round(positive("iterations", values.iterations)),
          evalEpisodes: 1,
        },
      });
      runId = String(run.id);
      progress = await waitForEvent(
        server.url,
        runId,
        (event) => event.type === "step.progress" && event.stepId === "train",
      );
    } else {
      // The same route on a finished run, with nothing training: the server's own cost.
      const run = await post(`${server.url}/v1/runs`, {
        workflow: "hash-chain",
        params: { iterations: 1, roundsPerIteration: 1 },
      });
      runId = String(run.id);
      await waitForEvent(server.url, runId, (event) => event.type === "run.succeeded");
    }
    const loadBefore = Deno.loadavg()[0];
    const result = await loadTest({
      url: `${server.url}/v1/runs/${runId}`,
      headers: auth,
      connections,
      durationMs,
      client,
    });
    const after = await (await fetch(`${server.url}/v1/runs/${runId}`, { headers: auth })).json();
    const trainingStillRunning = training && after.state === "running" &&
      after.steps.some((s: { stepId: string; state: string }) =>
        s.stepId === "train" && s.state === "running"
      );
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: auth })).text();
    const rate = /omiga_training_iterations_per_second\{[^}]*\} (\S+)/.exec(metrics)?.[1];
    if (training) await post(`${server.url}/v1/runs/${runId}/cancel`, {});
    return {
      bench: "http",
      server: values["in-process"] ? "in-process" : "subprocess",
      route: "GET /v1/runs/:id",
      client,
      connections,
      seconds: durationMs / 1000,
      requests: result.requests,
      requestsPerSecond: Math.round(result.requestsPerSecond),
      errors: result.errors,
      errorKinds: result.errorKinds,
      latencyMs: {
        p50: round(result.latencyMs.p50),
        p90: round(result.latencyMs.p90),
        p99: round(result.latencyMs.p99),
        max: round(result.latencyMs.max),
      },
      targetP99Ms: TARGET_P99_MS,
      meetsTarget: result.latencyMs.p99 < TARGET_P99_MS && result.errors === 0,
      training: training && {
        workflow: "train-evaluate",
        stillRunningAtEnd: trainingStillRunning,
        iterationsPerSecondAtStart: progress.perSecond ?? null,
        iterationsPerSecondAtEnd: rate === undefined ? null : Number(rate),
      },
      loadAverage: { before: loadBefore, after: Deno.loadavg()[0] },
      cores: navigator.hardwareConcurrency,
    };
  } finally {
    await server.stop();
    await Deno.remove(home, { recursive: true }).catch(() => {});
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
