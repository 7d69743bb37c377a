/**
 * A write that ran out of disk space (ENOSPC, or EDQUOT for a quota) as a typed error naming
 * the path and what was being written, instead of the system's bare "No space left on device".
 * The writers that raise it (atomic files, checkpoints, dataset imports) remove what they had
 * written first, so the message can promise that the previous state is intact.
 *
 * @module
 */
import { OmigaError } from "./errors.ts";

/** The file system holding `path` is full; nothing was changed. */
export class DiskFullError extends OmigaError {
  /** The file or folder that could not be written. */
  readonly path: string;

  constructor(path: string, what: string, options?: ErrorOptions) {
    super(
      "disk_full",
      `no space left on the device holding ${path} (ENOSPC) while writing ${what}; ` +
        `nothing was changed: free some disk space there (or set OMIGA_HOME to a larger disk) ` +
        `and try again`,
      options,
    );
    this.path = path;
  }
}

/** Whether `error` is the system's "no space left" (or "quota exceeded"). */
export function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ENOSPC" || code === "EDQUOT";
}

/**
 * `error` as a {@link DiskFullError} about `path` when it is the system's "no space left",
 * else `error` itself: `catch (e) { throw explainDiskFull(e, path, "a checkpoint") }`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DiskFullError, explainDiskFull } from "./disk_full.ts";
 * const full = Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" });
 * const explained = explainDiskFull(full, "/data/x.ckpt", "a checkpoint");
 * assert.ok(explained instanceof DiskFullError);
 * assert.match(explained.message, /\/data\/x\.ckpt/);
 * ```
 */
export function explainDiskFull(error: unknown, path: string, what: string): unknown {
  if (error instanceof DiskFullError || !isDiskFull(error)) return error;
  return new DiskFullError(path, what, { cause: error });
}
