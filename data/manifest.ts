/**
 * The manifest stored beside each dataset's Arrow file: what the producer knew
 * ({@link DatasetInfo}) plus what the store measured (spec, rows, episodes, transitions, content
 * hash, creation time).
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { CanonicalDataset, DatasetInfo, MultiAgentSpec } from "../core/dataset.ts";

/** Version of the on-disk layout (`manifest.json` + `data.arrow`). */
export const STORE_FORMAT_VERSION = 1;

/** A stored dataset's description, as `manifest.json` holds it. */
export interface DatasetManifest extends DatasetInfo {
  /** `<name slug>-<first 12 hex digits of the content hash>`. */
  id: string;
  /** Agents, dims and action kind. */
  spec: MultiAgentSpec;
  rows: number;
  episodes: number;
  /** Rows that start a training transition (see data/transitions.ts). */
  transitions: number;
  /** SHA-256 (hex) of the spec and every canonical array. */
  contentHash: string;
  /** ISO-8601 time the store wrote it. */
  createdAt: string;
  formatVersion: number;
  /** The Arrow IPC file, relative to the dataset's directory. */
  dataFile: string;
}

/**
 * The SHA-256 of a dataset's content: its spec and every canonical array, in a fixed order.
 *
 * @example
 * ```ts ignore
 * const hash = contentHash(dataset); // "3f1c..." (64 hex digits)
 * ```
 */
export function contentHash(dataset: CanonicalDataset): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify(dataset.spec));
  const arrays = [
    dataset.episode,
    dataset.t,
    dataset.obs,
    dataset.state,
    dataset.action,
    dataset.avail ?? new Uint8Array(0),
    dataset.reward,
    dataset.done,
    dataset.truncated,
  ];
  for (const array of arrays) {
    hash.update(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  }
  return hash.digest("hex");
}

/**
 * A dataset id from its name and content hash: lower-case letters, digits and dashes only.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { datasetId } from "./manifest.ts";
 * assert.ok(datasetId("Half Cheetah 6x1 (expert)", "abcdef0123456789") === "half-cheetah-6x1-expert-abcdef012345");
 * ```
 */
export function datasetId(name: string, hash: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "")
    .slice(0, 48).replace(/-+$/, "");
  return `${slug === "" ? "dataset" : slug}-${hash.slice(0, 12)}`;
}

/** Whether a string has the shape of a dataset id (safe as a directory name). */
export function isDatasetId(id: string): boolean {
  return /^[a-z0-9][a-z0-9-]{0,80}$/.test(id);
}
