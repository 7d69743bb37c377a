/**
 * The Restate engine against a real Restate server (started by each test from the pinned npm
 * package, on free ports): train-evaluate end to end with the same policy bytes as the SQLite
 * engine; the endpoint killed with SIGKILL mid-training resumes from its checkpoint to those
 * same bytes, without rerunning finished steps; a Restate node restarted mid-training leaves the
 * running step to be adopted by the next attempt; cancelling a run stops its training Worker;
 * a step waiting for its concurrency key starts as soon as the step holding it ends.
 */
import { join } from "node:path";
import { assert, assertEquals } from "../../assert.ts";
import { z } from "zod";
import {
  defaultRegistry,
  defineWorkflow,
  Engine,
  runArtifactsDir,
  type RunEvent,
  WorkflowRegistry,
  WorkflowStore,
} from "../../../workflows/mod.ts";
import { RestateEngine } from "../../../workflows/restate/engine.ts";
import {
  freeNodePorts,
  freePort,
  type LocalRestate,
  pollUntil,
  startLocalRestate,
  waitForDeployment,
} from "../../../workflows/restate/local.ts";
import { type RunningServer, startServer } from "../../../handlers/server.ts";
import { nextEvent, TEST_ENGINE } from "../test_engine.ts";
import { mostAtOnce } from "../../../scripts/bench/sweep.ts";
import { haproxyUnavailable, startBalancer } from "../../../scripts/bench/haproxy.ts";
import { postgresUnavailable, startLocalPostgres } from "../../../scripts/bench/postgres.ts";
import { requestIdentity } from "../../../workflows/restate/identity.ts";

const TRAIN = {
  env: "spread",
  tier: "medium",
  episodes: 8,
  iterations: 120,
  hiddenSize: 32,
  batchSize: 16,
  evalEpisodes: 2,
  evalEvery: 0,
  checkpointEvery: 20,
  seed: 3,
  backend: "cpu",
};

async function withRestate(fn: (restate: LocalRestate, dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "omiga-restate-" });
  const restate = await startLocalRestate({ dir: join(dir, "restate"), ports: freeNodePorts() });
  try {
    await fn(restate, dir);
  } finally {
    await restate.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** {@link withRestate}, with a server on the Restate engine in this process as its endpoint. */
function withRestateServer(
  fn: (server: RunningServer, restate: LocalRestate, dir: string) => Promise<void>,
  limits?: Record<string, number>,
  registry?: WorkflowRegistry,
) {
  return withRestate(async (restate, dir) => {
    const server = startServer({
      port: 0,
      home: join(dir, "home"),
      ...(registry ? { registry } : {}),
      engineKind: "restate",
      engine: { ...TEST_ENGINE, ...(limits ? { limits } : {}), restate: restate.urls },
    });
    try {
      await server.ready;
      await fn(server, restate, dir);
    } finally {
      await server.stop();
    }
  });
}

const policyOf = (home: string, runId: string) =>
  Deno.readFile(join(runArtifactsDir(home, runId), "policy.safetensors"));

/** The policy of an unbroken run of `params` on the SQLite engine. */
async function sqlitePolicy(dir: string, params: Record<string, unknown>): Promise<Uint8Array> {
  const home = join(dir, "sqlite");
  using store = WorkflowStore.open({ home });
  const engine = new Engine(store, defaultRegistry(), TEST_ENGINE);
  const { run } = engine.submit("train-evaluate", params);
  assertEquals((await engine.execute(run.id)).state, "succeeded");
  return await policyOf(home, run.id);
}

/** The sweep of these tests: two cells that checkpoint often, one evaluation at the end. */
const SMALL_SWEEP = {
  preset: "smoke",
  datasets: "spread-medium",
  episodes: 8,
  algorithms: "omiga,bc",
  alphas: "10",
  seeds: 1,
  iterations: 60,
  evalEvery: 60,
  evalEpisodes: 2,
  checkpointEvery: 5,
  hiddenSize: 16,
  batchSize: 16,
  backend: "cpu",
  threads: 1,
};

/** The `table.csv` of a sweep of `params` on the SQLite engine. */
async function sqliteTable(dir: string, params: Record<string, unknown>): Promise<string> {
  using store = WorkflowStore.open({ home: join(dir, "sqlite") });
  const engine = new Engine(store, defaultRegistry(), TEST_ENGINE);
  const run = await engine.execute(engine.submit("sweep", params).run.id);
  assertEquals(run.state, "succeeded", run.error ?? "");
  return await Deno.readTextFile((run.output as { files: { tableCsv: string } }).files.tableCsv);
}

/** A `deno task serve --engine restate` process on `port`, serving `home`. */
function spawnEndpoint(
  home: string,
  port: number,
  restate: LocalRestate,
  env: Record<string, string> = {},
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/serve.ts", "--port", String(port), "--engine", "restate"],
    env: {
      OMIGA_HOME: home,
      OMIGA_RESTATE_INGRESS: restate.urls.ingress,
      OMIGA_RESTATE_ADMIN: restate.urls.admin,
      OMIGA_LEASE_MS: "5000",
      ...env,
    },
    stdout: "null",
    stderr: "piped",
  }).spawn();
}

