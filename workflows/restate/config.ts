/**
 * Which engine drives runs (`OMIGA_ENGINE`), and where Restate answers (`OMIGA_RESTATE_INGRESS`,
 * `OMIGA_RESTATE_ADMIN`). See docs/restate.md.
 *
 * @module
 */
import { ValidationError } from "../../core/errors.ts";

/** The engines: the embedded SQLite claim loop, or Restate driving the same steps. */
export type EngineKind = "sqlite" | "restate";

/**
 * The engine named by `raw` (`OMIGA_ENGINE` or `--engine`): sqlite by default.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { engineKind } from "./config.ts";
 * assert.equal(engineKind(undefined), "sqlite");
 * assert.equal(engineKind("restate"), "restate");
 * assert.throws(() => engineKind("temporal"), /OMIGA_ENGINE must be sqlite or restate/);
 * ```
 */
export function engineKind(raw = Deno.env.get("OMIGA_ENGINE")): EngineKind {
  if (raw === undefined || raw === "") return "sqlite";
  if (raw === "sqlite" || raw === "restate") return raw;
  throw new ValidationError(`OMIGA_ENGINE must be sqlite or restate, got "${raw}"`);
}

/** Where a Restate cluster takes invocations (ingress) and registrations (admin). */
export interface RestateUrls {
  /** Default `OMIGA_RESTATE_INGRESS`, else `http://127.0.0.1:8080`. */
  ingress: string;
  /** Default `OMIGA_RESTATE_ADMIN`, else `http://127.0.0.1:9070`. */
  admin: string;
}

/**
 * The Restate addresses: `given`, else the environment, else Restate's default ports on loopback.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { restateUrls } from "./config.ts";
 * const urls = restateUrls({ ingress: "http://10.0.0.5:8080/" }, {});
 * assert.deepEqual(urls, { ingress: "http://10.0.0.5:8080", admin: "http://127.0.0.1:9070" });
 * assert.throws(() => restateUrls({ admin: "10.0.0.5:9070" }, {}), /admin URL/);
 * ```
 */
export function restateUrls(
  given: Partial<RestateUrls> = {},
  env: Record<string, string | undefined> = Deno.env.toObject(),
): RestateUrls {
  const pick = (name: keyof RestateUrls, variable: string, fallback: string) => {
    const raw = given[name] ?? env[variable] ?? fallback;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ValidationError(`the Restate ${name} URL must be an http(s) URL, got "${raw}"`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new ValidationError(`the Restate ${name} URL must be an http(s) URL, got "${raw}"`);
    }
    return raw.replace(/\/+$/, "");
  };
  return {
    ingress: pick("ingress", "OMIGA_RESTATE_INGRESS", "http://127.0.0.1:8080"),
    admin: pick("admin", "OMIGA_RESTATE_ADMIN", "http://127.0.0.1:9070"),
  };
}
