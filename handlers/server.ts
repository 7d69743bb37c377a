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
  type EngineOptions,
  runEngineService,
  type WorkflowRegistry,
  WorkflowStore,
} from "../workflows/mod.ts";
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
  /** Engine settings (lease, concurrency, poll period). */
  engine?: EngineOptions;
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
}

/** A started server. */
export interface RunningServer {
  /** `http://host:port`. */
  url: string;
  port: number;
  engine: Engine;
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
  const engine = new Engine(store, options.registry ?? defaultRegistry(), options.engine);
  const shutdown = new AbortController();
  const app = createApp({
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
  let stopped: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    engine,
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