const started = (events: RunEvent[], stepId: string) =>
  events.filter((e) => e.type === "step.started" && e.stepId === stepId).length;

Deno.test({
  name: "a step waiting for its concurrency key starts as soon as the key's step ends (its gate)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // Two 1.9 s steps of the key `cpu` under a limit of 1. Looking again by backoff alone
    // (0.25, 0.5, 1 and 2 s) the second would start 1.85 s after the first ended; woken by the
    // key's gate it starts within a few tens of ms.
    const sleep = (ms: number) => new Promise<number>((resolve) => setTimeout(resolve, ms, ms));
    const keyed = defineWorkflow({ name: "keyed", description: "test", params: z.object({}) })
      .step("a", { after: [], concurrency: "cpu", input: () => 1900, run: sleep })
      .step("b", { after: [], concurrency: "cpu", input: () => 1900, run: sleep })
      .build();
    await withRestateServer(
      async (server) => {
        const finished = await server.engine.execute(server.engine.submit("keyed", {}).run.id);
        assertEquals(finished.state, "succeeded", finished.error ?? "");
        const events = server.engine.store.events.list(finished.id, 0, 1000);
        const at = (type: string) => events.filter((e) => e.type === type).map((e) => e.time);
        const [firstEnd] = at("step.succeeded");
        const secondStart = at("step.started")[1];
        assert(secondStart >= firstEnd, "one step at a time");
        assert(
          secondStart - firstEnd < 1000,
          `the second started ${secondStart - firstEnd} ms late`,
        );
      },
      { cpu: 1 },
      new WorkflowRegistry([keyed]),
    );
  },
});

Deno.test({
  name: "a train-evaluate run driven by Restate equals the SQLite engine's, policy bytes included",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withRestateServer(async (server, _restate, dir) => {
      const engine = server.engine;
      assert(engine instanceof RestateEngine);
      const { run } = engine.submit("train-evaluate", TRAIN);
      const finished = await engine.execute(run.id);
      assertEquals(finished.state, "succeeded", finished.error ?? "");
      const events = engine.store.events.list(run.id, 0, 100_000);
      // Every step ran once, under the invocation's lease.
      for (const step of engine.store.runs.steps(run.id)) {
        assertEquals(started(events, step.stepId), 1, step.stepId);
      }
      const owner = events.find((e) => e.type === "step.started")!.payload as { owner: string };
      assert(owner.owner.startsWith("restate:inv_"), owner.owner);
      const policy = await policyOf(engine.store.home, run.id);
      assertEquals(policy, await sqlitePolicy(dir, TRAIN));
    });
  },
});

