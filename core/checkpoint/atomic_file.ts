/**
 * Atomic file writes: write a temporary file beside the target, fsync it, rename it over the
 * target, then fsync the folder. A reader sees either the old file or the new one, never half.
 * A write that fails (a full disk included) removes its temporary file and leaves the target as
 * it was; running out of space is reported as a {@link DiskFullError} naming the target.
 *
 * @module
 */
import { crashPoint } from "../crash_point.ts";
import { DiskFullError, explainDiskFull } from "../disk_full.ts";

export { DiskFullError };

/**
 * Bytes handed to one `write` call: large enough not to matter for speed, small enough that a
 * crash test can stop a checkpoint part-way through its bytes.
 */
const WRITE_CHUNK = 1 << 20;

/**
 * Writes `bytes` to `path` atomically (temp file, fsync, rename). `what` names the content in
 * a {@link DiskFullError} ("a checkpoint", default "a file").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeFileAtomic } from "./atomic_file.ts";
 * const path = await Deno.makeTempFile();
 * await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
 * assert.ok((await Deno.readFile(path)).length === 3);
 * ```
 */
export async function writeFileAtomic(
  path: string,
  bytes: Uint8Array,
  what = "a file",
): Promise<void> {
  const slash = path.lastIndexOf("/");
  const folder = slash >= 0 ? path.slice(0, slash) || "/" : ".";
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    crashPoint(`atomic write of ${path}: before creating the temporary file`);
    const file = await Deno.open(temporary, { write: true, create: true, truncate: true });
    try {
      let written = 0;
      while (written < bytes.length) {
        crashPoint(`atomic write of ${path}: at byte ${written} of ${bytes.length}`);
        written += await file.write(bytes.subarray(written, written + WRITE_CHUNK));
      }
      crashPoint(`atomic write of ${path}: before fsync`);
      await file.sync();
    } finally {
      file.close();
    }
    crashPoint(`atomic write of ${path}: before the rename`);
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw explainDiskFull(error, path, what);
  }
  crashPoint(`atomic write of ${path}: before the folder's fsync`);
  try {
    const directory = await Deno.open(folder, { read: true });
    try {
      await directory.sync();
    } finally {
      directory.close();
    }
  } catch {
    // Some platforms cannot fsync a folder; the rename itself is still atomic.
  }
}
