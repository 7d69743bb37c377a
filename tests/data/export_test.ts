import { join } from "node:path";
import { DatasetError } from "../../data/errors.ts";
import { exportDataset } from "../../data/export.ts";
import { saveDataset } from "../../data/store.ts";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { makeDataset, makeInfo, withTempDir } from "./fixtures.ts";

Deno.test("export refuses a file name whose extension it does not write, writing nothing", async () => {
  await withTempDir(async (dir) => {
    const home = join(dir, "home");
    const saved = await saveDataset(makeDataset([{ length: 3, end: "done" }]), makeInfo("x"), {
      home,
    });
    for (const [name, format] of [["x.h5", undefined], ["x.h5", "arrow"], ["x", "csv"]]) {
      const error = await assertRejects(
        () => exportDataset(saved.id, join(dir, name!), format, { home }),
        DatasetError,
      );
      assertEquals(error.code, "unsupported_format");
      assert(error.message.includes(".arrow, .ipc, .feather (arrow)"), error.message);
      assert(error.message.includes(".csv (csv)"), error.message);
    }
    const mismatch = await assertRejects(
      () => exportDataset(saved.id, join(dir, "x.csv"), "arrow", { home }),
      DatasetError,
    );
    assert(mismatch.message.includes("the name says csv but --format arrow"), mismatch.message);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["home"]);

    const longRefused = await assertRejects(
      () => exportDataset(saved.id, join(dir, "x.csv"), "parquet-long", { home }),
      DatasetError,
    );
    assert(longRefused.message.includes("parquet-long files end in .parquet"), longRefused.message);
    for (const name of ["x.feather", "x.IPC", "x.csv", "x.parquet", "x.npz"]) {
      await exportDataset(saved.id, join(dir, name), undefined, { home });
    }
    const csv = await Deno.readTextFile(join(dir, "x.csv"));
    assert(csv.startsWith("episode,t,agent,"), csv.slice(0, 40));
    const arrow = await Deno.readFile(join(dir, "x.feather"));
    assertEquals(new TextDecoder().decode(arrow.subarray(0, 6)), "ARROW1");
    const parquet = await Deno.readFile(join(dir, "x.parquet"));
    assertEquals(new TextDecoder().decode(parquet.subarray(0, 4)), "PAR1");
    const npz = await Deno.readFile(join(dir, "x.npz"));
    assertEquals(Array.from(npz.subarray(0, 4)), [0x50, 0x4b, 0x03, 0x04]); // a zip
  });
});
