/**
 * Server-side imports read only files inside the configured import folders
 * (`OMIGA_IMPORT_DIRS`, default `$OMIGA_HOME/imports`): a request names a path on the server,
 * so without this any file the server can read could be imported, and the first line of a
 * file that is not a dataset would come back in the error. The path is resolved (`..`, then
 * every symlink) before the check, so neither can lead out of a folder.
 *
 * @module
 */
import { resolve, sep } from "node:path";
import { NotFoundError } from "../../workflows/mod.ts";
import { HttpError } from "../errors/mod.ts";

const inside = (path: string, dir: string) => path === dir || path.startsWith(dir + sep);

async function realPathOrNull(path: string): Promise<string | null> {
  try {
    return await Deno.realPath(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/**
 * The real path of `path` when it is a regular file inside one of `dirs`; otherwise a 403
 * naming the folders (the path is outside them, or a symlink leads out) or a 404 (no such file
 * inside them). Nothing outside the folders is looked at, so the answer says nothing about it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { confineImportPath } from "./import_dirs.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.csv`, "x");
 * assert.equal(await confineImportPath(`${dir}/a.csv`, [dir]), await Deno.realPath(`${dir}/a.csv`));
 * await assert.rejects(confineImportPath("/etc/passwd", [dir]), /import folder/);
 * await assert.rejects(confineImportPath(`${dir}/../../etc/passwd`, [dir]), /import folder/);
 * ```
 */
export async function confineImportPath(path: string, dirs: readonly string[]): Promise<string> {
  const refused = () =>
    new HttpError(
      "forbidden",
      `imports read only files inside the import folder${dirs.length > 1 ? "s" : ""} ` +
        `(${dirs.join(", ")}): copy the file there, upload it (POST /v1/datasets/upload), ` +
        `or set OMIGA_IMPORT_DIRS`,
    );
  const wanted = resolve(path);
  const homes = dirs.map((dir) => resolve(dir));
  if (!homes.some((dir) => inside(wanted, dir))) throw refused();
  const real = await realPathOrNull(wanted);
  if (real === null) throw new NotFoundError(`no file ${path} in the import folders`);
  const realHomes = await Promise.all(homes.map(realPathOrNull));
  if (!realHomes.some((dir) => dir !== null && inside(real, dir))) throw refused();
  const info = await Deno.stat(real);
  if (!info.isFile) throw new HttpError("invalid_input", `${path} is not a regular file`);
  return real;
}
