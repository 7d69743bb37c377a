/**
 * The schema of the workflow store as a versioned list of migrations per dialect. SQLite
 * records the version in `PRAGMA user_version`, PostgreSQL in the one-row table
 * `schema_version`; each migration runs in its own transaction, so a crash mid-way leaves the
 * database at the previous version. A version number names the same schema on both: the
 * PostgreSQL list starts at version 4 with everything SQLite reached in four steps.
 *
 * @module
 */
import { OmigaError } from "../../core/errors.ts";
import type { SqlDatabase, SqlDialect } from "./sql.ts";
import { immediateTransaction } from "./transaction.ts";

/** One schema change. `version` is its position in {@link MIGRATIONS}, from 1. */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/** Every migration, oldest first. Append; never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "runs, steps and events",
    sql: `
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        workflow TEXT NOT NULL,
        params TEXT NOT NULL,
        state TEXT NOT NULL
          CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
        idempotency_key TEXT UNIQUE,
        request_hash TEXT NOT NULL,
        output TEXT,
        error TEXT,
        error_code TEXT,
        backend_report TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        started_at INTEGER,
        finished_at INTEGER
      );
      CREATE INDEX runs_by_state ON runs (state, created_at);
      CREATE TABLE steps (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('default', 'training')),
        state TEXT NOT NULL
          CHECK (state IN ('pending', 'running', 'succeeded', 'failed', 'cancelled')),
        input TEXT,
        output TEXT,
        attempt INTEGER NOT NULL DEFAULT 0,
        max_attempts INTEGER NOT NULL,
        retry_at INTEGER,
        lease_owner TEXT,
        lease_expires_at INTEGER,
        heartbeat_at INTEGER,
        error TEXT,
        error_code TEXT,
        started_at INTEGER,
        finished_at INTEGER,
        PRIMARY KEY (run_id, step_id),
        UNIQUE (run_id, position)
      );
      CREATE INDEX steps_by_state ON steps (state, kind);
      CREATE TABLE events (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        step_id TEXT,
        payload TEXT NOT NULL,
        time INTEGER NOT NULL,
        PRIMARY KEY (run_id, seq)
      );
    `,
  },
  {
    version: 2,
    description: "cron schedules, and the schedule that submitted a run",
    sql: `
      CREATE TABLE schedules (
        id TEXT PRIMARY KEY,
        cron TEXT NOT NULL,
        timezone TEXT,
        workflow TEXT NOT NULL,
        params TEXT NOT NULL,
        enabled INTEGER NOT NULL DEFAULT 1,
        next_run_at INTEGER,
        last_due_at INTEGER,
        last_run_id TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      ALTER TABLE runs ADD COLUMN schedule_id TEXT;
    `,
  },
  {
    version: 3,
    description: "steps as a graph: dependencies, groups, concurrency keys, skipped; annotations",
    // SQLite cannot change a CHECK constraint in place: the steps table is rebuilt. Steps of
    // runs submitted before this version ran as a chain, so each depends on the one before it.
    sql: `
      CREATE TABLE steps_v3 (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        group_name TEXT,
        after_steps TEXT NOT NULL DEFAULT '[]',
        concurrency_key TEXT,
        state TEXT NOT NULL
          CHECK (state IN ('pending', 'running', 'succeeded', 'failed', 'cancelled', 'skipped')),
        input TEXT,
        output TEXT,
        attempt INTEGER NOT NULL DEFAULT 0,
        max_attempts INTEGER NOT NULL,
        retry_at INTEGER,
        lease_owner TEXT,
        lease_expires_at INTEGER,
        heartbeat_at INTEGER,
        error TEXT,
        error_code TEXT,
        started_at INTEGER,
        finished_at INTEGER,
        PRIMARY KEY (run_id, step_id),
        UNIQUE (run_id, position)
      );
      INSERT INTO steps_v3 (run_id, step_id, position, group_name, after_steps, concurrency_key,
          state, input, output, attempt, max_attempts, retry_at, lease_owner, lease_expires_at,
          heartbeat_at, error, error_code, started_at, finished_at)
        SELECT s.run_id, s.step_id, s.position,
          CASE WHEN instr(s.step_id, '/') > 0 THEN substr(s.step_id, 1, instr(s.step_id, '/') - 1)
          END,
          CASE WHEN p.step_id IS NULL THEN '[]' ELSE json_array(p.step_id) END,
          CASE WHEN s.kind = 'training' THEN 'cpu' END,
          s.state, s.input, s.output, s.attempt, s.max_attempts, s.retry_at, s.lease_owner,
          s.lease_expires_at, s.heartbeat_at, s.error, s.error_code, s.started_at, s.finished_at
        FROM steps s LEFT JOIN steps p ON p.run_id = s.run_id AND p.position = s.position - 1;
      DROP TABLE steps;
      ALTER TABLE steps_v3 RENAME TO steps;
      CREATE INDEX steps_by_state ON steps (state, concurrency_key);
      ALTER TABLE runs ADD COLUMN annotations TEXT NOT NULL DEFAULT '{}';
      UPDATE runs SET annotations = json_object('backend', json(backend_report))
        WHERE backend_report IS NOT NULL;
      ALTER TABLE runs DROP COLUMN backend_report;
      CREATE TABLE concurrency_limits (
        key TEXT PRIMARY KEY,
        max_running INTEGER NOT NULL CHECK (max_running >= 1),
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 4,
    description: "the policy registry: named policies, their versions and every change of latest",
    sql: `
      CREATE TABLE policies (
        name TEXT PRIMARY KEY,
        latest_version INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE policy_versions (
        name TEXT NOT NULL REFERENCES policies (name) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        run_id TEXT NOT NULL UNIQUE,
        metrics TEXT NOT NULL,
        lineage TEXT NOT NULL,
        files TEXT NOT NULL,
        evaluation_hash TEXT,
        decision TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (name, version)
      );
      CREATE TABLE policy_events (
        name TEXT NOT NULL REFERENCES policies (name) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('promoted', 'rolled_back')),
        from_version INTEGER,
        to_version INTEGER NOT NULL,
        reason TEXT NOT NULL,
        run_id TEXT,
        time INTEGER NOT NULL,
        PRIMARY KEY (name, seq)
      );
    `,
  },
];

/** The database was written by a newer omiga-flow than this one. */
export class SchemaVersionError extends OmigaError {
  constructor(found: number, known: number) {
    super(
      "schema_too_new",
      `the workflow store is at schema version ${found} but this omiga-flow knows only up to ` +
        `${known}; upgrade omiga-flow or point OMIGA_HOME elsewhere`,
    );
  }
}

