/**
 * Where files live: the home `OMIGA_HOME` (default `./.omiga`), and the artifacts root
 * `OMIGA_ARTIFACTS` (default: the home) holding datasets under `datasets/<id>/`, run artifacts
 * and registered policies. Machines of a cluster each keep a home and share the artifacts root.
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

/**
 * The root of datasets, run artifacts and registered policies: `OMIGA_ARTIFACTS` when set
 * (storage every machine of a cluster reaches), else the home.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { artifactsRoot } from "./home.ts";
 * if (Deno.env.get("OMIGA_ARTIFACTS") === undefined) assert.equal(artifactsRoot("/srv/omiga"), "/srv/omiga");
 * ```
 */
export function artifactsRoot(home?: string): string {
  const shared = Deno.env.get("OMIGA_ARTIFACTS");
  if (shared === undefined || shared === "") return omigaHome(home);
  return isAbsolute(shared) ? shared : resolve(Deno.cwd(), shared);
}

/**
 * The directory holding one folder per stored dataset: under `dir` when given, else under the
 * artifacts root.
 */
export function datasetsRoot(dir?: string): string {
  return join(dir === undefined ? artifactsRoot() : omigaHome(dir), "datasets");
}

/** Options every store function accepts. */
export interface StoreOptions {
  /** The directory holding `datasets/`; defaults to the artifacts root ({@link artifactsRoot}). */
  home?: string;
}