Deno.test({
  name: "the endpoint killed mid-training resumes from its checkpoint to the same policy bytes",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withRestate(async (restate, dir) => {
      const home = join(dir, "home");
      const port = freePort();
      using store = WorkflowStore.open({ home });
      // This process only submits and watches; the endpoint processes run the steps.
      const client = new RestateEngine(store, defaultRegistry(), {
        ...TEST_ENGINE,
        restate: restate.urls,
      });
      let endpoint = spawnEndpoint(home, port, restate);
      const { run } = client.submit("train-evaluate", TRAIN);
      const checkpoint = await nextEvent(
        store,
        run.id,
        (e) =>
          e.type === "step.checkpoint" && e.stepId === "train" &&
          (e.payload as { sequence: number }).sequence >= 2,
      );
      endpoint.kill("SIGKILL");
      assertEquals((await endpoint.output()).signal, "SIGKILL");
      assertEquals(store.runs.steps(run.id).find((s) => s.stepId === "train")?.state, "running");

      // A new endpoint on the same address: Restate retries the invocation there.
      endpoint = spawnEndpoint(home, port, restate);
      try {
        const restored = await nextEvent(
          store,
          run.id,
          (e) => e.type === "step.restored",
          checkpoint.seq,
        );
        assert((restored.payload as { sequence: number }).sequence >= 2);
        const finished = await client.execute(run.id);
        assertEquals(finished.state, "succeeded", finished.error ?? "");
      } finally {
        endpoint.kill("SIGTERM");
        await endpoint.output();
      }
      const events = store.events.list(run.id, 0, 100_000);
      assertEquals(started(events, "ingest"), 1, "a finished step is not run again");
      assertEquals(started(events, "train"), 2, "the killed step is taken over once");
      const takeover = events.filter((e) => e.type === "step.started" && e.stepId === "train")[1];
      assert((takeover.payload as { takeoverFrom: string | null }).takeoverFrom !== null);
      assertEquals(await policyOf(home, run.id), await sqlitePolicy(dir, TRAIN));
    });
  },
});

Deno.test({
  name:
    "a Restate node restarted mid-training: the next attempt adopts the running step, no restart",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "omiga-restate-" });
    const options = { dir: join(dir, "restate"), ports: freeNodePorts() };
    let restate = await startLocalRestate(options);
    const server = startServer({
      port: 0,
      home: join(dir, "home"),
      engineKind: "restate",
      engine: { ...TEST_ENGINE, restate: restate.urls },
    });
    try {
      await server.ready;
      const engine = server.engine;
      const params = { ...TRAIN, iterations: 400 };
      const { run } = engine.submit("train-evaluate", params);
      const first = await nextEvent(
        engine.store,
        run.id,
        (e) => e.type === "step.checkpoint" && e.stepId === "train",
      );
      // The node dies and comes back on its data: its invocations' streams to this endpoint
      // broke, and Restate drives them again from their journals.
      await restate.kill(0);
      restate = await startLocalRestate(options);
      // The step went on meanwhile: it checkpoints again under the same lease.
      await nextEvent(
        engine.store,
        run.id,
        (e) => e.type === "step.checkpoint" && e.stepId === "train",
        first.seq,
      );
      const finished = await engine.execute(run.id);
      assertEquals(finished.state, "succeeded", finished.error ?? "");
      const events = engine.store.events.list(run.id, 0, 100_000);
      assertEquals(started(events, "train"), 1, "the step was adopted, not started again");
      assertEquals(events.filter((e) => e.type === "step.restored").length, 0);
      assertEquals(await policyOf(engine.store.home, run.id), await sqlitePolicy(dir, params));
    } finally {
      await server.stop();
      await restate.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name:
    "cancelling a run driven by Restate stops its training Worker and ends the invocation; a resume finishes it",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withRestateServer(async (server, restate, dir) => {
      const engine = server.engine;
      const params = { ...TRAIN, iterations: 400 };
      const { run } = engine.submit("train-evaluate", params);
      await nextEvent(
        engine.store,
        run.id,
        (e) => e.type === "step.checkpoint" && e.stepId === "train",
      );
      engine.cancel(run.id, "enough");
      const released = await nextEvent(
        engine.store,
        run.id,
        (e) => e.stepId === "train" && (e.type === "step.released" || e.type === "step.cancelled"),
      );
      assert(released !== undefined);
      assertEquals(engine.store.runs.get(run.id).state, "cancelled");
      const train = engine.store.runs.steps(run.id).find((s) => s.stepId === "train")!;
      assert(train.state !== "running", train.state);
      // The invocation ends: Restate reports it completed.
      let statuses: string[] = [];
      await pollUntil(
        async () => {
          const response = await fetch(`${restate.urls.admin}/query`, {
            method: "POST",
            headers: { "content-type": "application/json", accept: "application/json" },
            body: JSON.stringify({
              query: `SELECT status FROM sys_invocation WHERE target_service_key = '${run.id}'`,
            }),
          });
          const body = await response.json() as { rows: { status: string }[] };
          statuses = body.rows.map((r) => r.status);
          return statuses.length > 0 && statuses.every((status) => status === "completed");
        },
        30_000,
        () => new Error(`the invocation did not end: ${JSON.stringify(statuses)}`),
      );
      // A resume is a new invocation, and the step continues from its checkpoint.
      const resumedAt = engine.store.events.list(run.id, 0, 100_000).at(-1)!.seq;
      engine.resume(run.id);
      const finished = await engine.execute(run.id);
      assertEquals(finished.state, "succeeded", finished.error ?? "");
      const restored = engine.store.events.list(run.id, resumedAt, 100_000)
        .filter((e) => e.type === "step.restored" && e.stepId === "train");
      assertEquals(restored.length, 1, "the training step resumed from its checkpoint");
      assertEquals(await policyOf(engine.store.home, run.id), await sqlitePolicy(dir, params));
    });
  },
});

