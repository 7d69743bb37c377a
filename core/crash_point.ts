/**
 * Crash points: numbered places in the store's writers (each write, fsync, rename, removal and
 * transaction boundary) where a test can make the process die with SIGKILL, so that a crash at
 * every one of them can be tried and reproduced (tests/crash/).
 *
 * Off unless the process starts with `OMIGA_CRASH_AT=N`: then the N-th crash point passed kills
 * the process, after writing its number and label to stderr. With a larger N than there are
 * points, the process lives and {@link crashPointsPassed} tells how many there were. When off, a
 * crash point is one comparison.
 *
 * @module
 */

function readCrashAt(): number {
  try {
    const variable = "OMIGA_CRASH_AT";
    if (Deno.permissions.querySync({ name: "env", variable }).state !== "granted") return 0;
    const value = Number(Deno.env.get(variable) ?? "0");
    return Number.isSafeInteger(value) && value > 0 ? value : 0;
  } catch {
    return 0;
  }
}

const crashAt = readCrashAt();
let passed = 0;

/**
 * Marks a place where a crash must leave the store consistent. `label` says where it is, for
 * the message of a test that fails there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { crashPoint, crashPointsPassed } from "./crash_point.ts";
 * crashPoint("before the rename"); // a no-op unless OMIGA_CRASH_AT is set
 * assert.ok(crashPointsPassed() >= 0);
 * ```
 */
export function crashPoint(label: string): void {
  if (crashAt === 0) return;
  passed++;
  if (passed !== crashAt) return;
  Deno.stderr.writeSync(new TextEncoder().encode(`crash point ${passed}: ${label}\n`));
  Deno.kill(Deno.pid, "SIGKILL");
}

/** How many crash points this process has passed (0 unless `OMIGA_CRASH_AT` is set). */
export function crashPointsPassed(): number {
  return passed;
}
