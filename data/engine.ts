/**
 * The process's single DuckDB-wasm engine (blocking Node bundle; an in-memory database: a
 * database file opened through duckdb-wasm did not keep its rows across runs, so the durable
 * store is our own Arrow files). Stored datasets are registered as tables holding their per-row scalar
 * columns (`row`, `episode`, `t`, `reward`, `done`, `truncated`, one `action_<agent>_<k>` column
 * per action component), which is what statistics and filters query. SQL text is only ever built
 * from fixed templates and generated identifiers; values travel as bound parameters.
 *
 * @module
 */
import * as duckdb from "@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs";
import {
  Field,
  Float32,
  Int32,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
  Uint8,
} from "apache-arrow";
import { createRequire } from "node:module";
import type { CanonicalDataset } from "../core/dataset.ts";
import type { DatasetManifest } from "./manifest.ts";

/** A result row with plain JavaScript values. */
export type SqlRow = Record<string, unknown>;

/** Result columns by name. */
export type SqlColumns = Record<string, ArrayLike<number>>;

/** The engine: one in-memory DuckDB database and one connection. */
export class DuckEngine {
  readonly #db: duckdb.DuckDBBindings;
  readonly #conn: duckdb.DuckDBConnection;
  readonly #tables = new Map<string, string>();
  #fileCounter = 0;
  #tableCounter = 0;

  constructor(db: duckdb.DuckDBBindings) {
    this.#db = db;
    this.#conn = db.connect();
  }

  /** Runs SQL with bound parameters and returns the rows as plain objects. */
  query(sql: string, ...params: unknown[]): SqlRow[] {
    const table = params.length === 0 ? this.#conn.query(sql) : this.#prepared(sql, params);
    return table.toArray().map((row: { toJSON(): SqlRow }) => row.toJSON());
  }

  /**
   * Runs SQL with bound parameters and returns each result column as a typed array (or plain
   * array), without building per-row objects.
   */
  queryColumns(sql: string, ...params: unknown[]): { rows: number; columns: SqlColumns } {
    const table = params.length === 0 ? this.#conn.query(sql) : this.#prepared(sql, params);
    const columns: SqlColumns = {};
    for (const field of table.schema.fields) {
      columns[field.name] = table.getChild(field.name)!.toArray() as ArrayLike<number>;
    }
    return { rows: table.numRows, columns };
  }

  #prepared(sql: string, params: unknown[]) {
    const statement = this.#conn.prepare(sql);
    try {
      return statement.query(...params);
    } finally {
      statement.close();
    }
  }

  /**
   * Loads an Arrow IPC stream into a new table called `name` (a generated identifier), or appends
   * its rows to that table when `append` is set.
   */
  insertArrow(name: string, ipcStream: Uint8Array, append = false): void {
    this.#conn.insertArrowFromIPCStream(ipcStream, { name, create: !append });
  }

  /**
   * Makes a local file readable by SQL under a generated name (the caller's path never appears
   * in SQL text) and returns that name; {@link dropFile} forgets it.
   */
  registerLocalFile(path: string, extension: string): string {
    const name = `input_${++this.#fileCounter}.${extension}`;
    this.#db.registerFileURL(name, path, duckdb.DuckDBDataProtocol.NODE_FS, false);
    return name;
  }

  /** Forgets a file registered with {@link registerLocalFile}. */
  dropFile(name: string): void {
    this.#db.dropFile(name);
  }

  /** A fresh table name for temporary work (`<prefix>_<n>`, generated). */
  temporaryName(prefix: "csv" | "work"): string {
    return `${prefix}_${++this.#tableCounter}`;
  }

  /** Drops a table created by this engine, if it exists. */
  dropTable(name: string): void {
    this.#conn.query(`DROP TABLE IF EXISTS ${name}`);
  }

  /**
   * The table of a stored dataset's per-row scalars, registering it on first use. The table
   * name is generated (`rows_<n>`), never taken from user text.
   */
  datasetTable(manifest: DatasetManifest, dataset: CanonicalDataset): string {
    const key = `${manifest.id}:${manifest.contentHash}`;
    const known = this.#tables.get(key);
    if (known !== undefined) return known;
    const name = `rows_${++this.#tableCounter}`;
    this.insertArrow(name, rowScalarsIPC(dataset));
    this.#tables.set(key, name);
    return name;
  }

  /** Forgets a dataset's table (after the dataset was removed). */
  forgetDataset(manifest: DatasetManifest): void {
    const key = `${manifest.id}:${manifest.contentHash}`;
    const name = this.#tables.get(key);
    if (name === undefined) return;
    this.dropTable(name);
    this.#tables.delete(key);
  }
}

let engine: Promise<DuckEngine> | undefined;

/** The process's DuckDB engine, started on first use (about a second). */
export function duckEngine(): Promise<DuckEngine> {
  engine ??= startEngine();
  return engine;
}

/** Drops a removed dataset's table if the engine has started; never starts it. */
export async function forgetDatasetTable(manifest: DatasetManifest): Promise<void> {
  if (engine !== undefined) (await engine).forgetDataset(manifest);
}

async function startEngine(): Promise<DuckEngine> {
  const require = createRequire(import.meta.url);
  const wasm = (file: string) => require.resolve(`@duckdb/duckdb-wasm/dist/${file}`);
  const bundles = {
    mvp: { mainModule: wasm("duckdb-mvp.wasm"), mainWorker: "" },
    eh: { mainModule: wasm("duckdb-eh.wasm"), mainWorker: "" },
  };
  const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
  await db.instantiate(() => {});
  db.open({});
  return new DuckEngine(db);
}

/** The column name of agent `agent`'s action component `k` in a dataset table. */
export function actionColumn(agent: number, k: number): string {
  return `action_${agent}_${k}`;
}

/** The per-row scalar columns of a dataset as one Arrow IPC stream. */
function rowScalarsIPC(dataset: CanonicalDataset): Uint8Array {
  const { spec, size } = dataset;
  const row = new Int32Array(size);
  for (let i = 0; i < size; i++) row[i] = i;
  const columns: [string, Int32 | Float32 | Uint8, ArrayLike<number>][] = [
    ["row", new Int32(), row],
    ["episode", new Int32(), dataset.episode],
    ["t", new Int32(), dataset.t],
    ["reward", new Float32(), dataset.reward],
    ["done", new Uint8(), dataset.done],
    ["truncated", new Uint8(), dataset.truncated],
  ];
  const width = spec.nAgents * spec.actDim;
  const discrete = dataset.action instanceof Int32Array;
  for (let agent = 0; agent < spec.nAgents; agent++) {
    for (let k = 0; k < spec.actDim; k++) {
      const values = discrete ? new Int32Array(size) : new Float32Array(size);
      const offset = agent * spec.actDim + k;
      for (let i = 0; i < size; i++) values[i] = dataset.action[i * width + offset];
      columns.push([actionColumn(agent, k), discrete ? new Int32() : new Float32(), values]);
    }
  }
  const fields = columns.map(([name, type]) => new Field(name, type, false));
  const schema = new Schema(fields);
  const children = columns.map(([, type, data]) =>
    makeData({ type, length: size, nullCount: 0, data } as never)
  );
  const batch = new RecordBatch(
    schema,
    makeData({ type: new Struct(fields), length: size, nullCount: 0, children }),
  );
  return tableToIPC(new Table([batch]), "stream");
}
