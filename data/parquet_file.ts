/**
 * Parquet files as Arrow tables, through parquet-wasm (the Rust Arrow project's Parquet reader
 * and writer compiled to WebAssembly; DuckDB-wasm's Parquet reader is an extension it downloads at
 * run time, which these machines cannot reach). Writing streams record batches through the
 * encoder into the file, one row group per {@link ROW_GROUP_ROWS} rows; reading decodes one row
 * group at a time, so that WebAssembly memory holds the file and one group rather than the whole
 * decoded table (the footer is read by hyparquet, in plain JavaScript). The Arrow schema's metadata is the file's key-value metadata both ways.
 *
 * @module
 */
import * as parquet from "parquet-wasm/esm";
import { type RecordBatch, type Schema, Table, tableFromIPC, tableToIPC } from "apache-arrow";
import { parquetMetadata } from "hyparquet";
import { readInputFile, writeAll } from "./arrow_layout.ts";
import { DatasetError } from "./errors.ts";

/** Rows per row group written (and per record batch read). */
export const ROW_GROUP_ROWS = 1 << 17;

let started = false;

/** The parquet-wasm module, instantiated on first use from the package's own `.wasm` file. */
function parquetWasm(): typeof parquet {
  if (!started) {
    const module = new URL(import.meta.resolve("parquet-wasm/esm/parquet_wasm_bg.wasm"));
    parquet.initSync({ module: Deno.readFileSync(module) });
    started = true;
  }
  return parquet;
}

/**
 * Writes record batches of `schema` as a Parquet file at `path`, the schema's metadata as the
 * file's key-value metadata, and fsyncs it. Columns are Snappy-compressed without dictionaries: the data are
 * mostly floats, which dictionaries do not shrink and which they make slower to write.
 *
 * @example
 * ```ts ignore
 * await writeParquetFile("/tmp/d.parquet", schema, canonicalBatches(dataset, schema));
 * ```
 */
export async function writeParquetFile(
  path: string,
  schema: Schema,
  batches: Iterable<RecordBatch>,
): Promise<void> {
  const pq = parquetWasm();
  const next = batches[Symbol.iterator]();
  const input = new ReadableStream<parquet.RecordBatch>({
    pull(controller) {
      const batch = next.next();
      if (batch.done) return controller.close();
      const table = pq.Table.fromIPCStream(tableToIPC(new Table([batch.value]), "stream"));
      for (const inWasm of table.recordBatches()) controller.enqueue(inWasm);
      table.free();
    },
  });
  const properties = new pq.WriterPropertiesBuilder()
    .setCompression(pq.Compression.SNAPPY)
    .setDictionaryEnabled(false)
    .setMaxRowGroupSize(ROW_GROUP_ROWS)
    .setCreatedBy("omiga-flow")
    .setKeyValueMetadata(new Map(schema.metadata))
    .build();
  const output = await pq.transformParquetStream(input, properties) as ReadableStream<Uint8Array>;
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    for await (const chunk of output) await writeAll(file, chunk);
    await file.sync();
  } finally {
    file.close();
  }
}

/** An open Parquet file: its Arrow schema (with the key-value metadata) and its row groups. */
export interface ParquetSource {
  schema: Schema;
  rows: number;
  /** The row groups' row counts, in order. */
  groupRows: number[];
  /** Decodes row group `group` into an Arrow table (in JavaScript memory). */
  readGroup(group: number): Table;
}

/**
 * Opens the Parquet file at `path` (`file` names it in errors): a file that is not Parquet, or
 * whose footer is missing (a truncated file), is refused here, before any row is read. The footer
 * is read by hyparquet (plain JavaScript); row groups are decoded by parquet-wasm's synchronous
 * reader, whose errors (a corrupt page) are ordinary exceptions, unlike its asynchronous one's.
 */
export function openParquetFile(path: string, file = path): ParquetSource {
  const pq = parquetWasm();
  const bytes = readInputFile(path, file);
  let groupRows: number[];
  try {
    groupRows = parquetMetadata(bytes).row_groups.map((group) => Number(group.num_rows));
  } catch (error) {
    throw new DatasetError(
      "invalid_dataset",
      `expected a Parquet file (is it cut short?): ${describe(error)}`,
      { file },
    );
  }
  const decode = <T>(what: string, read: () => T): T => {
    try {
      return read();
    } catch (error) {
      throw new DatasetError("invalid_dataset", `cannot decode ${what}: ${describe(error)}`, {
        file,
      });
    }
  };
  const readGroup = (group: number) => {
    const first = groupRows.slice(0, group).reduce((sum, rows) => sum + rows, 0);
    return decode(
      `row group ${group} (rows ${first}..${first + groupRows[group] - 1})`,
      () =>
        tableFromIPC(
          pq.readParquet(bytes, { rowGroups: [group], batchSize: ROW_GROUP_ROWS }).intoIPCStream(),
        ),
    );
  };
  // The schema from the first row group when there is one (decoding it anyway), else the footer.
  let firstGroup = groupRows.length > 0 ? readGroup(0) : undefined;
  const schema = firstGroup?.schema ??
    decode("the schema", () => tableFromIPC(pq.readSchema(bytes).intoIPCStream()).schema);
  return {
    schema,
    rows: groupRows.reduce((sum, rows) => sum + rows, 0),
    groupRows,
    readGroup(group) {
      if (group === 0 && firstGroup !== undefined) {
        const table = firstGroup;
        firstGroup = undefined;
        return table;
      }
      return readGroup(group);
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