/**
 * The same schema as SQLite's version 4, on PostgreSQL: 64-bit integers (times are in ms),
 * binary collation for ids (prefix ranges and `ORDER BY id` as in SQLite), and an explicit
 * `rowid` for submission order, which SQLite gives every table. JSON stays in TEXT columns,
 * byte for byte as written.
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 4,
    description: "runs, steps, events, schedules, concurrency limits and the policy registry",
    sql: `
      CREATE TABLE runs (
        rowid BIGSERIAL UNIQUE,
        id TEXT COLLATE "C" PRIMARY KEY,
        workflow TEXT NOT NULL,
        params TEXT NOT NULL,
        state TEXT NOT NULL
          CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
        idempotency_key TEXT UNIQUE,
        request_hash TEXT NOT NULL,
        output TEXT,
        error TEXT,
        error_code TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        started_at BIGINT,
        finished_at BIGINT,
        schedule_id TEXT,
        annotations TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX runs_by_state ON runs (state, created_at);
      CREATE TABLE steps (
        run_id TEXT COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step_id TEXT COLLATE "C" NOT NULL,
        position BIGINT NOT NULL,
        group_name TEXT,
        after_steps TEXT NOT NULL DEFAULT '[]',
        concurrency_key TEXT,
        state TEXT NOT NULL
          CHECK (state IN ('pending', 'running', 'succeeded', 'failed', 'cancelled', 'skipped')),
        input TEXT,
        output TEXT,
        attempt BIGINT NOT NULL DEFAULT 0,
        max_attempts BIGINT NOT NULL,
        retry_at BIGINT,
        lease_owner TEXT,
        lease_expires_at BIGINT,
        heartbeat_at BIGINT,
        error TEXT,
        error_code TEXT,
        started_at BIGINT,
        finished_at BIGINT,
        PRIMARY KEY (run_id, step_id),
        UNIQUE (run_id, position)
      );
      CREATE INDEX steps_by_state ON steps (state, concurrency_key);
      CREATE TABLE events (
        run_id TEXT COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        seq BIGINT NOT NULL,
        type TEXT NOT NULL,
        step_id TEXT,
        payload TEXT NOT NULL,
        time BIGINT NOT NULL,
        PRIMARY KEY (run_id, seq)
      );
      CREATE TABLE schedules (
        id TEXT COLLATE "C" PRIMARY KEY,
        cron TEXT NOT NULL,
        timezone TEXT,
        workflow TEXT NOT NULL,
        params TEXT NOT NULL,
        enabled BIGINT NOT NULL DEFAULT 1,
        next_run_at BIGINT,
        last_due_at BIGINT,
        last_run_id TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE TABLE concurrency_limits (
        key TEXT COLLATE "C" PRIMARY KEY,
        max_running BIGINT NOT NULL CHECK (max_running >= 1),
        updated_at BIGINT NOT NULL
      );
      CREATE TABLE policies (
        name TEXT COLLATE "C" PRIMARY KEY,
        latest_version BIGINT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE TABLE policy_versions (
        name TEXT COLLATE "C" NOT NULL REFERENCES policies (name) ON DELETE CASCADE,
        version BIGINT NOT NULL,
        run_id TEXT NOT NULL UNIQUE,
        metrics TEXT NOT NULL,
        lineage TEXT NOT NULL,
        files TEXT NOT NULL,
        evaluation_hash TEXT,
        decision TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (name, version)
      );
      CREATE TABLE policy_events (
        name TEXT COLLATE "C" NOT NULL REFERENCES policies (name) ON DELETE CASCADE,
        seq BIGINT NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('promoted', 'rolled_back')),
        from_version BIGINT,
        to_version BIGINT NOT NULL,
        reason TEXT NOT NULL,
        run_id TEXT,
        time BIGINT NOT NULL,
        PRIMARY KEY (name, seq)
      );
    `,
  },
];

/** The migrations of a dialect. */
export function migrationsFor(dialect: SqlDialect): readonly Migration[] {
  return dialect === "postgres" ? POSTGRES_MIGRATIONS : MIGRATIONS;
}

