/**
 * Messages between the engine (main thread) and a step body running in a Worker.
 *
 * @module
 */
import type { TeamMemory } from "../../core/learn/parallel/collective.ts";
import type { StepProgress } from "../step.ts";
import type { Json } from "../store/records.ts";
import type { StoreLocation } from "../store/store.ts";

/** An error as it crosses the Worker boundary. */
export interface WireError {
  name: string;
  message: string;
  code: string | null;
  retriable: boolean;
}

/** Main thread to Worker. */
export type ToWorker =
  | {
    type: "start";
    module: string;
    exportName: string;
    input: unknown;
    context: {
      runId: string;
      stepId: string;
      attempt: number;
      home: string;
      artifactsDir: string;
      store: StoreLocation;
      cores: number;
    };
  }
  | { type: "abort"; reason: WireError }
  | { type: "reply"; id: number; value?: unknown; error?: WireError };

/** Worker to main thread. */
export type FromWorker =
  | { type: "progress"; progress: StepProgress }
  | { type: "log"; message: string; fields: Record<string, Json> }
  | { type: "annotate"; name: string; value: Json }
  | { type: "checkpoint-save"; id: number; bytes: Uint8Array }
  | { type: "checkpoint-load"; id: number }
  | { type: "done"; output: unknown }
  /** A team of training threads the body started (its helpers outlive a terminated Worker). */
  | { type: "team"; memory: TeamMemory }
  | { type: "failed"; error: WireError };
