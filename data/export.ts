/**
 * Exporting a stored dataset: `arrow` (Arrow IPC file in the canonical layout, with spec and
 * info in its metadata; `datasets import` reads it back) or `csv` (the long layout of the README).
 * The file appears atomically: it is written beside its destination and renamed into place.
 *
 * @module
 */
import { dirname, join } from "node:path";
import type { CanonicalDataset } from "../core/dataset.ts";
import { writeArrowFile } from "./arrow_layout.ts";
import { DatasetError } from "./errors.ts";
import type { StoreOptions } from "./home.ts";
import type { DatasetManifest } from "./manifest.ts";
import { loadDataset } from "./store.ts";

/** The export formats. */
export type ExportFormat = "arrow" | "csv";

/**
 * Writes a stored dataset to `path` and returns its manifest.
 *
 * @example
 * ```ts ignore
 * await exportDataset("spread-expert-0123456789ab", "/tmp/spread.csv", "csv");
 * ```
 */
export async function exportDataset(
  idOrName: string,
  path: string,
  format: string,
  options: StoreOptions = {},
): Promise<DatasetManifest> {
  if (format !== "arrow" && format !== "csv") {
    throw new DatasetError(
      "unsupported_format",
      `unknown export format "${format}"; expected arrow or csv`,
    );
  }
  const { manifest, dataset } = await loadDataset(idOrName, options);
  try {
    if (!(await Deno.stat(dirname(path) || ".")).isDirectory) throw new Deno.errors.NotFound();
  } catch {
    throw new DatasetError("not_found", `no folder ${dirname(path)} to write into`, { file: path });
  }
  const partial = join(dirname(path), `.${crypto.randomUUID()}.partial`);
  try {
    if (format === "arrow") {
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
      await writeArrowFile(partial, dataset, info);
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
  const { spec } = dataset;
  const names = ["episode", "t", "agent"];
  const vector = (prefix: string, width: number) => {
    for (let k = 0; k < width; k++) names.push(`${prefix}_${k}`);
  };
  vector("obs", spec.obsDim);
  vector("state", spec.stateDim);
  vector("action", spec.actDim);
  names.push("reward", "done", "truncated");
  if (dataset.avail !== undefined) vector("avail", spec.nActions!);
  return names.join(",");
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
