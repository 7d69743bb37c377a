import fc from "fast-check";
import h5wasm from "h5wasm/node";
import { join } from "node:path";
import { DatasetError } from "../../data/errors.ts";
import { exportDataset } from "../../data/export.ts";
import { importDataset } from "../../data/importers/mod.ts";
import { listDatasets, removeDataset, saveDataset } from "../../data/store.ts";
import { assertEquals } from "../assert.ts";
import { decodeOrRefuseAsync, FUZZ_SEED, fuzzRuns, mutatedBytes } from "../fuzz.ts";
import { makeDataset, makeInfo, snapshot } from "./fixtures.ts";

/**
 * Cases per importer. Arrow reads in-process; CSV, Parquet and HDF5 go through DuckDB, parquet-wasm
 * or h5wasm (one engine each, started once), so they get fewer.
 */
export const IMPORT_FUZZ_CASES = {
  arrow: 600,
  csv: 300,
  csvLines: 300,
  parquet: 400,
  parquetLong: 150,
  hdf5: 300,
};

/** An import through DuckDB may take a while on a loaded machine; a hang still fails. */
const IMPORT_TIME_LIMIT_MS = 15_000;

const CODES = ["invalid_dataset", "unsupported_format", "invalid_input", "not_found"];

const home = await Deno.makeTempDir({ prefix: "omiga-import-fuzz-" });
globalThis.addEventListener("unload", () => Deno.removeSync(home, { recursive: true }));
const inputs = join(home, "inputs");
await Deno.mkdir(inputs);
const dataset = makeDataset([{ length: 3, end: "done" }, { length: 2, end: "truncated" }]);
const kept = await saveDataset(dataset, makeInfo("kept"), { home });

async function exported(format: string, name: string): Promise<Uint8Array> {
  const path = join(inputs, name);
  await exportDataset(kept.id, path, format, { home });
  return await Deno.readFile(path);
}

/** An OMIGA HDF5 file (s, o, a, r, d) of 6 rows, 2 agents, episodes ending at rows 2 and 5. */
async function omigaHdf5(): Promise<Uint8Array> {
  await h5wasm.ready;
  const path = join(inputs, "valid.h5");
  const file = new h5wasm.File(path, "w");
  const rows = 6;
  const fields: [string, Float32Array, number[]][] = [
    ["s", new Float32Array(rows * 2 * 2).map((_, i) => i / 10), [rows, 2, 2]],
    ["o", new Float32Array(rows * 2 * 3).map((_, i) => -i / 10), [rows, 2, 3]],
    ["a", new Float32Array(rows * 2).map((_, i) => (i % 3) / 3), [rows, 2, 1]],
    ["r", new Float32Array(rows).map((_, i) => i), [rows, 1]],
    ["d", Float32Array.from([0, 0, 1, 0, 0, 1]), [rows, 1]],
  ];
  for (const [name, data, shape] of fields) {
    file.create_dataset({ name, data, shape, dtype: "<f" });
  }
  file.close();
  return await Deno.readFile(path);
}

/**
 * Imports `bytes` as `format`: a stored dataset (removed again) or a typed DatasetError with the
 * store exactly as it was, within the time limit.
 */
async function importOrRefuse(bytes: Uint8Array, format: string, extension: string) {
  const path = join(inputs, `case.${extension}`);
  await Deno.writeFile(path, bytes);
  const before = await snapshot(join(home, "datasets"));
  const result = await decodeOrRefuseAsync(
    () => importDataset(path, { home, format, name: "fuzzed" }),
    DatasetError,
    CODES,
    IMPORT_TIME_LIMIT_MS,
  );
  if (result === undefined) {
    assertEquals(
      await snapshot(join(home, "datasets")),
      before,
      "a refused import changed the store",
    );
  } else if (result.manifest.id !== kept.id) {
    await removeDataset(result.manifest.id, { home });
  }
  assertEquals((await listDatasets({ home })).map((m) => m.id), [kept.id]);
}

function fuzzImporter(format: string, extension: string, valid: Uint8Array, runs: number) {
  return fc.assert(
    fc.asyncProperty(mutatedBytes([valid]), (bytes) => importOrRefuse(bytes, format, extension)),
    { numRuns: fuzzRuns(runs), seed: FUZZ_SEED },
  );
}

Deno.test(`${IMPORT_FUZZ_CASES.arrow} mutated or arbitrary Arrow IPC files are imported or refused with DatasetError, the store unchanged`, async () => {
  await fuzzImporter(
    "arrow",
    "arrow",
    await exported("arrow", "valid.arrow"),
    IMPORT_FUZZ_CASES.arrow,
  );
});

Deno.test(`${IMPORT_FUZZ_CASES.csv} mutated or arbitrary CSV files are imported or refused with DatasetError, the store unchanged`, async () => {
  await fuzzImporter("csv", "csv", await exported("csv", "valid.csv"), IMPORT_FUZZ_CASES.csv);
});

/** Tokens that are wrong wherever a CSV field is expected. */
const badField = fc.constantFrom(
  "",
  " ",
  "NaN",
  "inf",
  "-inf",
  "1e999",
  "-1",
  "2147483648",
  "0.5",
  "x",
  '"',
  '""',
  '"1,2"',
  "1;2",
  "\u00a0",
);

Deno.test(`${IMPORT_FUZZ_CASES.csvLines} CSV files with edited lines and fields are imported or refused with DatasetError, the store unchanged`, async () => {
  const text = new TextDecoder().decode(await exported("csv", "lines.csv"));
  const lines = text.trimEnd().split("\n");
  const edit = fc.tuple(fc.integer({ min: 0, max: 4 }), fc.nat(), fc.nat(), badField);
  await fc.assert(
    fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 3 }), async (edits) => {
      const edited = [...lines];
      for (const [kind, line, column, token] of edits) {
        const at = line % edited.length;
        const fields = edited[at].split(",");
        if (kind === 0) fields[column % fields.length] = token; // one field wrong
        if (kind === 1) fields.splice(column % fields.length, 1); // one field fewer
        if (kind === 2) fields.push(token); // one field more
        edited[at] = fields.join(",");
        if (kind === 3) edited.splice(at, 1); // a line dropped (the header too)
        if (kind === 4) edited.splice(at, 0, edited[column % edited.length]); // a line repeated
      }
      await importOrRefuse(new TextEncoder().encode(edited.join("\n") + "\n"), "csv", "csv");
    }),
    { numRuns: fuzzRuns(IMPORT_FUZZ_CASES.csvLines), seed: FUZZ_SEED },
  );
});

Deno.test(`${IMPORT_FUZZ_CASES.parquet} mutated or arbitrary Parquet files are imported or refused with DatasetError, the store unchanged`, async () => {
  const valid = await exported("parquet", "valid.parquet");
  await fuzzImporter("parquet", "parquet", valid, IMPORT_FUZZ_CASES.parquet);
});

Deno.test(`${IMPORT_FUZZ_CASES.parquetLong} mutated or arbitrary long-layout Parquet files are imported or refused with DatasetError, the store unchanged`, async () => {
  const valid = await exported("parquet-long", "valid-long.parquet");
  await fuzzImporter("parquet-long", "parquet", valid, IMPORT_FUZZ_CASES.parquetLong);
});

Deno.test(`${IMPORT_FUZZ_CASES.hdf5} mutated or arbitrary HDF5 files are imported or refused with DatasetError, the store unchanged`, async () => {
  await fuzzImporter("hdf5", "h5", await omigaHdf5(), IMPORT_FUZZ_CASES.hdf5);
});
