/**
 * Exporting a stored dataset: `arrow` (Arrow IPC file in the canonical layout, with spec and
 * info in its metadata), `parquet` (the same layout as Parquet, spec and info in the key-value
 * metadata), `csv` and `parquet-long` (the long layout of the README), all of which
 * `datasets import` reads back, and `npz` (NumPy: one array per field, data/npz.ts). The file
 * appears atomically: it is written beside its destination and renamed into place.
 *
 * @module
 */
import { dirname, join } from "node:path";
import type { CanonicalDataset } from "../core/dataset.ts";
import { writeArrowFile } from "./arrow_layout.ts";
import { DatasetError } from "./errors.ts";
import type { StoreOptions } from "./home.ts";
import { longColumnNames } from "./importers/long_layout.ts";
import type { DatasetManifest } from "./manifest.ts";
import { writeNpz } from "./npz.ts";
import { writeLongParquet, writeParquetDataset } from "./parquet_layout.ts";
import { loadDataset } from "./store.ts";

/** The export formats. */
export type ExportFormat = "arrow" | "csv" | "parquet" | "parquet-long" | "npz";

/**
 * The file extensions each export format is written under (Arrow: the IPC file format). A name
 * ending in `.parquet` gets the canonical layout unless `--format parquet-long` asks for the long
 * one.
 */
export const EXPORT_EXTENSIONS: Readonly<Record<ExportFormat, readonly string[]>> = {
  arrow: [".arrow", ".ipc", ".feather"],
  csv: [".csv"],
  parquet: [".parquet"],
  "parquet-long": [".parquet"],
  npz: [".npz"],
};

/**
 * The format a dataset is exported to `path` in: the one its extension names. `format`, when
 * given, must be that one; an extension no export format is written under is refused, listing
 * those that are (so that `x.h5` never holds Arrow).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exportFormatOf } from "./export.ts";
 * assert.equal(exportFormatOf("/tmp/episodes.CSV"), "csv");
 * assert.equal(exportFormatOf("/tmp/data.feather", "arrow"), "arrow");
 * assert.equal(exportFormatOf("/tmp/data.parquet"), "parquet");
 * assert.equal(exportFormatOf("/tmp/data.parquet", "parquet-long"), "parquet-long");
 * assert.throws(() => exportFormatOf("/tmp/data.h5"), /\.arrow, \.ipc, \.feather/);
 * assert.throws(() => exportFormatOf("/tmp/data.csv", "arrow"), /--format arrow/);
 * ```
 */
export function exportFormatOf(path: string, format?: string): ExportFormat {
  const name = path.toLowerCase();
  const formats = Object.keys(EXPORT_EXTENSIONS) as ExportFormat[];
  const written = formats.map((f) => `${EXPORT_EXTENSIONS[f].join(", ")} (${f})`).join("; ");
  if (format !== undefined && !formats.includes(format as ExportFormat)) {
    throw new DatasetError(
      "unsupported_format",
      `unknown export format "${format}"; expected ${formats.join(", ")}`,
    );
  }
  const named = formats.find((f) => EXPORT_EXTENSIONS[f].some((ext) => name.endsWith(ext)));
  if (named === undefined) {
    throw new DatasetError(
      "unsupported_format",
      `cannot export to this file name: datasets are written as ${written}; ` +
        `name the file with one of these extensions`,
      { file: path },
    );
  }
  if (format !== undefined && format !== named) {
    const extension = EXPORT_EXTENSIONS[named].find((ext) => name.endsWith(ext))!;
    if (EXPORT_EXTENSIONS[format as ExportFormat].includes(extension)) {
      return format as ExportFormat;
    }
    throw new DatasetError(
      "unsupported_format",
      `the name says ${named} but --format ${format} was given; ${format} files end in ` +
        `${EXPORT_EXTENSIONS[format as ExportFormat].join(", ")}`,
      { file: path },
    );
  }
  return named;
}

/**
 * Writes a stored dataset to `path` in the format its extension names (see
 * {@link exportFormatOf}) and returns its manifest.
 *
 * @example
 * ```ts ignore
 * await exportDataset("spread-expert-0123456789ab", "/tmp/spread.csv");
 * ```
 */
export async function exportDataset(
  idOrName: string,
  path: string,
  format?: string,
  options: StoreOptions = {},
): Promise<DatasetManifest> {
  format = exportFormatOf(path, format);
  const { manifest, dataset } = await loadDataset(idOrName, options);
  try {
    if (!(await Deno.stat(dirname(path) || ".")).isDirectory) throw new Deno.errors.NotFound();
  } catch {
    throw new DatasetError("not_found", `no folder ${dirname(path)} to write into`, { file: path });
  }
  const partial = join(dirname(path), `.${crypto.randomUUID()}.partial`);
  try {
    if (format === "arrow" || format === "parquet") {
      const {
        id: _id,
        spec: _spec,
        rows: _rows,
        episodes: _episodes,
        transitions: _transitions,
        contentHash: _hash,
        createdAt: _created,
        formatVersion: _version,
        dataFile: _file,
        ...info
      } = manifest;
      if (format === "arrow") await writeArrowFile(partial, dataset, info);
      else await writeParquetDataset(partial, dataset, info);
    } else if (format === "parquet-long") {
      await writeLongParquet(partial, dataset);
    } else if (format === "npz") {
      await writeNpz(partial, dataset);
    } else {
      await writeCsv(partial, dataset);
    }
    await Deno.rename(partial, path);
  } catch (error) {
    await Deno.remove(partial).catch(() => {});
    throw error;
  }
  return manifest;
}

/** The header of the CSV long layout for a spec. */
export function csvHeader(dataset: CanonicalDataset): string {
  return longColumnNames(dataset.spec, dataset.avail !== undefined).join(",");
}

async function writeCsv(path: string, dataset: CanonicalDataset): Promise<void> {
  const { spec } = dataset;
  const a = spec.nAgents;
  const file = await Deno.open(path, { write: true, createNew: true });
  const encoder = new TextEncoder();
  const write = async (text: string) => {
    const bytes = encoder.encode(text);
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
  };
  const slice = (values: ArrayLike<number>, from: number, width: number) =>
    Array.prototype.slice.call(values, from * width, (from + 1) * width).join(",");
  try {
    await write(csvHeader(dataset) + "\n");
    let lines: string[] = [];
    for (let row = 0; row < dataset.size; row++) {
      for (let agent = 0; agent < a; agent++) {
        const at = row * a + agent;
        const fields = [
          dataset.episode[row],
          dataset.t[row],
          agent,
          slice(dataset.obs, at, spec.obsDim),
          slice(dataset.state, at, spec.stateDim),
          slice(dataset.action, at, spec.actDim),
          dataset.reward[row],
          dataset.done[row],
          dataset.truncated[row],
        ];
        if (dataset.avail !== undefined) fields.push(slice(dataset.avail, at, spec.nActions!));
        lines.push(fields.join(","));
      }
      if (lines.length >= 4096) {
        await write(lines.join("\n") + "\n");
        lines = [];
      }
    }
    if (lines.length > 0) await write(lines.join("\n") + "\n");
    await file.sync();
  } finally {
    file.close();
  }
}
