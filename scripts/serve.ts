/**
 * `deno task serve [--port N] [--host H] [--no-worker]`: serves the HTTP API (default
 * 127.0.0.1:8787) on `OMIGA_HOME` and runs the engine service (steps and schedules) beside it;
 * `--no-worker` leaves steps to separate `deno task omiga worker` processes. Every route but
 * `/healthz` needs `Authorization: Bearer $OMIGA_TOKEN`; without a token the server only binds
 * to a loopback address. SIGINT or SIGTERM stop it cleanly (running steps go back to pending).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { startServer } from "../handlers/server.ts";

/** Whether `host` names this machine only (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" ||
    /^127\.\d+\.\d+\.\d+$/.test(host);
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      port: { type: "string", default: "8787" },
      host: { type: "string", default: "127.0.0.1" },
      "no-worker": { type: "boolean", default: false },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`error: --port must be an integer in [0, 65535], got "${values.port}"`);
    Deno.exit(2);
  }
  const token = Deno.env.get("OMIGA_TOKEN") || undefined;
  if (token === undefined && !isLoopback(values.host)) {
    console.error(
      `error: refusing to serve on ${values.host} without a token; set OMIGA_TOKEN or bind to 127.0.0.1`,
    );
    Deno.exit(2);
  }
  const worker = !values["no-worker"];
  const server = startServer({
    port,
    hostname: values.host,
    token,
    worker,
    onListen: ({ hostname, port }) =>
      console.log(
        `omiga-flow listening on http://${hostname}:${port}${
          token ? "" : " (no token: loopback only)"
        }${worker ? "" : "; steps are left to worker processes"}`,
      ),
  });
  const stop = () => {
    console.log("stopping: running steps are given back for the next worker");
    server.stop().then(() => Deno.exit(0));
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}
