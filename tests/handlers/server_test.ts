/**
 * The real server end to end over a loopback socket: generate a dataset, submit a
 * `train-evaluate` run, follow its Server-Sent Events to the end while the engine service in
 * the same process trains it in a Worker, and download the trained policy and the report.
 */
import { assert, assertEquals } from "../assert.ts";
import { decodeSafetensors } from "../../core/checkpoint/mod.ts";
import { startServer } from "../../handlers/server.ts";
import { WorkflowStore } from "../../workflows/mod.ts";
import { withDeadline } from "../workflows/test_engine.ts";
import { parseSse, TOKEN } from "./test_app.ts";

const auth = { Authorization: `Bearer ${TOKEN}` };

async function post(url: string, body: unknown, headers: HeadersInit = {}): Promise<Response> {
  return await fetch(url, {
    method: "POST",
    headers: { ...auth, "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/** Reads an SSE response to its end, returning the messages. */
async function readEvents(response: Response) {
  assertEquals(response.status, 200);
  assertEquals(response.headers.get("content-type"), "text/event-stream");
  return parseSse(await response.text());
}

Deno.test({
  name: "over HTTP: generate a dataset, train a policy, follow its events, download it",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "omiga-server-" });
    const server = startServer({
      home,
      token: TOKEN,
      port: 0,
      hostname: "127.0.0.1",
      engine: { leaseMs: 5_000, heartbeatMs: 100, pollMs: 50 },
    });
    try {
      assertEquals((await fetch(`${server.url}/healthz`).then((r) => r.json())).status, "ok");
      const generated = await post(`${server.url}/v1/datasets/generate`, {
        env: "spread",
        tier: "medium",
        episodes: 8,
        seed: 2,
        referenceEpisodes: 4,
      });
      assertEquals(generated.status, 201);
      const dataset = await generated.json();

      const params = {
        dataset: dataset.id,
        iterations: 40,
        hiddenSize: 16,
        batchSize: 16,
        evalEpisodes: 2,
        checkpointEvery: 10,
        backend: "cpu",
      };
      const key = { "Idempotency-Key": "integration-1" };
      const submitted = await post(
        `${server.url}/v1/runs`,
        { workflow: "train-evaluate", params },
        key,
      );
      assertEquals(submitted.status, 201);
      const run = await submitted.json();
      const repeated = await post(
        `${server.url}/v1/runs`,
        { workflow: "train-evaluate", params },
        key,
      );
      assertEquals([repeated.status, (await repeated.json()).id], [200, run.id]);

      const events = await withDeadline(
        fetch(`${server.url}/v1/runs/${run.id}/events`, { headers: auth }).then(readEvents),
        240_000,
        "the run's event stream",
      );
      assertEquals(events[0].event, "run.submitted");
      assertEquals(events.at(-1)?.event, "run.succeeded", events.at(-1)?.data);
      const trainEvents = events.filter((e) => JSON.parse(e.data).stepId === "train");
      assert(
        trainEvents.filter((e) => e.event === "step.checkpoint").length >= 4,
        `training checkpoints streamed: ${events.map((e) => e.event).join(" ")}`,
      );
      const ids = events.map((e) => Number(e.id));
      assertEquals(ids, ids.map((_, i) => i + 1), "every event once, in order");

      // A client that lost the connection resumes after the last event it saw.
      const resumed = await fetch(`${server.url}/v1/runs/${run.id}/events`, {
        headers: { ...auth, "Last-Event-ID": String(ids.length - 2) },
      }).then(readEvents);
      assertEquals(resumed.map((e) => Number(e.id)), ids.slice(-2));

      const shown = await fetch(`${server.url}/v1/runs/${run.id}`, { headers: auth })
        .then((r) => r.json());
      assertEquals(shown.state, "succeeded");
      assert(shown.steps.every((s: { state: string }) => s.state === "succeeded"));

      const { artifacts } = await fetch(`${server.url}/v1/runs/${run.id}/artifacts`, {
        headers: auth,
      }).then((r) => r.json());
      const names = artifacts.map((a: { name: string }) => a.name);
      assert(names.includes("policy.safetensors") && names.includes("report.json"), names);
      const policy = await fetch(`${server.url}/v1/runs/${run.id}/artifacts/policy.safetensors`, {
        headers: auth,
      });
      assertEquals(policy.status, 200);
      const weights = new Uint8Array(await policy.arrayBuffer());
      assert(Object.keys(decodeSafetensors(weights).tensors).length >= 6, "policy layers");
      const report = await fetch(`${server.url}/v1/runs/${run.id}/artifacts/report.json`, {
        headers: auth,
      }).then((r) => r.json());
      assertEquals(report.training.iterations, 40);

      const metrics = await fetch(`${server.url}/metrics`, { headers: auth }).then((r) => r.text());
      assert(metrics.includes('omiga_runs{state="succeeded"} 1'), "runs by state");
      assert(
        metrics.includes(
          'omiga_step_duration_seconds_count{workflow="train-evaluate",step="train"',
        ),
        "step durations",
      );
    } finally {
      await server.stop();
      await Deno.remove(home, { recursive: true });
    }
  },
});

Deno.test({
  name: "stopping the server ends open event streams and leaves queued runs queued",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "omiga-server-" });
    const server = startServer({ home, token: TOKEN, port: 0, worker: false });
    try {
      const submitted = await post(`${server.url}/v1/runs`, {
        workflow: "hash-chain",
        params: { iterations: 1 },
      });
      const run = await submitted.json();
      const stream = await fetch(`${server.url}/v1/runs/${run.id}/events`, { headers: auth });
      const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
      const first = await reader.read();
      assert(first.value?.includes("event: run.submitted"), first.value);
      await withDeadline(server.stop(), 30_000, "stopping the server");
      let rest = "";
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        rest += chunk.value;
      }
      assert(!rest.includes("run.started"), "no worker ran the run");
    } finally {
      await server.stop();
    }
    using store = WorkflowStore.open({ home });
    assertEquals(store.runs.list().map((r) => r.state), ["queued"]);
    await Deno.remove(home, { recursive: true });
  },
});
