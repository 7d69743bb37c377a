/**
 * Cron schedules that submit runs: create, list, delete. Parameters are validated with the
 * workflow's schema when the schedule is created.
 *
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { Scheduler } from "../../workflows/mod.ts";
import type { ApiServices } from "../services.ts";
import { BEARER, errorResponses, jsonResponse, JsonValue } from "../openapi/schemas.ts";

const ScheduleSchema = z.object({
  id: z.string().openapi({ example: "nightly-retrain" }),
  cron: z.string().openapi({ example: "0 3 * * *" }),
  timezone: z.string().nullable(),
  workflow: z.string(),
  params: JsonValue,
  enabled: z.boolean(),
  nextRunAt: z.number().int().nullable().openapi({ description: "ms since the epoch" }),
  lastDueAt: z.number().int().nullable(),
  lastRunId: z.string().nullable(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
}).openapi("Schedule");

const NewSchedule = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, {
    message: "lower-case letters, digits and dashes, at most 63",
  }),
  cron: z.string().min(1).max(200).openapi({
    description: "5 fields, or 6 with seconds first",
    example: "0 3 * * *",
  }),
  timezone: z.string().min(1).max(100).optional().openapi({ description: "IANA; default UTC" }),
  workflow: z.string().min(1).max(100),
  params: JsonValue.optional(),
}).openapi("NewSchedule");

const ScheduleIdParam = z.object({
  id: z.string().min(1).max(100).openapi({ param: { name: "id", in: "path" } }),
});

const createScheduleRoute = createRoute({
  method: "post",
  path: "/v1/schedules",
  tags: ["schedules"],
  operationId: "createSchedule",
  summary: "Create a schedule",
  security: BEARER,
  request: { body: { required: true, content: { "application/json": { schema: NewSchedule } } } },
  responses: {
    201: jsonResponse(ScheduleSchema, "The schedule"),
    ...errorResponses(400, 404, 409),
  },
});

const listRoute = createRoute({
  method: "get",
  path: "/v1/schedules",
  tags: ["schedules"],
  operationId: "listSchedules",
  summary: "List schedules",
  security: BEARER,
  responses: {
    200: jsonResponse(z.object({ schedules: z.array(ScheduleSchema) }), "The schedules"),
    ...errorResponses(),
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/v1/schedules/{id}",
  tags: ["schedules"],
  operationId: "deleteSchedule",
  summary: "Delete a schedule",
  security: BEARER,
  request: { params: ScheduleIdParam },
  responses: {
    200: jsonResponse(ScheduleSchema, "The deleted schedule"),
    ...errorResponses(400, 404),
  },
});

/** Adds the schedule routes to `app`. */
export function addScheduleRoutes(app: OpenAPIHono, { engine }: ApiServices): void {
  const scheduler = new Scheduler(engine);

  app.openapi(createScheduleRoute, async (c) => {
    const spec = c.req.valid("json");
    if (engine.store.schedules.has(spec.id)) {
      return c.json({
        error: { code: "conflict", message: `schedule "${spec.id}" already exists` },
      }, 409);
    }
    // Checked now as a run would be (an unknown dataset: 404), not at every firing.
    return c.json(await scheduler.addChecked({ ...spec, params: spec.params ?? {} }), 201);
  });

  app.openapi(listRoute, (c) => c.json({ schedules: scheduler.list() }, 200));

  app.openapi(deleteRoute, (c) => {
    const { id } = c.req.valid("param");
    const schedule = engine.store.schedules.get(id);
    scheduler.remove(id);
    return c.json(schedule, 200);
  });
}
