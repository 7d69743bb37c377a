/**
 * The Hono HTTP app: routes under `/v1`, validation, auth, Server-Sent Events, metrics and the
 * dashboard. Handlers are thin: validate, call into `workflows/` or `data/`, respond.
 *
 * @module
 */
export { createApp } from "./app.ts";
