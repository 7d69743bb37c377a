/**
 * The workflow store on PostgreSQL (a server each test file starts from Debian's binaries):
 * the same answers as the SQLite store for one scripted history of runs, steps, events,
 * schedules, limits and policies; a workflow end to end; two worker processes with separate
 * homes, one database and one artifacts root share a concurrency limit and a run's steps;
 * a worker killed mid-step is taken over from the shared checkpoint; the schema is applied once
 * when many connections open a new database at once; an unreachable or restarted server.
 */
import { join } from "node:path";
import { assert, assertEquals, assertThrows } from "../../assert.ts";
import {
  chainStepId,
  defaultRegistry,
  stepCheckpointDir,
  WorkflowStore,
} from "../../../workflows/mod.ts";
import { chainDigest } from "../../../workflows/demo/hash_chain_body.ts";
import { chainStarts } from "../../../workflows/demo/hash_chain.ts";
import { PostgresDatabase, StoreUnavailableError } from "../../../workflows/store/postgres.ts";
import { migrate, SchemaVersionError } from "../../../workflows/store/migrations.ts";
import { MIGRATIONS } from "../../../workflows/store/migrations.ts";
import type { RunEvent } from "../../../workflows/store/records.ts";
import {
  type LocalPostgres,
  postgresUnavailable,
  startLocalPostgres,
} from "../../../scripts/bench/postgres.ts";
import { eventsOf, nextEvent, openTestEngine, spawnWorker, withDeadline } from "../test_engine.ts";
import { openTestApp } from "../../handlers/test_app.ts";

const ignore = postgresUnavailable();

/** One server for the whole file, started by the first test that needs it. */
let server: Promise<LocalPostgres> | undefined;
const postgres = () => server ??= startLocalPostgres();

/** Runs `fn` with a fresh database; the last test of the file stops the server. */
function pgTest(name: string, fn: (url: string, pg: LocalPostgres) => Promise<void> | void) {
  Deno.test({
    name,
    ignore,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const pg = await postgres();
      await fn(pg.database(), pg);
    },
  });
}

/**
 * A history of store calls at fixed times, returning what each call answered: run on both
 * dialects, it must give the same log.
 */
