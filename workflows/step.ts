/**
 * The step contract: what a step body receives and may do. It is engine-agnostic (input in,
 * JSON output out; checkpoints as bytes; progress; an AbortSignal), so that a step body can
 * later run on a distributed engine unchanged.
 *
 * @module
 */
import type { Json } from "./store/records.ts";
import type { StoreLocation } from "./store/store.ts";

/** A progress report: what is counted, how far, and optional metrics (losses, returns). */
export interface StepProgress {
  /** What is being counted: `iteration`, `episode`, `row`. */
  unit: string;
  /** How many are done. */
  done: number;
  /** How many in all, when known. */
  total?: number;
  /** Named numbers at this point: losses, returns, scores. */
  metrics?: Record<string, number>;
  /** Throughput; the engine fills it in when absent. */
  perSecond?: number;
  /** Estimated seconds left; the engine fills it in when `total` is known. */
  etaSeconds?: number;
  /** A short human note. */
  message?: string;
}

/** A step's checkpoints: opaque bytes, written atomically with a checksum. */
export interface CheckpointAccess {
  /** Saves a checkpoint (temp file, fsync, rename); returns its sequence number. */
  save(bytes: Uint8Array): Promise<number>;
  /** The newest intact checkpoint, or undefined when there is none. */
  load(): Promise<Uint8Array | undefined>;
}

/** What a step body gets besides its input. */
export interface StepContext {
  readonly runId: string;
  readonly stepId: string;
  /** 1 on the first try; a retry or a takeover counts up. */
  readonly attempt: number;
  /** Aborted when the run is cancelled, the lease is lost or the worker shuts down. */
  readonly signal: AbortSignal;
  /**
   * The artifacts root (`OMIGA_ARTIFACTS`, by default `OMIGA_HOME`): the dataset store, every
   * run's artifact folder and the registered policies live there.
   */
  readonly home: string;
  /** The run's artifact folder (`<artifacts root>/runs/<run id>`), for files the step writes. */
  readonly artifactsDir: string;
  /** Where the workflow store lives, to open it from a step (`WorkflowStore.open(ctx.store)`). */
  readonly store: StoreLocation;
  /**
   * The cores this step may keep busy: the machine's cores shared out among the steps its
   * concurrency key lets run at once (at least 1), all of them for a step without a key.
   */
  readonly cores: number;
  readonly checkpoint: CheckpointAccess;
  /** Reports progress (stored as a `step.progress` event). */
  progress(progress: StepProgress): void;
  /** Writes a line to the run's log (a `step.log` event). */
  log(message: string, fields?: Record<string, Json>): void;
  /**
   * Leaves a named note on the run (stored with it, replacing an earlier note of that name, and
   * logged as a `run.annotated` event): `annotate("backend", report)`, say.
   */
  annotate(name: string, value: Json): void;
}

/** A step body: input to JSON output. It should check `ctx.signal` between units of work. */
export type StepBody<I, O> = (input: I, ctx: StepContext) => Promise<O>;
