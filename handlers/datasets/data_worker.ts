/**
 * The Worker entry point of {@link runDataTask}: runs one dataset task (generate, import,
 * filter, statistics) off the server's event loop, posts the result or a flattened error, and
 * exits.
 *
 * @module
 */
import { OmigaError } from "../../core/errors.ts";
import { builtInSpec } from "../../core/envs/mod.ts";
import { datasetStats, filterDataset, importDataset } from "../../data/mod.ts";
import { generateAndStore } from "../../workflows/ingest.ts";
import type { DataTask, DataTaskReply } from "./offload.ts";

interface WorkerScope {
  onmessage: ((event: MessageEvent<DataTask>) => void) | null;
  postMessage(message: DataTaskReply): void;
  close(): void;
}

const scope = globalThis as unknown as WorkerScope;

async function perform(task: DataTask): Promise<unknown> {
  const home = task.home;
  switch (task.op) {
    case "generate":
      return await generateAndStore(task.options, { home });
    case "import":
      return await importDataset(task.path, {
        ...task.options,
        expectedSpec: builtInSpec(task.options.env),
        home,
      });
    case "filter":
      return await filterDataset(task.id, task.filter, { home, name: task.name });
    case "stats":
      return await datasetStats(task.id, { home, bins: task.bins });
  }
}

scope.onmessage = async (event) => {
  try {
    scope.postMessage({ ok: true, value: await perform(event.data) });
  } catch (error) {
    scope.postMessage({
      ok: false,
      error: {
        code: error instanceof OmigaError ? error.code : null,
        message: error instanceof Error ? error.message : String(error),
      },
    });
  }
};