function history(store: WorkflowStore): unknown[] {
  const log: unknown[] = [];
  const note = (what: string, value: unknown) => log.push([what, value]);
  const attempt = (what: string, fn: () => unknown) => {
    try {
      note(what, fn());
    } catch (error) {
      note(what, `${(error as Error).name}: ${(error as Error).message}`);
    }
  };
  const t = 1_700_000_000_000;
  const step = (stepId: string, after: string[] = [], key?: string) => ({
    stepId,
    after,
    maxAttempts: 2,
    ...(key ? { concurrencyKey: key } : {}),
  });
  const submit = (id: string, idempotencyKey: string | null, hash = "h1") =>
    store.runs.insert({
      id,
      workflow: "w",
      params: { id, nested: { list: [1, 2.5, "x"] } },
      requestHash: hash,
      idempotencyKey,
      steps: [step("a"), step("b", ["a"], "cpu"), step("c", ["a"], "cpu"), step("d", ["b", "c"])],
    }, t);
  note("insert", submit("run-0001", "key-1"));
  note("insert again", submit("run-0002", "key-1"));
  attempt("insert conflicting", () => submit("run-0003", "key-1", "h2"));
  note("insert second", submit("run-0004", null).created);
  note("insert third", submit("run-0005", null).created);
  attempt("resolve prefix", () => store.runs.resolveId("run-0"));
  note("resolve exact", store.runs.resolveId("run-0004"));
  attempt("resolve missing", () => store.runs.resolveId("zzzz"));
  store.limits.set("cpu", 1, t);
  note("limits", store.limits.list());
  const claim = (owner: string, now: number, runId?: string) => {
    const claimed = store.steps.claim({
      owner,
      now,
      leaseMs: 1000,
      limitOf: (key) => store.limits.byKey().get(key) ?? 1,
      workflows: ["w"],
      ...(runId ? { runId } : {}),
    });
    return claimed === null ? null : [claimed.run.id, claimed.step.stepId, claimed.step.attempt];
  };
  note("claim 1", claim("o1", t + 1, "run-0001"));
  note("ready", store.steps.readySteps(["w"]).map(({ run, step }) => `${run.id}/${step.stepId}`));
  note("heartbeat", store.steps.heartbeat("run-0001", "a", "o1", 1000, t + 2));
  note("heartbeat wrong owner", store.steps.heartbeat("run-0001", "a", "o2", 1000, t + 2));
  note("succeed a", store.steps.succeed("run-0001", "a", "o1", { out: 1 }, t + 3));
  store.steps.setInput("run-0001", "b", { from: "a", values: [1, 2] });
  note("claim 2", claim("o1", t + 4, "run-0001"));
  note("claim 3 (key full)", claim("o2", t + 5, "run-0001"));
  note("next wake", store.steps.nextWakeAt(["w"], t + 5, "run-0001"));
  note(
    "retry b",
    store.steps.retryLater("run-0001", "b", "o1", { message: "m", code: "c" }, 50, t + 6),
  );
  note("claim before retry", claim("o2", t + 7, "run-0001"));
  note("claim after retry", claim("o2", t + 60, "run-0001"));
  note("takeover after expiry", claim("o3", t + 2000, "run-0001"));
  note("release aborted", store.steps.releaseAborted("run-0001", "b", "o3", "stop", t + 2001));
  note("claim b again", claim("o1", t + 2002, "run-0001"));
  note("succeed b", store.steps.succeed("run-0001", "b", "o1", { out: 2 }, t + 2003));
  note("claim c", claim("o1", t + 2004, "run-0001"));
  note("fail c", store.steps.fail("run-0001", "c", "o1", { message: "bad", code: "x" }, t + 2005));
  note("steps", store.runs.steps("run-0001"));
  note("run", store.runs.get("run-0001"));
  note("resume", store.runs.resume("run-0001", t + 2006).state);
  note("resumed steps", store.runs.steps("run-0001").map((s) => [s.stepId, s.state, s.attempt]));
  store.runs.annotate("run-0001", "backend", { name: "cpu", threads: 2 }, t + 2007);
  store.runs.annotate("run-0001", "note", "first", t + 2008);
  store.runs.annotate("run-0001", "backend", { name: "wasm" }, t + 2009);
  note("annotations", store.runs.get("run-0001").annotations);
  note("cancel", store.runs.cancel("run-0004", t + 2010, "test").state);
  attempt("cancel again", () => store.runs.cancel("run-0004", t + 2011));
  note("counts", store.runs.countByState());
  note("active", [store.runs.activeCount(["w"]), store.runs.activeCount(["w"], "run-0004")]);
  note("list", store.runs.list({ state: "queued" }).map((run) => run.id));
  const first = store.runs.page({ limit: 1 });
  note("page", [first.runs.map((run) => run.id), first.next === store.runs.positionOf("run-0005")]);
  note("page 2", store.runs.page({ limit: 5, before: first.next! }).runs.map((run) => run.id));
  note("finished", store.steps.finishedBetween(t, t + 10_000).map((s) => [s.stepId, s.state]));
  const events = store.events.list("run-0001").map((e) => ({ ...e, time: 0 }));
  note("events", events);
  note("latest", { ...store.events.latest("run-0001", "step.started"), time: 0 });
  note("events after", store.events.list("run-0001", 5, 3).map((e) => e.seq));
  store.schedules.insert({
    id: "nightly",
    cron: "0 3 * * *",
    workflow: "w",
    params: { a: 1 },
    nextRunAt: t + 100,
  }, t);
  store.schedules.insert({
    id: "weekly",
    cron: "0 3 * * 1",
    timezone: "Europe/Paris",
    workflow: "w",
    params: {},
    nextRunAt: t + 50,
    enabled: false,
  }, t);
  note("due", store.schedules.due(t + 200).map((s) => s.id));
  note("next due", store.schedules.nextDueAt());
  note("advance", store.schedules.advance("nightly", t + 100, t + 1000, "run-0005", t + 101));
  note("advance twice", store.schedules.advance("nightly", t + 100, t + 1000, null, t + 102));
  note("schedule", store.schedules.get("nightly"));
  note("enable", store.schedules.setEnabled("weekly", true, t + 103).enabled);
  note("schedules", store.schedules.list().map((s) => [s.id, s.nextRunAt, s.enabled]));
  attempt("remove missing schedule", () => store.schedules.remove("none"));
  note("has", [store.schedules.has("nightly"), store.schedules.has("none")]);
  store.schedules.remove("weekly");
  note("removed", store.schedules.list().map((s) => s.id));
  note("remove limit", [store.limits.remove("cpu"), store.limits.remove("cpu")]);
  const register = (runId: string, score: number) =>
    store.policies.register({
      name: "spread",
      runId,
      metrics: { score, teamReturn: score, weightEss: 0.5 } as never,
      lineage: { datasetId: "d", contentHash: "c", runId } as never,
      files: { policy: `policies/spread/${runId}/policy.safetensors` } as never,
      evaluationHash: "e",
      tolerance: 1,
    }, t + 3000);
  note("register 1", register("run-0001", 10));
  note("register 2 (worse)", register("run-0004", 5));
  note("register 3 (better)", register("run-0005", 12));
  note("register 1 again", register("run-0001", 10).version);
  note("promote", store.policies.promote("spread", 2, "by hand", t + 3001));
  note("rollback", store.policies.rollback("spread", "back", t + 3002));
  attempt("promote latest", () => store.policies.promote("spread", 3, "x", t + 3003));
  note("policies", store.policies.list());
  note("versions", store.policies.versions("spread").map((v) => [v.version, v.latest]));
  note("policy events", store.policies.events("spread"));
  attempt("missing policy", () => store.policies.get("none"));
  note("version", [store.policies.version("spread"), store.policies.version("spread", 1)]);
  attempt("missing version", () => store.policies.version("spread", 9));
  note("by run", [store.policies.byRun("run-0005")?.version, store.policies.byRun("none")]);
  return log;
}

