/**
 * Where the store lives: `OMIGA_HOME` (default `./.omiga`), datasets under `datasets/<id>/`.
 *
 * @module
 */
import { join } from "node:path";

/** The data directory: the explicit `home`, else `OMIGA_HOME`, else `./.omiga`. */
export function omigaHome(home?: string): string {
  return home ?? Deno.env.get("OMIGA_HOME") ?? "./.omiga";
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
