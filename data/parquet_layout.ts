/**
 * The canonical dataset as Parquet: the columns of the Arrow layout (data/arrow_layout.ts), one
 * row per time step, `obs`, `state`, `action` and `avail` as lists of nAgents * dim values
 * (agent-major), with the spec (`omiga.spec`) and the producer's info (`omiga.info`) as JSON in
 * the file's key-value metadata; and the long layout as Parquet (one row per time step and agent,
 * the CSV columns), for tables made by other tools.
 *
 * A file written by another Parquet library reads the same: lists may be variable-size (each row
 * must still hold the expected number of values), floats may be float64, integers of any width
 * (range-checked), flags and masks booleans. Anything else is refused naming the file, the column,
 * the row and what was expected.
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
  Schema,
  Struct,
  type Table,
  Type,
  Uint8,
} from "apache-arrow";
import type { CanonicalDataset, DatasetInfo, MultiAgentSpec } from "../core/dataset.ts";
import {
  type ArrowDataset,
  canonicalBatches,
  canonicalSchema,
  type Column,
  columnsOf,
} from "./arrow_layout.ts";
import { DatasetError } from "./errors.ts";
import { longColumnNames } from "./importers/long_layout.ts";
import { openParquetFile, ROW_GROUP_ROWS, writeParquetFile } from "./parquet_file.ts";

const VECTOR_FIELDS = ["obs", "state", "action", "avail"];

/**
 * Writes a dataset as Parquet in the canonical layout, spec and info in the key-value metadata.
 *
 * @example
 * ```ts ignore
 * await writeParquetDataset("/tmp/spread.parquet", dataset, info);
 * ```
 */
export async function writeParquetDataset(
  path: string,
  dataset: CanonicalDataset,
  info?: DatasetInfo,
): Promise<void> {
  const schema = canonicalSchema(dataset.spec, dataset.avail !== undefined, info);
  await writeParquetFile(path, schema, canonicalBatches(dataset, schema, ROW_GROUP_ROWS));
}

/**
 * Writes a dataset as Parquet in the long layout: columns `episode`, `t`, `agent` (int32),
 * `obs_k`, `state_k` (float32), `action_k` (float32, or int32 for discrete), `reward` (float32),
 * `done`, `truncated` and `avail_k` (uint8), one row per time step and agent.
 */
export async function writeLongParquet(path: string, dataset: CanonicalDataset): Promise<void> {
  const schema = longSchema(dataset);
  await writeParquetFile(path, schema, longBatches(dataset, schema));
}

function longSchema(dataset: CanonicalDataset): Schema {
  const { spec } = dataset;
  const discrete = spec.actionKind === "discrete";
  const typeOf = (name: string) =>
    ["episode", "t", "agent"].includes(name) || (discrete && name.startsWith("action_"))
      ? new Int32()
      : ["done", "truncated"].includes(name) || name.startsWith("avail_")
      ? new Uint8()
      : new Float32();
  const names = longColumnNames(spec, dataset.avail !== undefined);
  return new Schema(names.map((name) => new Field(name, typeOf(name), false)));
}

function* longBatches(dataset: CanonicalDataset, schema: Schema): Generator<RecordBatch> {
  const a = dataset.spec.nAgents;
  const fields = schema.fields;
  const steps = Math.max(1, Math.floor(ROW_GROUP_ROWS / a));
  for (let start = 0; start < dataset.size; start += steps) {
    const count = Math.min(steps, dataset.size - start);
    const length = count * a;
    const children = fields.map((field) => {
      const values = field.type instanceof Int32
        ? new Int32Array(length)
        : field.type instanceof Uint8
        ? new Uint8Array(length)
        : new Float32Array(length);
      fillLongColumn(dataset, field.name, start, count, values);
      return makeData({ type: field.type, length, nullCount: 0, data: values } as never);
    });
    const data = makeData({ type: new Struct(fields), length, nullCount: 0, children });
    yield new RecordBatch(schema, data);
  }
}

