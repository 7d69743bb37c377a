/**
 * The Worker entry point of {@link inWorker}: loads the step body's module, gives it a context
 * whose calls are relayed to the engine, and reports the outcome.
 *
 * @module
 */
import { onTeamStart } from "../../core/learn/parallel/team.ts";
import { NonRetriableError } from "../errors.ts";
import type { StepContext } from "../step.ts";
import type { FromWorker, ToWorker, WireError } from "./protocol.ts";
import { fromWireError, toWireError } from "./wire_error.ts";

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
}

const scope = globalThis as unknown as WorkerScope;
const abort = new AbortController();
const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
let nextRequest = 1;

function request(message: FromWorker & { id: number }): Promise<unknown> {
  return new Promise((resolve, reject) => {
    pending.set(message.id, { resolve, reject });
    scope.postMessage(message);
  });
}

function remoteAbortReason(wire: WireError): Error {
  const error = fromWireError(wire);
  error.name = wire.name;
  return error;
}

async function start(message: Extract<ToWorker, { type: "start" }>): Promise<void> {
  try {
    const module = await import(message.module);
    const body = module[message.exportName];
    if (typeof body !== "function") {
      throw new NonRetriableError(
        `${message.module} has no function export "${message.exportName}"`,
      );
    }
    const ctx: StepContext = {
      ...message.context,
      signal: abort.signal,
      checkpoint: {
        save: (bytes) =>
          request({ type: "checkpoint-save", id: nextRequest++, bytes }) as Promise<number>,
        load: () =>
          request({ type: "checkpoint-load", id: nextRequest++ }) as Promise<
            Uint8Array | undefined
          >,
      },
      progress: (progress) => scope.postMessage({ type: "progress", progress }),
      log: (text, fields = {}) => scope.postMessage({ type: "log", message: text, fields }),
      annotate: (name, value) => scope.postMessage({ type: "annotate", name, value }),
    };
    const output = await body(message.input, ctx);
    scope.postMessage({ type: "done", output });
  } catch (error) {
    scope.postMessage({ type: "failed", error: toWireError(error) });
  }
}

onTeamStart((memory) => scope.postMessage({ type: "team", memory }));

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === "start") void start(message);
  else if (message.type === "abort") abort.abort(remoteAbortReason(message.reason));
  else if (message.type === "reply") {
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) waiting?.reject(fromWireError(message.error));
    else waiting?.resolve(message.value);
  }
};
