/**
 * What the `/v1` routes work on: the workflow engine (its store holds runs, events and
 * schedules; its artifacts root holds datasets, run artifacts and registered policies), the
 * server's limits and the folders server-side imports may read.
 *
 * @module
 */
import { delimiter, join } from "node:path";
import { ValidationError } from "../core/errors.ts";
import type { Engine } from "../workflows/mod.ts";

/** The default largest dataset upload, in bytes (1 GiB). */
export const DEFAULT_UPLOAD_LIMIT_BYTES = 1024 ** 3;

/** What one client may ask of the server; every refusal is a 413 or a 429. */
export interface ApiLimits {
  /** Largest dataset upload, in bytes (`OMIGA_MAX_UPLOAD_BYTES`). */
  uploadBytes: number;
  /** Largest JSON request body, in bytes (`OMIGA_MAX_BODY_BYTES`). */
  bodyBytes: number;
  /** Open event streams per run (`OMIGA_MAX_SUBSCRIBERS_PER_RUN`). */
  subscribersPerRun: number;
  /** Run submissions per minute per client, token or address (`OMIGA_RUNS_PER_MINUTE`). */
  runsPerMinute: number;
}

/** The limits a server has unless told otherwise. */
export const DEFAULT_LIMITS: Readonly<ApiLimits> = {
  uploadBytes: DEFAULT_UPLOAD_LIMIT_BYTES,
  bodyBytes: 1024 ** 2,
  subscribersPerRun: 64,
  runsPerMinute: 120,
};

const LIMIT_VARIABLES: Readonly<Record<keyof ApiLimits, string>> = {
  uploadBytes: "OMIGA_MAX_UPLOAD_BYTES",
  bodyBytes: "OMIGA_MAX_BODY_BYTES",
  subscribersPerRun: "OMIGA_MAX_SUBSCRIBERS_PER_RUN",
  runsPerMinute: "OMIGA_RUNS_PER_MINUTE",
};

/**
 * The limits the environment sets (each `OMIGA_MAX_*` / `OMIGA_RUNS_PER_MINUTE` a positive
 * integer), the defaults for the rest.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { limitsFromEnv } from "./services.ts";
 * const limits = limitsFromEnv({ OMIGA_RUNS_PER_MINUTE: "10" });
 * assert.equal(limits.runsPerMinute, 10);
 * assert.throws(() => limitsFromEnv({ OMIGA_MAX_BODY_BYTES: "lots" }), /OMIGA_MAX_BODY_BYTES/);
 * ```
 */
export function limitsFromEnv(env: Record<string, string | undefined>): ApiLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const [key, variable] of Object.entries(LIMIT_VARIABLES) as [keyof ApiLimits, string][]) {
    const text = env[variable];
    if (text === undefined || text === "") continue;
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new ValidationError(`${variable} must be a positive integer, got "${text}"`);
    }
    limits[key] = value;
  }
  return limits;
}

/**
 * The folders `POST /v1/datasets/import` may read: `OMIGA_IMPORT_DIRS` (separated like `PATH`),
 * or `<home>/imports`.
 */
export function importDirsFromEnv(env: Record<string, string | undefined>, home: string): string[] {
  const listed = (env.OMIGA_IMPORT_DIRS ?? "").split(delimiter).filter((dir) => dir !== "");
  return listed.length > 0 ? listed : [join(home, "imports")];
}

/** The engine and limits the API routes use. */
export interface ApiServices {
  /** Submits, cancels and resumes runs and reads their events. */
  engine: Engine;
  /** The artifacts root (`OMIGA_ARTIFACTS`, by default the home): datasets, run artifacts, policies. */
  home: string;
  /** What one client may ask. */
  limits: ApiLimits;
  /** The folders a server-side import may read (symlinks and `..` resolved first). */
  importDirs: string[];
  /** Aborted when the server shuts down: open event streams end. */
  shutdown: AbortSignal;
}
