/**
 * `deno task serve [--port N] [--host H] [--no-worker] [--engine sqlite|restate]`: serves the
 * HTTP API (default 127.0.0.1:8787) on `OMIGA_HOME` and runs the engine service (steps and
 * schedules) beside it; `--no-worker` leaves steps to separate `deno task omiga worker`
 * processes. With `--engine restate` (or `OMIGA_ENGINE=restate`) it also serves the Restate
 * endpoint under `/restate/*` and registers it (docs/restate.md). Every route but
 * `/healthz` needs `Authorization: Bearer $OMIGA_TOKEN`; without a token the server only binds
 * to a loopback address. SIGINT or SIGTERM stop it cleanly (running steps go back to pending).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type RunningServer, startServer } from "../handlers/server.ts";
import { type ApiLimits, importDirsFromEnv, limitsFromEnv } from "../handlers/services.ts";
import { omigaHome } from "../workflows/mod.ts";
import { ValidationError } from "../core/errors.ts";
import { type EngineKind, engineKind } from "../workflows/restate/config.ts";
import type { RestateEngine } from "../workflows/restate/engine.ts";
import { errorLine, EXIT, exitCodeOf } from "./cli/errors.ts";

/** Whether `host` names this machine only (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" ||
    /^127\.\d+\.\d+\.\d+$/.test(host);
}

const USAGE = "serve [--port 8787] [--host 127.0.0.1] [--no-worker] [--engine sqlite|restate]";

/**
 * Starts the server from command-line `args`; resolves with the exit code once it has stopped
 * (after SIGINT or SIGTERM), or at once when it cannot start. Errors are one line, exit 2 for
 * a bad flag, 1 for a server that cannot start (a port in use), as in the CLI (`cli/errors.ts`).
 */
export async function serve(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        port: { type: "string", default: "8787" },
        host: { type: "string", default: "127.0.0.1" },
        "no-worker": { type: "boolean", default: false },
        engine: { type: "string" },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(errorLine(error, USAGE));
    return exitCodeOf(error);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`error: --port must be an integer in [0, 65535], got "${values.port}"`);
    return EXIT.usage;
  }
  const token = Deno.env.get("OMIGA_TOKEN") || undefined;
  if (token === undefined && !isLoopback(values.host)) {
    console.error(
      `error: refusing to serve on ${values.host} without a token; set OMIGA_TOKEN or bind to 127.0.0.1`,
    );
    return EXIT.usage;
  }
  const worker = !values["no-worker"];
  const env = Deno.env.toObject();
  let limits: ApiLimits;
  let kind: EngineKind;
  const identityKeys = (env.OMIGA_RESTATE_IDENTITY_KEYS ?? "").split(",").filter((k) => k !== "");
  try {
    limits = limitsFromEnv(env);
    kind = engineKind(values.engine ?? env.OMIGA_ENGINE);
    if (kind === "restate" && identityKeys.length === 0 && !isLoopback(values.host)) {
      throw new ValidationError(
        `refusing to serve the Restate endpoint on ${values.host} without request identity ` +
          `keys; set OMIGA_RESTATE_IDENTITY_KEYS (Restate's publickeyv1_... keys) or bind to ` +
          `127.0.0.1`,
      );
    }
  } catch (error) {
    console.error(errorLine(error));
    return EXIT.usage;
  }
  let server: RunningServer;
  try {
    server = startServer({
      port,
      hostname: values.host,
      token,
      worker,
      limits,
      engineKind: kind,
      restateIdentityKeys: identityKeys,
      importDirs: importDirsFromEnv(env, omigaHome()),
      onListen: ({ hostname, port }) =>
        console.log(
          `omiga-flow listening on http://${hostname}:${port}${
            token ? "" : " (no token: loopback only)"
          }${worker ? "" : "; steps are left to worker processes"}`,
        ),
    });
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      console.error(
        `error: port ${port} on ${values.host} is already in use (another omiga-flow server?); ` +
          `stop it or pass --port N (--port 0 picks a free one)`,
      );
    } else if (error instanceof Deno.errors.AddrNotAvailable) {
      console.error(`error: cannot bind to ${values.host}: no such address on this machine`);
    } else console.error(errorLine(error));
    return EXIT.failed;
  }
  try {
    await server.ready;
  } catch (error) {
    console.error(errorLine(error));
    await server.stop();
    return EXIT.failed;
  }
  if (kind === "restate") {
    console.log(`runs are driven by Restate (${(server.engine as RestateEngine).urls.ingress})`);
  }
  const stopped = Promise.withResolvers<number>();
  const stop = () => {
    Deno.removeSignalListener("SIGINT", stop);
    Deno.removeSignalListener("SIGTERM", stop);
    console.log("stopping: running steps are given back for the next worker");
    server.stop().then(() => stopped.resolve(EXIT.ok), (error) => {
      console.error(errorLine(error));
      stopped.resolve(EXIT.failed);
    });
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  return await stopped.promise;
}

if (import.meta.main) {
  Deno.exit(await serve(Deno.args));
}
