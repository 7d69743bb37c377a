/**
 * Errors across the Worker boundary: flattened to {@link WireError} and rebuilt as the typed
 * error the engine acts on (non-retriable stays non-retriable).
 *
 * @module
 */
import { OmigaError, ValidationError } from "../../core/errors.ts";
import { isRetriable, NonRetriableError } from "../errors.ts";
import type { WireError } from "./protocol.ts";

/** Flattens an error for `postMessage`. */
export function toWireError(error: unknown): WireError {
  if (error instanceof Error) {
    return {
      name: error.name,
      message: error.message,
      code: error instanceof OmigaError ? error.code : null,
      retriable: isRetriable(error),
    };
  }
  return { name: "Error", message: String(error), code: null, retriable: true };
}

/** An error raised on the other side of the boundary, rebuilt. */
export class RemoteStepError extends OmigaError {
  /** The class name on the other side. */
  readonly remoteName: string;

  constructor(wire: WireError) {
    super(wire.code ?? "step_failed", wire.message);
    this.remoteName = wire.name;
  }
}

/** Rebuilds a flattened error: ValidationError, NonRetriableError, or a retriable one. */
export function fromWireError(wire: WireError): Error {
  if (wire.code === "invalid_input") return new ValidationError(wire.message);
  if (!wire.retriable) return new NonRetriableError(wire.message);
  return new RemoteStepError(wire);
}
