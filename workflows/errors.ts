/**
 * Errors raised by the workflow engine. Each has a stable `code` for the HTTP layer.
 *
 * @module
 */
import { OmigaError, ValidationError } from "../core/errors.ts";

/**
 * A step failure that retrying cannot fix (bad input, a missing file): the run fails at once
 * with this message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isRetriable, NonRetriableError } from "./errors.ts";
 * assert.equal(isRetriable(new NonRetriableError(`dataset "x" has no rows`)), false);
 * ```
 */
export class NonRetriableError extends OmigaError {
  constructor(message: string, options?: ErrorOptions) {
    super("non_retriable", message, options);
  }
}

/** No run, step, schedule or workflow has the given id or name. */
export class NotFoundError extends OmigaError {
  constructor(message: string) {
    super("not_found", message);
  }
}

/** An idempotency key was reused with different parameters. */
export class IdempotencyConflictError extends OmigaError {
  /** The run that already holds the key. */
  readonly runId: string;

  constructor(key: string, runId: string) {
    super(
      "idempotency_conflict",
      `idempotency key "${key}" already belongs to run ${runId} with different parameters; ` +
        `use a new key or the same parameters`,
    );
    this.runId = runId;
  }
}

/** An operation that the run's current state does not allow (resume a running run, ...). */
export class RunStateError extends OmigaError {
  constructor(message: string) {
    super("invalid_state", message);
  }
}

/** Why a step's signal was aborted: the run was cancelled. */
export class RunCancelledError extends OmigaError {
  constructor(runId: string) {
    super("cancelled", `run ${runId} was cancelled`);
  }
}

/** Why a step's signal was aborted: another step of its run failed for good. */
export class RunFailedError extends OmigaError {
  constructor(runId: string, stepId?: string) {
    super(
      "run_failed",
      `run ${runId} failed${stepId ? ` at step ${stepId}` : ""}; this step is skipped ` +
        `(a resume runs it from its last checkpoint)`,
    );
  }
}

/** Why a step's signal was aborted: another process took over its lease. */
export class LeaseLostError extends OmigaError {
  constructor(runId: string, stepId: string) {
    super("lease_lost", `step ${stepId} of run ${runId} is now held by another process`);
  }
}

/** Why a step's signal was aborted: this process is shutting down; the step goes back to pending. */
export class ShutdownError extends OmigaError {
  constructor() {
    super("shutdown", "the worker is shutting down; the step will be picked up again");
  }
}

/** Whether a failed step may be tried again: everything but bad input and NonRetriableError. */
export function isRetriable(error: unknown): boolean {
  return !(error instanceof NonRetriableError || error instanceof ValidationError);
}
