/**
 * Opaque pagination cursors for the run list: the store position of the last run shown,
 * base64url-encoded so that clients treat it as a token.
 *
 * @module
 */
import { ValidationError } from "../../core/errors.ts";

/**
 * Encodes a store position as a cursor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeCursor, encodeCursor } from "./cursor.ts";
 * assert.ok(decodeCursor(encodeCursor(42)) === 42);
 * ```
 */
export function encodeCursor(position: number): string {
  return btoa(`runs:${position}`).replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_");
}

/** Decodes a cursor from {@link encodeCursor}; anything else is an `invalid_input` error. */
export function decodeCursor(cursor: string): number {
  let text: string;
  try {
    text = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    text = "";
  }
  const match = /^runs:(\d{1,15})$/.exec(text);
  if (match === null) {
    throw new ValidationError(`cursor: "${cursor}" is not a cursor this server returned`);
  }
  return Number(match[1]);
}
