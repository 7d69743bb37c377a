import { join } from "node:path";
import { DatasetError } from "../../data/errors.ts";
import {
  getManifest,
  listDatasets,
  loadDataset,
  removeDataset,
  saveDataset,
} from "../../data/store.ts";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { arraysOf, makeDataset, makeInfo, snapshot, withTempDir } from "./fixtures.ts";

Deno.test("a saved dataset loads back with identical arrays and a complete manifest", async () => {
  await withTempDir(async (home) => {
    for (const discrete of [false, true]) {
      const dataset = makeDataset([{ length: 5, end: "done" }, { length: 4, end: "truncated" }], {
        discrete,
      });
      const info = makeInfo(discrete ? "Discrete Demo" : "Demo", {
        tier: "medium",
        reference: { random: -1, expert: 10 },
      });
      const manifest = await saveDataset(dataset, info, { home });
      assert(/^(discrete-)?demo-[0-9a-f]{12}$/.test(manifest.id), manifest.id);
      assertEquals([manifest.rows, manifest.episodes, manifest.transitions], [9, 2, 8]);
      assertEquals(manifest.spec, dataset.spec);
      assertEquals(manifest.reference, { random: -1, expert: 10 });
      assertEquals(manifest.contentHash.length, 64);
      const loaded = await loadDataset(manifest.id, { home });
      assertEquals(loaded.manifest, manifest);
      assertEquals(arraysOf(loaded.dataset), arraysOf(dataset));
      assertEquals(loaded.dataset.spec, dataset.spec);
    }
  });
});

Deno.test("saving the same content twice returns the same dataset; list, lookup by name and rm work", async () => {
  await withTempDir(async (home) => {
    const dataset = makeDataset([{ length: 3, end: "done" }]);
    const first = await saveDataset(dataset, makeInfo("one"), { home });
    const again = await saveDataset(dataset, makeInfo("one"), { home });
    assertEquals(again, first);
    const other = await saveDataset(
      makeDataset([{ length: 2, end: "done" }], { seed: 9 }),
      makeInfo("two"),
      { home },
    );
    assertEquals(
      (await listDatasets({ home })).map((m) => m.id).sort(),
      [first.id, other.id].sort(),
    );
    assertEquals((await getManifest("two", { home })).id, other.id);
    await removeDataset(first.id, { home });
    assertEquals((await listDatasets({ home })).map((m) => m.id), [other.id]);
    const error = await assertRejects(
      () => loadDataset(first.id, { home }),
      DatasetError,
      "no dataset",
    );
    assertEquals(error.code, "not_found");
    assertEquals(await listDatasets({ home: join(home, "absent") }), []);
  });
});

Deno.test("an invalid dataset is refused and leaves the store as it was", async () => {
  await withTempDir(async (home) => {
    await saveDataset(makeDataset([{ length: 3, end: "done" }]), makeInfo("kept"), { home });
    const before = await snapshot(home);
    const bad = makeDataset([{ length: 3, end: "done" }], { seed: 4 });
    bad.reward[1] = NaN;
    await assertRejects(
      () => saveDataset(bad, makeInfo("bad"), { home }),
      DatasetError,
      "field reward, row 1",
    );
    assertEquals(await snapshot(home), before);
  });
});

Deno.test("OMIGA_HOME chooses the store when no home is given", async () => {
  await withTempDir(async (home) => {
    const previous = Deno.env.get("OMIGA_HOME");
    Deno.env.set("OMIGA_HOME", home);
    try {
      const manifest = await saveDataset(
        makeDataset([{ length: 2, end: "done" }]),
        makeInfo("env"),
      );
      const stored = await Deno.stat(join(home, "datasets", manifest.id, "manifest.json"));
      assert(stored.isFile);
    } finally {
      if (previous === undefined) Deno.env.delete("OMIGA_HOME");
      else Deno.env.set("OMIGA_HOME", previous);
    }
  });
});

Deno.test("a name shared by several datasets is ambiguous unless the newest is asked for", async () => {
  await withTempDir(async (home) => {
    const older = await saveDataset(
      makeDataset([{ length: 4, end: "done" }], { seed: 1 }),
      makeInfo("nightly"),
      { home },
    );
    const newer = await saveDataset(
      makeDataset([{ length: 6, end: "done" }], { seed: 2 }),
      makeInfo("nightly"),
      { home },
    );
    assert(older.id !== newer.id && older.createdAt <= newer.createdAt);
    await assertRejects(() => getManifest("nightly", { home }), DatasetError, "several datasets");
    assertEquals((await getManifest("nightly", { home, newest: true })).id, newer.id);
    assertEquals((await getManifest(older.id, { home, newest: true })).id, older.id);
  });
});
