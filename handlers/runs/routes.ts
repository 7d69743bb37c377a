/**
 * Runs: submit (with `Idempotency-Key`), list (filters and cursor pagination), show, cancel,
 * resume. Parameters are validated with the workflow's own zod schema, the one the CLI uses.
 *
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { WorkflowRegistry } from "../../workflows/mod.ts";
import type { ApiServices } from "../services.ts";
import { workflowParamSchemas } from "../workflows/param_schemas.ts";
import { BEARER, errorResponses, jsonResponse, JsonValue } from "../openapi/schemas.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { RUN_STATES, RunIdParam, RunSchema, runView, StepSchema, stepView } from "./schemas.ts";

/**
 * The submission body. It is validated here only as `{workflow, params}`; the params are
 * checked by the engine with the workflow's own schema (so an unknown workflow is a 404). The
 * document shows each workflow's params schema as one alternative of a `oneOf`, told apart by
 * its required `workflow` name.
 */
function submitBody(registry: WorkflowRegistry) {
  return z.object({
    workflow: z.string().min(1).max(100).openapi({ example: "train-evaluate" }),
    params: JsonValue.optional().openapi({
      description: "the workflow's parameters; defaults fill the rest",
      example: { env: "spread", tier: "medium", iterations: 500 },
    }),
  }).openapi("RunSubmission", {
    // `workflow` is required and a single name in each alternative, so exactly one matches.
    oneOf: workflowParamSchemas(registry).map(({ name, schema }) => ({
      type: "object" as const,
      title: name,
      required: ["workflow"],
      properties: { workflow: { type: "string" as const, enum: [name] }, params: schema },
    })),
  });
}

const submitRoute = (registry: WorkflowRegistry) =>
  createRoute({
    method: "post",
    path: "/v1/runs",
    tags: ["runs"],
    operationId: "submitRun",
    summary: "Submit a run",
    description: "The same `Idempotency-Key` with the same body returns the run it created " +
      "(200); with a different body it is a 409.",
    security: BEARER,
    request: {
      headers: z.object({
        "Idempotency-Key": z.string().min(1).max(200).regex(/^[\x21-\x7e][\x20-\x7e]*$/, {
          message: "printable ASCII, at most 200 characters",
        }).optional(),
      }),
      body: {
        content: { "application/json": { schema: submitBody(registry) } },
        required: true,
      },
    },
    responses: {
      201: jsonResponse(RunSchema, "The run was queued"),
      200: jsonResponse(RunSchema, "The run this idempotency key already created"),
      ...errorResponses(400, 404, 409, 413, 429),
    },
  });

const listRoute = createRoute({
  method: "get",
  path: "/v1/runs",
  tags: ["runs"],
  operationId: "listRuns",
  summary: "List runs, newest first",
  security: BEARER,
  request: {
    query: z.object({
      state: z.enum(RUN_STATES).optional(),
      workflow: z.string().max(100).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(50),
      cursor: z.string().max(100).optional().openapi({
        description: "`nextCursor` of the previous page",
      }),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({ runs: z.array(RunSchema), nextCursor: z.string().nullable() }),
      "One page of runs",
    ),
    ...errorResponses(400),
  },
});

const showRoute = createRoute({
  method: "get",
  path: "/v1/runs/{id}",
  tags: ["runs"],
  operationId: "getRun",
  summary: "A run and its steps",
  security: BEARER,
  request: { params: RunIdParam },
  responses: {
    200: jsonResponse(RunSchema.extend({ steps: z.array(StepSchema) }), "The run"),
    ...errorResponses(400, 404),
  },
});

const actionRoute = (action: "cancel" | "resume", summary: string) =>
  createRoute({
    method: "post",
    path: `/v1/runs/{id}/${action}`,
    tags: ["runs"],
    operationId: `${action}Run`,
    summary,
    security: BEARER,
    request: { params: RunIdParam },
    responses: { 200: jsonResponse(RunSchema, "The run"), ...errorResponses(400, 404, 409) },
  });

/** Adds the run routes to `app`. */
export function addRunRoutes(app: OpenAPIHono, { engine }: ApiServices): void {
  app.openapi(submitRoute(engine.registry), async (c) => {
    const { workflow, params } = c.req.valid("json");
    const idempotencyKey = c.req.valid("header")["Idempotency-Key"];
    // The workflow's preflight refuses a run that could only fail (an unknown dataset: 404).
    const { run, created } = await engine.submitChecked(workflow, params ?? {}, {
      idempotencyKey,
    });
    return created ? c.json(runView(run), 201) : c.json(runView(run), 200);
  });

  app.openapi(listRoute, (c) => {
    const { state, workflow, limit, cursor } = c.req.valid("query");
    const before = cursor === undefined ? undefined : decodeCursor(cursor);
    const page = engine.store.runs.page({ state, workflow, limit, before });
    return c.json({
      runs: page.runs.map(runView),
      nextCursor: page.next === null ? null : encodeCursor(page.next),
    }, 200);
  });

  app.openapi(showRoute, (c) => {
    const id = engine.store.runs.resolveId(c.req.valid("param").id);
    const run = engine.store.runs.get(id);
    return c.json({ ...runView(run), steps: engine.store.runs.steps(id).map(stepView) }, 200);
  });

  app.openapi(actionRoute("cancel", "Cancel a queued or running run"), (c) => {
    return c.json(
      runView(engine.cancel(engine.store.runs.resolveId(c.req.valid("param").id))),
      200,
    );
  });

  app.openapi(actionRoute("resume", "Queue a failed or cancelled run again"), (c) => {
    return c.json(
      runView(engine.resume(engine.store.runs.resolveId(c.req.valid("param").id))),
      200,
    );
  });
}
