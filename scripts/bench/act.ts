/**
 * `deno task bench act [--batch 64] [--requests 2000] [--clients 4] [--hidden 256]
 * [--no-training]`: the latency of `POST /v1/policies/{name}/act` (through the app, without a
 * socket) for a batch of `--batch` copies of a spread-shaped policy, while a training step runs
 * in its Worker (a train-evaluate run on spread; `--no-training` leaves it out). Sequential
 * requests give p50/p99; then `--clients` clients at once give requests/s.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { selectBackend } from "../../core/backend/mod.ts";
import { encodePolicy } from "../../core/learn/policy_export.ts";
import { mlpLayout } from "../../core/nn/dense.ts";
import { Rng } from "../../core/rng.ts";
import { builtInSpec } from "../../core/envs/mod.ts";
import { createApp } from "../../handlers/mod.ts";
import { defaultRegistry, Engine, policyFolder, WorkflowStore } from "../../workflows/mod.ts";
import { quantile } from "./load.ts";

/** Runs the benchmark. */
export async function benchAct(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      batch: { type: "string", default: "64" },
      requests: { type: "string", default: "2000" },
      clients: { type: "string", default: "4" },
      hidden: { type: "string", default: "256" },
      "no-training": { type: "boolean", default: false },
    },
  });
  const [batch, requests, clients, hidden] = [
    values.batch,
    values.requests,
    values.clients,
    values.hidden,
  ]
    .map(Number);
  await selectBackend({ backend: "cpu" });
  const home = await Deno.makeTempDir({ prefix: "omiga-bench-act-" });
  const store = WorkflowStore.open({ home });
  const engine = new Engine(store, defaultRegistry(), { pollMs: 50 });
  const shutdown = new AbortController();
  const app = createApp({ engine, signal: shutdown.signal });
  try {
    const spec = builtInSpec("spread")!;
    const layout = mlpLayout("policy", [
      spec.obsDim + spec.nAgents,
      hidden,
      hidden,
      2 * spec.actDim,
    ]);
    const params = Rng.fromSeed(1).fillNormal(new Float32Array(layout.size)) as Float32Array;
    const exported = encodePolicy(spec, layout, params, {
      kind: "tanh_gaussian_mean",
      meanLimit: null,
    }, "omiga");
    const folder = policyFolder("bench", "bench-run");
    await Deno.mkdir(join(home, folder), { recursive: true });
    const files = {
      policy: join(folder, "policy.safetensors"),
      architecture: join(folder, "policy.json"),
    };
    await Deno.writeFile(join(home, files.policy), exported.weights);
    await Deno.writeTextFile(join(home, files.architecture), JSON.stringify(exported.architecture));
    store.policies.register({
      name: "bench",
      runId: "bench-run",
      metrics: { score: 0 },
      lineage: {
        runId: "bench-run",
        scheduleId: null,
        datasetId: "-",
        datasetName: "-",
        datasetContentHash: "-",
        algorithm: "omiga",
        config: {},
        backend: "cpu",
        codeVersion: "-",
      },
      files,
      evaluationHash: "-",
      tolerance: 0,
    });

    let training: Promise<unknown> | undefined;
    let runId: string | undefined;
    if (!values["no-training"]) {
      const { run } = engine.submit("train-evaluate", {
        env: "spread",
        tier: "medium",
        episodes: 50,
        iterations: 1_000_000,
        backend: "cpu",
        checkpointEvery: 1_000_000,
      });
      runId = run.id;
      training = engine.execute(run.id).catch(() => undefined);
      for await (const event of engine.events(run.id)) {
        if (event.type === "step.progress" && event.stepId === "train") break;
      }
    }
    const rng = Rng.fromSeed(2);
    const body = JSON.stringify({
      observations: Array.from(
        { length: batch },
        () =>
          Array.from(
            { length: spec.nAgents },
            () => Array.from(rng.fillNormal(new Float32Array(spec.obsDim)) as Float32Array),
          ),
      ),
    });
    const call = async () => {
      const response = await app.request("/v1/policies/bench/act", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body,
      });
      if (response.status !== 200) throw new Error(await response.text());
      await response.arrayBuffer();
    };
    for (let i = 0; i < 50; i++) await call(); // warm up each Worker's policy
    const latencies: number[] = [];
    for (let i = 0; i < requests; i++) {
      const start = performance.now();
      await call();
      latencies.push(performance.now() - start);
    }
    latencies.sort((a, b) => a - b);
    const started = performance.now();
    let done = 0;
    await Promise.all(Array.from({ length: clients }, async () => {
      while (done < requests) {
        done++;
        await call();
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    if (runId !== undefined) engine.cancel(runId, "benchmark over");
    await training;
    return {
      batch,
      nAgents: spec.nAgents,
      obsDim: spec.obsDim,
      hidden,
      trainingAlongside: !values["no-training"],
      requests,
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
      maxMs: latencies.at(-1),
      clients,
      requestsPerSecond: requests / seconds,
    };
  } finally {
    shutdown.abort();
    store.close();
    await Deno.remove(home, { recursive: true });
  }
}
