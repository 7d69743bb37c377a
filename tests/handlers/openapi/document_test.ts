/**
 * The served OpenAPI document holds what its linter and its generated client rely on, and the
 * committed client types are what the document generates today.
 */
import { assert, assertEquals } from "../../assert.ts";
import { defaultRegistry } from "../../../workflows/mod.ts";
import { DEFAULT_ORIGIN, openApiDocument } from "../../../handlers/openapi/document.ts";
import { CLIENT_TYPES_FILE, clientTypes } from "../../../scripts/openapi.ts";

interface Operation {
  operationId?: string;
  security?: Record<string, string[]>[];
  responses: Record<string, unknown>;
}

async function operations(): Promise<{ method: string; path: string; operation: Operation }[]> {
  const document = await openApiDocument();
  const paths = document.paths as Record<string, Record<string, Operation>>;
  return Object.entries(paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ method, path, operation }))
  );
}

Deno.test("the committed client types equal a fresh generation from the served document", async () => {
  const fresh = await clientTypes(await openApiDocument());
  const committed = await Deno.readTextFile(CLIENT_TYPES_FILE);
  assert(
    committed === fresh,
    "handlers/openapi/client_types.ts is stale: run `deno run -A scripts/openapi.ts --types`",
  );
});

Deno.test("every operation has its own operationId", async () => {
  const all = await operations();
  const ids = all.map(({ operation }) => operation.operationId);
  const missing = all.filter(({ operation }) => operation.operationId === undefined);
  assertEquals(missing.map(({ method, path }) => `${method} ${path}`), []);
  assertEquals(new Set(ids).size, ids.length, `duplicate operationIds: ${ids.join(", ")}`);
});

Deno.test("every operation but /healthz needs the bearer token and declares its 4XX responses", async () => {
  for (const { method, path, operation } of await operations()) {
    const name = `${method} ${path}`;
    if (path === "/healthz") {
      assertEquals(operation.security, [], `${name} needs no token`);
      continue;
    }
    assertEquals(operation.security, [{ bearer: [] }], name);
    assert("401" in operation.responses, `${name} documents its 401`);
  }
});

Deno.test("each run submission alternative requires its own workflow name", async () => {
  const document = await openApiDocument();
  const schemas = (document.components as { schemas: Record<string, Record<string, unknown>> })
    .schemas;
  const alternatives = schemas.RunSubmission.oneOf as {
    required: string[];
    properties: { workflow: { enum: string[] } };
  }[];
  assertEquals(
    alternatives.map((a) => a.properties.workflow.enum),
    defaultRegistry().list().map((workflow) => [workflow.name]),
  );
  for (const alternative of alternatives) assertEquals(alternative.required, ["workflow"]);
});

Deno.test("the document names the server that serves it", async () => {
  const document = await openApiDocument();
  assertEquals(document.servers, [{ url: DEFAULT_ORIGIN, description: "this server" }]);
});
