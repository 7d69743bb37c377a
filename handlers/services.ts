/**
 * What the `/v1` routes work on: the workflow engine (its store holds runs, events and
 * schedules; its home holds datasets and run artifacts) and the server's limits.
 *
 * @module
 */
import type { Engine } from "../workflows/mod.ts";

/** The default largest dataset upload, in bytes (1 GiB). */
export const DEFAULT_UPLOAD_LIMIT_BYTES = 1024 ** 3;

/** The engine and limits the API routes use. */
export interface ApiServices {
  /** Submits, cancels and resumes runs and reads their events; its store's home is `OMIGA_HOME`. */
  engine: Engine;
  /** The data directory (datasets, run artifacts). */
  home: string;
  /** Largest accepted upload, in bytes. */
  uploadLimitBytes: number;
  /** Aborted when the server shuts down: open event streams end. */
  shutdown: AbortSignal;
}
