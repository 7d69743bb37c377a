/**
 * A step's checkpoints on disk: numbered files, each written atomically (temp file, fsync,
 * rename, fsync of the folder) with a header holding the payload's length and SHA-256. Loading
 * returns the newest file that verifies, so a torn or corrupted write falls back to the
 * previous good checkpoint instead of feeding garbage to the step.
 *
 * A writer killed mid-way leaves at most a temporary file (`<name>.<uuid>.tmp`), which loading
 * ignores and the next save removes; a full disk is a `DiskFullError` naming the file, with the
 * checkpoints already on disk untouched.
 *
 * File layout: `OMIGACK1` (8 bytes) | payload length (u64, little-endian) | SHA-256 (32 bytes) |
 * payload.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { writeFileAtomic } from "../core/checkpoint/atomic_file.ts";
import { crashPoint } from "../core/crash_point.ts";
import { explainDiskFull } from "../core/disk_full.ts";

export { writeFileAtomic };

const MAGIC = new TextEncoder().encode("OMIGACK1");
const HEADER_BYTES = MAGIC.length + 8 + 32;
const NAME = /^(\d{8})\.ckpt$/;
/** The temporary file of a write of a checkpoint ({@link writeFileAtomic} names it so). */
const TEMPORARY = /^(\d{8})\.ckpt\.[0-9a-f-]+\.tmp$/;

/** A checkpoint that failed verification, and why. */
export interface CorruptCheckpoint {
  sequence: number;
  path: string;
  reason: string;
}

/** A checkpoint as loaded. */
export interface LoadedCheckpoint {
  sequence: number;
  bytes: Uint8Array;
}

function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(bytes).digest());
}

/** The SHA-256 of `bytes` as hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Frames a payload with the header. */
export function encodeCheckpoint(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + payload.length);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setBigUint64(MAGIC.length, BigInt(payload.length), true);
  out.set(sha256(payload), MAGIC.length + 8);
  out.set(payload, HEADER_BYTES);
  return out;
}

/** Verifies a framed checkpoint: its payload, or the reason it is unusable. */
export function decodeCheckpoint(file: Uint8Array): { payload: Uint8Array } | { reason: string } {
  if (file.length < HEADER_BYTES) return { reason: `truncated header (${file.length} bytes)` };
  if (!MAGIC.every((byte, i) => file[i] === byte)) return { reason: "not a checkpoint file" };
  const length = Number(
    new DataView(file.buffer, file.byteOffset).getBigUint64(MAGIC.length, true),
  );
  if (file.length !== HEADER_BYTES + length) {
    return { reason: `payload is ${file.length - HEADER_BYTES} bytes, header says ${length}` };
  }
  const payload = file.subarray(HEADER_BYTES);
  const expected = file.subarray(MAGIC.length + 8, HEADER_BYTES);
  const actual = sha256(payload);
  if (!expected.every((byte, i) => actual[i] === byte)) return { reason: "checksum mismatch" };
  return { payload };
}

/**
 * The checkpoints of one step in one folder.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CheckpointFiles } from "./checkpoint.ts";
 * const files = new CheckpointFiles(Deno.makeTempDirSync());
 * await files.save(new Uint8Array([1, 2, 3]));
 * assert.ok((await files.loadLatest())?.bytes.length === 3);
 * ```
 */
export class CheckpointFiles {
  readonly dir: string;
  readonly keep: number;

  /** `keep`: how many of the newest checkpoints stay on disk (at least 2). */
  constructor(dir: string, keep = 2) {
    this.dir = dir;
    this.keep = Math.max(2, keep);
  }

  /** Sequence numbers on disk, oldest first. */
  async sequences(): Promise<number[]> {
    const found: number[] = [];
    try {
      for await (const entry of Deno.readDir(this.dir)) {
        const match = entry.isFile ? NAME.exec(entry.name) : null;
        if (match) found.push(Number(match[1]));
      }
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return [];
      throw error;
    }
    return found.sort((a, b) => a - b);
  }

  /** The path of checkpoint `sequence`. */
  pathOf(sequence: number): string {
    return join(this.dir, `${String(sequence).padStart(8, "0")}.ckpt`);
  }

  /** Writes the next checkpoint atomically and prunes old ones; returns its sequence. */
  async save(payload: Uint8Array): Promise<number> {
    await Deno.mkdir(this.dir, { recursive: true }).catch((error) => {
      throw explainDiskFull(error, this.dir, "a checkpoint's folder");
    });
    const existing = await this.sequences();
    const sequence = (existing.at(-1) ?? 0) + 1;
    await writeFileAtomic(this.pathOf(sequence), encodeCheckpoint(payload), "a checkpoint");
    for (const old of existing.slice(0, Math.max(0, existing.length + 1 - this.keep))) {
      crashPoint(`checkpoint ${sequence}: before removing checkpoint ${old}`);
      await Deno.remove(this.pathOf(old)).catch(() => {});
    }
    await this.#removeAbandoned(sequence);
    return sequence;
  }

  /**
   * Removes the temporary files of writes of checkpoints up to `sequence` that never reached
   * their rename (the writer was killed): whatever they held is superseded by `sequence`.
   */
  async #removeAbandoned(sequence: number): Promise<void> {
    for await (const entry of Deno.readDir(this.dir)) {
      const match = entry.isFile ? TEMPORARY.exec(entry.name) : null;
      if (match === null || Number(match[1]) > sequence) continue;
      crashPoint(`checkpoint ${sequence}: before removing the abandoned ${entry.name}`);
      await Deno.remove(join(this.dir, entry.name)).catch(() => {});
    }
  }

  /**
   * The newest checkpoint that verifies, or undefined. Each newer one that does not verify is
   * passed to `onCorrupt` and skipped.
   */
  async loadLatest(
    onCorrupt: (corrupt: CorruptCheckpoint) => void = () => {},
  ): Promise<LoadedCheckpoint | undefined> {
    for (const sequence of (await this.sequences()).reverse()) {
      const path = this.pathOf(sequence);
      const decoded = decodeCheckpoint(await Deno.readFile(path));
      if ("payload" in decoded) return { sequence, bytes: decoded.payload };
      onCorrupt({ sequence, path, reason: decoded.reason });
    }
    return undefined;
  }
}
