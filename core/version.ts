/**
 * Which code this is: the release version, and the commit it was built from where the source
 * tree is a git checkout (recorded in each registered policy's lineage).
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The release version (`/healthz`, the OpenAPI document). */
export const OMIGA_VERSION = "0.1.0";

function readText(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path).trim();
  } catch {
    return undefined;
  }
}

/** The commit HEAD names in the git folder `git`, or undefined. */
function headCommit(git: string): string | undefined {
  const head = readText(join(git, "HEAD"));
  if (head === undefined) return undefined;
  if (!head.startsWith("ref: ")) return head;
  const ref = head.slice(5);
  const loose = readText(join(git, ref));
  if (loose !== undefined) return loose;
  const packed = readText(join(git, "packed-refs"))?.split("\n")
    .find((line) => line.endsWith(` ${ref}`));
  return packed?.split(" ")[0];
}

let cached: string | undefined;

/**
 * `OMIGA_VERSION`, followed by `+<12 hex digits of the commit>` when the source is a git
 * checkout.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { codeVersion } from "./version.ts";
 * assert.match(codeVersion(), /^\d+\.\d+\.\d+(\+[0-9a-f]{12})?$/);
 * ```
 */
export function codeVersion(): string {
  if (cached !== undefined) return cached;
  const root = fileURLToPath(new URL("..", import.meta.url));
  const commit = headCommit(join(root, ".git"));
  cached = /^[0-9a-f]{40}$/.test(commit ?? "")
    ? `${OMIGA_VERSION}+${commit!.slice(0, 12)}`
    : OMIGA_VERSION;
  return cached;
}