Deno.test({
  name: "a sweep driven by Restate, cells side by side, writes the SQLite engine's table bytes",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const params = { ...SMALL_SWEEP, iterations: 10, evalEvery: 10 };
    const tableOf = async (engine: Engine) => {
      const { run } = engine.submit("sweep", params);
      const finished = await engine.execute(run.id);
      assertEquals(finished.state, "succeeded", finished.error ?? "");
      const files = (finished.output as { files: { tableCsv: string; cellsCsv: string } }).files;
      const events = engine.store.events.list(run.id, 0, 100_000);
      return {
        table: await Deno.readFile(files.tableCsv),
        cells: await Deno.readFile(files.cellsCsv),
        most: mostAtOnce(events, "cell/"),
      };
    };
    await withRestateServer(async (server, _restate, dir) => {
      const onRestate = await tableOf(server.engine);
      assertEquals(onRestate.most, 2, "the driver runs the two cells side by side");
      using store = WorkflowStore.open({ home: join(dir, "sqlite") });
      const onSqlite = await tableOf(
        new Engine(store, defaultRegistry(), { ...TEST_ENGINE, limits: { cpu: 1 } }),
      );
      assertEquals(
        new TextDecoder().decode(onRestate.table),
        new TextDecoder().decode(onSqlite.table),
      );
      assertEquals(onRestate.cells, onSqlite.cells);
    }, { cpu: 2 });
  },
});

