/**
 * The workflow store: runs, steps, events, schedules, concurrency limits and the policy
 * registry, migrated to the current schema when opened. It lives in one of two places:
 *
 * - **SQLite** (the default): `$OMIGA_HOME/state.db`, shared by every process on that home.
 *   Durability: WAL with `synchronous = FULL`, so that a transaction that returned is on disk.
 *   Under NORMAL a commit reaches the disk only at the next WAL checkpoint, and a power loss
 *   could undo a step's `succeeded` although its files were fsynced, or forget a claim whose
 *   step then wrote checkpoints; a step would then run again from stale state. The price is one
 *   fsync per transaction (`deno task bench engine` measures it; docs/workflows.md).
 * - **PostgreSQL** (`OMIGA_STORE=postgres://...`): one database for every machine of a cluster,
 *   so that each process keeps its own home while runs, limits and policies are shared
 *   (`postgres.ts`; docs/workflows.md, "Where the store lives").
 *
 * Files (datasets, run artifacts, registered policies) live under the artifacts root:
 * `OMIGA_ARTIFACTS`, by default the home. Machines of a cluster point it at storage they all
 * reach.
 *
 * @module
 */
import { mkdirSync } from "node:fs";
import { ValidationError } from "../../core/errors.ts";
import { artifactsRoot, omigaHome, stateDbPath } from "../home.ts";
import { EventLog } from "./event_log.ts";
import { LimitStore } from "./limit_store.ts";
import { migrate } from "./migrations.ts";
import { PolicyStore } from "./policy_store.ts";
import { PostgresDatabase, redactUrl } from "./postgres.ts";
import { RunStore } from "./run_store.ts";
import { ScheduleStore } from "./schedule_store.ts";
import { type SqlDatabase, SqliteDatabase } from "./sql.ts";
import { StepStore } from "./step_store.ts";

/** Options of {@link WorkflowStore.open}. */
export interface StoreOptions {
  /** The data directory; default `OMIGA_HOME` or `./.omiga`. */
  home?: string;
  /**
   * Where the store lives: a `postgres://` (or `postgresql://`) URL, or `sqlite` for the file
   * in the home. Default `OMIGA_STORE`, else `sqlite`.
   */
  url?: string;
  /**
   * The root of datasets, run artifacts and registered policies; default `OMIGA_ARTIFACTS`,
   * else the home.
   */
  artifacts?: string;
  /** How long a write waits for another process's lock, in ms. Default 10 000. */
  busyTimeoutMs?: number;
  /**
   * `FULL` (the default, see above) or `NORMAL`; NORMAL exists so that `deno task bench engine`
   * can measure what FULL costs. Do not run a store on NORMAL.
   */
  synchronous?: "FULL" | "NORMAL";
}

/**
 * Where a store lives, resolved: what {@link WorkflowStore.open} takes to open the same store
 * again (in a Worker, say).
 */
export interface StoreLocation {
  home: string;
  url: string;
  artifacts: string;
}

/** The store location that `options` and the environment name. */
export function storeLocation(options: StoreOptions = {}): StoreLocation {
  const home = omigaHome(options.home);
  const url = options.url ?? Deno.env.get("OMIGA_STORE") ?? "sqlite";
  if (url !== "sqlite" && !/^postgres(ql)?:\/\//.test(url)) {
    throw new ValidationError(
      `OMIGA_STORE must be "sqlite" or a postgres:// URL, got "${redactUrl(url).slice(0, 60)}"`,
    );
  }
  return { home, url, artifacts: options.artifacts ?? artifactsRoot(home) };
}

/**
 * An open workflow store. Several stores (in one process or many) may share one file or
 * database.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WorkflowStore } from "./store.ts";
 * const store = WorkflowStore.open({ home: Deno.makeTempDirSync() });
 * assert.ok(store.runs.list().length === 0);
 * store.close();
 * ```
 */
export class WorkflowStore {
  /** The data directory of this process. */
  readonly home: string;
  /** The root of datasets, run artifacts and registered policies (`OMIGA_ARTIFACTS`). */
  readonly artifacts: string;
  /** Where it lives, to open it again elsewhere. */
  readonly location: StoreLocation;
  /** The SQLite file, or the PostgreSQL URL without its password. */
  readonly path: string;
  /** Runs (and the list of a run's steps). */
  readonly runs: RunStore;
  /** Steps as leases: claim, heartbeat, outcome. */
  readonly steps: StepStore;
  /** Each run's event log. */
  readonly events: EventLog;
  /** Cron schedules. */
  readonly schedules: ScheduleStore;
  /** Concurrency limits per key, for every process on this store. */
  readonly limits: LimitStore;
  /** The policy registry: named policies, their versions, every change of latest. */
  readonly policies: PolicyStore;
  readonly #db: SqlDatabase;

  private constructor(location: StoreLocation, path: string, db: SqlDatabase) {
    this.home = location.home;
    this.artifacts = location.artifacts;
    this.location = location;
    this.path = path;
    this.#db = db;
    this.events = new EventLog(db, path);
    this.runs = new RunStore(db, this.events);
    this.steps = new StepStore(db, this.events, this.runs);
    this.schedules = new ScheduleStore(db);
    this.limits = new LimitStore(db);
    this.policies = new PolicyStore(db);
  }

  /** Opens (creating and migrating when needed) the store that `options` name. */
  static open(options: StoreOptions = {}): WorkflowStore {
    const location = storeLocation(options);
    mkdirSync(location.home, { recursive: true });
    const busyTimeoutMs = options.busyTimeoutMs ?? 10_000;
    if (location.url !== "sqlite") {
      const db = new PostgresDatabase(location.url, { lockTimeoutMs: busyTimeoutMs });
      try {
        migrate(db);
      } catch (error) {
        db.close();
        throw error;
      }
      return new WorkflowStore(location, db.url, db);
    }
    const path = stateDbPath(location.home);
    const db = new SqliteDatabase(path);
    db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(`PRAGMA synchronous = ${options.synchronous === "NORMAL" ? "NORMAL" : "FULL"}`);
    db.exec("PRAGMA foreign_keys = ON");
    migrate(db);
    return new WorkflowStore(location, path, db);
  }

  /** `sqlite` or `postgres`. */
  get dialect(): SqlDatabase["dialect"] {
    return this.#db.dialect;
  }

  /** The value of a read-only PRAGMA on this connection (`synchronous`: 2 is FULL). */
  pragma(name: "synchronous" | "journal_mode" | "busy_timeout"): unknown {
    if (this.#db.dialect !== "sqlite") {
      throw new ValidationError(`PRAGMA ${name}: this store is on PostgreSQL, not SQLite`);
    }
    const row = this.#db.prepare(`PRAGMA ${name}`).get() as Record<string, unknown>;
    return Object.values(row)[0];
  }

  /** Closes the connection. */
  [Symbol.dispose](): void {
    this.close();
  }

  close(): void {
    this.#db.close();
  }
}
