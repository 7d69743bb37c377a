/**
 * Parquet files written by a second implementation (hyparquet-writer, plain JavaScript), for the
 * tests that check that the importers read other libraries' files and refuse malformed ones.
 *
 * @module
 */
import { parquetWriteBuffer } from "hyparquet-writer";
import type { CanonicalDataset } from "../../core/dataset.ts";
import { longColumnNames } from "../../data/importers/long_layout.ts";

/** A column to write: its Parquet physical type, whether it is a list per row, its values. */
export interface SecondColumn {
  name: string;
  type: "INT32" | "INT64" | "FLOAT" | "DOUBLE" | "BOOLEAN" | "STRING";
  /** Each row a list (`data` holds one array per row). */
  list?: boolean;
  nullable?: boolean;
  data: unknown[];
}

/** Writes `columns` as a Parquet file at `path` with key-value `metadata`. */
export async function writeSecondParquet(
  path: string,
  columns: SecondColumn[],
  metadata: Record<string, string> = {},
): Promise<void> {
  const schema: Record<string, unknown>[] = [{ name: "root", num_children: columns.length }];
  for (const column of columns) {
    const repetition = column.nullable ? "OPTIONAL" : "REQUIRED";
    const leaf = column.type === "STRING"
      ? { type: "BYTE_ARRAY", converted_type: "UTF8" }
      : { type: column.type };
    if (column.list) {
      schema.push(
        { name: column.name, repetition_type: repetition, converted_type: "LIST", num_children: 1 },
        { name: "list", repetition_type: "REPEATED", num_children: 1 },
        { name: "element", repetition_type: "REQUIRED", ...leaf },
      );
    } else schema.push({ name: column.name, repetition_type: repetition, ...leaf });
  }
  const buffer = parquetWriteBuffer({
    columnData: columns.map(({ name, data }) => ({ name, data })),
    schema: schema as never,
    // An empty list here is written with an element type that parquet-wasm's reader refuses.
    ...(Object.keys(metadata).length === 0
      ? {}
      : { kvMetadata: Object.entries(metadata).map(([key, value]) => ({ key, value })) }),
  });
  await Deno.writeFile(path, new Uint8Array(buffer));
}

/** Rows of `values` as plain arrays of `width` numbers. */
function rowsOf(values: ArrayLike<number>, width: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < values.length / width; i++) {
    rows.push(Array.from({ length: width }, (_, k) => values[i * width + k]));
  }
  return rows;
}

/**
 * The canonical layout as another tool would write it: variable-size lists, float64 rewards,
 * int64 episodes, booleans for the flags.
 */
export function canonicalColumns(dataset: CanonicalDataset): SecondColumn[] {
  const { spec } = dataset;
  const a = spec.nAgents;
  const columns: SecondColumn[] = [
    { name: "episode", type: "INT64", data: Array.from(dataset.episode, BigInt) },
    { name: "t", type: "INT32", data: Array.from(dataset.t) },
    { name: "obs", type: "FLOAT", list: true, data: rowsOf(dataset.obs, a * spec.obsDim) },
    { name: "state", type: "DOUBLE", list: true, data: rowsOf(dataset.state, a * spec.stateDim) },
    {
      name: "action",
      type: spec.actionKind === "discrete" ? "INT32" : "FLOAT",
      list: true,
      data: rowsOf(dataset.action, a * spec.actDim),
    },
  ];
  if (dataset.avail !== undefined) {
    columns.push({
      name: "avail",
      type: "INT32",
      list: true,
      data: rowsOf(dataset.avail, a * spec.nActions!),
    });
  }
  columns.push(
    { name: "reward", type: "DOUBLE", data: Array.from(dataset.reward) },
    { name: "done", type: "BOOLEAN", data: Array.from(dataset.done, (d) => d === 1) },
    { name: "truncated", type: "INT32", data: Array.from(dataset.truncated) },
  );
  return columns;
}

/**
 * The long layout as another tool would write it: float64 numbers, int64 ids, the rows of each
 * time step's agents in reverse order (the importer sorts them).
 */
export function longColumns(dataset: CanonicalDataset): SecondColumn[] {
  const { spec } = dataset;
  const a = spec.nAgents;
  const names = longColumnNames(spec, dataset.avail !== undefined);
  return names.map((name) => {
    const data: unknown[] = [];
    const vector = name.match(/^(obs|state|action|avail)_(\d+)$/);
    for (let row = 0; row < dataset.size; row++) {
      for (let agent = a - 1; agent >= 0; agent--) {
        let value: number;
        if (name === "agent") value = agent;
        else if (vector !== null) {
          const values = dataset[vector[1] as "obs"];
          const width = values.length / (dataset.size * a);
          value = values[(row * a + agent) * width + Number(vector[2])];
        } else value = dataset[name as "reward"][row];
        data.push(["episode", "t"].includes(name) ? BigInt(value) : value);
      }
    }
    const integer = ["episode", "t"].includes(name)
      ? "INT64"
      : ["agent", "done", "truncated"].includes(name) || name.startsWith("avail_") ||
          (spec.actionKind === "discrete" && name.startsWith("action_"))
      ? "INT32"
      : "DOUBLE";
    return { name, type: integer, data } as SecondColumn;
  });
}
