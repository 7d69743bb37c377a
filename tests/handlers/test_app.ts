/**
 * Fixtures for the HTTP tests: an app over an engine on a fresh temporary `OMIGA_HOME`, and
 * small request helpers.
 *
 * @module
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { createApp } from "../../handlers/mod.ts";
import type { ApiLimits } from "../../handlers/services.ts";
import {
  defaultRegistry,
  Engine,
  type WorkflowDefinition,
  WorkflowRegistry,
  WorkflowStore,
} from "../../workflows/mod.ts";
import { testStoreUrl } from "../workflows/test_engine.ts";

/** The token every test app requires. */
export const TOKEN = "test-token-123";

/** The Authorization header with {@link TOKEN}. */
export const AUTH = { Authorization: `Bearer ${TOKEN}` };

/** A store, engine and app on a temporary home; dispose to close and delete it. */
export interface TestApp extends Disposable {
  home: string;
  store: WorkflowStore;
  engine: Engine;
  app: OpenAPIHono;
  /** `app.request` with the token (and a JSON body when `json` is given). */
  call(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
}

/** Opens a test app with the built-in workflows (or `workflows`), its store at `storeUrl` if given. */
export function openTestApp(
  options: {
    workflows?: WorkflowDefinition<unknown>[];
    uploadLimitBytes?: number;
    limits?: Partial<ApiLimits>;
    importDirs?: string[];
  } = {},
  storeUrl?: string,
): TestApp {
  const home = Deno.makeTempDirSync({ prefix: "omiga-http-test-" });
  const url = testStoreUrl(home, storeUrl);
  const store = WorkflowStore.open({ home, ...(url ? { url } : {}) });
  const registry = options.workflows === undefined
    ? defaultRegistry()
    : new WorkflowRegistry(options.workflows);
  const engine = new Engine(store, registry, { leaseMs: 5_000, heartbeatMs: 100, pollMs: 50 });
  const app = createApp({
    token: TOKEN,
    engine,
    uploadLimitBytes: options.uploadLimitBytes,
    limits: options.limits,
    importDirs: options.importDirs,
  });
  return {
    home,
    store,
    engine,
    app,
    call(path, init = {}) {
      const { json, ...rest } = init;
      const headers = new Headers(rest.headers);
      headers.set("Authorization", AUTH.Authorization);
      if (json !== undefined) headers.set("Content-Type", "application/json");
      return Promise.resolve(app.request(path, {
        ...rest,
        headers,
        body: json === undefined ? rest.body : JSON.stringify(json),
      }));
    },
    [Symbol.dispose]() {
      store.close();
      Deno.removeSync(home, { recursive: true });
    },
  };
}

/** The error body of a response, after checking its status. */
export async function errorOf(
  response: Response,
): Promise<{ status: number; code: string; message: string }> {
  const body = await response.json();
  return { status: response.status, code: body.error.code, message: body.error.message };
}

/** Small hash-chain parameters: a run that ends in milliseconds. */
export const QUICK_CHAIN = { iterations: 6, roundsPerIteration: 1_000, checkpointEvery: 2 };

/** Parses a Server-Sent Events body into its messages. */
export function parseSse(text: string): { id?: string; event?: string; data: string }[] {
  return text.split("\n\n").filter((block) => block.trim() !== "" && !block.startsWith(":"))
    .map((block) => {
      const message: { id?: string; event?: string; data: string } = { data: "" };
      for (const line of block.split("\n")) {
        const colon = line.indexOf(":");
        const field = line.slice(0, colon);
        const value = line.slice(colon + 1).replace(/^ /, "");
        if (field === "id") message.id = value;
        else if (field === "event") message.event = value;
        else if (field === "data") message.data += value;
      }
      return message;
    });
}
