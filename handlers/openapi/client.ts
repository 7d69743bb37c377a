/**
 * A typed client of the HTTP API: openapi-fetch over the types generated from the OpenAPI
 * document (`client_types.ts`), so a route's path, parameters, body and responses are checked
 * at compile time against what the server documents.
 *
 * @module
 */
import createClient, { type Client } from "openapi-fetch";
import type { paths } from "./client_types.ts";

/** The API's paths, for typing requests and responses (`paths["/v1/runs"]["post"]`). */
export type { components, operations, paths } from "./client_types.ts";

/** A client of every documented route. */
export type ApiClient = Client<paths>;

/** Where the client sends its requests and with which token. */
export interface ApiClientOptions {
  /** The server's origin, e.g. `http://127.0.0.1:8787`. */
  baseUrl: string;
  /** The bearer token (`OMIGA_TOKEN`); none for a server without one. */
  token?: string;
  /** Sends a request; `fetch` by default (a test passes `app.request`). */
  fetch?: (request: Request) => Promise<Response>;
}

/**
 * A typed client of the API at `baseUrl`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createApp } from "../app.ts";
 * import { createApiClient } from "./client.ts";
 * const app = createApp();
 * const api = createApiClient({
 *   baseUrl: "http://127.0.0.1:8787",
 *   fetch: async (request) => await app.request(request),
 * });
 * const { data } = await api.GET("/healthz");
 * assert.equal(data?.status, "ok");
 * ```
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  return createClient<paths>({
    baseUrl: options.baseUrl,
    headers: options.token === undefined ? {} : { Authorization: `Bearer ${options.token}` },
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
}