/** The schema version recorded in the database (0 for a new one). */
export function schemaVersion(db: SqlDatabase): number {
  if (db.dialect === "sqlite") {
    const row = db.prepare("PRAGMA user_version").get() as { user_version: number };
    return row.user_version;
  }
  // A catalog scan, not to_regclass(): a prepared to_regclass('...') can keep the answer of
  // its first run, from before another process created the table.
  const table = db.prepare(
    `SELECT count(*) AS present FROM pg_catalog.pg_tables
     WHERE schemaname = current_schema() AND tablename = 'schema_version'`,
  ).get();
  if (table?.present !== 1) return 0;
  return Number(db.prepare("SELECT version FROM schema_version").get()?.version ?? 0);
}

function recordVersion(db: SqlDatabase, version: number): void {
  if (db.dialect === "sqlite") {
    db.exec(`PRAGMA user_version = ${version}`);
    return;
  }
  db.exec("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)");
  db.exec("DELETE FROM schema_version");
  db.exec(`INSERT INTO schema_version (version) VALUES (${version})`);
}

/**
 * Brings `db` up to the last of `migrations` (by default all of them), one transaction per
 * migration; safe when several processes open the same file at once. Returns the versions it
 * applied.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { migrate } from "./migrations.ts";
 * import { SqliteDatabase } from "./sql.ts";
 * const db = new SqliteDatabase(":memory:");
 * assert.ok(migrate(db).length > 0 && migrate(db).length === 0);
 * ```
 */
export function migrate(
  db: SqlDatabase,
  migrations: readonly Migration[] = migrationsFor(db.dialect),
): number[] {
  const newest = MIGRATIONS.length;
  const found = schemaVersion(db);
  if (found > newest) throw new SchemaVersionError(found, newest);
  const applied: number[] = [];
  for (const migration of migrations) {
    immediateTransaction(db, () => {
      // Re-read inside the write lock: another process may have migrated meanwhile.
      if (schemaVersion(db) >= migration.version) return;
      db.exec(migration.sql);
      recordVersion(db, migration.version);
      applied.push(migration.version);
    });
  }
  return applied;
}
