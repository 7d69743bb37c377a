/**
 * Fixtures for the workflow tests: a temporary `OMIGA_HOME` per test, engines with short
 * leases, and ways to await events instead of sleeping.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import {
  Engine,
  type EngineOptions,
  type RunEvent,
  WorkflowRegistry,
  WorkflowStore,
} from "../../workflows/mod.ts";
import type { WorkflowDefinition } from "../../workflows/mod.ts";
import { createDatabase } from "../../workflows/store/postgres.ts";

/** The PostgreSQL database of each test home that has one, for the processes tests spawn. */
const storeOfHome = new Map<string, string>();

/**
 * Where a test's store lives: `storeUrl` when given; else, when `OMIGA_TEST_POSTGRES` names a
 * PostgreSQL server, a new database on it (so that the workflow and API tests can be run on
 * PostgreSQL: `OMIGA_TEST_POSTGRES=postgres://... deno test -A tests/workflows tests/handlers`);
 * else the home's SQLite file.
 */
export function testStoreUrl(home: string, storeUrl?: string): string | undefined {
  const server = Deno.env.get("OMIGA_TEST_POSTGRES");
  // A second store on a home shares the first one's database, as it would share its file.
  const url = storeUrl ?? storeOfHome.get(home) ??
    (server
      ? createDatabase(server, `omiga_test_${crypto.randomUUID().replaceAll("-", "")}`)
      : undefined);
  if (url !== undefined) storeOfHome.set(home, url);
  return url;
}

/** A store and engine on a fresh temporary home; dispose to close and delete it. */
export interface TestEngine extends Disposable {
  home: string;
  store: WorkflowStore;
  engine: Engine;
}

/** Quick heartbeats and polls; lease tests shorten the lease themselves. */
export const TEST_ENGINE: EngineOptions = { leaseMs: 5_000, heartbeatMs: 100, pollMs: 50 };

/**
 * Opens an engine on `home` (a new temporary one by default) with `workflows`, its store in the
 * home's SQLite file or, given `storeUrl`, in that PostgreSQL database.
 */
export function openTestEngine(
  workflows: WorkflowDefinition<unknown>[] | WorkflowRegistry,
  options: EngineOptions = {},
  home = Deno.makeTempDirSync({ prefix: "omiga-test-" }),
  removeHome = true,
  storeUrl?: string,
): TestEngine {
  const registry = workflows instanceof WorkflowRegistry
    ? workflows
    : new WorkflowRegistry(workflows);
  const url = testStoreUrl(home, storeUrl);
  const store = WorkflowStore.open({ home, ...(url ? { url } : {}) });
  const engine = new Engine(store, registry, { ...TEST_ENGINE, ...options });
  return {
    home,
    store,
    engine,
    [Symbol.dispose]() {
      store.close();
      if (removeHome) Deno.removeSync(home, { recursive: true });
    },
  };
}

/** A promise with its resolver: a gate a step body waits on until the test opens it. */
export class Gate<T = void> {
  readonly promise: Promise<T>;
  open!: (value: T) => void;

  constructor() {
    this.promise = new Promise<T>((resolve) => (this.open = resolve));
  }
}

/**
 * Rejects when `promise` takes longer than `ms`: a guard against a hung test (it turns a hang
 * into a failure), not a timing assertion.
 */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The first event of `runId` after `afterSeq` that matches, awaited (replayed or live). */
export async function nextEvent(
  store: WorkflowStore,
  runId: string,
  matches: (event: RunEvent) => boolean,
  afterSeq = 0,
  deadlineMs = 60_000,
): Promise<RunEvent> {
  const stop = new AbortController();
  const search = (async () => {
    for await (
      const event of store.events.follow(runId, {
        afterSeq,
        pastTerminal: true,
        pollMs: 25,
        signal: stop.signal,
      })
    ) {
      if (matches(event)) return event;
    }
    throw new Error(`the event log of run ${runId} ended without a matching event`);
  })();
  try {
    return await withDeadline(search, deadlineMs, `waiting for an event of run ${runId}`);
  } finally {
    stop.abort();
    await search.catch(() => {});
  }
}

/** All events of a run of one type. */
export function eventsOf(store: WorkflowStore, runId: string, type: string): RunEvent[] {
  return store.events.list(runId, 0, 100_000).filter((event) => event.type === type);
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The lease of worker processes in tests: short, so that a takeover comes quickly. */
export const WORKER_LEASE_MS = 1_500;

/**
 * Starts `deno task omiga worker --until-idle` as a real process on `home`, with a short lease,
 * so that tests can SIGKILL it mid-step. `output` says whether its stdout and stderr are kept.
 */
export function spawnWorker(
  home: string,
  output: "piped" | "null" = "piped",
  env: Record<string, string> = {},
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/omiga.ts", "worker", "--until-idle", "--quiet"],
    cwd: ROOT,
    env: {
      OMIGA_HOME: home,
      OMIGA_LEASE_MS: String(WORKER_LEASE_MS),
      NO_COLOR: "1",
      ...(storeOfHome.has(home) ? { OMIGA_STORE: storeOfHome.get(home)! } : {}),
      ...env,
    },
    stdout: output,
    stderr: output,
  }).spawn();
}
