/**
 * The running server: the HTTP app on `Deno.serve` and, beside it, the engine service (the step
 * loop and the cron scheduler) on the same store. `stop()` ends both cleanly: event streams
 * close, running steps are given back (pending) for the next process, the store is closed.
 *
 * @module
 */
import {
  defaultRegistry,
  Engine,
  runEngineService,
  type WorkflowRegistry,
  WorkflowStore,
} from "../workflows/mod.ts";
import { type EngineKind, engineKind } from "../workflows/restate/config.ts";
import { RestateEngine, type RestateEngineOptions } from "../workflows/restate/engine.ts";
import { registerDeployment } from "../workflows/restate/local.ts";
import { createApp } from "./app.ts";
import type { ApiLimits } from "./services.ts";

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** The data directory; default `OMIGA_HOME` or `./.omiga`. */
  home?: string;
  /** Bearer token; none means no auth (bind to loopback only). */
  token?: string;
  /** Port; 0 picks a free one. Default 8787. */
  port?: number;
  /** Address to bind. Default 127.0.0.1. */
  hostname?: string;
  /** Run steps and schedules in this process (default true); false leaves them to workers. */
  worker?: boolean;
  /** Engine settings (lease, concurrency, poll period; Restate's addresses for that engine). */
  engine?: RestateEngineOptions;
  /** Workflows; default the built-in ones. */
  registry?: WorkflowRegistry;
  /** Largest dataset upload, in bytes. */
  uploadLimitBytes?: number;
  /** What one client may ask; default `DEFAULT_LIMITS` (services.ts). */
  limits?: Partial<ApiLimits>;
  /** The folders server-side imports may read; default `<home>/imports`. */
  importDirs?: string[];
  /** Called once listening. */
  onListen?: (address: { hostname: string; port: number }) => void;
  /** The engine that drives runs (default `OMIGA_ENGINE`, else sqlite; docs/restate.md). */
  engineKind?: EngineKind;
  /**
   * Restate engine: the URL Restate reaches this server's endpoint at, registered once
   * listening (default `OMIGA_RESTATE_ENDPOINT`, else `<this server's URL>/restate`); `false`
   * leaves registration to `deno task omiga restate register`.
   */
  restateEndpointUrl?: string | false;
  /** Restate engine: the request identity keys the endpoint accepts (none: unsigned requests). */
  restateIdentityKeys?: string[];
}

/** A started server. */
export interface RunningServer {
  /** `http://host:port`. */
  url: string;
  port: number;
  engine: Engine;
  /**
   * Resolves once the server is ready for work: at once for the SQLite engine; for Restate,
   * once its endpoint is registered (rejects naming what failed).
   */
  ready: Promise<void>;
  /** Stops serving and the engine service; resolves when both have ended. */
  stop(): Promise<void>;
}

/**
 * Starts the API server (and the engine service unless `worker: false`).
 *
 * @example
 * ```ts ignore
 * const server = startServer({ port: 0, home: await Deno.makeTempDir() });
 * const health = await fetch(`${server.url}/healthz`);
 * await server.stop();
 * ```
 */
export function startServer(options: ServerOptions = {}): RunningServer {
  const store = WorkflowStore.open({ home: options.home });
  const registry = options.registry ?? defaultRegistry();
  const kind = options.engineKind ?? engineKind();
  const engine = kind === "restate"
    ? new RestateEngine(store, registry, options.engine)
    : new Engine(store, registry, options.engine);
  const shutdown = new AbortController();
  const app = createApp({
    ...(engine instanceof RestateEngine
      ? { restateEndpoint: engine.endpoint(options.restateIdentityKeys) }
      : {}),
    token: options.token,
    engine,
    uploadLimitBytes: options.uploadLimitBytes,
    limits: options.limits,
    importDirs: options.importDirs,
    signal: shutdown.signal,
  });
  const server = Deno.serve({
    port: options.port ?? 8787,
    hostname: options.hostname ?? "127.0.0.1",
    onListen: options.onListen ?? (() => {}),
  }, app.fetch);
  const service = options.worker === false
    ? Promise.resolve()
    : runEngineService(engine, { signal: shutdown.signal });
  const { hostname, port } = server.addr;
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  const url = `http://${host}:${port}`;
  const endpointUrl = options.restateEndpointUrl ??
    (Deno.env.get("OMIGA_RESTATE_ENDPOINT") || `${url}/restate`);
  const ready = engine instanceof RestateEngine && endpointUrl !== false
    ? registerDeployment(engine.urls.admin, endpointUrl).then(() => {})
    : Promise.resolve();
  ready.catch(() => {}); // the caller awaits it; an unobserved failure must not crash the process
  let stopped: Promise<void> | undefined;
  return {
    url,
    port,
    engine,
    ready,
    stop() {
      stopped ??= (async () => {
        shutdown.abort();
        await Promise.allSettled([service, server.shutdown()]);
        store.close();
      })();
      return stopped;
    },
  };
}
