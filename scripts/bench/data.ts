/**
 * `deno task bench data [--rows N] [--keep]`: the data layer's speed targets (issue: import a
 * 1,000,000-row OMIGA HDF5 file with 3 agents, 14-dim obs and state and 1-dim actions in under
 * 15 s; load a stored dataset into training arrays in under 3 s; peak memory under 2 GiB), and
 * beside them the Parquet export and import of the same rows and the .npz export (no targets).
 *
 * The HDF5 fixture is written by a child process (so that its memory does not count), in a
 * temporary directory that also holds the store. Peak memory is the process's high-water resident
 * set (`VmHWM` from /proc/self/status), falling back to the current RSS where /proc is missing.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import h5wasm from "h5wasm/node";
import { Rng } from "../../core/rng.ts";
import { exportDataset } from "../../data/export.ts";
import { importHdf5 } from "../../data/importers/hdf5.ts";
import { importParquet } from "../../data/importers/parquet.ts";
import { datasetStats } from "../../data/stats.ts";
import { loadTrainingData } from "../../data/training.ts";

const AGENTS = 3;
const OBS_DIM = 14;
const STATE_DIM = 14;
const ACT_DIM = 1;
const EPISODE_ROWS = 1000;
const GIB = 1024 ** 3;

/** Writes an OMIGA-layout HDF5 file of `rows` rows with seeded values; d = 1 every 1000 rows. */
export async function writeOmigaFixture(path: string, rows: number, seed = 0): Promise<void> {
  await h5wasm.ready;
  const rng = Rng.fromSeed(seed);
  const file = new h5wasm.File(path, "w");
  try {
    const field = (name: string, width: number, low: number, high: number) => {
      const values = rng.fillUniform(new Float32Array(rows * width), low, high) as Float32Array;
      file.create_dataset({
        name,
        data: values,
        shape: width === 1 ? [rows, 1] : [rows, AGENTS, width / AGENTS],
        dtype: "<f",
      });
    };
    field("s", AGENTS * STATE_DIM, -5, 5);
    field("o", AGENTS * OBS_DIM, -5, 5);
    field("a", AGENTS * ACT_DIM, -1, 1);
    field("r", 1, -1, 3);
    const d = new Float32Array(rows);
    for (let i = EPISODE_ROWS - 1; i < rows; i += EPISODE_ROWS) d[i] = 1;
    file.create_dataset({ name: "d", data: d, shape: [rows, 1], dtype: "<f" });
  } finally {
    file.close();
  }
}

function peakResidentBytes(): number {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const match = status.match(/VmHWM:\s+(\d+) kB/);
    if (match !== null) return Number(match[1]) * 1024;
  } catch {
    // not Linux
  }
  return Deno.memoryUsage().rss;
}

/** Runs the data benchmark and returns its JSON report. */
export async function benchData(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: { rows: { type: "string" }, keep: { type: "boolean" } },
    strict: true,
  });
  const rows = Number(values.rows ?? 1_000_000);
  const dir = await Deno.makeTempDir({ prefix: "omiga-bench-data-" });
  try {
    const fixture = join(dir, "omiga.hdf5");
    let start = performance.now();
    const writer = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", import.meta.filename!, "--write-fixture", fixture, String(rows)],
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (!writer.success) throw new Error(`writing the HDF5 fixture failed (exit ${writer.code})`);
    const fixtureSeconds = (performance.now() - start) / 1000;
    const fileBytes = (await Deno.stat(fixture)).size;
    const home = join(dir, "home");

    start = performance.now();
    const { manifest } = await importHdf5(fixture, { home, name: "bench" });
    const importSeconds = (performance.now() - start) / 1000;
    const afterImport = peakResidentBytes();

    start = performance.now();
    const { transitions } = await loadTrainingData(manifest.id, { home });
    const loadSeconds = (performance.now() - start) / 1000;
    const peak = peakResidentBytes();

    // Not a target: how long `datasets show` takes on it (DuckDB engine start included).
    start = performance.now();
    const stats = await datasetStats(manifest.id, { home });
    const statsSeconds = (performance.now() - start) / 1000;

    // Parquet beside HDF5: the stored dataset exported (read from the store included), then that
    // file imported under another name (validated and stored again), and the .npz export.
    const parquet = join(dir, "bench.parquet");
    start = performance.now();
    await exportDataset(manifest.id, parquet, "parquet", { home });
    const parquetExportSeconds = (performance.now() - start) / 1000;
    start = performance.now();
    const fromParquet = await importParquet(parquet, { home, name: "bench-parquet" });
    const parquetImportSeconds = (performance.now() - start) / 1000;
    const npz = join(dir, "bench.npz");
    start = performance.now();
    await exportDataset(manifest.id, npz, "npz", { home });
    const npzExportSeconds = (performance.now() - start) / 1000;
    return {
      bench: "data",
      rows,
      agents: AGENTS,
      obsDim: OBS_DIM,
      stateDim: STATE_DIM,
      actDim: ACT_DIM,
      hdf5Bytes: fileBytes,
      fixtureWriteSeconds: round(fixtureSeconds),
      storedRows: manifest.rows,
      episodes: manifest.episodes,
      transitions: transitions.size,
      importSeconds: round(importSeconds),
      loadToTrainingArraysSeconds: round(loadSeconds),
      statsSeconds: round(statsSeconds),
      parquetBytes: (await Deno.stat(parquet)).size,
      parquetExportSeconds: round(parquetExportSeconds),
      parquetImportSeconds: round(parquetImportSeconds),
      parquetRoundTripSameHash: fromParquet.manifest.contentHash === manifest.contentHash,
      npzBytes: (await Deno.stat(npz)).size,
      npzExportSeconds: round(npzExportSeconds),
      returnMean: round(stats.episodeReturn.mean),
      peakResidentGiB: round(peak / GIB),
      peakResidentAfterImportGiB: round(afterImport / GIB),
      peakResidentWithParquetGiB: round(peakResidentBytes() / GIB),
      targets: {
        importSeconds: { limit: 15, met: importSeconds < 15 },
        loadToTrainingArraysSeconds: { limit: 3, met: loadSeconds < 3 },
        peakResidentGiB: { limit: 2, met: peak < 2 * GIB },
      },
    };
  } finally {
    if (!values.keep) await Deno.remove(dir, { recursive: true });
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

if (import.meta.main && Deno.args[0] === "--write-fixture") {
  await writeOmigaFixture(Deno.args[1], Number(Deno.args[2]));
}
