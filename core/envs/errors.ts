/**
 * Errors raised by the built-in environments.
 *
 * @module
 */
import { OmigaError, ValidationError } from "../errors.ts";

/** A policy chose an action that the environment's mask marks unavailable. */
export class UnavailableActionError extends OmigaError {
  readonly env: string;
  readonly copy: number;
  readonly agent: number;
  readonly action: number;

  constructor(env: string, copy: number, agent: number, action: number, reason: string) {
    super(
      "unavailable_action",
      `${env}: copy ${copy}, agent ${agent} took action ${action}, which is not available ` +
        `(${reason}); choose only actions whose avail mask entry is 1`,
    );
    this.env = env;
    this.copy = copy;
    this.agent = agent;
    this.action = action;
  }
}

/** The action array handed to `step` has the wrong type, length or a non-finite value. */
export class ActionShapeError extends ValidationError {
  constructor(env: string, detail: string) {
    super(`${env}: bad actions for step: ${detail}`);
  }
}
