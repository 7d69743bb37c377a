/**
 * Runs a step body in a Deno module Worker, so that a CPU-bound step (training) leaves the
 * hosting process (the HTTP server, the CLI's progress display) free to answer. Progress, log
 * lines, checkpoints and annotations are relayed to the engine's context; the step's
 * AbortSignal is relayed into the Worker.
 *
 * @module
 */
import { stopTeam, type TeamMemory } from "../../core/learn/parallel/collective.ts";
import type { StepBody, StepContext } from "../step.ts";
import type { FromWorker, ToWorker } from "./protocol.ts";
import { fromWireError, toWireError } from "./wire_error.ts";

/** Options of {@link inWorker}. */
export interface InWorkerOptions {
  /** After an abort, how long the body gets to stop by itself before the Worker is killed. */
  abortGraceMs?: number;
}

const HOST = new URL("./host.ts", import.meta.url);

/**
 * A step body that runs `exportName` of `module` in a fresh Worker. The export must have the
 * {@link StepBody} signature; it gets a context whose calls are relayed to this one.
 *
 * @example
 * ```ts ignore
 * const chain = inWorker(new URL("./demo/hash_chain_body.ts", import.meta.url), "hashChain");
 * builder.step("chain", { concurrency: "cpu", input: ({ params }) => params, run: chain });
 * ```
 */
export function inWorker<I, O>(
  module: URL,
  exportName: string,
  options: InWorkerOptions = {},
): StepBody<I, O> {
  const abortGraceMs = options.abortGraceMs ?? 10_000;
  return (input: I, ctx: StepContext) =>
    new Promise<O>((resolve, reject) => {
      const worker = new Worker(HOST, { type: "module", name: `${ctx.stepId}:${exportName}` });
      let killTimer: ReturnType<typeof setTimeout> | undefined;
      let settled = false;
      // Teams of training threads the body started: terminating the Worker leaves their
      // helpers running, so they are stopped here (a no-op for a team the body stopped).
      const teams: TeamMemory[] = [];
      const send = (message: ToWorker) => worker.postMessage(message);
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(killTimer);
        ctx.signal.removeEventListener("abort", onAbort);
        worker.terminate();
        for (const memory of teams) {
          stopTeam(memory, `the Worker running ${exportName} was stopped`);
        }
        outcome();
      };
      function onAbort() {
        send({ type: "abort", reason: toWireError(ctx.signal.reason) });
        killTimer = setTimeout(() => settle(() => reject(ctx.signal.reason)), abortGraceMs);
      }
      const reply = async (id: number, work: () => Promise<unknown>) => {
        try {
          send({ type: "reply", id, value: await work() });
        } catch (error) {
          send({ type: "reply", id, error: toWireError(error) });
        }
      };
      worker.onmessage = (event: MessageEvent<FromWorker>) => {
        const message = event.data;
        switch (message.type) {
          case "progress":
            return ctx.progress(message.progress);
          case "log":
            return ctx.log(message.message, message.fields);
          case "annotate":
            return ctx.annotate(message.name, message.value);
          case "checkpoint-save":
            return void reply(message.id, () => ctx.checkpoint.save(message.bytes));
          case "checkpoint-load":
            return void reply(message.id, () => ctx.checkpoint.load());
          case "team":
            return void teams.push(message.memory);
          case "done":
            return settle(() => resolve(message.output as O));
          case "failed":
            return settle(() =>
              reject(ctx.signal.aborted ? ctx.signal.reason : fromWireError(message.error))
            );
        }
      };
      worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        settle(() =>
          reject(new Error(`the Worker running ${exportName} crashed: ${event.message}`))
        );
      };
      if (ctx.signal.aborted) return settle(() => reject(ctx.signal.reason));
      ctx.signal.addEventListener("abort", onAbort, { once: true });
      send({
        type: "start",
        module: module.href,
        exportName,
        input,
        context: {
          runId: ctx.runId,
          stepId: ctx.stepId,
          attempt: ctx.attempt,
          home: ctx.home,
          artifactsDir: ctx.artifactsDir,
          store: ctx.store,
          cores: ctx.cores,
        },
      });
    });
}
