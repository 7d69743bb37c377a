/**
 * The canonical dataset as Arrow: one record per row with columns `episode` (int32), `t`
 * (int32), `obs`, `state` (fixed-size lists of float32, agent-major, width nAgents * dim),
 * `action` (fixed-size list of float32, or int32 for discrete), `avail` (fixed-size list of
 * uint8, discrete only), `reward` (float32), `done`, `truncated` (uint8). The schema metadata
 * holds the spec (`omiga.spec`) and the producer's info (`omiga.info`) as JSON. Batches are views
 * of the typed arrays (no per-row objects, no copies on write).
 *
 * @module
 */
import {
  type Data,
  type DataType,
  Field,
  FixedSizeList,
  Float32,
  Int32,
  makeData,
  RecordBatch,
  RecordBatchFileWriter,
  Schema,
  Struct,
  Table,
  tableFromIPC,
  Type,
  Uint8,
} from "apache-arrow";
import { crashPoint } from "../core/crash_point.ts";
import type { CanonicalDataset, DatasetInfo, MultiAgentSpec } from "../core/dataset.ts";
import { DatasetError } from "./errors.ts";

/**
 * Rows per record batch written. One batch holds up to 2^24 rows, so that a stored dataset reads
 * back as views of the file's bytes without a copy.
 */
export const BATCH_ROWS = 1 << 24;

/** A column of the canonical layout: its field, element type and values per row. */
export type Column = { name: keyof CanonicalDataset; type: "i32" | "f32" | "u8"; width: number };

/** The columns of the canonical layout for a spec, in order. */
export function columnsOf(spec: MultiAgentSpec, withAvail: boolean): Column[] {
  const a = spec.nAgents;
  const columns: Column[] = [
    { name: "episode", type: "i32", width: 1 },
    { name: "t", type: "i32", width: 1 },
    { name: "obs", type: "f32", width: a * spec.obsDim },
    { name: "state", type: "f32", width: a * spec.stateDim },
    {
      name: "action",
      type: spec.actionKind === "discrete" ? "i32" : "f32",
      width: a * spec.actDim,
    },
  ];
  if (withAvail) columns.push({ name: "avail", type: "u8", width: a * (spec.nActions ?? 0) });
  columns.push(
    { name: "reward", type: "f32", width: 1 },
    { name: "done", type: "u8", width: 1 },
    { name: "truncated", type: "u8", width: 1 },
  );
  return columns;
}

function scalarType(type: Column["type"]): DataType {
  return type === "i32" ? new Int32() : type === "f32" ? new Float32() : new Uint8();
}

function arrowType(column: Column): DataType {
  const scalar = scalarType(column.type);
  return column.width === 1 && !["obs", "state", "action", "avail"].includes(column.name)
    ? scalar
    : new FixedSizeList(column.width, new Field("item", scalar, false));
}

/** The Arrow schema of a canonical dataset, with spec and info in its metadata. */
export function canonicalSchema(
  spec: MultiAgentSpec,
  withAvail: boolean,
  info?: DatasetInfo,
): Schema {
  const metadata = new Map([["omiga.spec", JSON.stringify(spec)]]);
  if (info !== undefined) metadata.set("omiga.info", JSON.stringify(info));
  const fields = columnsOf(spec, withAvail).map((c) => new Field(c.name, arrowType(c), false));
  return new Schema(fields, metadata);
}

/** Record batches viewing the dataset's arrays, `batchRows` rows each. */
export function canonicalBatches(
  dataset: CanonicalDataset,
  schema: Schema,
  batchRows = BATCH_ROWS,
): RecordBatch[] {
  const columns = columnsOf(dataset.spec, dataset.avail !== undefined);
  const batches: RecordBatch[] = [];
  const count = Math.max(1, Math.ceil(dataset.size / batchRows));
  for (let b = 0; b < count; b++) {
    const start = b * batchRows;
    const length = Math.min(batchRows, dataset.size - start);
    const children = columns.map((column, i) => {
      const values = dataset[column.name] as Int32Array | Float32Array | Uint8Array;
      const view = values.subarray(start * column.width, (start + length) * column.width);
      const type = schema.fields[i].type;
      if (type instanceof FixedSizeList) {
        const child = makeData({ type: type.children[0].type, length: view.length, data: view });
        return makeData({ type, length, nullCount: 0, child });
      }
      return makeData({ type, length, nullCount: 0, data: view } as never);
    });
    const data = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children });
    batches.push(new RecordBatch(schema, data));
  }
  return batches;
}

/**
 * Writes the dataset as an Arrow IPC file at `path`, batch by batch, and fsyncs it.
 *
 * @example
 * ```ts ignore
 * await writeArrowFile("/tmp/d.arrow", dataset, info);
 * ```
 */
export async function writeArrowFile(
  path: string,
  dataset: CanonicalDataset,
  info?: DatasetInfo,
): Promise<void> {
  const schema = canonicalSchema(dataset.spec, dataset.avail !== undefined, info);
  const writer = new RecordBatchFileWriter();
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    // The drain's failure (a full disk) is kept, not left to reject while batches are
    // encoded: an unhandled rejection would end the process (the server with it).
    let failure: { error: unknown } | undefined;
    const drained = (async () => {
      for await (const chunk of writer) {
        crashPoint(`arrow write of ${path}: before a chunk of ${chunk.length} bytes`);
        await writeAll(file, chunk);
      }
    })().catch((error) => failure = { error });
    writer.reset(undefined, schema);
    for (const batch of canonicalBatches(dataset, schema)) {
      if (failure !== undefined) break;
      writer.write(batch);
      await new Promise((resolve) => setTimeout(resolve, 0)); // let the drain run
    }
    if (failure === undefined) {
      writer.finish();
      writer.close();
    }
    await drained;
    if (failure !== undefined) throw failure.error;
    crashPoint(`arrow write of ${path}: before fsync`);
    await file.sync();
  } finally {
    file.close();
  }
}