/** Fills `out` with column `name` of the long layout for rows `start .. start + count - 1`. */
function fillLongColumn(
  dataset: CanonicalDataset,
  name: string,
  start: number,
  count: number,
  out: Int32Array | Uint8Array | Float32Array,
): void {
  const a = dataset.spec.nAgents;
  const vector = name.match(/^(obs|state|action|avail)_(\d+)$/);
  for (let row = 0; row < count; row++) {
    for (let agent = 0; agent < a; agent++) {
      const i = row * a + agent;
      if (name === "agent") out[i] = agent;
      else if (vector !== null) {
        const values = dataset[vector[1] as "obs"];
        const width = values.length / (dataset.size * a);
        out[i] = values[((start + row) * a + agent) * width + Number(vector[2])];
      } else out[i] = dataset[name as "reward"][start + row];
    }
  }
}

/**
 * Reads a Parquet file in the canonical layout (`file` names it in errors) into typed arrays,
 * one row group at a time, and returns it with its stored info.
 */
export function readParquetDataset(path: string, file = path): ArrowDataset {
  const source = openParquetFile(path, file);
  const { spec, info } = specOf(source.schema, file);
  const withAvail = source.schema.fields.some((f) => f.name === "avail");
  const columns = columnsOf(spec, withAvail);
  const size = source.rows;
  const dataset = { spec, size } as CanonicalDataset;
  for (const column of columns) {
    const field = source.schema.fields.find((f) => f.name === column.name);
    if (field === undefined) {
      throw new DatasetError("invalid_dataset", `expected a column "${column.name}"`, {
        file,
        field: column.name,
      });
    }
    checkType(field.type, column, file);
    const Ctor = { i32: Int32Array, f32: Float32Array, u8: Uint8Array }[column.type];
    (dataset as unknown as Record<string, unknown>)[column.name] = new Ctor(size * column.width);
  }
  let first = 0;
  for (let group = 0; group < source.groupRows.length; group++) {
    const table = source.readGroup(group);
    copyGroup(table, columns, dataset, first, file);
    first += table.numRows;
  }
  return { dataset, info };
}

function specOf(schema: Schema, file: string): { spec: MultiAgentSpec; info?: DatasetInfo } {
  const specText = schema.metadata.get("omiga.spec");
  if (specText === undefined) {
    throw new DatasetError(
      "invalid_dataset",
      "expected key-value metadata 'omiga.spec' (the canonical layout's spec JSON); a table " +
        "with one row per time step and agent (the long layout) imports with --format parquet-long",
      { file },
    );
  }
  try {
    const infoText = schema.metadata.get("omiga.info");
    return {
      spec: JSON.parse(specText),
      info: infoText === undefined ? undefined : JSON.parse(infoText),
    };
  } catch (error) {
    throw new DatasetError(
      "invalid_dataset",
      `expected JSON in the key-value metadata: ${(error as Error).message}`,
      { file },
    );
  }
}

const INTEGER = [Type.Int];
const NUMBER = [Type.Int, Type.Float];
const FLAG = [Type.Int, Type.Bool];

/** The element types a column of the canonical layout accepts. */
function accepted(column: Column): Type[] {
  return column.type === "f32" ? NUMBER : column.type === "i32" ? INTEGER : FLAG;
}

function describeExpected(column: Column): string {
  const element = column.type === "f32"
    ? "numbers (float32)"
    : column.type === "i32"
    ? "integers (int32)"
    : "0/1 flags (uint8)";
  return VECTOR_FIELDS.includes(column.name)
    ? `a list of ${column.width} ${element} per row (agents x dim, agent-major)`
    : element;
}

/** Refuses a column type the canonical column cannot be read from. */
function checkType(type: DataType, column: Column, file: string): void {
  const wrong = () => {
    throw new DatasetError(
      "invalid_dataset",
      `expected ${describeExpected(column)}, got ${type}`,
      { file, field: column.name },
    );
  };
  const isList = type.typeId === Type.List || type.typeId === Type.FixedSizeList ||
    type.typeId === Type.LargeList;
  if (isList !== VECTOR_FIELDS.includes(column.name)) wrong();
  const element = isList ? type.children[0].type as DataType : type;
  if (!accepted(column).includes(element.typeId)) wrong();
  if (element.typeId === Type.Float && (element as Float32).precision === 0) wrong(); // float16
  if (type instanceof FixedSizeList && type.listSize !== column.width) wrong();
}

