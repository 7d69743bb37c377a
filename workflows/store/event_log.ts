/**
 * A run's event log: every state change, progress report, checkpoint and log line, numbered
 * from 1 within the run. Readers replay from a sequence number and then follow new events:
 * those written in this process wake them at once, those written by other processes are
 * found by polling.
 *
 * @module
 */
import type { SqlDatabase, SqlStatement } from "./sql.ts";
import { eventFromRow, type Json, type RunEvent } from "./records.ts";

/** Event types that end a run's stream. */
export const TERMINAL_EVENT_TYPES: ReadonlySet<string> = new Set([
  "run.succeeded",
  "run.failed",
  "run.cancelled",
]);

type Listener = (runId: string, type: string) => void;

/** Wake-up listeners per database file, shared by every store on that file in this process. */
const listenersByFile = new Map<string, Set<Listener>>();

/** Options of {@link EventLog.follow}. */
export interface FollowOptions {
  /** Replay events with `seq` greater than this (0: everything). */
  afterSeq?: number;
  /** Stop following when aborted. */
  signal?: AbortSignal;
  /** Keep following after the run ends (a resumed run continues its log). Default false. */
  pastTerminal?: boolean;
  /** How often to look for events written by other processes, in ms. Default 250. */
  pollMs?: number;
}

/** Appends to and reads from the `events` table. */
export class EventLog {
  readonly #file: string;
  readonly #insert: SqlStatement;
  readonly #after: SqlStatement;
  readonly #runState: SqlStatement;
  readonly #latest: SqlStatement;

  constructor(db: SqlDatabase, file: string) {
    this.#file = file;
    this.#insert = db.prepare(
      `INSERT INTO events (run_id, seq, type, step_id, payload, time)
       SELECT ?, coalesce(max(seq), 0) + 1, ?, ?, ?, ? FROM events WHERE run_id = ?
       RETURNING seq`,
    );
    this.#after = db.prepare(
      "SELECT * FROM events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?",
    );
    this.#runState = db.prepare("SELECT state FROM runs WHERE id = ?");
    this.#latest = db.prepare(
      "SELECT * FROM events WHERE run_id = ? AND type = ? ORDER BY seq DESC LIMIT 1",
    );
  }

  /**
   * Appends one event and returns it. Safe inside a transaction: listeners are woken after
   * the current synchronous work, and only re-read the table.
   */
  append(runId: string, type: string, payload: Json = {}, stepId: string | null = null): RunEvent {
    const time = Date.now();
    const row = this.#insert.get(runId, type, stepId, JSON.stringify(payload), time, runId) as {
      seq: number;
    };
    queueMicrotask(() => this.#wake(runId, type));
    return { runId, seq: Number(row.seq), type, stepId, payload, time };
  }

  /** Events of a run with `seq > afterSeq`, oldest first, at most `limit`. */
  list(runId: string, afterSeq = 0, limit = 1000): RunEvent[] {
    return this.#after.all(runId, afterSeq, limit).map((row) => eventFromRow(row));
  }

  /** The newest event of a run with this type, or undefined. */
  latest(runId: string, type: string): RunEvent | undefined {
    const row = this.#latest.get(runId, type);
    return row === undefined ? undefined : eventFromRow(row);
  }

  /**
   * Replays a run's events after `afterSeq`, then yields new ones as they are written, until
   * the run ends (its last event is `run.succeeded|failed|cancelled`; an earlier failure that
   * was resumed does not end the stream), or `signal` aborts.
   *
   * @example
   * ```ts ignore
   * for await (const event of store.events.follow(runId, { afterSeq: 10 })) {
   *   console.log(event.seq, event.type, event.payload);
   * }
   * ```
   */
  async *follow(runId: string, options: FollowOptions = {}): AsyncGenerator<RunEvent> {
    let after = options.afterSeq ?? 0;
    const pollMs = options.pollMs ?? 250;
    const signal = options.signal;
    let woken: (() => void) | undefined;
    const listener: Listener = (id) => {
      if (id === runId) woken?.();
    };
    const listeners = this.#listeners();
    listeners.add(listener);
    try {
      while (!signal?.aborted) {
        const batch = this.list(runId, after, 500);
        for (const event of batch) {
          after = event.seq;
          yield event;
          if (
            !options.pastTerminal && TERMINAL_EVENT_TYPES.has(event.type) &&
            this.#endsTheLog(runId, event.seq)
          ) return;
        }
        if (batch.length === 500) continue;
        if (!options.pastTerminal && batch.length === 0 && this.#nothingMoreToCome(runId, after)) {
          return;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(finish, pollMs);
          function finish() {
            clearTimeout(timer);
            signal?.removeEventListener("abort", finish);
            woken = undefined;
            resolve();
          }
          woken = finish;
          signal?.addEventListener("abort", finish, { once: true });
        });
      }
    } finally {
      listeners.delete(listener);
    }
  }

  /** Calls `listener` whenever this process appends an event to this file; returns unsubscribe. */
  subscribe(listener: (runId: string, type: string) => void): () => void {
    const listeners = this.#listeners();
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** Whether `seq` is the run's last event and the run has ended (not resumed since). */
  #endsTheLog(runId: string, seq: number): boolean {
    const state = (this.#runState.get(runId) as { state: string } | undefined)?.state;
    const ended = state === "succeeded" || state === "failed" || state === "cancelled";
    return ended && this.list(runId, seq, 1).length === 0;
  }

  /**
   * Whether a reader that has seen everything so far will see nothing more: the run does not
   * exist, or it has ended and its terminal event is behind the reader (a reader that resumes
   * from the last event of a finished run).
   */
  #nothingMoreToCome(runId: string, after: number): boolean {
    const state = (this.#runState.get(runId) as { state: string } | undefined)?.state;
    if (state === undefined) return true;
    const ended = state === "succeeded" || state === "failed" || state === "cancelled";
    // The state is read first: a run's terminal event is written with its state, so an ended
    // run's last event is visible to the read below.
    return ended && this.list(runId, after, 1).length === 0;
  }

  #listeners(): Set<Listener> {
    let set = listenersByFile.get(this.#file);
    if (set === undefined) listenersByFile.set(this.#file, set = new Set());
    return set;
  }

  #wake(runId: string, type: string): void {
    for (const listener of [...this.#listeners()]) listener(runId, type);
  }
}