/** Writes all of `chunk` to `file`. */
export async function writeAll(file: Deno.FsFile, chunk: Uint8Array): Promise<void> {
  let written = 0;
  while (written < chunk.length) written += await file.write(chunk.subarray(written));
}

/** A canonical dataset and the info stored with it. */
export interface ArrowDataset {
  dataset: CanonicalDataset;
  info?: DatasetInfo;
}

/** Reads an Arrow IPC file or stream in the canonical layout; `file` names it in errors. */
export function readArrowFile(path: string, file = path): Promise<ArrowDataset> {
  try {
    return Promise.resolve(readArrowFileSync(path, file));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** {@link readArrowFile}, synchronously. */
export function readArrowFileSync(path: string, file = path): ArrowDataset {
  const bytes = readInputFile(path, file);
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (error) {
    throw new DatasetError(
      "invalid_dataset",
      `expected an Arrow IPC file or stream: ${(error as Error).message}`,
      { file },
    );
  }
  return canonicalFromTable(table, file);
}

/**
 * The bytes of input file `path`, or a `not_found` {@link DatasetError} naming it as `file`
 * (the name the user gave, which may differ from a temporary path).
 */
export function readInputFile(path: string, file = path): Uint8Array {
  try {
    return readWholeFile(path);
  } catch (error) {
    throw new DatasetError("not_found", `cannot read the file: ${(error as Error).message}`, {
      file,
    });
  }
}

/** Reads a file into one buffer sized from its length (faster than `Deno.readFile` here). */
export function readWholeFile(path: string): Uint8Array {
  const file = Deno.openSync(path, { read: true });
  try {
    const bytes = new Uint8Array(file.statSync().size);
    let offset = 0;
    while (offset < bytes.length) {
      const read = file.readSync(bytes.subarray(offset));
      if (read === null) break;
      offset += read;
    }
    return offset === bytes.length ? bytes : bytes.subarray(0, offset);
  } finally {
    file.close();
  }
}

/**
 * Converts an Arrow table in the canonical layout back to typed arrays: views of the table's
 * buffers when a column is one chunk, else one copy per column.
 */
export function canonicalFromTable(table: Table, file: string): ArrowDataset {
  const fail = (field: string | undefined, problem: string): never => {
    throw new DatasetError("invalid_dataset", problem, { file, field });
  };
  const specText = table.schema.metadata.get("omiga.spec");
  if (specText === undefined) {
    fail(undefined, "expected schema metadata 'omiga.spec' (the canonical layout's spec JSON)");
  }
  let spec: MultiAgentSpec;
  let info: DatasetInfo | undefined;
  try {
    spec = JSON.parse(specText!);
    const infoText = table.schema.metadata.get("omiga.info");
    info = infoText === undefined ? undefined : JSON.parse(infoText);
  } catch (error) {
    return fail(undefined, `expected JSON in the schema metadata: ${(error as Error).message}`);
  }
  const withAvail = table.schema.fields.some((f) => f.name === "avail");
  const size = table.numRows;
  const dataset = { spec, size } as CanonicalDataset;
  for (const column of columnsOf(spec, withAvail)) {
    const vector = table.getChild(column.name);
    if (vector === null) fail(column.name, `expected a column "${column.name}"`);
    const expected = arrowType(column);
    const actual = vector!.type as DataType;
    if (!sameType(actual, expected)) {
      fail(column.name, `expected type ${expected}, got ${actual}`);
    }
    const Ctor = column.type === "i32"
      ? Int32Array
      : column.type === "f32"
      ? Float32Array
      : Uint8Array;
    const chunks = vector!.data as Data[];
    const leafValues = (chunk: Data) => {
      if (chunk.nullCount > 0) fail(column.name, "expected no null values");
      const leaf = actual.typeId === Type.FixedSizeList ? chunk.children[0] : chunk;
      return (leaf.values as Int32Array | Float32Array | Uint8Array).subarray(
        leaf.offset,
        leaf.offset + chunk.length * column.width,
      );
    };
    let out: Int32Array | Float32Array | Uint8Array;
    if (chunks.length === 1) {
      out = leafValues(chunks[0]); // a view of the input bytes: no copy
    } else {
      out = new Ctor(size * column.width);
      let offset = 0;
      for (const chunk of chunks) {
        const values = leafValues(chunk);
        out.set(values, offset);
        offset += values.length;
      }
    }
    (dataset as unknown as Record<string, unknown>)[column.name] = out;
  }
  return { dataset, info };
}

function sameType(actual: DataType, expected: DataType): boolean {
  if (actual.typeId !== expected.typeId) return false;
  if (expected instanceof FixedSizeList) {
    const list = actual as FixedSizeList;
    return list.listSize === expected.listSize &&
      String(list.children[0].type) === String(expected.children[0].type);
  }
  return String(actual) === String(expected);
}
