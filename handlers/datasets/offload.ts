/**
 * Dataset work that grows with the data (generating episodes, parsing an import) runs in a
 * fresh Worker, so that the server's event loop keeps answering other requests meanwhile, as
 * it does while training. A Worker costs about a second to start here (more when the task
 * needs DuckDB), so quick queries stay on the main thread.
 *
 * @module
 */
import type { ImportOptions } from "../../data/mod.ts";
import type { GenerateAndStoreOptions } from "../../workflows/ingest.ts";
import { HttpError } from "../errors/mod.ts";

/** One dataset task, with the store's home. */
export type DataTask =
  | { op: "generate"; home: string; options: GenerateAndStoreOptions }
  | {
    op: "import";
    home: string;
    path: string;
    options: Omit<ImportOptions, "home"> & { format?: string };
  }
  | { op: "filter"; home: string; id: string; filter: string; name?: string }
  | { op: "stats"; home: string; id: string; bins: number };

/** What the Worker answers. */
export type DataTaskReply =
  | { ok: true; value: unknown }
  | { ok: false; error: { code: string | null; message: string } };

/**
 * Runs `task` in a new Worker and returns its result. A typed error in the Worker comes back
 * with its code (so it maps to the same HTTP status); anything else is a plain Error.
 *
 * @example
 * ```ts ignore
 * const manifest = await runDataTask({ op: "generate", home, options: { env: "spread",
 *   tier: "medium", episodes: 100, seed: 0 } });
 * ```
 */
export function runDataTask<T>(task: DataTask): Promise<T> {
  const worker = new Worker(new URL("./data_worker.ts", import.meta.url).href, {
    type: "module",
  });
  return new Promise<T>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<DataTaskReply>) => {
      worker.terminate();
      const reply = event.data;
      if (reply.ok) resolve(reply.value as T);
      else if (reply.error.code !== null) {
        reject(new HttpError(reply.error.code, reply.error.message));
      } else reject(new Error(reply.error.message));
    };
    worker.onerror = (event) => {
      event.preventDefault();
      worker.terminate();
      reject(new Error(`the dataset worker failed: ${event.message}`));
    };
    worker.postMessage(task);
  });
}
