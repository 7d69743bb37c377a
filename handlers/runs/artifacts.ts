/**
 * A run's artifacts (policy weights, reports, ...): list, and download by name, or show a
 * report in the browser (`?disposition=inline`). Names cannot leave the run's folder (see
 * {@link resolveArtifact}).
 *
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { runArtifactsDir } from "../../workflows/mod.ts";
import type { ApiServices } from "../services.ts";
import { BEARER, errorResponses, jsonResponse } from "../openapi/schemas.ts";
import { artifactMediaType, listArtifacts, openArtifact } from "./artifact_files.ts";
import { RunIdParam } from "./schemas.ts";

/** What an artifact shown inline may do: draw itself (inline styles, data images), nothing else. */
export const ARTIFACT_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; " +
  "img-src data:; frame-ancestors 'self'";

const ArtifactSchema = z.object({
  name: z.string().openapi({ example: "policy.safetensors" }),
  bytes: z.number().int(),
  modifiedAt: z.number().int().nullable(),
}).openapi("Artifact");

const listRoute = createRoute({
  method: "get",
  path: "/v1/runs/{id}/artifacts",
  tags: ["runs"],
  operationId: "listRunArtifacts",
  summary: "List a run's artifacts",
  security: BEARER,
  request: { params: RunIdParam },
  responses: {
    200: jsonResponse(z.object({ artifacts: z.array(ArtifactSchema) }), "The artifacts"),
    ...errorResponses(400, 404),
  },
});

const downloadRoute = createRoute({
  method: "get",
  path: "/v1/runs/{id}/artifacts/{name}",
  tags: ["runs"],
  operationId: "downloadRunArtifact",
  summary: "Download an artifact",
  security: BEARER,
  request: {
    params: RunIdParam.extend({
      name: z.string().min(1).max(200).openapi({
        param: { name: "name", in: "path" },
        example: "policy.safetensors",
      }),
    }),
    query: z.object({
      disposition: z.enum(["attachment", "inline"]).default("attachment").openapi({
        description: "`inline` shows an HTML, text, JSON or CSV file in the browser (in a " +
          "sandbox: no script runs, nothing loads) instead of downloading it",
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
    const type = artifactMediaType(name);
    const inline = c.req.valid("query").disposition === "inline" &&
      type !== "application/octet-stream";
    const { file, bytes } = await openArtifact(runArtifactsDir(home, id), name);
    return c.body(file.readable, 200, {
      "Content-Type": type,
      "Content-Length": String(bytes),
      "Content-Disposition": `${inline ? "inline" : "attachment"}; filename="${name}"`,
      "X-Content-Type-Options": "nosniff",
      // A file a run wrote is shown as a document of its own: no script, no requests.
      ...(inline ? { "Content-Security-Policy": ARTIFACT_CSP } : {}),
    });
  });
}
