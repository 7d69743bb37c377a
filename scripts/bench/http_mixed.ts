/**
 * `deno task bench http --mixed [--trainings 2] [--subscribers 200] [--submitters 8]
 * [--connections 50] [--seconds 20]`: the API under everything at once. On a server subprocess
 * with `--trainings` training steps running, `--subscribers` clients follow those runs' event
 * streams from the start, `--submitters` clients submit small runs back to back (each is
 * queued, run and finished by the server's engine), and `--connections` clients read a run, for
 * `--seconds`. Then the training runs are cancelled, every stream must end with the run, and
 * each subscriber's events are compared with a fresh replay of the run's log: none lost, none
 * repeated, in order. Reported: the p50/p99 of reads and submissions, 5xx and other errors, and
 * the events delivered and lost. The server's rate and stream limits are lifted for the bench
 * (it measures capacity; the limits are tested on their own).
 *
 * @module
 */
import { loadTest, quantile } from "./load.ts";
import { auth, generateBenchDataset, post, serveSubprocess, waitForEvent } from "./http_server.ts";

/** The mixed scenario's settings. */
export interface MixedOptions {
  trainings: number;
  subscribers: number;
  submitters: number;
  connections: number;
  durationMs: number;
  iterations: number;
}

/** The sequence numbers one subscriber received, and how its stream ended. */
interface Subscription {
  runId: string;
  seqs: number[];
  ended: "terminal" | "closed" | "error";
  status: number;
}

/** Reads a run's event stream from the start until it ends, keeping every sequence number. */
async function subscribe(url: string, runId: string, signal: AbortSignal): Promise<Subscription> {
  const seqs: number[] = [];
  let status = 0;
  try {
    const response = await fetch(`${url}/v1/runs/${runId}/events`, { headers: auth, signal });
    status = response.status;
    if (!response.ok) {
      await response.body?.cancel();
      return { runId, seqs, ended: "error", status };
    }
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    while (true) {
      const { value, done } = await reader.read();
      if (done) return { runId, seqs, ended: "closed", status };
      buffer += value;
      const blocks = buffer.split("\n\n");
      buffer = blocks.pop()!;
      for (const block of blocks) {
        const id = block.split("\n").find((line) => line.startsWith("id: "));
        if (id !== undefined) seqs.push(Number(id.slice(4)));
        if (/^event: run\.(succeeded|failed|cancelled)$/m.test(block)) {
          await reader.cancel();
          return { runId, seqs, ended: "terminal", status };
        }
      }
    }
  } catch {
    return { runId, seqs, ended: "error", status };
  }
}

/** Submits small runs back to back until `deadline`; returns latencies and statuses. */
async function submitLoop(url: string, deadline: number) {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const body = JSON.stringify({
    workflow: "hash-chain",
    params: { iterations: 1, roundsPerIteration: 1 },
  });
  while (performance.now() < deadline) {
    const sent = performance.now();
    try {
      const response = await fetch(`${url}/v1/runs`, {
        method: "POST",
        headers: { ...auth, "Content-Type": "application/json" },
        body,
      });
      await response.arrayBuffer();
      latencies.push(performance.now() - sent);
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    } catch (error) {
      const kind = error instanceof Error ? error.name : "error";
      statuses[kind] = (statuses[kind] ?? 0) + 1;
    }
  }
  return { latencies, statuses };
}

const round = (value: number) => Math.round(value * 100) / 100;

function summary(latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    p50: round(quantile(sorted, 0.5)),
    p99: round(quantile(sorted, 0.99)),
    max: round(sorted.at(-1) ?? NaN),
  };
}

/** Compares each subscription with the run's full log: the events it lost and repeated. */
function delivery(subscriptions: Subscription[], logs: Map<string, number[]>) {
  let delivered = 0, lost = 0, repeated = 0, outOfOrder = 0;
  for (const { runId, seqs } of subscriptions) {
    const log = logs.get(runId) ?? [];
    delivered += seqs.length;
    const seen = new Set(seqs);
    lost += log.filter((seq) => !seen.has(seq)).length;
    repeated += seqs.length - seen.size;
    outOfOrder += seqs.filter((seq, i) => i > 0 && seq <= seqs[i - 1]).length;
  }
  return { delivered, lost, repeated, outOfOrder };
}

