/**
 * Atomic file writes: write a temporary file beside the target, fsync it, rename it over the
 * target, then fsync the folder. A reader sees either the old file or the new one, never half.
 *
 * @module
 */

/**
 * Writes `bytes` to `path` atomically (temp file, fsync, rename).
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
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const slash = path.lastIndexOf("/");
  const folder = slash >= 0 ? path.slice(0, slash) || "/" : ".";
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  const file = await Deno.open(temporary, { write: true, create: true, truncate: true });
  try {
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
    await file.sync();
  } catch (error) {
    file.close();
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
  file.close();
  try {
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
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
