/**
 * Receiving an upload: the request body is streamed to a temporary file, never held in memory,
 * and cut off with `too_large` (413) once it passes the limit.
 *
 * @module
 */
import { join } from "node:path";
import { HttpError } from "../errors/mod.ts";

/** The folder holding uploads while they are imported. */
export function uploadsDir(home: string): string {
  return join(home, "uploads");
}

function tooLarge(limitBytes: number): HttpError {
  return new HttpError("too_large", `the upload is larger than the limit of ${limitBytes} bytes`);
}

/**
 * Streams `body` into a new temporary file under `dir` (named with `suffix`) and returns its
 * path; the caller removes it. More than `limitBytes` (by `Content-Length` or as counted) is a
 * `too_large` error and leaves no file behind.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { receiveUpload } from "./upload.ts";
 * const dir = await Deno.makeTempDir();
 * const path = await receiveUpload(new Blob(["a,b\n"]).stream(), { dir, limitBytes: 100 });
 * assert.ok(Deno.readTextFileSync(path) === "a,b\n");
 * ```
 */
export async function receiveUpload(
  body: ReadableStream<Uint8Array> | null,
  options: { dir: string; limitBytes: number; declaredBytes?: number; suffix?: string },
): Promise<string> {
  const { limitBytes } = options;
  if (options.declaredBytes !== undefined && options.declaredBytes > limitBytes) {
    throw tooLarge(limitBytes);
  }
  if (body === null) throw new HttpError("invalid_input", "the request has no body to import");
  await Deno.mkdir(options.dir, { recursive: true });
  const path = await Deno.makeTempFile({ dir: options.dir, suffix: options.suffix });
  const file = await Deno.open(path, { write: true, truncate: true });
  let received = 0;
  try {
    for await (const chunk of body) {
      received += chunk.byteLength;
      if (received > limitBytes) throw tooLarge(limitBytes);
      let written = 0;
      while (written < chunk.byteLength) written += await file.write(chunk.subarray(written));
    }
  } catch (error) {
    file.close();
    await Deno.remove(path).catch(() => {});
    if (error instanceof HttpError) throw error;
    throw new HttpError("invalid_input", `the upload was interrupted: ${String(error)}`);
  }
  file.close();
  if (received === 0) {
    await Deno.remove(path).catch(() => {});
    throw new HttpError("invalid_input", "the upload is empty");
  }
  return path;
}
