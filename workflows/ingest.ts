/**
 * Ingestion shared by the `generate` CLI and the `ingest` step of train-evaluate: play a
 * built-in behaviour tier into a canonical dataset and store it.
 *
 * @module
 */
import { generateDataset, type GenerateOptions } from "../core/envs/mod.ts";
import { type DatasetManifest, saveDataset, type StoreOptions } from "../data/mod.ts";

/** Options for {@link generateAndStore}. */
export interface GenerateAndStoreOptions extends GenerateOptions {
  /** Dataset name; default `<env>-<tier>-<episodes>ep-s<seed>`. */
  name?: string;
}

/** The default name of a generated dataset. */
export function generatedName(options: GenerateOptions): string {
  return `${options.env}-${options.tier}-${options.episodes}ep-s${options.seed}`;
}

/**
 * Generates a built-in dataset and saves it in the store (atomically; saving the same content
 * under the same name again returns the stored manifest).
 *
 * @example
 * ```ts
 * import { generateAndStore } from "./ingest.ts";
 * const home = await Deno.makeTempDir();
 * const manifest = await generateAndStore(
 *   { env: "spread", tier: "medium", episodes: 4, seed: 0, referenceEpisodes: 10 },
 *   { home },
 * );
 * console.assert(manifest.episodes === 4);
 * ```
 */
export async function generateAndStore(
  options: GenerateAndStoreOptions,
  store: StoreOptions = {},
): Promise<DatasetManifest> {
  const { dataset, info } = await generateDataset(options);
  return await saveDataset(
    dataset,
    { ...info, name: options.name ?? generatedName(options) },
    store,
  );
}
