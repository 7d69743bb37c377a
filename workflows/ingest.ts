/**
 * Ingestion shared by the `generate` CLI and the `ingest` step of train-evaluate: play a
 * built-in behaviour tier into a canonical dataset and store it.
 *
 * @module
 */
import { z } from "zod";
import { ENV_NAMES, generateDataset, type GenerateOptions, TIERS } from "../core/envs/mod.ts";
import { type FieldNamer, parseOrExplain } from "../core/errors.ts";
import { type DatasetManifest, saveDataset, type StoreOptions } from "../data/mod.ts";

/**
 * What a user may ask to generate, from the CLI (`generate`) or the HTTP API
 * (`POST /v1/datasets/generate`): one schema, the same bounds everywhere.
 */
export const generateParams = z.object({
  env: z.enum(ENV_NAMES, {
    error: (issue) =>
      `unknown environment ${JSON.stringify(issue.input)}; built-in environments: ${
        ENV_NAMES.join(", ")
      }`,
  }),
  tier: z.enum(TIERS, {
    error: (issue) => `unknown tier ${JSON.stringify(issue.input)}; tiers: ${TIERS.join(", ")}`,
  }),
  episodes: z.number().int().min(1).max(100_000).default(1000),
  seed: z.number().int().min(-(2 ** 31)).max(2 ** 31 - 1).default(0),
  name: z.string().min(1).max(200).optional(),
  envConfig: z.record(z.string(), z.unknown()).optional(),
  referenceEpisodes: z.number().int().min(1).max(10_000).optional(),
}).strict();

/**
 * Validates generation parameters; a bad one is a {@link ValidationError} naming the field (by
 * `nameOf`: the CLI names its flags).
 */
export function parseGenerateParams(
  raw: unknown,
  nameOf?: FieldNamer,
): z.output<typeof generateParams> {
  return parseOrExplain(generateParams, raw, "generate", "(parameters)", nameOf);
}

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
 * import assert from "node:assert/strict";
 * import { generateAndStore } from "./ingest.ts";
 * const home = await Deno.makeTempDir();
 * const manifest = await generateAndStore(
 *   { env: "spread", tier: "medium", episodes: 4, seed: 0, referenceEpisodes: 10 },
 *   { home },
 * );
 * assert.ok(manifest.episodes === 4);
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
