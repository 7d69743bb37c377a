import { join } from "node:path";
import { cli } from "./run_cli.ts";
import { exportDataset } from "../../data/export.ts";
import { saveDataset } from "../../data/store.ts";
import { assert, assertEquals } from "../assert.ts";
import { makeDataset, makeInfo, withTempDir } from "../data/fixtures.ts";

Deno.test("datasets import, list, show, filter, export and rm work from the CLI", async () => {
  await withTempDir(async (dir) => {
    const home = join(dir, "home");
    const source = await saveDataset(
      makeDataset([{ length: 4, end: "done" }, { length: 6, end: "done" }, {
        length: 5,
        end: "truncated",
      }]),
      makeInfo("source"),
      { home: join(dir, "elsewhere") },
    );
    const csv = join(dir, "episodes.csv");
    await exportDataset(source.id, csv, "csv", { home: join(dir, "elsewhere") });

    const imported = await cli(
      "datasets",
      "import",
      csv,
      "--name",
      "cli-demo",
      "--home",
      home,
      "--json",
    );
    assertEquals(imported.code, 0, imported.err);
    const { manifest } = JSON.parse(imported.out);
    assertEquals([manifest.name, manifest.rows, manifest.episodes], ["cli-demo", 15, 3]);

    const listed = await cli("datasets", "list", "--home", home);
    assert(listed.out.includes(manifest.id) && listed.out.includes("episodes=3"), listed.out);

    const shown = await cli("datasets", "show", "cli-demo", "--home", home, "--json");
    assertEquals(shown.code, 0, shown.err);
    assertEquals(JSON.parse(shown.out).stats.episodes, 3);
    const text = await cli("datasets", "show", manifest.id, "--home", home);
    assert(text.out.includes("return mean") && text.out.includes("agent 1:"), text.out);

    const filtered = await cli(
      "datasets",
      "filter",
      manifest.id,
      "top",
      "1",
      "--home",
      home,
      "--json",
    );
    assertEquals(filtered.code, 0, filtered.err);
    const derived = JSON.parse(filtered.out);
    assertEquals(derived.lineage, [{ parent: manifest.id, filter: "top 1" }]);

    const arrow = join(dir, "derived.arrow");
    assertEquals((await cli("datasets", "export", derived.id, arrow, "--home", home)).code, 0);
    assert((await Deno.stat(arrow)).size > 0);
    // A name the export does not write is refused (exit 2), listing the ones it does.
    const hdf5 = join(dir, "derived.h5");
    const refused = await cli("datasets", "export", derived.id, hdf5, "--home", home);
    assertEquals(refused.code, 2, refused.err);
    assert(refused.err.includes(".arrow, .ipc, .feather (arrow)"), refused.err);
    assert(!(await Deno.stat(hdf5).then(() => true, () => false)), "nothing written");

    assertEquals((await cli("datasets", "rm", derived.id, "--home", home)).code, 0);
    const after = await cli("datasets", "list", "--home", home, "--json");
    assertEquals(JSON.parse(after.out).map((m: { id: string }) => m.id), [manifest.id]);
  });
});

Deno.test("datasets CLI errors are one clear line and a non-zero exit", async () => {
  await withTempDir(async (dir) => {
    const home = join(dir, "home");
    await Deno.writeTextFile(
      join(dir, "bad.csv"),
      "episode,t,agent,obs_0,state_0,action_0,reward,done,truncated\n0,0,0,1,1,2,0,1,0\n",
    );
    const bad = await cli("datasets", "import", join(dir, "bad.csv"), "--home", home);
    assertEquals(bad.code, 2);
    assert(bad.err.includes("field action_0, line 2 (agent 0): expected in [-1, 1]"), bad.err);
    assertEquals((await cli("datasets", "show", "nothing-here", "--home", home)).code, 2);
    assertEquals((await cli("datasets", "frobnicate")).code, 2);
    assertEquals((await cli("datasets", "import", join(dir, "x.bin"), "--home", home)).code, 2);
  });
});

Deno.test("datasets export writes .parquet and .npz, and import reads the Parquet back", async () => {
  await withTempDir(async (dir) => {
    const home = join(dir, "home");
    const saved = await saveDataset(
      makeDataset([{ length: 4, end: "done" }, { length: 3, end: "open" }]),
      makeInfo("source"),
      { home },
    );
    const parquet = join(dir, "source.parquet");
    const exported = await cli("datasets", "export", saved.id, parquet, "--home", home);
    assertEquals(exported.code, 0, exported.err);
    assert(exported.out.includes("as parquet"), exported.out);
    const other = join(dir, "other");
    const imported = await cli("datasets", "import", parquet, "--home", other, "--json");
    assertEquals(imported.code, 0, imported.err);
    assertEquals(JSON.parse(imported.out).manifest.contentHash, saved.contentHash);

    const npz = join(dir, "source.npz");
    const written = await cli("datasets", "export", "source", npz, "--home", home);
    assertEquals(written.code, 0, written.err);
    assert(written.out.includes("as npz"), written.out);
    assertEquals(Array.from((await Deno.readFile(npz)).subarray(0, 2)), [0x50, 0x4b]);
  });
});
