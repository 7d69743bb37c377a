/**
 * Importer for the CSV long layout (README, "Dataset formats"; see long_layout.ts): one line per
 * time step and agent, comma-separated with a header line. Parsed by DuckDB's CSV reader with
 * declared column types; rows are ordered by (episode, t, agent).
 *
 * @module
 */
import type { CanonicalDataset } from "../../core/dataset.ts";
import { duckEngine } from "../engine.ts";
import { DatasetError } from "../errors.ts";
import { saveDataset } from "../store.ts";
import type { SourceNaming } from "../validate.ts";
import { type LongLayout, longLayout, readLongTable, sqlType } from "./long_layout.ts";
import { csvProblem, csvProblemLocation } from "./csv_problem.ts";
import { importedInfo, type ImportOptions, type ImportResult, requireFile } from "./options.ts";

/** The layout a CSV header describes. */
export type CsvLayout = LongLayout;

/** Reads the layout from a header line; throws naming the offending column. */
export function csvLayout(header: string, file: string, delimiter = ","): CsvLayout {
  return longLayout(headerNames(header, delimiter), file, "line 1 (header)");
}

/** The column names of a header line (BOM, spaces and quotes removed). */
function headerNames(header: string, delimiter: string): string[] {
  return header.replace(/^\uFEFF/, "").trim().split(delimiter).map((name) =>
    name.trim().replace(/^"(.*)"$/, "$1")
  );
}

async function readHeader(path: string): Promise<string> {
  const file = await Deno.open(path, { read: true });
  try {
    const buffer = new Uint8Array(1 << 16);
    const read = await file.read(buffer);
    const text = new TextDecoder().decode(buffer.subarray(0, read ?? 0));
    return text.split(/\r?\n/, 1)[0];
  } finally {
    file.close();
  }
}

/** The field delimiter of a delimited text file: a tab for `.tsv`, else a comma. */
export function delimiterOf(path: string): "," | "\t" {
  return path.toLowerCase().endsWith(".tsv") ? "\t" : ",";
}

/**
 * Reads and validates a CSV file in the long layout into the canonical form (tab-separated when
 * the name ends in `.tsv`).
 */
export async function readCsvDataset(
  path: string,
): Promise<{ dataset: CanonicalDataset; naming: SourceNaming }> {
  await requireFile(path);
  const delimiter = delimiterOf(path);
  const header = await readHeader(path);
  const layout = csvLayout(header, path, delimiter);
  // Every name matched a fixed pattern in csvLayout and the file is registered under a generated
  // name, so no user text reaches the SQL.
  const order = headerNames(header, delimiter);
  const declared = order.map((name) => `'${name}': '${sqlType(name)}'`).join(", ");
  const engine = await duckEngine();
  const registered = engine.registerLocalFile(path, "csv");
  const table = engine.temporaryName("csv");
  try {
    engine.query(
      `CREATE TABLE ${table} AS SELECT (row_number() OVER () + 1)::INTEGER AS line, *
         FROM read_csv('${registered}', header = true, auto_detect = false, delim = '${delimiter}',
                       quote = '"', columns = {${declared}})`,
    );
  } catch (error) {
    engine.dropFile(registered);
    const problem = csvProblem((error as Error).message);
    throw new DatasetError(
      "invalid_dataset",
      `not the CSV long layout: ${problem.problem}`,
      csvProblemLocation(path, problem),
    );
  }
  try {
    engine.dropFile(registered);
    return readLongTable(engine, table, order, layout, {
      file: path,
      row: (line) => `line ${line}`,
      missing: "an empty field",
    });
  } finally {
    engine.dropTable(table);
  }
}

/**
 * Imports a CSV file in the long layout into the store.
 *
 * @example
 * ```ts ignore
 * const { manifest } = await importCsv("episodes.csv", { name: "my-data", env: "spread" });
 * ```
 */
export async function importCsv(path: string, options: ImportOptions = {}): Promise<ImportResult> {
  const { dataset, naming } = await readCsvDataset(path);
  const manifest = await saveDataset(dataset, importedInfo(path, options, "csv"), {
    home: options.home,
    expectedSpec: options.expectedSpec,
    naming,
  });
  return { manifest, notes: [] };
}
