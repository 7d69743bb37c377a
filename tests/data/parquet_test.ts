import { parquetMetadata } from "hyparquet";
import { join } from "node:path";
import { DatasetError } from "../../data/errors.ts";
import { exportDataset } from "../../data/export.ts";
import { importDataset } from "../../data/importers/mod.ts";
import { importParquet, importParquetLong } from "../../data/importers/parquet.ts";
import { writeParquetDataset } from "../../data/parquet_layout.ts";
import { loadDataset, saveDataset } from "../../data/store.ts";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { arraysOf, makeDataset, makeInfo, snapshot, withTempDir } from "./fixtures.ts";
import {
  canonicalColumns,
  longColumns,
  type SecondColumn,
  writeSecondParquet,
} from "./second_parquet.ts";

const EPISODES = [{ length: 6, end: "done" }, { length: 3, end: "truncated" }, {
  length: 2,
  end: "open",
}] as const;

Deno.test("Parquet export then import gives the same content hash, spec and info", async () => {
  await withTempDir(async (dir) => {
    const home = join(dir, "home");
    for (const discrete of [false, true]) {
      const dataset = makeDataset([...EPISODES], { discrete });
      const info = makeInfo(`parquet-${discrete}`, {
        tier: "expert",
        reference: { random: 0, expert: 5 },
      });
      const saved = await saveDataset(dataset, info, { home });
      const path = join(dir, `out-${discrete}.parquet`);
      await exportDataset(saved.id, path, undefined, { home });
      // The spec and info are in the file's key-value metadata, as a second reader sees it.
      const bytes = await Deno.readFile(path);
      const metadata = parquetMetadata(bytes.buffer);
      const kv = new Map(metadata.key_value_metadata!.map(({ key, value }) => [key, value]));
      assertEquals(JSON.parse(kv.get("omiga.spec")!), dataset.spec);
      assertEquals(JSON.parse(kv.get("omiga.info")!).name, info.name);
      assertEquals(Number(metadata.num_rows), dataset.size);

      const { manifest } = await importDataset(path, { home: join(dir, "other") });
      assertEquals(manifest.contentHash, saved.contentHash);
      assertEquals([manifest.name, manifest.env, manifest.tier], [info.name, info.env, "expert"]);
      assertEquals(manifest.reference, info.reference);
      assertEquals(manifest.source, "parquet");
      const back = await loadDataset(manifest.id, { home: join(dir, "other") });
      assertEquals(arraysOf(back.dataset), arraysOf(dataset));
    }
  });
});

Deno.test("long Parquet export then import gives the same content hash", async () => {
  await withTempDir(async (dir) => {
    const home = join(dir, "home");
    for (const discrete of [false, true]) {
      const dataset = makeDataset([...EPISODES], { discrete, nAgents: 3 });
      const saved = await saveDataset(dataset, makeInfo(`long-${discrete}`), { home });
      const path = join(dir, `long-${discrete}.parquet`);
      await exportDataset(saved.id, path, "parquet-long", { home });
      const { manifest } = await importDataset(path, {
        home: join(dir, "other"),
        format: "parquet-long",
        name: "long",
      });
      assertEquals(manifest.contentHash, saved.contentHash);
      assertEquals(manifest.source, "parquet-long");
      assertEquals(manifest.spec, dataset.spec);
    }
  });
});

Deno.test("a Parquet file written by a second library reads the same", async () => {
  await withTempDir(async (dir) => {
    for (const discrete of [false, true]) {
      const dataset = makeDataset([...EPISODES], { discrete });
      const info = makeInfo(`second-${discrete}`);
      const saved = await saveDataset(dataset, info, { home: join(dir, "home") });
      const canonical = join(dir, `canonical-${discrete}.parquet`);
      await writeSecondParquet(canonical, canonicalColumns(dataset), {
        "omiga.spec": JSON.stringify(dataset.spec),
        "omiga.info": JSON.stringify(info),
      });
      const fromCanonical = await importParquet(canonical, { home: join(dir, "a") });
      assertEquals(fromCanonical.manifest.contentHash, saved.contentHash);
      assertEquals(fromCanonical.manifest.name, info.name);

      const long = join(dir, `long-${discrete}.parquet`);
      await writeSecondParquet(long, longColumns(dataset));
      const fromLong = await importParquetLong(long, { home: join(dir, "b"), name: "x" });
      assertEquals(fromLong.manifest.contentHash, saved.contentHash);
    }
  });
});

