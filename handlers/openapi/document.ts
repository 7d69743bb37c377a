/**
 * The served OpenAPI document, read from an app over an engine (so every `/v1` route is in it)
 * on a temporary home that is removed afterwards, as `deno task serve` serves it at its default
 * address.
 *
 * @module
 */
import { createApp } from "../app.ts";
import { defaultRegistry, Engine, WorkflowStore } from "../../workflows/mod.ts";

/** Where `deno task serve` listens by default: the document's server. */
export const DEFAULT_ORIGIN = "http://127.0.0.1:8787";

/**
 * The document `GET /openapi.json` serves.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openApiDocument } from "./document.ts";
 * const document = await openApiDocument();
 * assert.equal(document.openapi, "3.1.0");
 * ```
 */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const home = await Deno.makeTempDir({ prefix: "omiga-openapi-" });
  try {
    // A throwaway SQLite store, whatever OMIGA_STORE names: the document does not depend on it.
    using store = WorkflowStore.open({ home, url: "sqlite", artifacts: home });
    const app = createApp({ engine: new Engine(store, defaultRegistry()) });
    const response = await app.request(`${DEFAULT_ORIGIN}/openapi.json`);
    if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}`);
    return await response.json();
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}
