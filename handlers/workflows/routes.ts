/**
 * The workflows this server can run, with their parameter schemas as JSON Schema (the same zod
 * schemas that validate `POST /v1/runs`).
 *
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { ApiServices } from "../services.ts";
import { BEARER, errorResponses, jsonResponse } from "../openapi/schemas.ts";
import { workflowParamSchemas } from "./param_schemas.ts";

const WorkflowSchema = z.object({
  name: z.string().openapi({ example: "train-evaluate" }),
  description: z.string(),
  steps: z.array(z.object({
    id: z.string().openapi({ description: "a step's id, or a group's name" }),
    group: z.boolean().openapi({ description: "a group, expanded from the params at submission" }),
    after: z.array(z.string()).openapi({ description: "the steps or groups it runs after" }),
    concurrency: z.string().nullable().openapi({ description: "its concurrency key" }),
  })),
  params: z.record(z.string(), z.unknown()).openapi({ description: "JSON Schema of the params" }),
}).openapi("Workflow");

const listRoute = createRoute({
  method: "get",
  path: "/v1/workflows",
  tags: ["workflows"],
  operationId: "listWorkflows",
  summary: "Workflows and their parameter schemas",
  security: BEARER,
  responses: {
    200: jsonResponse(z.object({ workflows: z.array(WorkflowSchema) }), "The workflows"),
    ...errorResponses(),
  },
});

/** Adds the workflow list route to `app`. */
export function addWorkflowRoutes(app: OpenAPIHono, { engine }: ApiServices): void {
  const schemas = new Map(workflowParamSchemas(engine.registry).map((w) => [w.name, w.schema]));
  const workflows = engine.registry.list().map((workflow) => ({
    name: workflow.name,
    description: workflow.description,
    steps: workflow.declared.map((segment) => ({
      id: segment.name,
      group: segment.group,
      after: [...segment.after],
      concurrency: segment.concurrency ?? null,
    })),
    params: schemas.get(workflow.name)!,
  }));
  app.openapi(listRoute, (c) => c.json({ workflows }, 200));
}
