/**
 * The Hono application. Built by a function so that tests can call `app.request()` without a
 * socket.
 *
 * @module
 */
import { Hono } from "hono";

/** Version reported by `/healthz`. */
export const VERSION = "0.1.0";

/**
 * Creates the HTTP app.
 *
 * @example
 * ```ts
 * import { createApp } from "./app.ts";
 * const response = await createApp().request("/healthz");
 * console.assert(response.status === 200);
 * ```
 */
export function createApp(): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ status: "ok", version: VERSION }));
  app.notFound((c) =>
    c.json(
      { error: { code: "not_found", message: `no route for ${c.req.method} ${c.req.path}` } },
      404,
    )
  );
  return app;
}
