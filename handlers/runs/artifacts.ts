/**
 * A run's artifacts (policy weights, reports, ...): list, and download by name. Names cannot
 * leave the run's folder (see {@link resolveArtifact}).
 *
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { runArtifactsDir } from "../../workflows/mod.ts";
import type { ApiServices } from "../services.ts";
import { BEARER, errorResponses, jsonResponse } from "../openapi/schemas.ts";
import { artifactMediaType, listArtifacts, openArtifact } from "./artifact_files.ts";
import { RunIdParam } from "./schemas.ts";

const ArtifactSchema = z.object({
  name: z.string().openapi({ example: "policy.safetensors" }),
  bytes: z.number().int(),
  modifiedAt: z.number().int().nullable(),
}).openapi("Artifact");

const listRoute = createRoute({
  method: "get",
  path: "/v1/runs/{id}/artifacts",
  tags: ["runs"],
  summary: "List a run's artifacts",
  security: BEARER,
  request: { params: RunIdParam },
  responses: {
    200: jsonResponse(z.object({ artifacts: z.array(ArtifactSchema) }), "The artifacts"),
    ...errorResponses(404),
  },
});

const downloadRoute = createRoute({
  method: "get",
  path: "/v1/runs/{id}/artifacts/{name}",
  tags: ["runs"],
  summary: "Download an artifact",
  security: BEARER,
  request: {
    params: RunIdParam.extend({
      name: z.string().min(1).max(200).openapi({
        param: { name: "name", in: "path" },
        example: "policy.safetensors",
      }),
    }),
  },
  responses: {
    200: {
      description: "The file",
      content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } },
    },
    ...errorResponses(400, 404),
  },
});

/** Adds the artifact routes to `app`. */
export function addArtifactRoutes(app: OpenAPIHono, { engine, home }: ApiServices): void {
  app.openapi(listRoute, async (c) => {
    const id = engine.store.runs.resolveId(c.req.valid("param").id);
    return c.json({ artifacts: await listArtifacts(runArtifactsDir(home, id)) }, 200);
  });

  app.openapi(downloadRoute, async (c) => {
    const { name } = c.req.valid("param");
    const id = engine.store.runs.resolveId(c.req.valid("param").id);
    const { file, bytes } = await openArtifact(runArtifactsDir(home, id), name);
    return c.body(file.readable, 200, {
      "Content-Type": artifactMediaType(name),
      "Content-Length": String(bytes),
      "Content-Disposition": `attachment; filename="${name}"`,
      "X-Content-Type-Options": "nosniff",
    });
  });
}
