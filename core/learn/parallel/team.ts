/**
 * A team of threads training one run: the trainer is rank 0 and starts `threads - 1` helper
 * Workers (`helper_worker.ts`), each with its own tensor backend and an exact copy of the
 * learner (built from the trainer's checkpoint bytes) and of the data. Every rank then takes
 * the same steps in lock-step on its share of each batch, meeting in the collectives
 * (`collective.ts`), so rank 0's learner is the run's: its checkpoints are the team's.
 * docs/threads.md explains the design and its measured speed.
 *
 * @module
 */
import type { TransitionArrays } from "../../dataset.ts";
import { BackendError } from "../../errors.ts";
import { Collective, type TeamMemory, teamMemory } from "./collective.ts";

/** What a helper is told when it joins. */
export interface JoinMessage {
  type: "join";
  memory: TeamMemory;
  rank: number;
  /** The tensor backend rank 0 runs on (every rank must compute alike). */
  backend: string;
  checkpoint: Uint8Array;
  data: TransitionArrays;
}

/** What a helper answers. */
export type HelperMessage =
  | { type: "ready" }
  | { type: "failed"; message: string }
  | { type: "stopped" };

/** Options of {@link Team.start}. */
export interface TeamOptions {
  threads: number;
  backend: string;
  /** The learner's state now (`Learner.checkpoint()`). */
  checkpoint: Uint8Array;
  data: TransitionArrays;
  /** Floats one rank contributes to the largest sum of a step. */
  capacity: number;
}

const teamListeners = new Set<(memory: TeamMemory) => void>();

/**
 * Calls `listener` with the shared memory of every team this thread starts, before its helpers
 * start; returns the unsubscribe. The Worker that runs a workflow step posts it to the engine,
 * which stops the team (`stopTeam`) if it has to terminate that Worker: Deno does not end a
 * terminated Worker's own Workers.
 */
export function onTeamStart(listener: (memory: TeamMemory) => void): () => void {
  teamListeners.add(listener);
  return () => teamListeners.delete(listener);
}

/** Seconds rank 0's event loop lets pass between heartbeats while no step runs. */
const HEARTBEAT_EVERY_MS = 10_000;

/** A running team, seen from rank 0. */
export class Team {
  readonly collective: Collective;
  readonly #workers: Worker[];
  readonly #heartbeat: ReturnType<typeof setInterval>;
  #stopped = false;

  private constructor(collective: Collective, workers: Worker[]) {
    this.collective = collective;
    this.#workers = workers;
    this.#heartbeat = setInterval(() => collective.beat(), HEARTBEAT_EVERY_MS);
    (globalThis as { Deno?: { unrefTimer?(id: unknown): void } }).Deno?.unrefTimer?.(
      this.#heartbeat,
    );
  }

  /** Starts the helpers and waits until each has its backend, learner and data. */
  static async start(options: TeamOptions): Promise<Team> {
    const memory = teamMemory(options.threads, options.capacity);
    const collective = new Collective(memory, 0);
    for (const listener of teamListeners) listener(memory);
    const workers: Worker[] = [];
    try {
      const ready: Promise<void>[] = [];
      for (let rank = 1; rank < options.threads; rank++) {
        const worker = new Worker(new URL("./helper_worker.ts", import.meta.url), {
          type: "module",
        });
        workers.push(worker);
        ready.push(joined(worker, rank, options.backend));
        const message: JoinMessage = {
          type: "join",
          memory,
          rank,
          backend: options.backend,
          checkpoint: options.checkpoint,
          data: options.data,
        };
        worker.postMessage(message);
      }
      await Promise.all(ready);
    } catch (error) {
      collective.stop("the team did not start");
      for (const worker of workers) worker.terminate();
      throw error;
    }
    return new Team(collective, workers);
  }

  /** Stops every helper; rank 0's learner keeps its state. Safe to call twice. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#heartbeat);
    this.collective.stop("the run stopped training");
    for (const worker of this.#workers) worker.terminate();
  }
}

/** Resolves when helper `rank` is ready; rejects with its reason when it is not. */
function joined(worker: Worker, rank: number, backend: string): Promise<void> {
  return new Promise((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<HelperMessage>) => {
      if (event.data.type === "ready") resolve();
      else if (event.data.type === "failed") {
        reject(new BackendError(backend, `training thread ${rank}: ${event.data.message}`));
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      reject(new BackendError(backend, `training thread ${rank}: ${event.message}`));
    };
  });
}
