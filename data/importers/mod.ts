/**
 * The importers and a dispatcher that picks one from `--format` or the file extension.
 *
 * @module
 */
import { DatasetError } from "../errors.ts";
import { importArrow } from "./arrow.ts";
import { importCsv } from "./csv.ts";
import { importHdf5 } from "./hdf5.ts";
import { importParquet, importParquetLong } from "./parquet.ts";
import type { ImportOptions, ImportResult } from "./options.ts";

export { importArrow } from "./arrow.ts";
export { csvLayout, importCsv, readCsvDataset } from "./csv.ts";
export { importHdf5, readOmigaHdf5 } from "./hdf5.ts";
export { importParquet, importParquetLong, readLongParquet } from "./parquet.ts";
export type { ImportOptions, ImportResult } from "./options.ts";

/** The input formats (`parquet-long` is never guessed: a `.parquet` file is canonical). */
export const IMPORT_FORMATS = ["hdf5", "csv", "arrow", "parquet", "parquet-long"] as const;

/** One of {@link IMPORT_FORMATS}. */
export type ImportFormat = typeof IMPORT_FORMATS[number];

/** The format of a file from its extension, or undefined. */
export function formatFromPath(path: string): ImportFormat | undefined {
  const extension = path.toLowerCase().split(".").pop();
  if (extension === "h5" || extension === "hdf5") return "hdf5";
  if (extension === "csv" || extension === "tsv") return "csv";
  if (["arrow", "arrows", "ipc", "feather"].includes(extension ?? "")) return "arrow";
  if (extension === "parquet" || extension === "pq") return "parquet";
  return undefined;
}

/**
 * Imports a file into the store with the importer of `format` (default: from the extension).
 * A failed import leaves the store as it was.
 *
 * @example
 * ```ts ignore
 * const { manifest } = await importDataset("halfcheetah.hdf5", { format: "hdf5" });
 * ```
 */
export async function importDataset(
  path: string,
  options: ImportOptions & { format?: string } = {},
): Promise<ImportResult> {
  const format = options.format ?? formatFromPath(path);
  switch (format) {
    case "hdf5":
      return await importHdf5(path, options);
    case "csv":
      return await importCsv(path, options);
    case "arrow":
      return await importArrow(path, options);
    case "parquet":
      return await importParquet(path, options);
    case "parquet-long":
      return await importParquetLong(path, options);
    default:
      throw new DatasetError(
        "unsupported_format",
        format === undefined
          ? `cannot tell the format from the extension; pass --format ${IMPORT_FORMATS.join("|")}`
          : `unknown format "${format}"; expected ${IMPORT_FORMATS.join(", ")}`,
        { file: path },
      );
  }
}