Deno.test("malformed Parquet files are refused naming file, column and row; the store is unchanged", async () => {
  await withTempDir(async (dir) => {
    const home = join(dir, "home");
    const dataset = makeDataset([{ length: 4, end: "done" }, { length: 3, end: "open" }]);
    const info = makeInfo("good");
    await saveDataset(dataset, info, { home });
    const before = await snapshot(home);
    const spec = { "omiga.spec": JSON.stringify(dataset.spec) };
    const good = join(dir, "good.parquet");
    await writeParquetDataset(good, dataset, info);
    const bytes = await Deno.readFile(good);
    const edited = (edit: (columns: SecondColumn[]) => void) => {
      const columns = canonicalColumns(dataset);
      edit(columns);
      return columns;
    };
    const column = (columns: SecondColumn[], name: string) => columns.find((c) => c.name === name)!;
    const cases: [string, (path: string) => Promise<unknown>, string][] = [
      [
        "truncated.parquet",
        (path) => Deno.writeFile(path, bytes.subarray(0, bytes.length - 100)),
        "expected a Parquet file",
      ],
      [
        "cut-early.parquet",
        (path) => Deno.writeFile(path, bytes.subarray(0, 200)),
        "expected a Parquet file",
      ],
      [
        "corrupt-page.parquet",
        (path) => Deno.writeFile(path, bytes.slice().fill(0x7f, 100, 164)),
        "cannot decode row group 0 (rows 0..6)",
      ],
      [
        "text.parquet",
        (path) => Deno.writeTextFile(path, "episode,t\n0,0\n"),
        "expected a Parquet",
      ],
      [
        "no-spec.parquet",
        (path) => writeSecondParquet(path, canonicalColumns(dataset)),
        "expected key-value metadata 'omiga.spec'",
      ],
      [
        "missing-reward.parquet",
        (path) =>
          writeSecondParquet(
            path,
            edited((c) => c.splice(c.indexOf(column(c, "reward")), 1)),
            spec,
          ),
        'field reward: expected a column "reward"',
      ],
      [
        "string-obs.parquet",
        (path) =>
          writeSecondParquet(
            path,
            edited((c) => {
              const obs = column(c, "obs");
              obs.type = "STRING";
              obs.list = false;
              obs.data = obs.data.map(String);
            }),
            spec,
          ),
        "field obs: expected a list of 6 numbers (float32) per row (agents x dim, agent-major), got Utf8",
      ],
      [
        "float-episode.parquet",
        (path) =>
          writeSecondParquet(
            path,
            edited((c) => {
              Object.assign(column(c, "episode"), {
                type: "DOUBLE",
                data: Array.from(dataset.episode, (e) => e + 0.5),
              });
            }),
            spec,
          ),
        "field episode: expected integers (int32), got Float64",
      ],
      [
        "short-list.parquet",
        (path) =>
          writeSecondParquet(
            path,
            edited((c) => (column(c, "obs").data[5] as number[]).pop()),
            spec,
          ),
        "field obs, row 5: expected a list of 6 numbers (float32) per row (agents x dim, agent-major), got a list of 5",
      ],
      [
        "null-reward.parquet",
        (path) =>
          writeSecondParquet(
            path,
            edited((c) => {
              Object.assign(column(c, "reward"), { nullable: true });
              column(c, "reward").data[3] = null;
            }),
            spec,
          ),
        "field reward, row 3: expected a value, got null",
      ],
      [
        "wide-flag.parquet",
        (path) =>
          writeSecondParquet(path, edited((c) => column(c, "truncated").data[2] = 256), spec),
        "field truncated, row 2: expected 0 or 1, got 256",
      ],
      [
        "nan-obs.parquet",
        (path) => {
          const bad = { ...dataset, obs: dataset.obs.slice() };
          bad.obs[2 * 6 + 4] = NaN; // row 2, agent 1, component 1
          return writeParquetDataset(path, bad, info);
        },
        "field obs, row 2, agent 1: expected a finite number, got NaN",
      ],
      [
        "long-missing.parquet",
        (path) => writeSecondParquet(path, longColumns(dataset).filter((c) => c.name !== "done")),
        'field done: expected a column "done"',
      ],
      [
        "long-string.parquet",
        (path) =>
          writeSecondParquet(
            path,
            longColumns(dataset).map((c) =>
              c.name === "reward" ? { ...c, type: "STRING", data: c.data.map(String) } : c
            ),
          ),
        "field reward: expected numbers, got Utf8",
      ],
      [
        "long-nan.parquet",
        (path) =>
          writeSecondParquet(
            path,
            longColumns(dataset).map((c) =>
              c.name === "obs_2" ? { ...c, data: c.data.map((v, i) => i === 7 ? NaN : v) } : c
            ),
          ),
        // Row 7 of the file is time step 3's agent 0 (each step's agents come in reverse order).
        "field obs_2, row 7 (agent 0): expected a finite number, got NaN",
      ],
    ];
    for (const [name, write, expected] of cases) {
      const path = join(dir, name);
      await write(path);
      const format = name.startsWith("long-") ? "parquet-long" : "parquet";
      const error = await assertRejects(
        () => importDataset(path, { home, format }),
        DatasetError,
        expected,
      );
      assert(error.message.startsWith(`${path}: `), `${name}: names the file: ${error.message}`);
      assertEquals(error.code, "invalid_dataset", name);
      assertEquals(await snapshot(home), before, `${name} left the store as it was`);
    }
  });
});
