/**
 * Datasets: list, show (manifest and statistics), import from a server-side file or an upload,
 * generate a built-in dataset, and filter episodes into a derived dataset. Generation and
 * imports (work that grows with the data) run in a Worker (see offload.ts); statistics and
 * filters use this process's DuckDB engine, whose tables stay cached between requests (a fresh
 * Worker would pay DuckDB's start-up, seconds, on every request).
 *
 * @module
 */
import { isAbsolute } from "node:path";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { OmigaError } from "../../core/errors.ts";
import {
  type DatasetManifest,
  datasetStats,
  filterDataset,
  getManifest,
  type ImportResult,
  listDatasets,
} from "../../data/mod.ts";
import { generateParams } from "../../workflows/ingest.ts";
import { HttpError } from "../errors/mod.ts";
import type { ApiServices } from "../services.ts";
import { BEARER, errorResponses, jsonResponse } from "../openapi/schemas.ts";
import {
  DatasetIdParam,
  FORMATS,
  ImportNaming,
  ImportResultSchema,
  ManifestSchema,
  StatsSchema,
} from "./schemas.ts";
import { confineImportPath } from "./import_dirs.ts";
import { runDataTask } from "./offload.ts";
import { receiveUpload, uploadsDir } from "./upload.ts";

const listRoute = createRoute({
  method: "get",
  path: "/v1/datasets",
  tags: ["datasets"],
  operationId: "listDatasets",
  summary: "List stored datasets, oldest first",
  security: BEARER,
  responses: {
    200: jsonResponse(z.object({ datasets: z.array(ManifestSchema) }), "The datasets"),
    ...errorResponses(),
  },
});

const showRoute = createRoute({
  method: "get",
  path: "/v1/datasets/{id}",
  tags: ["datasets"],
  operationId: "getDataset",
  summary: "A dataset's manifest and statistics",
  security: BEARER,
  request: {
    params: DatasetIdParam,
    query: z.object({ bins: z.coerce.number().int().min(1).max(200).default(10) }),
  },
  responses: {
    200: jsonResponse(
      z.object({ manifest: ManifestSchema, stats: StatsSchema }),
      "The manifest and statistics",
    ),
    ...errorResponses(400, 404),
  },
});

const importRoute = createRoute({
  method: "post",
  path: "/v1/datasets/import",
  tags: ["datasets"],
  operationId: "importDataset",
  summary: "Import a file that is on the server",
  description: "The file must be inside an import folder (`OMIGA_IMPORT_DIRS`, default " +
    "`$OMIGA_HOME/imports`), after `..` and symlinks are resolved; elsewhere it is a 403.",
  security: BEARER,
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: ImportNaming.extend({
            path: z.string().min(1).max(4096).refine(isAbsolute, "must be an absolute path")
              .openapi({ example: "/data/halfcheetah-medium.hdf5" }),
            format: z.enum(FORMATS).optional().openapi({
              description: "default: from the file's extension",
            }),
          }),
        },
      },
    },
  },
  responses: {
    201: jsonResponse(ImportResultSchema, "The stored dataset"),
    ...errorResponses(400, 403, 404),
  },
});

const uploadRoute = createRoute({
  method: "post",
  path: "/v1/datasets/upload",
  tags: ["datasets"],
  operationId: "uploadDataset",
  summary: "Import an uploaded file (the raw request body)",
  description: "The body is streamed to a temporary file; past the server's limit the answer " +
    "is a 413.",
  security: BEARER,
  request: {
    query: ImportNaming.extend({ format: z.enum(FORMATS) }),
    body: {
      required: true,
      content: {
        "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) },
      },
    },
  },
  responses: {
    201: jsonResponse(ImportResultSchema, "The stored dataset"),
    ...errorResponses(400, 413),
  },
});

const GenerateBody = generateParams;

const generateRoute = createRoute({
  method: "post",
  path: "/v1/datasets/generate",
  tags: ["datasets"],
  operationId: "generateDataset",
  summary: "Generate a built-in dataset (environment x behaviour tier)",
  security: BEARER,
  request: { body: { required: true, content: { "application/json": { schema: GenerateBody } } } },
  responses: { 201: jsonResponse(ManifestSchema, "The stored dataset"), ...errorResponses(400) },
});

const filterRoute = createRoute({
  method: "post",
  path: "/v1/datasets/{id}/filter",
  tags: ["datasets"],
  operationId: "filterDataset",
  summary: "Store the episodes a filter selects as a derived dataset",
  security: BEARER,
  request: {
    params: DatasetIdParam,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.object({
            filter: z.string().min(1).max(200).openapi({
              description: '"top N", "top P%", "bottom N", "first N", "last N", ' +
                '"return >= X", "length < N"',
              example: "top 30%",
            }),
            name: z.string().min(1).max(200).optional(),
          }),
        },
      },
    },
  },
  responses: {
    201: jsonResponse(ManifestSchema, "The derived dataset"),
    ...errorResponses(400, 404),
  },
});

/** Adds the dataset routes to `app`. */
export function addDatasetRoutes(app: OpenAPIHono, services: ApiServices): void {
  const { home } = services;

  app.openapi(listRoute, async (c) => c.json({ datasets: await listDatasets({ home }) }, 200));

  app.openapi(showRoute, async (c) => {
    const { id } = c.req.valid("param");
    const manifest = await getManifest(id, { home });
    const stats = await datasetStats(manifest.id, { home, bins: c.req.valid("query").bins });
    return c.json({ manifest, stats }, 200);
  });

  app.openapi(importRoute, async (c) => {
    const { path, ...options } = c.req.valid("json");
    const file = await confineImportPath(path, services.importDirs);
    try {
      return c.json(
        await runDataTask<ImportResult>({ op: "import", home, path: file, options }),
        201,
      );
    } catch (error) {
      // Name the file as the request did, not where its symlinks led.
      if (!(error instanceof OmigaError) || file === path) throw error;
      throw new HttpError(error.code, error.message.replaceAll(file, path));
    }
  });

  app.openapi(uploadRoute, async (c) => {
    const { format, ...naming } = c.req.valid("query");
    const declared = c.req.header("content-length");
    const path = await receiveUpload(c.req.raw.body, {
      dir: uploadsDir(home),
      limitBytes: services.limits.uploadBytes,
      declaredBytes: declared === undefined ? undefined : Number(declared),
      suffix: `.${format}`,
    });
    try {
      const result = await runDataTask<ImportResult>({
        op: "import",
        home,
        path,
        options: { ...naming, name: naming.name ?? "upload", format },
      });
      return c.json(result, 201);
    } catch (error) {
      // Name the upload, not the server's temporary file.
      if (!(error instanceof OmigaError)) throw error;
      throw new HttpError(error.code, error.message.replaceAll(path, "the upload"));
    } finally {
      await Deno.remove(path).catch(() => {});
    }
  });

  app.openapi(generateRoute, async (c) => {
    const options = c.req.valid("json");
    return c.json(await runDataTask<DatasetManifest>({ op: "generate", home, options }), 201);
  });

  app.openapi(filterRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { filter, name } = c.req.valid("json");
    return c.json(await filterDataset(id, filter, { home, name }), 201);
  });
}