/** Copies row group `table` into the dataset's arrays from row `first` on. */
function copyGroup(
  table: Table,
  columns: Column[],
  dataset: CanonicalDataset,
  first: number,
  file: string,
): void {
  for (const column of columns) {
    const out = dataset[column.name] as Int32Array | Float32Array | Uint8Array;
    let row = first;
    for (const chunk of table.getChild(column.name)!.data as Data[]) {
      // `at`: a row of this chunk.
      const fail = (at: number, problem: string): never => {
        throw new DatasetError("invalid_dataset", problem, {
          file,
          field: column.name,
          row: `row ${row + at}`,
        });
      };
      for (let i = 0; chunk.nullCount > 0 && i < chunk.length; i++) {
        if (!chunk.getValid(i)) fail(i, "expected a value, got null");
      }
      let leaf = chunk;
      let start = chunk.offset;
      if (chunk.typeId === Type.FixedSizeList) {
        leaf = chunk.children[0];
        start = leaf.offset + chunk.offset * column.width;
      } else if (chunk.typeId === Type.List || chunk.typeId === Type.LargeList) {
        leaf = chunk.children[0];
        const offsets = chunk.valueOffsets as Int32Array | BigInt64Array;
        for (let i = 0; i < chunk.length; i++) {
          const length = Number(offsets[chunk.offset + i + 1]) - Number(offsets[chunk.offset + i]);
          if (length !== column.width) {
            fail(i, `expected ${describeExpected(column)}, got a list of ${length}`);
          }
        }
        start = leaf.offset + Number(offsets[chunk.offset]);
      }
      const count = chunk.length * column.width;
      for (let k = 0; leaf !== chunk && leaf.nullCount > 0 && k < count; k++) {
        if (!leaf.getValid(start - leaf.offset + k)) {
          fail(Math.floor(k / column.width), "expected no null values in the list");
        }
      }
      const bad = copyValues(leaf, start, count, out, row * column.width, column.type);
      if (bad !== undefined) {
        const expected = column.type === "i32" ? "an int32 value" : "0 or 1";
        fail(Math.floor(bad.k / column.width), `expected ${expected}, got ${bad.value}`);
      }
      row += chunk.length;
    }
  }
}

/**
 * Copies `count` values of `leaf` from value index `start` into `out` at `at`, converting to the
 * column's type: one block copy when the types agree, else value by value with range checks.
 * Returns the first value out of range (its index from `start`), if any.
 */
function copyValues(
  leaf: Data,
  start: number,
  count: number,
  out: Int32Array | Float32Array | Uint8Array,
  at: number,
  type: Column["type"],
): { k: number; value: number | bigint } | undefined {
  if (leaf.typeId === Type.Bool) {
    const bits = leaf.values as Uint8Array;
    for (let k = 0; k < count; k++) out[at + k] = (bits[(start + k) >> 3] >> ((start + k) & 7)) & 1;
    return undefined;
  }
  const values = leaf.values as Int32Array | Float32Array | Uint8Array | BigInt64Array;
  if (values.constructor === out.constructor) {
    out.set(values.subarray(start, start + count) as Int32Array, at);
    return undefined;
  }
  const [low, high] = type === "i32" ? [-(2 ** 31), 2 ** 31 - 1] : type === "u8" ? [0, 255] : [
    -Infinity,
    Infinity,
  ];
  for (let k = 0; k < count; k++) {
    const value = Number(values[start + k]);
    // NaN passes to validation, which names it with the agent and component.
    if (value < low || value > high) return { k, value: values[start + k] };
    out[at + k] = value;
  }
  return undefined;
}