pgTest("the store on PostgreSQL answers a history of calls exactly as the SQLite store", (url) => {
  const home = Deno.makeTempDirSync();
  try {
    using sqlite = WorkflowStore.open({ home });
    using postgres = WorkflowStore.open({ home, url });
    assertEquals(postgres.dialect, "postgres");
    const expected = history(sqlite);
    // A failed run, a cancel, retries and rollbacks all happened: the history is not trivial.
    assert(JSON.stringify(expected).includes("IdempotencyConflictError"));
    assertEquals(history(postgres), expected);
  } finally {
    Deno.removeSync(home, { recursive: true });
  }
});

pgTest(
  "a workflow runs end to end on PostgreSQL, its events followed from a second store",
  async (url) => {
    using t = openTestEngine(defaultRegistry(), {}, undefined, true, url);
    t.store.limits.set("cpu", 2);
    const params = { chains: 3, iterations: 40, roundsPerIteration: 2_000, checkpointEvery: 10 };
    const { run } = t.engine.submit("hash-fan", params);
    // Another connection (another machine, say) follows the run's log as it is written.
    using reader = WorkflowStore.open({ home: Deno.makeTempDirSync(), url });
    const followed: RunEvent[] = [];
    const following = (async () => {
      for await (const event of reader.events.follow(run.id, { pollMs: 20 })) followed.push(event);
    })();
    const finished = await t.engine.execute(run.id);
    assertEquals(finished.state, "succeeded", finished.error ?? "");
    await following;
    assertEquals(
      followed.map((e) => e.seq),
      t.store.events.list(run.id, 0, 10_000).map((e) => e.seq),
    );
    assertEquals(followed.at(-1)?.type, "run.succeeded");
    const expected = chainStarts(0, 3).map((start) =>
      chainDigest({ start, iterations: 40, roundsPerIteration: 2_000 })
    );
    assertEquals((finished.output as { digests: string[] }).digests, expected);
    assertEquals(reader.runs.get(run.id).state, "succeeded");
  },
);

