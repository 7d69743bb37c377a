/**
 * Where the store lives: `OMIGA_HOME` (default `./.omiga`), datasets under `datasets/<id>/`.
 *
 * @module
 */
import { isAbsolute, join, resolve } from "node:path";

/**
 * The data directory, as an absolute path: the explicit `home`, else `OMIGA_HOME`, else
 * `./.omiga`. The dataset store and the workflow engine both live under it.
 */
export function omigaHome(home?: string): string {
  const chosen = home ?? Deno.env.get("OMIGA_HOME") ?? ".omiga";
  return isAbsolute(chosen) ? chosen : resolve(Deno.cwd(), chosen);
}

/** The directory holding one folder per stored dataset. */
export function datasetsRoot(home?: string): string {
  return join(omigaHome(home), "datasets");
}

/** Options every store function accepts. */
export interface StoreOptions {
  /** The data directory; defaults to `OMIGA_HOME` or `./.omiga`. */
  home?: string;
}
