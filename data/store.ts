/**
 * The dataset store (README, "Dataset formats"): each dataset is a folder
 * `$OMIGA_HOME/datasets/<id>/` holding `data.arrow` (Arrow IPC, canonical layout) and
 * `manifest.json`. Writes are atomic: both files are written and fsynced in a temporary folder
 * beside the others, which is renamed into place only when complete; a failure removes it and
 * never touches existing datasets. A full disk is a `DiskFullError` naming the dataset's folder.
 * A writer killed mid-way leaves only its staging folder (named with its process id), which
 * listing ignores and the next import removes once that process is gone.
 *
 * @module
 */
import { join } from "node:path";
import { crashPoint } from "../core/crash_point.ts";
import { explainDiskFull } from "../core/disk_full.ts";
import {
  type CanonicalDataset,
  type DatasetInfo,
  describeSpec,
  type MultiAgentSpec,
  specDifferences,
} from "../core/dataset.ts";
import { readArrowFile, writeArrowFile } from "./arrow_layout.ts";
import { forgetDatasetTable } from "./engine.ts";
import { DatasetError } from "./errors.ts";
import { datasetsRoot, type StoreOptions } from "./home.ts";
import {
  contentHash,
  datasetId,
  type DatasetManifest,
  isDatasetId,
  STORE_FORMAT_VERSION,
} from "./manifest.ts";
import { countTransitions } from "./transitions.ts";
import { type SourceNaming, validateCanonical } from "./validate.ts";

const DATA_FILE = "data.arrow";
const MANIFEST_FILE = "manifest.json";

/** A dataset read back from the store. */
export interface StoredDataset {
  manifest: DatasetManifest;
  dataset: CanonicalDataset;
}

/** Options of {@link saveDataset}. */
export interface SaveOptions extends StoreOptions {
  /** How the producer names its fields and rows in validation errors. */
  naming?: SourceNaming;
  /**
   * The shapes the dataset's environment has (a built-in environment's spec): a dataset whose
   * shapes differ is refused before anything is stored, naming both.
   */
  expectedSpec?: MultiAgentSpec;
}

/** Refuses `dataset` when its shapes differ from `expected`, the shapes of environment `env`. */
function checkExpectedSpec(
  dataset: CanonicalDataset,
  env: string,
  expected: MultiAgentSpec,
  file: string,
): void {
  const differ = specDifferences(dataset.spec, expected);
  if (differ.length === 0) return;
  throw new DatasetError(
    "invalid_dataset",
    `the data has ${describeSpec(dataset.spec, differ)}, but ${env} has ` +
      `${describeSpec(expected, differ)}; ` +
      `import it under the environment it comes from (--env)`,
    { file },
  );
}

/**
 * Validates and stores a dataset; returns its manifest. Saving the same content under the same
 * name again returns the existing manifest.
 *
 * @example
 * ```ts ignore
 * const manifest = await saveDataset(dataset, { name: "demo", env: "spread", envConfig: {}, source: "generate" });
 * console.log(manifest.id, manifest.rows, manifest.episodes);
 * ```
 */
