/**
 * The Hono application. Built by a function so that tests can call `app.request()` without a
 * socket.
 *
 * @module
 */
import { join } from "node:path";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { prometheus } from "@hono/prometheus";
import { Scalar } from "@scalar/hono-api-reference";
import { Registry } from "prom-client";
import { OMIGA_VERSION } from "../core/version.ts";
import type { Engine } from "../workflows/mod.ts";
import { authenticate } from "./auth/mod.ts";
import { sessionSecrets } from "./auth/session.ts";
import { addDatasetRoutes } from "./datasets/routes.ts";
import { errorResponse, handleError } from "./errors/mod.ts";
import { registerEngineMetrics } from "./metrics/engine_metrics.ts";
import { addAssetRoutes, addDashboardRoutes } from "./dashboard/mod.ts";
import { addArtifactRoutes } from "./runs/artifacts.ts";
import { addRunEventRoutes } from "./runs/events.ts";
import { addRunRoutes } from "./runs/routes.ts";
import { addPolicyRoutes } from "./policies/routes.ts";
import { addScheduleRoutes } from "./schedules/routes.ts";
import { type ApiLimits, type ApiServices, DEFAULT_LIMITS } from "./services.ts";
import { limitJsonBodies, limitRunSubmissions } from "./limits/mod.ts";
import { addWorkflowRoutes } from "./workflows/routes.ts";

/** Version reported by `/healthz` and the OpenAPI document. */
export const VERSION = OMIGA_VERSION;

/** Options for {@link createApp}. */
export interface AppOptions {
  /** Bearer token required on every route but `/healthz`; none means no auth (loopback only). */
  token?: string;
  /** Prometheus registry for `/metrics`; a fresh one per app by default. */
  registry?: Registry;
  /**
   * The workflow engine the `/v1` routes work on (runs, schedules; datasets and artifacts
   * under its store's home). Without it only `/healthz`, `/metrics` and the docs are served.
   */
  engine?: Engine;
  /**
   * The Restate endpoint of a `RestateEngine` (`engine.endpoint()`), served under
   * `/restate/*` (docs/restate.md).
   */
  restateEndpoint?: (request: Request) => Promise<Response>;
  /** Largest dataset upload, in bytes. Default 1 GiB (also `limits.uploadBytes`). */
  uploadLimitBytes?: number;
  /** What one client may ask (body sizes, submissions per minute, streams per run). */
  limits?: Partial<ApiLimits>;
  /** The folders server-side imports may read; default `<home>/imports`. */
  importDirs?: string[];
  /** Aborted when the server shuts down: open event streams end. */
  signal?: AbortSignal;
}

const healthRoute = createRoute({
  method: "get",
  path: "/healthz",
  operationId: "getHealth",
  summary: "Liveness check (no auth)",
  security: [],
  responses: {
    200: {
      description: "The server is up",
      content: {
        "application/json": {
          schema: z.object({ status: z.literal("ok"), version: z.string() }),
        },
      },
    },
  },
});

/**
 * Creates the HTTP app.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createApp } from "./app.ts";
 * const response = await createApp().request("/healthz");
 * assert.ok(response.status === 200);
 * ```
 */
export function createApp(options: AppOptions = {}): OpenAPIHono {
  const app = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (result.success) return;
      const issue = result.error.issues[0];
      const field = issue?.path.join(".") || result.target;
      return errorResponse(c, 400, "invalid_input", `${field}: ${issue?.message ?? "invalid"}`);
    },
  });
  const registry = options.registry ?? new Registry();
  const { printMetrics, registerMetrics } = prometheus({ registry, prefix: "omiga_" });
  app.use("*", registerMetrics);
  if (options.restateEndpoint !== undefined) {
    // Restate authenticates itself with signed requests (request identity keys), not with the
    // API's bearer token, so its route comes before authentication.
    const endpoint = options.restateEndpoint;
    app.all("/restate/*", (c) => {
      const url = new URL(c.req.url);
      url.pathname = url.pathname.slice("/restate".length) || "/";
      return endpoint(new Request(url, c.req.raw));
    });
  }
  const secrets = sessionSecrets(options.token);
  app.use("*", authenticate({ token: options.token, secrets }));

  app.openapi(healthRoute, (c) => c.json({ status: "ok" as const, version: VERSION }, 200));
  app.get("/metrics", printMetrics);
  addAssetRoutes(app);
  if (options.engine !== undefined) {
    const limits: ApiLimits = {
      ...DEFAULT_LIMITS,
      ...(options.uploadLimitBytes === undefined ? {} : { uploadBytes: options.uploadLimitBytes }),
      ...options.limits,
    };
    const services: ApiServices = {
      engine: options.engine,
      home: options.engine.store.artifacts,
      limits,
      importDirs: options.importDirs ?? [join(options.engine.store.home, "imports")],
      shutdown: options.signal ?? new AbortController().signal,
    };
    registerEngineMetrics(registry, options.engine.store);
    app.use("/v1/*", limitJsonBodies(limits.bodyBytes));
    app.use("/v1/runs", limitRunSubmissions(limits.runsPerMinute, options.token !== undefined));
    addWorkflowRoutes(app, services);
    addRunRoutes(app, services);
    addRunEventRoutes(app, services);
    addArtifactRoutes(app, services);
    addDatasetRoutes(app, services);
    addScheduleRoutes(app, services);
    addPolicyRoutes(app, services);
    addDashboardRoutes(app, services, { token: options.token, secrets });
  }
  // The server is the one serving the document, wherever it listens (`deno task serve`
  // defaults to http://127.0.0.1:8787), so the reference page's requests go back to it.
  app.doc31("/openapi.json", (c) => ({
    openapi: "3.1.0",
    info: {
      title: "omiga-flow",
      version: VERSION,
      description: "Offline MARL with OMIGA",
      license: { name: "MIT", identifier: "MIT" },
    },
    servers: [{ url: new URL(c.req.url).origin, description: "this server" }],
  }));
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
  });
  // The viewer's script comes from its npm package (served under /assets/), not a CDN.
  app.get(
    "/docs",
    Scalar({
      url: "/openapi.json",
      pageTitle: "omiga-flow API",
      cdn: "/assets/api-reference.js",
      withDefaultFonts: false,
      telemetry: false,
      showDeveloperTools: "never",
    }),
  );

  app.notFound((c) =>
    errorResponse(c, 404, "not_found", `no route for ${c.req.method} ${c.req.path}`)
  );
  app.onError(handleError);
  return app;
}
