import { join } from "node:path";
import { DatasetError } from "../../data/errors.ts";
import { exportDataset } from "../../data/export.ts";
import { importArrow } from "../../data/importers/arrow.ts";
import { loadDataset, saveDataset } from "../../data/store.ts";
import { assertEquals, assertRejects } from "../assert.ts";
import { arraysOf, makeDataset, makeInfo, snapshot, withTempDir } from "./fixtures.ts";

Deno.test("Arrow export then import gives the same content, spec and info", async () => {
  await withTempDir(async (dir) => {
    const home = join(dir, "home");
    for (const discrete of [false, true]) {
      const dataset = makeDataset([{ length: 6, end: "done" }, { length: 3, end: "open" }], {
        discrete,
      });
      const info = makeInfo(`arrow-${discrete}`, {
        tier: "expert",
        reference: { random: 0, expert: 5 },
      });
      const saved = await saveDataset(dataset, info, { home });
      const path = join(dir, `out-${discrete}.arrow`);
      await exportDataset(saved.id, path, "arrow", { home });
      const { manifest } = await importArrow(path, { home: join(dir, "other") });
      assertEquals(manifest.contentHash, saved.contentHash);
      assertEquals([manifest.name, manifest.env, manifest.tier], [info.name, info.env, "expert"]);
      assertEquals(manifest.reference, info.reference);
      assertEquals(manifest.source, "arrow");
      const back = await loadDataset(manifest.id, { home: join(dir, "other") });
      assertEquals(arraysOf(back.dataset), arraysOf(dataset));
    }
  });
});

Deno.test("a file that is not canonical Arrow is refused and the store is unchanged", async () => {
  await withTempDir(async (dir) => {
    const home = join(dir, "home");
    await saveDataset(makeDataset([{ length: 2, end: "done" }]), makeInfo("kept"), { home });
    const before = await snapshot(home);
    await Deno.writeTextFile(join(dir, "junk.arrow"), "not arrow at all");
    await assertRejects(
      () => importArrow(join(dir, "junk.arrow"), { home }),
      DatasetError,
      "expected an Arrow IPC file",
    );
    const { tableFromArrays, tableToIPC } = await import("apache-arrow");
    await Deno.writeFile(
      join(dir, "plain.arrow"),
      tableToIPC(tableFromArrays({ x: new Float32Array(3) }), "file"),
    );
    await assertRejects(
      () => importArrow(join(dir, "plain.arrow"), { home }),
      DatasetError,
      "omiga.spec",
    );
    assertEquals(await snapshot(home), before);
  });
});
