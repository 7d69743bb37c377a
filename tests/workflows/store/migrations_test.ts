import { DatabaseSync } from "node:sqlite";
import { SqliteDatabase } from "../../../workflows/store/sql.ts";
import { assertEquals, assertThrows } from "../../assert.ts";
import {
  migrate,
  MIGRATIONS,
  schemaVersion,
  stateDbPath,
  WorkflowStore,
} from "../../../workflows/mod.ts";
import { SchemaVersionError } from "../../../workflows/store/migrations.ts";

Deno.test("opening a store migrates an existing older database and keeps its rows", () => {
  const home = Deno.makeTempDirSync();
  const old = new SqliteDatabase(stateDbPath(home));
  assertEquals(migrate(old, MIGRATIONS.slice(0, 1)), [1]);
  old.prepare(
    `INSERT INTO runs (id, workflow, params, state, request_hash, created_at, updated_at)
     VALUES ('r1', 'hash-chain', '{"seed":1}', 'succeeded', 'h', 1, 2)`,
  ).run();
  old.close();

  const store = WorkflowStore.open({ home });
  const run = store.runs.get("r1");
  assertEquals(run.params, { seed: 1 });
  assertEquals(run.scheduleId, null);
  assertEquals(store.schedules.list(), []);
  store.close();

  const db = new SqliteDatabase(stateDbPath(home));
  assertEquals(schemaVersion(db), MIGRATIONS.length);
  assertEquals(migrate(db), []);
  db.close();
  Deno.removeSync(home, { recursive: true });
});

Deno.test("migrations are numbered in order from 1", () => {
  assertEquals(MIGRATIONS.map((m) => m.version), MIGRATIONS.map((_, i) => i + 1));
});

Deno.test("a database from a newer version is refused with a clear message", () => {
  const db = new SqliteDatabase(":memory:");
  db.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
  assertThrows(() => migrate(db), SchemaVersionError, "upgrade omiga-flow");
  db.close();
});

Deno.test("the store file is in WAL mode", () => {
  const home = Deno.makeTempDirSync();
  WorkflowStore.open({ home }).close();
  const db = new DatabaseSync(stateDbPath(home));
  assertEquals(
    (db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode,
    "wal",
  );
  db.close();
  Deno.removeSync(home, { recursive: true });
});

Deno.test("runs stored before steps became a graph keep their order, keys and backend report", () => {
  const home = Deno.makeTempDirSync();
  const old = new SqliteDatabase(stateDbPath(home));
  assertEquals(migrate(old, MIGRATIONS.slice(0, 2)), [1, 2]);
  old.prepare(
    `INSERT INTO runs (id, workflow, params, state, request_hash, backend_report, created_at,
       updated_at) VALUES ('r1', 'sweep', '{}', 'running', 'h', '{"backend":"wasm"}', 1, 2)`,
  ).run();
  const step = old.prepare(
    `INSERT INTO steps (run_id, step_id, position, kind, state, max_attempts)
     VALUES ('r1', ?, ?, ?, ?, 3)`,
  );
  step.run("dataset/spread-medium", 0, "default", "succeeded");
  step.run("cell/spread-medium/bc/s0", 1, "training", "running");
  step.run("report", 2, "default", "pending");
  old.close();

  using store = WorkflowStore.open({ home });
  const steps = store.runs.steps("r1");
  assertEquals(steps.map((s) => [s.stepId, s.after, s.group, s.concurrencyKey, s.state]), [
    ["dataset/spread-medium", [], "dataset", null, "succeeded"],
    ["cell/spread-medium/bc/s0", ["dataset/spread-medium"], "cell", "cpu", "running"],
    ["report", ["cell/spread-medium/bc/s0"], null, null, "pending"],
  ]);
  assertEquals(store.runs.get("r1").annotations, { backend: { backend: "wasm" } });
  store.close();
  Deno.removeSync(home, { recursive: true });
});

Deno.test("the store commits with synchronous = FULL", () => {
  const home = Deno.makeTempDirSync();
  using store = WorkflowStore.open({ home });
  // The setting is per connection: read it through the store's own.
  assertEquals(store.pragma("synchronous"), 2);
  store.close();
  Deno.removeSync(home, { recursive: true });
});
