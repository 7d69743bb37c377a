/**
 * The run and step resources as the API shows them, and the views from the store's records.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import type { RunRecord, StepRecord } from "../../workflows/mod.ts";
import { JsonValue } from "../openapi/schemas.ts";

/** States of a run. */
export const RUN_STATES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
const StepState = z.enum(["pending", "running", "succeeded", "failed", "cancelled", "skipped"]);
const millis = (description: string) =>
  z.number().int().openapi({ description: `${description} (ms since the epoch)` });

/** A run (times in milliseconds since the epoch). */
export const RunSchema = z.object({
  id: z.string().openapi({ example: "0b6c1b1e-3f8e-4d5b-9a43-1f0c2c7d9e11" }),
  workflow: z.string().openapi({ example: "train-evaluate" }),
  params: JsonValue,
  state: z.enum(RUN_STATES),
  idempotencyKey: z.string().nullable(),
  scheduleId: z.string().nullable(),
  output: JsonValue,
  error: z.string().nullable(),
  errorCode: z.string().nullable(),
  annotations: z.record(z.string(), JsonValue).openapi({
    description: "notes steps left on the run (`backend`: the tensor backend and why)",
  }),
  createdAt: millis("submitted"),
  updatedAt: millis("last change"),
  startedAt: millis("first step started").nullable(),
  finishedAt: millis("ended").nullable(),
}).openapi("Run");

/** A step of a run. */
export const StepSchema = z.object({
  stepId: z.string(),
  position: z.number().int(),
  group: z.string().nullable().openapi({ description: "the expanded group it belongs to" }),
  after: z.array(z.string()).openapi({ description: "ids of the steps it runs after" }),
  concurrencyKey: z.string().nullable().openapi({
    description: "its concurrency key (limited per home), e.g. cpu",
  }),
  state: StepState,
  attempt: z.number().int(),
  maxAttempts: z.number().int(),
  retryAt: millis("next retry").nullable(),
  leaseOwner: z.string().nullable(),
  leaseExpiresAt: millis("lease expiry").nullable(),
  output: JsonValue,
  error: z.string().nullable(),
  errorCode: z.string().nullable(),
  startedAt: millis("first attempt started").nullable(),
  finishedAt: millis("ended").nullable(),
}).openapi("Step");

/** A run as the API shows it (the request hash stays inside). */
export function runView(run: RunRecord): z.infer<typeof RunSchema> {
  const { requestHash: _hash, ...view } = run;
  return view;
}

/** A step as the API shows it (its input stays inside). */
export function stepView(step: StepRecord): z.infer<typeof StepSchema> {
  const { runId: _run, input: _input, heartbeatAt: _beat, ...view } = step;
  return view;
}

/** A run id in a path. */
export const RunIdParam = z.object({
  id: z.string().min(1).max(100).openapi({ param: { name: "id", in: "path" } }),
});
