/**
 * `deno task serve [--port N] [--host H]`: serves the HTTP API (default 127.0.0.1:8787).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { createApp } from "../handlers/mod.ts";

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      port: { type: "string", default: "8787" },
      host: { type: "string", default: "127.0.0.1" },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`error: --port must be an integer in [0, 65535], got "${values.port}"`);
    Deno.exit(2);
  }
  const app = createApp();
  Deno.serve({
    port,
    hostname: values.host,
    onListen: ({ hostname, port }) =>
      console.log(`omiga-flow listening on http://${hostname}:${port}`),
  }, app.fetch);
}
