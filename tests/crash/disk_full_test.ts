/**
 * A full disk: an import and a checkpoint write on a small tmpfs fail with a DiskFullError that
 * names the path, and leave the datasets and checkpoints already stored loadable, with nothing
 * half-written beside them. Mounting needs root (and a system that lets it mount); elsewhere the
 * tests are skipped, saying why.
 */
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { DiskFullError } from "../../core/disk_full.ts";
import { contentHash } from "../../data/manifest.ts";
import { datasetsRoot } from "../../data/home.ts";
import { listDatasets, loadDataset, saveDataset } from "../../data/store.ts";
import { writeArrowFile } from "../../data/arrow_layout.ts";
import { CheckpointFiles } from "../../workflows/checkpoint.ts";
import { makeDataset, makeInfo } from "../data/fixtures.ts";

/** Mounts a tmpfs of `size` on a new folder; the reason when it cannot. */
async function mountTmpfs(size: string): Promise<{ dir: string } | { skip: string }> {
  const dir = await Deno.makeTempDir({ prefix: "omiga-disk-full-" });
  const mounted = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir],
    stdout: "null",
    stderr: "piped",
  }).output().catch((error: Error) => ({ success: false, stderr: error.message }));
  if (mounted.success) return { dir };
  await Deno.remove(dir);
  const why = typeof mounted.stderr === "string"
    ? mounted.stderr
    : new TextDecoder().decode(mounted.stderr).trim();
  return { skip: `cannot mount a small tmpfs to fill (needs root and mount rights): ${why}` };
}

async function unmount(dir: string): Promise<void> {
  const { success } = await new Deno.Command("umount", { args: [dir] }).output();
  assert(success, `umount ${dir} failed`);
  await Deno.remove(dir);
}

/** Fills the file system holding `dir` up to all but `free` bytes. */
async function fillUpTo(dir: string, free: number): Promise<void> {
  const filler = `${dir}/filler`;
  const file = await Deno.open(filler, { write: true, create: true });
  try {
    const block = new Uint8Array(64 << 10);
    while (true) await file.write(block);
  } catch (error) {
    assert((error as { code?: string }).code === "ENOSPC", String(error));
  } finally {
    file.close();
  }
  await Deno.truncate(filler, Math.max(0, (await Deno.stat(filler)).size - free));
}

const probe = await mountTmpfs("1m");
const skip = "skip" in probe ? probe.skip : undefined;
if ("dir" in probe) await unmount(probe.dir);
if (skip !== undefined) console.warn(`disk-full tests skipped: ${skip}`);

Deno.test({
  name: "an import on a full disk fails naming ENOSPC and the path, and the store is unchanged",
  ignore: skip !== undefined,
  fn: async () => {
    const mount = await mountTmpfs("2m");
    assert("dir" in mount);
    try {
      const home = `${mount.dir}/home`;
      const first = await saveDataset(
        makeDataset([{ length: 40, end: "done" }]),
        makeInfo("first"),
        {
          home,
        },
      );
      await fillUpTo(mount.dir, 16 << 10);
      const big = makeDataset([{ length: 2_000, end: "done" }], { seed: 2 });
      const error = await assertRejects(
        () => saveDataset(big, makeInfo("big"), { home }),
        DiskFullError,
        "no space left",
      );
      assert(error.message.includes("ENOSPC"), error.message);
      assert(error.message.includes(datasetsRoot(home)), error.message);

      const listed = await listDatasets({ home });
      assertEquals(listed.map((m) => m.id), [first.id]);
      assertEquals(contentHash((await loadDataset(first.id, { home })).dataset), first.contentHash);
      assertEquals([...Deno.readDirSync(datasetsRoot(home))].map((e) => e.name), [first.id]);

      // Once there is room again, the same import succeeds.
      await Deno.remove(`${mount.dir}/filler`);
      const stored = await saveDataset(big, makeInfo("big"), { home });
      assertEquals(stored.contentHash, contentHash(big));
    } finally {
      await unmount(mount.dir);
    }
  },
});

Deno.test({
  name:
    "a checkpoint write on a full disk fails naming ENOSPC and the path, and the last one loads",
  ignore: skip !== undefined,
  fn: async () => {
    const mount = await mountTmpfs("2m");
    assert("dir" in mount);
    try {
      const files = new CheckpointFiles(`${mount.dir}/run/checkpoints`);
      await files.save(new Uint8Array(1000).fill(1));
      await files.save(new Uint8Array(1000).fill(2));
      await fillUpTo(mount.dir, 16 << 10);
      const error = await assertRejects(
        () => files.save(new Uint8Array(256 << 10).fill(3)),
        DiskFullError,
        "no space left",
      );
      assert(error.message.includes("ENOSPC"), error.message);
      assert(error.message.includes(files.pathOf(3)), error.message);

      assertEquals(await files.loadLatest(), { sequence: 2, bytes: new Uint8Array(1000).fill(2) });
      assertEquals([...Deno.readDirSync(files.dir)].map((e) => e.name).sort(), [
        "00000001.ckpt",
        "00000002.ckpt",
      ]);
      await Deno.remove(`${mount.dir}/filler`);
      assertEquals(await files.save(new Uint8Array(256 << 10).fill(3)), 3);
    } finally {
      await unmount(mount.dir);
    }
  },
});

const DEV_FULL = "/dev/full"; // every write fails with ENOSPC
const hasDevFull = await Deno.stat(DEV_FULL).then(() => true, () => false);

Deno.test({
  name: "an Arrow write that runs out of space rejects instead of ending the process",
  ignore: !hasDevFull,
  fn: async () => {
    const dataset = makeDataset([{ length: 2_000, end: "done" }, { length: 500, end: "open" }]);
    const error = await assertRejects(() => writeArrowFile(DEV_FULL, dataset), Error);
    assertEquals((error as { code?: string }).code, "ENOSPC");
  },
});
