/**
 * Importers for Parquet files: `parquet`, the canonical layout with the spec and info in the
 * key-value metadata (data/parquet_layout.ts, what `datasets export ID FILE.parquet` writes), and
 * `parquet-long`, the long layout of the CSV importer as a Parquet table (one row per time step
 * and agent; long_layout.ts), for tables made by other tools.
 *
 * @module
 */
import { type DataType, tableToIPC, Type } from "apache-arrow";
import type { CanonicalDataset } from "../../core/dataset.ts";
import { duckEngine } from "../engine.ts";
import { DatasetError } from "../errors.ts";
import { openParquetFile } from "../parquet_file.ts";
import { readParquetDataset } from "../parquet_layout.ts";
import { saveDataset } from "../store.ts";
import type { SourceNaming } from "../validate.ts";
import { isIntegerColumn, longLayout, readLongTable, sqlType } from "./long_layout.ts";
import { importedInfo, type ImportOptions, type ImportResult, requireFile } from "./options.ts";

/**
 * Imports a Parquet file in the canonical layout into the store; the name, environment and
 * reference returns come from the stored info unless the options give them.
 *
 * @example
 * ```ts ignore
 * const { manifest } = await importParquet("exported.parquet");
 * ```
 */
export async function importParquet(
  path: string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  await requireFile(path);
  const { dataset, info } = readParquetDataset(path);
  const manifest = await saveDataset(dataset, importedInfo(path, options, "parquet", info), {
    home: options.home,
    expectedSpec: options.expectedSpec,
    naming: { file: path },
  });
  return { manifest, notes: [] };
}

/**
 * Reads and validates a Parquet table in the long layout into the canonical form. Id, flag and
 * mask columns must hold integers (or booleans), the others numbers; rows may come in any order.
 */
export async function readLongParquet(
  path: string,
): Promise<{ dataset: CanonicalDataset; naming: SourceNaming }> {
  await requireFile(path);
  const source = openParquetFile(path);
  const engine = await duckEngine();
  const input = engine.temporaryName("work");
  const table = engine.temporaryName("work");
  try {
    const names = source.schema.fields.map((field) => field.name);
    const layout = longLayout(names, path);
    for (const field of source.schema.fields) checkLongType(field.name, field.type, path);
    if (source.rows === 0) {
      throw new DatasetError("invalid_dataset", "expected at least one data row", { file: path });
    }
    for (let group = 0; group < source.groupRows.length; group++) {
      engine.insertArrow(input, tableToIPC(source.readGroup(group), "stream"), group > 0);
    }
    // Every name matched a fixed pattern in longLayout, so no user text reaches the SQL.
    const casts = names.map((name) => `CAST("${name}" AS ${sqlType(name)}) AS "${name}"`);
    try {
      engine.query(
        `CREATE TABLE ${table} AS SELECT (row_number() OVER () - 1)::INTEGER AS line,
           ${casts.join(", ")} FROM ${input}`,
      );
    } catch (error) {
      throw new DatasetError(
        "invalid_dataset",
        `cannot read it as the long layout: ${(error as Error).message}`,
        { file: path },
      );
    }
    engine.dropTable(input);
    return readLongTable(engine, table, names, layout, {
      file: path,
      row: (line) => `row ${line}`,
      missing: "null",
    });
  } finally {
    engine.dropTable(input);
    engine.dropTable(table);
  }
}

/** Refuses a long-layout column whose Parquet type cannot hold its values. */
function checkLongType(name: string, type: DataType, file: string): void {
  const integer = isIntegerColumn(name);
  const fits = integer
    ? type.typeId === Type.Int || type.typeId === Type.Bool
    : type.typeId === Type.Int ||
      (type.typeId === Type.Float && (type as unknown as { precision: number }).precision > 0);
  if (!fits) {
    throw new DatasetError(
      "invalid_dataset",
      `expected ${integer ? "integers" : "numbers"}, got ${type}`,
      { file, field: name },
    );
  }
}

/**
 * Imports a Parquet table in the long layout into the store.
 *
 * @example
 * ```ts ignore
 * const { manifest } = await importParquetLong("episodes.parquet", { name: "my-data" });
 * ```
 */
export async function importParquetLong(
  path: string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const { dataset, naming } = await readLongParquet(path);
  const manifest = await saveDataset(dataset, importedInfo(path, options, "parquet-long"), {
    home: options.home,
    expectedSpec: options.expectedSpec,
    naming,
  });
  return { manifest, notes: [] };
}
