/**
 * The workflow store: one SQLite file (`$OMIGA_HOME/state.db`) holding runs, steps, events,
 * schedules, concurrency limits and the policy registry, migrated to the current schema when opened.
 *
 * Durability: WAL with `synchronous = FULL`, so that a transaction that returned is on disk.
 * Under NORMAL a commit reaches the disk only at the next WAL checkpoint, and a power loss
 * could undo a step's `succeeded` although its files were fsynced, or forget a claim whose
 * step then wrote checkpoints; a step would then run again from stale state. The price is one
 * fsync per transaction (`deno task bench engine` measures it; docs/workflows.md).
 *
 * @module
 */
import { mkdirSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { omigaHome, stateDbPath } from "../home.ts";
import { EventLog } from "./event_log.ts";
import { LimitStore } from "./limit_store.ts";
import { migrate } from "./migrations.ts";
import { PolicyStore } from "./policy_store.ts";
import { RunStore } from "./run_store.ts";
import { ScheduleStore } from "./schedule_store.ts";
import { StepStore } from "./step_store.ts";

/** Options of {@link WorkflowStore.open}. */
export interface StoreOptions {
  /** The data directory; default `OMIGA_HOME` or `./.omiga`. */
  home?: string;
  /** How long a write waits for another process's lock, in ms. Default 10 000. */
  busyTimeoutMs?: number;
  /**
   * `FULL` (the default, see above) or `NORMAL`; NORMAL exists so that `deno task bench engine`
   * can measure what FULL costs. Do not run a store on NORMAL.
   */
  synchronous?: "FULL" | "NORMAL";
}

/**
 * An open workflow store. Several stores (in one process or many) may share one file.
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
  /** The data directory. */
  readonly home: string;
  /** The SQLite file. */
  readonly path: string;
  /** Runs (and the list of a run's steps). */
  readonly runs: RunStore;
  /** Steps as leases: claim, heartbeat, outcome. */
  readonly steps: StepStore;
  /** Each run's event log. */
  readonly events: EventLog;
  /** Cron schedules. */
  readonly schedules: ScheduleStore;
  /** Concurrency limits per key, for every process on this home. */
  readonly limits: LimitStore;
  /** The policy registry: named policies, their versions, every change of latest. */
  readonly policies: PolicyStore;
  readonly #db: DatabaseSync;

  private constructor(home: string, path: string, db: DatabaseSync) {
    this.home = home;
    this.path = path;
    this.#db = db;
    this.events = new EventLog(db, path);
    this.runs = new RunStore(db, this.events);
    this.steps = new StepStore(db, this.events, this.runs);
    this.schedules = new ScheduleStore(db);
    this.limits = new LimitStore(db);
    this.policies = new PolicyStore(db);
  }

  /** Opens (creating and migrating when needed) the store under `home`. */
  static open(options: StoreOptions = {}): WorkflowStore {
    const home = omigaHome(options.home);
    mkdirSync(home, { recursive: true });
    const path = stateDbPath(home);
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(`PRAGMA synchronous = ${options.synchronous === "NORMAL" ? "NORMAL" : "FULL"}`);
    db.exec("PRAGMA foreign_keys = ON");
    migrate(db);
    return new WorkflowStore(home, path, db);
  }

  /** The value of a read-only PRAGMA on this connection (`synchronous`: 2 is FULL). */
  pragma(name: "synchronous" | "journal_mode" | "busy_timeout"): unknown {
    const row = this.#db.prepare(`PRAGMA ${name}`).get() as Record<string, unknown>;
    return Object.values(row)[0];
  }

  /** Closes the connection. */
  [Symbol.dispose](): void {
    this.close();
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
