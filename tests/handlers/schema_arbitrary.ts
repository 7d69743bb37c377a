/**
 * Request values from the API's own OpenAPI document: for a JSON schema, values that satisfy it
 * (numbers near their minimum, so that an accepted request stays quick) and values with some
 * nodes broken (out of range by one, too long, the wrong type, a required field missing, an
 * unknown field, not in the enum, a pattern broken).
 *
 * @module
 */
import fc from "fast-check";

/** A JSON schema node as the document has it (OpenAPI 3.1). */
export type Schema = Record<string, unknown>;

/** An OpenAPI document: enough of it to resolve `$ref`s. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components?: { schemas?: Record<string, Schema> };
}

const MAX_DEPTH = 5;

/** Values wrong almost everywhere. */
const wrong = fc.constantFrom<unknown>(
  null,
  true,
  -1,
  0,
  0.5,
  1e308,
  -(2 ** 53) - 2,
  "",
  "x",
  "__proto__",
  "9".repeat(40),
  [],
  [null],
  {},
  JSON.parse('{"__proto__":{"polluted":true}}'),
);

function resolve(schema: Schema, doc: OpenApiDocument): Schema {
  let node = schema;
  for (let hops = 0; typeof node.$ref === "string" && hops < 8; hops++) {
    const name = (node.$ref as string).replace("#/components/schemas/", "");
    node = { ...node, ...(doc.components?.schemas?.[name] ?? {}), $ref: undefined };
  }
  return node;
}

/** `base` with `branch`'s properties and requirements added (oneOf / allOf members). */
function merge(base: Schema, branch: Schema): Schema {
  return {
    ...base,
    ...branch,
    properties: { ...(base.properties as object ?? {}), ...(branch.properties as object ?? {}) },
    required: [...(base.required as string[] ?? []), ...(branch.required as string[] ?? [])],
    oneOf: undefined,
    anyOf: undefined,
    allOf: undefined,
  };
}

/**
 * Values for `schema`: valid ones, or with `broken` true, valid ones in which each node is
 * broken with probability about 1/6 (so some values are broken deep down, some at the root).
 */
export function schemaValues(
  schema: Schema,
  doc: OpenApiDocument,
  broken: boolean,
  depth = 0,
): fc.Arbitrary<unknown> {
  const node = resolve(schema, doc);
  const valid = validValues(node, doc, broken, depth);
  if (!broken) return valid;
  return fc.oneof({ arbitrary: valid, weight: 5 }, { arbitrary: brokenValues(node), weight: 1 });
}

function validValues(
  node: Schema,
  doc: OpenApiDocument,
  broken: boolean,
  depth: number,
): fc.Arbitrary<unknown> {
  const inner = (child: Schema) => schemaValues(child, doc, broken, depth + 1);
  const alternatives = (node.oneOf ?? node.anyOf) as Schema[] | undefined;
  if (alternatives) {
    return fc.oneof(...alternatives.map((branch) => inner(merge(node, resolve(branch, doc)))));
  }
  if (node.allOf) {
    return inner(
      (node.allOf as Schema[]).reduce((all, part) => merge(all, resolve(part, doc)), node),
    );
  }
  if ("const" in node) return fc.constant(node.const);
  if (Array.isArray(node.enum)) return fc.constantFrom(...node.enum);
  if (Array.isArray(node.type)) {
    return fc.oneof(...(node.type as string[]).map((type) => inner({ ...node, type })));
  }
  if (depth >= MAX_DEPTH) return fc.constant(null);
  switch (node.type) {
    case "object":
      return objectValues(node, inner);
    case "array": {
      const min = (node.minItems as number | undefined) ?? 0;
      const max = Math.min((node.maxItems as number | undefined) ?? min + 3, min + 3);
      return fc.array(inner((node.items as Schema | undefined) ?? {}), {
        minLength: min,
        maxLength: max,
      });
    }
    case "string":
      return stringValues(node);
    case "integer": {
      const maximum = node.maximum as number | undefined;
      const min = (node.minimum as number | undefined) ??
        (maximum === undefined ? -3 : maximum - 3);
      const max = Math.min((node.maximum as number | undefined) ?? min + 3, min + 3);
      return fc.integer({ min, max });
    }
    case "number": {
      const min = (node.minimum as number | undefined) ??
        (node.exclusiveMinimum as number | undefined) ?? -3;
      return fc.double({ min, max: min + 3, noNaN: true, noDefaultInfinity: true })
        .filter((v) =>
          node.exclusiveMinimum === undefined || v > (node.exclusiveMinimum as number)
        );
    }
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function objectValues(
  node: Schema,
  inner: (child: Schema) => fc.Arbitrary<unknown>,
): fc.Arbitrary<unknown> {
  const properties = (node.properties ?? {}) as Record<string, Schema>;
  const required = new Set((node.required ?? []) as string[]);
  const keys = Object.keys(properties);
  if (keys.length === 0) {
    const extra = node.additionalProperties;
    const value = typeof extra === "object" && extra !== null
      ? inner(extra as Schema)
      : fc.jsonValue({ maxDepth: 1 });
    return fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), value, { maxKeys: 3 });
  }
  return fc.record(
    Object.fromEntries(keys.map((key) => [key, inner(properties[key])])),
    { requiredKeys: keys.filter((key) => required.has(key)) },
  );
}

function stringValues(node: Schema): fc.Arbitrary<string> {
  const min = (node.minLength as number | undefined) ?? 0;
  const max = Math.min((node.maxLength as number | undefined) ?? min + 12, min + 12);
  if (typeof node.pattern === "string") {
    return fc.stringMatching(new RegExp(node.pattern)).filter((s) =>
      s.length >= min && s.length <= ((node.maxLength as number | undefined) ?? Infinity)
    );
  }
  return fc.string({ minLength: min, maxLength: max });
}

/** Values that break `node` by one rule: range, length, enum, pattern, type, required keys. */
function brokenValues(node: Schema): fc.Arbitrary<unknown> {
  const near: unknown[] = [];
  const { minimum, maximum, minLength, maxLength, minItems, maxItems } = node as Record<
    string,
    number
  >;
  if (minimum !== undefined) near.push(minimum - 1, minimum - 0.5);
  if (maximum !== undefined) near.push(maximum + 1, maximum + 0.5);
  if (node.type === "integer") near.push(1.5, "1", 2 ** 53 + 2);
  if (minLength !== undefined && minLength > 0) near.push("");
  if (maxLength !== undefined) near.push("y".repeat(maxLength + 1));
  if (Array.isArray(node.enum)) {
    near.push(`${String(node.enum[0])}-not`, String(node.enum[0]).toUpperCase());
  }
  if (typeof node.pattern === "string") near.push("Not A Match!", "../..", "a".repeat(300));
  if (maxItems !== undefined) near.push(Array.from({ length: maxItems + 1 }, () => "x"));
  if (minItems !== undefined && minItems > 0) near.push([]);
  if (node.type === "object") {
    const properties = Object.keys((node.properties ?? {}) as object);
    near.push({ unknownField: 1 }, { [properties[0] ?? "a"]: null });
  }
  return near.length === 0 ? wrong : fc.oneof(fc.constantFrom(...near), wrong);
}
