/**
 * How the product writes times and numbers for people: the CLI's progress lines and tables and
 * the dashboard's pages share these.
 *
 * @module
 */

/**
 * A duration in seconds as `m:ss`, or `h:mm:ss` past an hour.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDuration } from "./format.ts";
 * assert.equal(formatDuration(75.4), "1:15");
 * assert.equal(formatDuration(3725), "1:02:05");
 * ```
 */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

/**
 * A time in milliseconds since the epoch as `YYYY-MM-DD HH:MM:SS` (UTC), `-` for none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatTime } from "./format.ts";
 * assert.equal(formatTime(Date.UTC(2026, 11, 1, 16, 39, 18)), "2026-12-01 16:39:18");
 * assert.equal(formatTime(null), "-");
 * ```
 */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "-";
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19);
}