/** Runs the mixed scenario and returns its JSON result. */
export async function benchHttpMixed(options: MixedOptions): Promise<Record<string, unknown>> {
  const home = await Deno.makeTempDir({ prefix: "omiga-bench-http-mixed-" });
  const server = await serveSubprocess(home, {
    OMIGA_RUNS_PER_MINUTE: "100000000",
    OMIGA_MAX_SUBSCRIBERS_PER_RUN: "100000",
    OMIGA_CONCURRENCY: `cpu=${options.trainings}`,
  });
  try {
    const dataset = await generateBenchDataset(server.url);
    const runIds: string[] = [];
    for (let i = 0; i < options.trainings; i++) {
      const run = await post(`${server.url}/v1/runs`, {
        workflow: "train-evaluate",
        params: { dataset: dataset.id, iterations: options.iterations, evalEpisodes: 1, seed: i },
      });
      runIds.push(String(run.id));
    }
    await Promise.all(runIds.map((id) =>
      waitForEvent(
        server.url,
        id,
        (event) => event.type === "step.progress" && event.stepId === "train",
      )
    ));
    const stop = new AbortController();
    const subscriptions = Promise.all(
      Array.from(
        { length: options.subscribers },
        (_, i) => subscribe(server.url, runIds[i % runIds.length], stop.signal),
      ),
    );
    const deadline = performance.now() + options.durationMs;
    const [reads, ...submissions] = await Promise.all([
      loadTest({
        url: `${server.url}/v1/runs/${runIds[0]}`,
        headers: auth,
        connections: options.connections,
        durationMs: options.durationMs,
        client: "raw",
      }),
      ...Array.from({ length: options.submitters }, () => submitLoop(server.url, deadline)),
    ]);
    const stillTraining = await Promise.all(runIds.map(async (id) => {
      const run = await (await fetch(`${server.url}/v1/runs/${id}`, { headers: auth })).json();
      return run.steps.some((s: { stepId: string; state: string }) =>
        s.stepId === "train" && s.state === "running"
      );
    }));
    for (const id of runIds) await post(`${server.url}/v1/runs/${id}/cancel`, {});
    const timeout = setTimeout(() => stop.abort(), 60_000);
    const subscribed = await subscriptions;
    clearTimeout(timeout);
    // A fresh replay after the end is the run's whole log.
    const logs = new Map<string, number[]>();
    for (const id of runIds) {
      logs.set(id, (await subscribe(server.url, id, new AbortController().signal)).seqs);
    }
    const submitLatencies = submissions.flatMap((s) => s.latencies);
    const submitStatuses: Record<string, number> = {};
    for (const { statuses } of submissions) {
      for (const [status, n] of Object.entries(statuses)) {
        submitStatuses[status] = (submitStatuses[status] ?? 0) + n;
      }
    }
    const serverErrors = Object.entries({ ...reads.errorKinds, ...submitStatuses })
      .filter(([kind]) => /^(status )?5\d\d$/.test(kind)).reduce((n, [, count]) => n + count, 0);
    const events = delivery(subscribed, logs);
    return {
      bench: "http",
      scenario: "mixed",
      seconds: options.durationMs / 1000,
      trainings: { runs: options.trainings, stillTrainingAtEnd: stillTraining },
      reads: {
        route: "GET /v1/runs/:id",
        connections: options.connections,
        requests: reads.requests,
        requestsPerSecond: Math.round(reads.requestsPerSecond),
        errors: reads.errorKinds,
        latencyMs: {
          p50: round(reads.latencyMs.p50),
          p99: round(reads.latencyMs.p99),
          max: round(reads.latencyMs.max),
        },
      },
      submissions: {
        route: "POST /v1/runs",
        clients: options.submitters,
        requests: submitLatencies.length,
        requestsPerSecond: Math.round(submitLatencies.length / (options.durationMs / 1000)),
        statuses: submitStatuses,
        latencyMs: summary(submitLatencies),
      },
      subscribers: {
        streams: options.subscribers,
        endedWithTheRun: subscribed.filter((s) => s.ended === "terminal").length,
        refused: subscribed.filter((s) => s.status !== 200).length,
        eventsPerRun: Object.fromEntries(
          [...logs].map(([id, log]) => [id.slice(0, 8), log.length]),
        ),
        ...events,
      },
      serverErrors,
      ok: serverErrors === 0 && events.lost === 0 && events.repeated === 0 &&
        events.outOfOrder === 0 &&
        subscribed.every((s) => s.ended === "terminal"),
      cores: navigator.hardwareConcurrency,
    };
  } finally {
    await server.stop();
    await Deno.remove(home, { recursive: true }).catch(() => {});
  }
}