Deno.test({
  name:
    "on a 3-node Restate cluster, a sweep survives killing its endpoint and a node: no finished cell reruns, same table",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const params = SMALL_SWEEP;
    const dir = await Deno.makeTempDir({ prefix: "omiga-restate-cluster-" });
    const cluster = await startLocalRestate({
      dir: join(dir, "restate"),
      nodes: 3,
      ports: freeNodePorts(3),
    });
    try {
      const home = join(dir, "home");
      const port = freePort();
      using store = WorkflowStore.open({ home });
      // The client submits through node 2; the endpoint registers through node 1, later node 3.
      const client = new RestateEngine(store, defaultRegistry(), {
        ...TEST_ENGINE,
        restate: cluster.nodes[1].urls,
      });
      const spawn = (via: number) =>
        spawnEndpoint(home, port, { ...cluster, urls: cluster.nodes[via].urls }, {
          OMIGA_CONCURRENCY: "cpu=1", // one cell at a time, so that one has finished at the kill
        });
      let endpoint = spawn(0);
      const stopEndpoint = async () => {
        try {
          endpoint.kill("SIGKILL");
        } catch {
          // Already gone.
        }
        await endpoint.output();
      };
      try {
        const { run } = client.submit("sweep", params);
        const cells = ["cell/spread-medium/omiga/a10/s0", "cell/spread-medium/bc/s0"];
        const finished = await nextEvent(
          store,
          run.id,
          (e) => e.type === "step.succeeded" && cells.includes(e.stepId ?? ""),
        );
        const second = cells.find((id) => id !== finished.stepId)!;
        const checkpoint = await nextEvent(
          store,
          run.id,
          (e) => e.type === "step.checkpoint" && e.stepId === second,
          finished.seq,
        );
        await stopEndpoint();
        await cluster.kill(0);

        endpoint = spawn(2);
        await nextEvent(store, run.id, (e) => e.type === "step.restored", checkpoint.seq);
        const done = await client.execute(run.id);
        assertEquals(done.state, "succeeded", done.error ?? "");
        const events = store.events.list(run.id, 0, 100_000);
        // A finished cell never starts again (Restate may re-drive an invocation while a young
        // cluster moves partition leaders, which restarts a running step from its checkpoint).
        const again = events.filter((e) =>
          e.stepId === finished.stepId && e.seq > finished.seq && e.type === "step.started"
        );
        assertEquals(again, [], "the finished cell did not run again");
        assertEquals(
          events.filter((e) => e.stepId === finished.stepId && e.type === "step.succeeded").length,
          1,
        );
        const takeovers = events.filter((e) =>
          e.stepId === second && e.seq > checkpoint.seq && e.type === "step.started"
        );
        assert(takeovers.length >= 1, "the interrupted cell was taken over");
        const output = store.runs.get(run.id).output as { files: { tableCsv: string } };
        const table = await Deno.readTextFile(output.files.tableCsv);

        assertEquals(table, await sqliteTable(dir, params));
      } finally {
        await stopEndpoint();
      }
    } finally {
      await cluster.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name:
    "two endpoints with separate homes behind a load balancer share one sweep's cells; killing one and a node loses no finished cell",
  ignore: haproxyUnavailable() || postgresUnavailable(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const params = { ...SMALL_SWEEP, algorithms: "omiga,omiga-local,bc" };
    const dir = await Deno.makeTempDir({ prefix: "omiga-restate-endpoints-" });
    const postgres = await startLocalPostgres();
    const cluster = await startLocalRestate({
      dir: join(dir, "restate"),
      nodes: 3,
      ports: freeNodePorts(3),
    });
    const [lbPort, port1, port2] = [freePort(), freePort(), freePort()];
    const balancer = await startBalancer(dir, lbPort, [port1, port2]);
    // Three machines: two endpoints and the client, each with its own home; they share the
    // store (PostgreSQL) and the artifacts root (a shared directory here, NFS or the like on
    // real machines).
    const url = postgres.database();
    const artifacts = join(dir, "shared");
    // Both endpoints register the balancer's address and talk to node 2; the client to node 3;
    // node 1 is the one killed.
    const spawn = (port: number) =>
      spawnEndpoint(join(dir, `endpoint-${port}`), port, {
        ...cluster,
        urls: cluster.nodes[1].urls,
      }, {
        OMIGA_RESTATE_ENDPOINT: `${balancer.url}/restate`,
        OMIGA_CONCURRENCY: "cpu=2",
        OMIGA_STORE: url,
        OMIGA_ARTIFACTS: artifacts,
      });
    const endpoints = new Map<number, Deno.ChildProcess>();
    const ports = new Map<number, number>();
    try {
      for (const port of [port1, port2]) {
        const endpoint = spawn(port);
        endpoints.set(endpoint.pid, endpoint);
        ports.set(endpoint.pid, port);
      }
      using store = WorkflowStore.open({ home: join(dir, "client"), url, artifacts });
      await waitForDeployment(cluster.nodes[1].urls.admin, `${balancer.url}/restate`);
      const client = new RestateEngine(store, defaultRegistry(), {
        ...TEST_ENGINE,
        restate: cluster.nodes[2].urls,
      });
      const { run } = client.submit("sweep", params);
      const isCell = (e: RunEvent) => (e.stepId ?? "").startsWith("cell/");
      const finished = await nextEvent(
        store,
        run.id,
        (e) => e.type === "step.succeeded" && isCell(e),
      );
      // The API of either endpoint answers for a run the client submitted.
      for (const port of [port1, port2]) {
        const response = await fetch(`http://127.0.0.1:${port}/v1/runs/${run.id}`);
        const body = await response.json() as { id: string; state: string };
        assertEquals([response.status, body.id, body.state], [200, run.id, "running"]);
      }
      const checkpoint = await nextEvent(
        store,
        run.id,
        (e) => e.type === "step.checkpoint" && isCell(e) && e.stepId !== finished.stepId,
        finished.seq,
      );
      // Kill the endpoint that runs the checkpointed cell, and a Restate node.
      const running = store.runs.steps(run.id).find((s) => s.stepId === checkpoint.stepId)!;
      const pid = pidOf(running.leaseOwner!);
      const victim = endpoints.get(pid)!;
      victim.kill("SIGKILL");
      await victim.output();
      endpoints.delete(pid);
      await cluster.kill(0);

      const done = await client.execute(run.id);
      assertEquals(done.state, "succeeded", done.error ?? "");
      const events = store.events.list(run.id, 0, 100_000);
      const starts = events.filter((e) => e.type === "step.started");
      const processes = new Set(
        starts.filter((e) => e.seq < checkpoint.seq)
          .map((e) => pidOf((e.payload as { owner: string }).owner)),
      );
      assertEquals(processes.size, 2, "both endpoints ran steps of the one sweep");
      const again = starts.filter((e) => e.stepId === finished.stepId && e.seq > finished.seq);
      assertEquals(again, [], "the finished cell did not run again");
      const takeover = starts.find((e) => e.stepId === checkpoint.stepId && e.seq > checkpoint.seq);
      assert(takeover !== undefined, "the killed endpoint's cell was taken over");
      assert(pidOf((takeover.payload as { owner: string }).owner) !== pid, "by the other endpoint");
      assert(
        events.some((e) =>
          e.type === "step.restored" && e.stepId === checkpoint.stepId && e.seq > takeover.seq
        ),
        "from its checkpoint",
      );

      const output = done.output as { files: { tableCsv: string } };
      const table = await Deno.readTextFile(output.files.tableCsv);
      assertEquals(table, await sqliteTable(dir, params));
      // The surviving endpoint serves the table from the shared artifacts root.
      const survivor = ports.get([...endpoints.keys()][0])!;
      const name = output.files.tableCsv.slice(runArtifactsDir(artifacts, run.id).length + 1);
      const served = await fetch(
        `http://127.0.0.1:${survivor}/v1/runs/${run.id}/artifacts/${name}`,
      );
      assertEquals([served.status, await served.text()], [200, table]);
    } finally {
      for (const endpoint of endpoints.values()) {
        endpoint.kill("SIGKILL");
        await endpoint.output();
      }
      await balancer.stop();
      await cluster.stop();
      await postgres.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

/** The process id in a Restate lease owner (`restate:<inv>:<attempt>@<host>:<pid>:<suffix>`). */
function pidOf(owner: string): number {
  return Number(owner.split("@")[1].split(":")[1]);
}

Deno.test({
  name:
    "with a request identity, the endpoint answers Restate's signed requests and refuses unsigned ones",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "omiga-restate-identity-" });
    const identity = await requestIdentity(join(dir, "keys"));
    assert(identity.publicKey.startsWith("publickeyv1_"), identity.publicKey);
    const other = await requestIdentity(join(dir, "other-keys"));
    const restate = await startLocalRestate({
      dir: join(dir, "restate"),
      ports: freeNodePorts(),
      identityKeyFile: identity.privateKeyFile,
    });
    const serverWith = (keys: string[], name: string) =>
      startServer({
        port: 0,
        home: join(dir, name),
        engineKind: "restate",
        restateIdentityKeys: keys,
        engine: { ...TEST_ENGINE, restate: restate.urls },
      });
    try {
      const server = serverWith([identity.publicKey], "home");
      try {
        await server.ready; // Restate's signed discovery was accepted
        const unsigned = await fetch(`${server.url}/restate/discover`, {
          headers: { accept: "application/vnd.restate.endpointmanifest.v3+json" },
        });
        await unsigned.body?.cancel();
        assertEquals(unsigned.status, 401);
        const { run } = server.engine.submit("hash-chain", { iterations: 50 });
        assertEquals((await server.engine.execute(run.id)).state, "succeeded");
      } finally {
        await server.stop();
      }
      // An endpoint that trusts another key refuses Restate's requests: registration fails.
      const stranger = serverWith([other.publicKey], "other-home");
      try {
        const refused = await stranger.ready.then(() => undefined, (error: Error) => error);
        assert(refused !== undefined, "registration should fail");
        assert(refused.message.includes("401"), refused.message);
      } finally {
        await stranger.stop();
      }
    } finally {
      await restate.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
