/**
 * The files of a run's artifact folder that the API serves, and the one check every download
 * goes through: a plain name, resolved inside the folder, a regular file (not a symlink).
 *
 * @module
 */
import { join, resolve, sep } from "node:path";
import { NotFoundError } from "../../workflows/mod.ts";
import { HttpError } from "../errors/mod.ts";

/** An artifact as the API lists it. */
export interface ArtifactEntry {
  name: string;
  bytes: number;
  modifiedAt: number | null;
}

/** A file name: letters, digits, dot, dash, underscore; not starting with a dot. */
const ARTIFACT_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

/** The regular files at the top of a run's artifact folder (checkpoints stay inside). */
export async function listArtifacts(dir: string): Promise<ArtifactEntry[]> {
  const entries: ArtifactEntry[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !ARTIFACT_NAME.test(entry.name)) continue;
      const info = await Deno.lstat(join(dir, entry.name));
      entries.push({
        name: entry.name,
        bytes: info.size,
        modifiedAt: info.mtime?.getTime() ?? null,
      });
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return entries.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The absolute path of artifact `name` in `dir`, after checking that it cannot escape the
 * folder: the name is plain (no separators, no `..`, not absolute), the resolved path sits
 * under the folder's real path, and the file is a regular file, not a symlink.
 */
export async function resolveArtifact(dir: string, name: string): Promise<{
  path: string;
  info: Deno.FileInfo;
}> {
  if (!ARTIFACT_NAME.test(name) || name.includes("..")) {
    throw new HttpError(
      "invalid_input",
      `artifact name "${name}" must be a plain file name (letters, digits, ".", "-", "_")`,
    );
  }
  const missing = () => new NotFoundError(`no artifact "${name}" in this run`);
  let root: string;
  try {
    root = await Deno.realPath(dir);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw missing();
    throw error;
  }
  const path = resolve(root, name);
  if (!path.startsWith(root + sep)) throw missing();
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw missing();
    throw error;
  }
  if (info.isSymlink || !info.isFile) throw missing();
  return { path, info };
}

/** The media type of an artifact by its extension. */
export function artifactMediaType(name: string): string {
  const extension = name.toLowerCase().split(".").pop();
  switch (extension) {
    case "json":
      return "application/json";
    case "html":
      return "text/html; charset=utf-8";
    case "txt":
    case "log":
      return "text/plain; charset=utf-8";
    case "csv":
      return "text/csv; charset=utf-8";
    default:
      return "application/octet-stream";
  }
}

/**
 * Opens artifact `name` of `dir` for reading, checked by {@link resolveArtifact}; the opened
 * file must be the one that was checked (same inode), so a swap in between is refused.
 */
export async function openArtifact(dir: string, name: string): Promise<{
  file: Deno.FsFile;
  bytes: number;
}> {
  const { path, info } = await resolveArtifact(dir, name);
  const file = await Deno.open(path, { read: true });
  const opened = await file.stat();
  if (!opened.isFile || opened.ino !== info.ino || opened.dev !== info.dev) {
    file.close();
    throw new NotFoundError(`no artifact "${name}" in this run`);
  }
  return { file, bytes: opened.size };
}
