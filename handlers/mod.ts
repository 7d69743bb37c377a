/**
 * The Hono HTTP app: routes under `/v1`, validation, auth, Server-Sent Events, metrics and the
 * dashboard. Handlers are thin: validate, call into `workflows/` or `data/`, respond.
 *
 * - {@link createApp}: the app (testable with `app.request()`, no socket);
 * - {@link startServer}: the app on `Deno.serve` with the engine service beside it;
 * - {@link createApiClient}: a typed client of the API, generated from its OpenAPI document.
 *
 * @module
 */
export { type AppOptions, createApp, VERSION } from "./app.ts";
export { type ErrorBody, STATUS_BY_CODE, statusOf } from "./errors/mod.ts";
export {
  type ApiClient,
  type ApiClientOptions,
  type components,
  createApiClient,
  type operations,
  type paths,
} from "./openapi/client.ts";
export { type RunningServer, type ServerOptions, startServer } from "./server.ts";
export type { ApiServices } from "./services.ts";