export async function saveDataset(
  dataset: CanonicalDataset,
  info: DatasetInfo,
  options: SaveOptions = {},
): Promise<DatasetManifest> {
  const { episodes } = validateCanonical(dataset, options.naming ?? { file: info.name });
  if (options.expectedSpec) {
    checkExpectedSpec(dataset, info.env, options.expectedSpec, options.naming?.file ?? info.name);
  }
  const hash = contentHash(dataset);
  const id = datasetId(info.name, hash);
  const root = datasetsRoot(options.home);
  const existing = await readManifestIfPresent(join(root, id));
  if (existing !== undefined && existing.contentHash === hash) return existing;
  const manifest: DatasetManifest = {
    ...info,
    id,
    spec: dataset.spec,
    rows: dataset.size,
    episodes,
    transitions: countTransitions(dataset),
    contentHash: hash,
    createdAt: new Date().toISOString(),
    formatVersion: STORE_FORMAT_VERSION,
    dataFile: DATA_FILE,
  };
  const target = join(root, id);
  const what = `dataset "${info.name}"`;
  await Deno.mkdir(root, { recursive: true }).catch((error) => {
    throw explainDiskFull(error, root, what);
  });
  await removeAbandonedStaging(root);
  crashPoint(`import of ${id}: before creating the staging folder`);
  const staging = await Deno.makeTempDir({ dir: root, prefix: `.staging-${Deno.pid}-` })
    .catch((error) => {
      throw explainDiskFull(error, target, what);
    });
  try {
    await writeArrowFile(join(staging, DATA_FILE), dataset, info);
    crashPoint(`import of ${id}: before writing the manifest`);
    await writeSynced(join(staging, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + "\n");
    crashPoint(`import of ${id}: before chmod`);
    await Deno.chmod(staging, 0o755); // temporary folders are private; datasets are not
    crashPoint(`import of ${id}: before the staging folder's fsync`);
    await syncDirectory(staging);
    crashPoint(`import of ${id}: before the rename`);
    try {
      await Deno.rename(staging, target);
    } catch (error) {
      // Another writer stored the same dataset first: theirs is as good as ours.
      const winner = await readManifestIfPresent(target);
      if (winner?.contentHash !== hash) throw error;
      await Deno.remove(staging, { recursive: true });
      return winner;
    }
    crashPoint(`import of ${id}: before the datasets folder's fsync`);
    await syncDirectory(root);
  } catch (error) {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
    throw explainDiskFull(error, target, what);
  }
  return manifest;
}

/** The manifests of every stored dataset, oldest first. */
export async function listDatasets(options: StoreOptions = {}): Promise<DatasetManifest[]> {
  const root = datasetsRoot(options.home);
  const manifests: DatasetManifest[] = [];
  try {
    for await (const entry of Deno.readDir(root)) {
      if (!entry.isDirectory || !isDatasetId(entry.name)) continue;
      const manifest = await readManifestIfPresent(join(root, entry.name));
      if (manifest !== undefined) manifests.push(manifest);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return manifests.sort((a, b) =>
    a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)
  );
}

/**
 * The manifest of a dataset given its id, or its name when exactly one dataset has that name
 * (with `newest`, the most recently stored of several with that name, so that a schedule
 * retrains on the latest import). Throws `not_found` otherwise.
 */
export async function getManifest(
  idOrName: string,
  options: StoreOptions & { newest?: boolean } = {},
): Promise<DatasetManifest> {
  if (isDatasetId(idOrName)) {
    const manifest = await readManifestIfPresent(join(datasetsRoot(options.home), idOrName));
    if (manifest !== undefined) return manifest;
  }
  const named = (await listDatasets(options)).filter((m) => m.name === idOrName);
  if (named.length === 1) return named[0];
  if (named.length > 1 && options.newest) {
    return named[named.length - 1]; // listDatasets sorts oldest first
  }
  if (named.length > 1) {
    throw new DatasetError(
      "not_found",
      `several datasets are named "${idOrName}" (${named.map((m) => m.id).join(", ")}); use an id`,
    );
  }
  throw new DatasetError(
    "not_found",
    `no dataset "${idOrName}"; \`deno task omiga datasets list\` shows the stored ones`,
  );
}

/** Reads a stored dataset's arrays and manifest. */
export async function loadDataset(
  idOrName: string,
  options: StoreOptions = {},
): Promise<StoredDataset> {
  const manifest = await getManifest(idOrName, options);
  const path = join(datasetsRoot(options.home), manifest.id, manifest.dataFile);
  const { dataset } = await readArrowFile(path, `dataset ${manifest.id}`);
  return { manifest, dataset };
}

/** Deletes a stored dataset (renamed out of sight first, so a reader never sees half of it). */
export async function removeDataset(
  idOrName: string,
  options: StoreOptions = {},
): Promise<DatasetManifest> {
  const manifest = await getManifest(idOrName, options);
  const root = datasetsRoot(options.home);
  const doomed = join(root, `.removing-${Deno.pid}-${manifest.id}-${crypto.randomUUID()}`);
  await Deno.rename(join(root, manifest.id), doomed);
  crashPoint(`removal of ${manifest.id}: after the rename`);
  await Deno.remove(doomed, { recursive: true });
  await forgetDatasetTable(manifest);
  return manifest;
}

/**
 * Removes the staging (and half-removed) folders of writers that died: those whose process is
 * gone, where the system shows processes under `/proc` (the store's processes share one machine,
 * as its SQLite file in WAL mode requires), and any untouched for an hour.
 */
async function removeAbandonedStaging(root: string): Promise<void> {
  const hourAgo = Date.now() - 3_600_000;
  for await (const entry of Deno.readDir(root)) {
    const match = /^\.(?:staging|removing)-(?:(\d+)-)?/.exec(entry.name);
    if (!entry.isDirectory || match === null) continue;
    const path = join(root, entry.name);
    const writer = match[1] === undefined ? undefined : Number(match[1]);
    const modified = await Deno.stat(path).then((s) => s.mtime?.getTime(), () => undefined);
    if (modified === undefined) continue; // removed meanwhile by another process
    const abandoned = modified < hourAgo ||
      (writer !== undefined && writer !== Deno.pid && await processIsGone(writer));
    if (abandoned) await Deno.remove(path, { recursive: true }).catch(() => {});
  }
}

/** Whether process `pid` has ended (false where the system does not show processes). */
async function processIsGone(pid: number): Promise<boolean> {
  try {
    await Deno.stat(`/proc/${pid}`);
    return false;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) return false;
    return await Deno.stat("/proc/self").then(() => true, () => false);
  }
}

async function readManifestIfPresent(dir: string): Promise<DatasetManifest | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(join(dir, MANIFEST_FILE)));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

async function writeSynced(path: string, text: string): Promise<void> {
  const file = await Deno.open(path, { write: true, createNew: true });
  try {
    const bytes = new TextEncoder().encode(text);
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
    crashPoint(`write of ${path}: before fsync`);
    await file.sync();
  } finally {
    file.close();
  }
}

async function syncDirectory(path: string): Promise<void> {
  const dir = await Deno.open(path, { read: true });
  try {
    await dir.sync();
  } finally {
    dir.close();
  }
}
