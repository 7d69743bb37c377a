/**
 * The HTTP API's OpenAPI document and the typed client's types generated from it.
 *
 * - `deno run -A scripts/openapi.ts [FILE]`: writes the document, the `/openapi.json` an app over
 *   an engine serves (every route registered), to FILE or stdout. CI lints it (redocly.yaml).
 * - `deno run -A scripts/openapi.ts --types`: regenerates `handlers/openapi/client_types.ts`,
 *   the `paths` that `createApiClient` is typed by (a test fails while it differs from a fresh
 *   generation).
 *
 * @module
 */
import openapiTS, { astToString, type OpenAPI3 } from "openapi-typescript";
import { fileURLToPath } from "node:url";
import { openApiDocument } from "../handlers/openapi/document.ts";

/** The committed client types. */
export const CLIENT_TYPES_FILE = fileURLToPath(
  new URL("../handlers/openapi/client_types.ts", import.meta.url),
);

const HEADER = `/**
 * The HTTP API's types, generated from its OpenAPI document by openapi-typescript: do not edit.
 * Regenerate with \`deno run -A scripts/openapi.ts --types\`.
 *
 * @module
 */
`;

/**
 * The TypeScript types of `document` (openapi-typescript's \`paths\`, \`components\`,
 * \`operations\`), formatted as the repository formats TypeScript.
 */
export async function clientTypes(document: Record<string, unknown>): Promise<string> {
  // Fields with a default stay optional in request bodies, as the schemas' `required` says.
  const ast = await openapiTS(document as unknown as OpenAPI3, { defaultNonNullable: false });
  return await formatTypeScript(HEADER + astToString(ast));
}

/** `deno fmt` on `source` with the repository's settings (deno.json). */
async function formatTypeScript(source: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext=ts", "-"],
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(source));
  await writer.close();
  const { success, stdout, stderr } = await child.output();
  if (!success) throw new Error(`deno fmt failed: ${new TextDecoder().decode(stderr)}`);
  return new TextDecoder().decode(stdout);
}

if (import.meta.main) {
  const document = await openApiDocument();
  if (Deno.args[0] === "--types") {
    await Deno.writeTextFile(CLIENT_TYPES_FILE, await clientTypes(document));
    console.log(`wrote ${CLIENT_TYPES_FILE}`);
  } else {
    const text = JSON.stringify(document, null, 2) + "\n";
    if (Deno.args[0] === undefined) await Deno.stdout.write(new TextEncoder().encode(text));
    else await Deno.writeTextFile(Deno.args[0], text);
  }
}
