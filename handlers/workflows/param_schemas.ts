/**
 * Each workflow's parameter schema as JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1),
 * from the same zod schema that validates submissions: what `GET /v1/workflows` lists and what
 * the OpenAPI document shows for `POST /v1/runs`.
 *
 * @module
 */
import { z } from "zod";
import type { WorkflowRegistry } from "../../workflows/mod.ts";

/** A workflow's name and the JSON Schema of its parameters (as a client sends them). */
export interface WorkflowParamSchema {
  name: string;
  schema: Record<string, unknown>;
}

/**
 * The parameter schemas of every registered workflow, by name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultRegistry } from "../../workflows/mod.ts";
 * import { workflowParamSchemas } from "./param_schemas.ts";
 * const [first] = workflowParamSchemas(defaultRegistry());
 * assert.ok(first.schema.type === "object");
 * ```
 */
export function workflowParamSchemas(registry: WorkflowRegistry): WorkflowParamSchema[] {
  return registry.list().map((workflow) => {
    const { $schema: _dialect, ...schema } = z.toJSONSchema(workflow.params, {
      io: "input",
      unrepresentable: "any",
    }) as Record<string, unknown>;
    return { name: workflow.name, schema };
  });
}