pgTest(
  "two worker processes with separate homes on one database hold its limit and keep every file in the shared root",
  async (url) => {
    const root = await Deno.makeTempDir({ prefix: "omiga-pg-homes-" });
    const artifacts = join(root, "shared");
    const env = { OMIGA_STORE: url, OMIGA_ARTIFACTS: artifacts };
    try {
      using t = openTestEngine(defaultRegistry(), {}, join(root, "client"), false, url);
      t.store.limits.set("cpu", 1);
      const params = { chains: 4, iterations: 60, roundsPerIteration: 20_000, checkpointEvery: 20 };
      const { run } = t.engine.submit("hash-fan", params);
      const workers = [
        spawnWorker(join(root, "machine-1"), "piped", env),
        spawnWorker(join(root, "machine-2"), "piped", env),
      ];
      const outputs = await Promise.all(workers.map((w) => w.output()));
      for (const output of outputs) {
        assertEquals(output.code, 0, new TextDecoder().decode(output.stderr));
      }
      assertEquals(t.store.runs.get(run.id).state, "succeeded");
      // No two chains held the key at once, whichever process ran them.
      const events = t.store.events.list(run.id, 0, 100_000);
      const spans = Array.from({ length: params.chains }, (_, i) => {
        const id = chainStepId(i);
        const start = events.find((e) => e.type === "step.started" && e.stepId === id)!;
        const end = events.find((e) => e.type === "step.succeeded" && e.stepId === id)!.seq;
        return { id, start: start.seq, end, owner: (start.payload as { owner: string }).owner };
      }).sort((a, b) => a.start - b.start);
      for (let i = 1; i < spans.length; i++) {
        assert(spans[i].start > spans[i - 1].end, `overlap: ${JSON.stringify(spans)}`);
      }
      // The step files are in the shared root, none in a machine's home.
      for (let i = 0; i < params.chains; i++) {
        const files = [...Deno.readDirSync(stepCheckpointDir(artifacts, run.id, chainStepId(i)))];
        assert(files.length > 0, `chain ${i} checkpointed into the shared root`);
      }
      for (const machine of ["machine-1", "machine-2"]) {
        const names = [...Deno.readDirSync(join(root, machine))].map((entry) => entry.name);
        assert(!names.includes("state.db") && !names.includes("runs"), names.join(", "));
      }
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
);

pgTest(
  "a worker killed mid-step on one machine is taken over on another from the shared checkpoint",
  async (url) => {
    const root = await Deno.makeTempDir({ prefix: "omiga-pg-takeover-" });
    const env = { OMIGA_STORE: url, OMIGA_ARTIFACTS: join(root, "shared") };
    try {
      using t = openTestEngine(defaultRegistry(), {}, join(root, "client"), false, url);
      const params = {
        chains: 1,
        iterations: 3_000,
        roundsPerIteration: 20_000,
        checkpointEvery: 20,
      };
      const { run } = t.engine.submit("hash-fan", params);
      const first = spawnWorker(join(root, "machine-1"), "null", env);
      await nextEvent(t.store, run.id, (e) => e.type === "step.checkpoint", 0, 120_000);
      first.kill("SIGKILL");
      await first.status;
      const second = spawnWorker(join(root, "machine-2"), "piped", env);
      const output = await second.output();
      assertEquals(output.code, 0, new TextDecoder().decode(output.stderr));
      const done = t.store.runs.get(run.id);
      assertEquals(done.state, "succeeded", done.error ?? "");
      const resumed = (done.output as { resumedFrom: number[] }).resumedFrom;
      assert(resumed[0] > 0, "the chain resumed from its checkpoint");
      assertEquals(eventsOf(t.store, run.id, "step.restored").length, 1);
      assertEquals(
        (done.output as { digests: string[] }).digests,
        [chainDigest({
          start: chainStarts(0, 1)[0],
          iterations: 3_000,
          roundsPerIteration: 20_000,
        })],
      );
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
);

pgTest("many connections opening a new database apply the schema once", async (url) => {
  const opened = await Promise.all(Array.from({ length: 4 }, async () => {
    const command = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `import { WorkflowStore } from "${new URL("../../../workflows/mod.ts", import.meta.url)}";
         const store = WorkflowStore.open({ home: Deno.makeTempDirSync(), url: Deno.args[0] });
         console.log(store.runs.list().length); store.close();`,
        url,
      ],
      stdout: "piped",
      stderr: "piped",
    });
    return await command.output();
  }));
  for (const output of opened) {
    assertEquals(output.code, 0, new TextDecoder().decode(output.stderr));
    assertEquals(new TextDecoder().decode(output.stdout).trim(), "0");
  }
  const db = new PostgresDatabase(url);
  try {
    assertEquals(db.prepare("SELECT version FROM schema_version").all(), [{
      version: MIGRATIONS.length,
    }]);
    assertEquals(migrate(db), []);
    db.exec(`UPDATE schema_version SET version = ${MIGRATIONS.length + 1}`);
    assertThrows(() => migrate(db), SchemaVersionError, "upgrade omiga-flow");
  } finally {
    db.close();
  }
});

pgTest(
  "a write waits for the write lock of another process's transaction, then gives up as busy",
  (url) => {
    const holder = new PostgresDatabase(url);
    const waiter = new PostgresDatabase(url, { lockTimeoutMs: 300 });
    try {
      migrate(holder);
      holder.exec("BEGIN IMMEDIATE");
      const write = () =>
        waiter.prepare(
          "INSERT INTO concurrency_limits (key, max_running, updated_at) VALUES (?, ?, ?)",
        )
          .run("gpu", 1, 0);
      assertThrows(write, StoreUnavailableError, "busy: no write lock within 300 ms");
      holder.exec("ROLLBACK");
      assertEquals(write().changes, 1);
      assertEquals(holder.prepare("SELECT key FROM concurrency_limits").all(), [{ key: "gpu" }]);
    } finally {
      holder.close();
      waiter.close();
    }
  },
);

pgTest("a store whose server is down says so, naming it without its password", async (_url, pg) => {
  const port = new URL(pg.url).port;
  const home = Deno.makeTempDirSync();
  // Nothing listens on port 1.
  const error = assertThrows(
    () => WorkflowStore.open({ home, url: "postgres://omiga:secret@127.0.0.1:1/omiga" }),
    StoreUnavailableError,
    "cannot be reached",
  );
  assert(!error.message.includes("secret"), error.message);
  assert(error.message.includes("postgres://omiga:***@127.0.0.1:1/omiga"), error.message);
  assertThrows(
    () => WorkflowStore.open({ home, url: "mysql://x" }),
    Error,
    'OMIGA_STORE must be "sqlite" or a postgres:// URL',
  );
  // A server that restarts: the next call after it is back reconnects.
  const url = pg.database();
  using store = WorkflowStore.open({ home, url });
  assertEquals(store.runs.list(), []);
  await pg.restart();
  assertEquals(new URL(pg.url).port, port);
  let answered = false;
  for (let tries = 0; tries < 3 && !answered; tries++) {
    try {
      assertEquals(store.runs.list(), []);
      answered = true;
    } catch (error) {
      assert(error instanceof StoreUnavailableError, String(error));
    }
  }
  assert(answered, "the store reconnected after the restart");
  Deno.removeSync(home, { recursive: true });
});

pgTest(
  "the API answers 503 while its store's server is down, and loses nothing",
  async (url, pg) => {
    using t = openTestApp({}, url);
    const { run } = t.engine.submit("hash-chain", { iterations: 5 });
    await pg.kill();
    try {
      const response = await t.call("/v1/runs");
      const body = await response.json() as { error: { code: string; message: string } };
      assertEquals([response.status, body.error.code], [503, "store_unavailable"]);
      assert(body.error.message.includes(new URL(url).host), body.error.message);
    } finally {
      await pg.start();
    }
    // The first call after the restart may still meet the old connection's end.
    let listed: string[] | undefined;
    for (let tries = 0; tries < 3 && listed === undefined; tries++) {
      const response = await t.call("/v1/runs");
      const body = await response.json() as { runs: { id: string }[] };
      if (response.status === 200) listed = body.runs.map((r) => r.id);
    }
    assertEquals(listed, [run.id]);
  },
);

pgTest(
  "an idle connection closes its Worker, so a store nobody closed lets its process exit",
  async (url) => {
    // The child never closes its connection; it asks again after the Worker has closed itself.
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `import { PostgresDatabase } from "${new URL(
          "../../../workflows/store/postgres.ts",
          import.meta.url,
        )}";
       const db = new PostgresDatabase(Deno.args[0], { idleMs: 100 });
       console.log(db.prepare("SELECT 1 AS one").get().one);
       await new Promise((resolve) => setTimeout(resolve, 400));
       console.log(db.prepare("SELECT 2 AS two").get().two);`,
        url,
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const output = await withDeadline(child.output(), 60_000, "the child's exit");
    assertEquals(output.code, 0, new TextDecoder().decode(output.stderr));
    assertEquals(new TextDecoder().decode(output.stdout).trim().split("\n"), ["1", "2"]);
  },
);

Deno.test({
  name: "the PostgreSQL server of these tests stops",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    if (server !== undefined) await (await server).stop();
  },
});
