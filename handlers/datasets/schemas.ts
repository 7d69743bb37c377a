/**
 * Dataset resources as the API shows them. The manifest and statistics are the data layer's
 * own shapes; the schemas name their main fields and let the rest through.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import { IMPORT_FORMATS } from "../../data/importers/mod.ts";

/** A stored dataset's manifest. */
export const ManifestSchema = z.looseObject({
  id: z.string().openapi({ example: "spread-medium-200ep-s0-3f1c0a9b2d4e" }),
  name: z.string(),
  env: z.string(),
  tier: z.string().optional(),
  source: z.string().openapi({ example: "generate" }),
  rows: z.number().int(),
  episodes: z.number().int(),
  transitions: z.number().int(),
  contentHash: z.string(),
  createdAt: z.string(),
  spec: z.looseObject({
    nAgents: z.number().int(),
    obsDim: z.number().int(),
    stateDim: z.number().int(),
    actDim: z.number().int(),
    actionKind: z.enum(["continuous", "discrete"]),
  }),
  lineage: z.array(z.object({ parent: z.string(), filter: z.string() })).optional(),
}).openapi("DatasetManifest");

const Distribution = z.object({
  mean: z.number(),
  std: z.number(),
  min: z.number(),
  q1: z.number(),
  median: z.number(),
  q3: z.number(),
  max: z.number(),
});

/** Statistics computed in DuckDB. */
export const StatsSchema = z.looseObject({
  rows: z.number().int(),
  episodes: z.number().int(),
  transitions: z.number().int(),
  terminalEpisodes: z.number().int(),
  episodeReturn: Distribution,
  returnHistogram: z.object({ edges: z.array(z.number()), counts: z.array(z.number()) }),
  episodeLength: z.object({ mean: z.number(), min: z.number(), max: z.number() }),
  reward: z.object({ mean: z.number(), min: z.number(), max: z.number() }),
}).openapi("DatasetStats");

/** What an import stored and what it wants the user to know. */
export const ImportResultSchema = z.object({
  manifest: ManifestSchema,
  notes: z.array(z.string()),
}).openapi("ImportResult");

/** A dataset id (or a unique name) in a path. */
export const DatasetIdParam = z.object({
  id: z.string().min(1).max(200).openapi({ param: { name: "id", in: "path" } }),
});

/** Import formats: the importers' own list (`parquet-long`: the long layout as Parquet). */
export const FORMATS = IMPORT_FORMATS;

/** Naming options shared by the import and upload routes. */
export const ImportNaming = z.object({
  name: z.string().min(1).max(200).optional(),
  env: z.string().min(1).max(100).optional(),
  tier: z.string().min(1).max(100).optional(),
});
