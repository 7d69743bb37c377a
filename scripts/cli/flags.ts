/**
 * Workflow parameters from command-line flags: `--max-iterations 600` becomes
 * `{ maxIterations: 600 }`, typed by the workflow's zod schema (numbers, booleans, repeated
 * flags for arrays), then validated by that same schema.
 *
 * @module
 */
import { z } from "zod";
import { type FieldNamer, ValidationError } from "../../core/errors.ts";
import { parseParams, type WorkflowDefinition } from "../../workflows/definition.ts";

type FieldType = "number" | "boolean" | "array" | "string";

interface ZodInternals {
  _zod: { def: { type: string; innerType?: unknown } };
}

function fieldType(schema: unknown): FieldType {
  let current = schema as ZodInternals;
  const wrappers = ["optional", "default", "nullable", "prefault", "readonly"];
  while (wrappers.includes(current._zod.def.type) && current._zod.def.innerType) {
    current = current._zod.def.innerType as ZodInternals;
  }
  const type = current._zod.def.type;
  if (type === "number" || type === "int" || type === "bigint") return "number";
  if (type === "boolean") return "boolean";
  if (type === "array") return "array";
  return "string";
}

/** The object schema of a workflow's parameters, under any transforms after it. */
function objectOf(schema: z.ZodType): z.ZodObject | undefined {
  let current: z.ZodType = schema;
  while (current instanceof z.ZodPipe) current = current.in as z.ZodType;
  return current instanceof z.ZodObject ? current : undefined;
}

/** `max-iterations` to `maxIterations`. */
export function camelCase(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** `maxIterations` to `max-iterations`. */
export function kebabCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * Raw parameters from `args` for an object schema: the result still needs `schema.parse`.
 * Unknown flags are a {@link ValidationError} listing the known ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { paramsFromFlags } from "./flags.ts";
 * const schema = z.object({ iterations: z.number(), fast: z.boolean().default(false) });
 * const raw = paramsFromFlags(schema, ["--iterations", "600", "--fast"]);
 * assert.ok(raw.iterations === 600 && raw.fast === true);
 * ```
 */
export function paramsFromFlags(schema: z.ZodType, args: string[]): Record<string, unknown> {
  const object = objectOf(schema);
  if (object === undefined) {
    throw new ValidationError("this workflow's parameters cannot be given as flags");
  }
  const shape = object.shape as Record<string, unknown>;
  const known = Object.keys(shape).map((key) => `--${kebabCase(key)}`).join(", ");
  const params: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--")) throw new ValidationError(`unexpected argument "${arg}"`);
    const [flag, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const key = camelCase(flag);
    if (!(key in shape)) {
      throw new ValidationError(`unknown flag --${flag}; this workflow takes ${known || "none"}`);
    }
    const type = fieldType(shape[key]);
    let value: string;
    if (inline !== undefined) value = inline;
    else if (type === "boolean" && (args[i + 1] === undefined || args[i + 1].startsWith("--"))) {
      value = "true";
    } else {
      value = args[++i];
      if (value === undefined) throw new ValidationError(`flag --${flag} needs a value`);
    }
    if (type === "number") params[key] = value.trim() === "" ? NaN : Number(value);
    else if (type === "boolean") {
      if (value !== "true" && value !== "false") {
        throw new ValidationError(`flag --${flag} takes true or false, got "${value}"`);
      }
      params[key] = value === "true";
    } else if (type === "array") {
      params[key] = [...(params[key] as string[] | undefined ?? []), value];
    } else params[key] = value;
  }
  return params;
}

/** One help line per parameter: `--iterations (number)`. */
export function describeFlags(schema: z.ZodType): string[] {
  const object = objectOf(schema);
  if (object === undefined) return [];
  return Object.entries(object.shape as Record<string, unknown>).map(([key, field]) =>
    `--${kebabCase(key)} (${fieldType(field)})`
  );
}

/** A field as the flag that sets it: `evalEpisodes` as `--eval-episodes`. */
export const flagName: FieldNamer = (path) =>
  [`--${kebabCase(String(path[0]))}`, ...path.slice(1).map(String)].join(".");

/**
 * A workflow's parameters from `args`, validated by its schema; every problem names the flag
 * the user typed (`--eval-episodes: ...`), not the schema's field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { defineWorkflow } from "../../workflows/definition.ts";
 * import { parseFlags } from "./flags.ts";
 * const workflow = defineWorkflow({
 *   name: "demo",
 *   description: "one step",
 *   params: z.object({ evalEpisodes: z.number().int().min(1) }),
 * }).step("only", { input: () => null, run: async () => null }).build();
 * assert.throws(() => parseFlags(workflow, ["--eval-episodes", "0"]), /--eval-episodes: /);
 * ```
 */
export function parseFlags<P>(workflow: WorkflowDefinition<P>, args: string[]): P {
  return parseParams(workflow, paramsFromFlags(workflow.params, args), flagName);
}
