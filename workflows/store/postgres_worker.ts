/**
 * The Worker behind `PostgresDatabase` (`postgres.ts`): it holds one `pg` connection and
 * answers one request at a time, writing each reply as JSON into the shared buffer the
 * request carries and waking the caller, who waits on it with `Atomics.wait`.
 *
 * @module
 */
import pg from "pg";
import {
  connectionLost,
  type PostgresReply,
  type PostgresRequest,
  REPLY_OFFSET,
  WorkerState,
} from "./postgres_protocol.ts";

// BIGINT (timestamps in ms, counts) and NUMERIC arrive as strings by default; every integer the
// store keeps is below 2^53.
pg.types.setTypeParser(20, Number);
pg.types.setTypeParser(1700, Number);

/** The one advisory lock every write takes: the store's single writer, as in SQLite. */
const WRITE_LOCK = 7_412_310;

let client: pg.Client | undefined;
let url = "";
let lockTimeoutMs = 10_000;
let idleMs = 5_000;
let idleTimer: ReturnType<typeof setTimeout> | undefined;
let inTransaction = false;
/** Statement names by text: each is parsed and planned once per connection. */
let names = new Map<string, string>();

async function connection(): Promise<pg.Client> {
  if (client !== undefined) return client;
  const opened = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  // A connection that dies while idle reports here; the next request opens a new one.
  opened.on("error", () => {
    if (client === opened) forget();
  });
  await opened.connect();
  await opened.query(`SET lock_timeout = ${Math.max(1, Math.round(lockTimeoutMs))}`);
  client = opened;
  names = new Map();
  return opened;
}

/** Drops the connection; the promise settles once its socket is closed. */
function forget(): Promise<void> {
  const old = client;
  client = undefined;
  inTransaction = false;
  return old?.end().catch(() => {}) ?? Promise.resolve();
}

/** Opens a transaction holding the write lock, in one round trip to the server. */
async function begin(db: pg.Client): Promise<void> {
  inTransaction = true;
  try {
    await db.query(`BEGIN; SELECT pg_advisory_xact_lock(${WRITE_LOCK})`);
  } catch (error) {
    await db.query("ROLLBACK").catch(() => {});
    inTransaction = false;
    throw error;
  }
}

async function statement(db: pg.Client, sql: string, params: unknown[]) {
  let name = names.get(sql);
  if (name === undefined) names.set(sql, name = `omiga_${names.size}`);
  return await db.query({ name, text: sql, values: params });
}

async function answer(request: PostgresRequest): Promise<PostgresReply> {
  switch (request.op) {
    case "open":
      url = request.url;
      lockTimeoutMs = request.lockTimeoutMs;
      idleMs = request.idleMs;
      await connection();
      return { ok: true, rows: [], changes: 0 };
    case "close":
      // Answered once the socket is closed, so that the owner's terminate() finds nothing open.
      await forget();
      return { ok: true, rows: [], changes: 0 };
    case "begin":
      await begin(await connection());
      return { ok: true, rows: [], changes: 0 };
    case "commit":
    case "rollback": {
      const db = client;
      inTransaction = false;
      if (db === undefined) {
        if (request.op === "commit") throw new Error("the connection was lost before COMMIT");
        return { ok: true, rows: [], changes: 0 };
      }
      await db.query(request.op === "commit" ? "COMMIT" : "ROLLBACK");
      return { ok: true, rows: [], changes: 0 };
    }
    case "exec": {
      const db = await connection();
      await db.query(request.sql);
      return { ok: true, rows: [], changes: 0 };
    }
    case "query": {
      if (request.inTransaction && !inTransaction) {
        throw new Error("the connection was lost inside a transaction");
      }
      const db = await connection();
      if (!request.write || inTransaction) {
        const result = await statement(db, request.sql, request.params);
        return { ok: true, rows: result.rows, changes: result.rowCount ?? 0 };
      }
      // A write on its own still takes the write lock, as every SQLite write does.
      await begin(db);
      try {
        const result = await statement(db, request.sql, request.params);
        await db.query("COMMIT");
        return { ok: true, rows: result.rows, changes: result.rowCount ?? 0 };
      } catch (error) {
        await db.query("ROLLBACK").catch(() => {});
        throw error;
      } finally {
        inTransaction = false;
      }
    }
  }
}

function reply(buffer: SharedArrayBuffer, sequence: number, message: PostgresReply): void {
  const control = new Int32Array(buffer, 0, 4);
  const bytes = new TextEncoder().encode(JSON.stringify(message));
  if (REPLY_OFFSET + bytes.length > buffer.byteLength) buffer.grow(REPLY_OFFSET + bytes.length);
  new Uint8Array(buffer, REPLY_OFFSET, bytes.length).set(bytes);
  Atomics.store(control, 1, bytes.length);
  Atomics.store(control, 2, WorkerState.Idle);
  Atomics.store(control, 0, sequence);
  Atomics.notify(control, 0);
}

/**
 * An idle Worker closes itself (a Worker keeps its process alive, and a store nobody closed
 * must not), unless its owner posted a request meanwhile: the owner claims the Worker by
 * moving the state from Idle to Busy before posting, so exactly one of the two wins.
 */
function closeWhenIdle(buffer: SharedArrayBuffer): void {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    if (inTransaction) return closeWhenIdle(buffer);
    const control = new Int32Array(buffer, 0, 4);
    const was = Atomics.compareExchange(control, 2, WorkerState.Idle, WorkerState.Closed);
    if (was !== WorkerState.Idle) return;
    forget().then(() => self.close());
  }, idleMs);
}

type Envelope = { buffer: SharedArrayBuffer; sequence: number } & PostgresRequest;

self.onmessage = async (event: MessageEvent<Envelope>) => {
  const { buffer, sequence, ...request } = event.data;
  clearTimeout(idleTimer);
  let message: PostgresReply;
  try {
    message = await answer(request as PostgresRequest);
  } catch (error) {
    const failure = error as Error & { code?: string };
    // A broken connection is dropped; the next request reconnects.
    if (connectionLost(failure.code)) forget();
    message = { ok: false, message: failure.message, code: failure.code ?? null };
  }
  reply(buffer, sequence, message);
  if (request.op !== "close") closeWhenIdle(buffer);
};
