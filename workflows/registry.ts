/**
 * The workflows a process can run, by name.
 *
 * @module
 */
import { ValidationError } from "../core/errors.ts";
import type { WorkflowDefinition } from "./definition.ts";
import { NotFoundError } from "./errors.ts";

/**
 * A set of workflow definitions keyed by name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WorkflowRegistry } from "./registry.ts";
 * const registry = new WorkflowRegistry();
 * assert.ok(registry.names().length === 0);
 * ```
 */
export class WorkflowRegistry {
  readonly #workflows = new Map<string, WorkflowDefinition>();

  constructor(workflows: Iterable<WorkflowDefinition<unknown>> = []) {
    for (const workflow of workflows) this.register(workflow);
  }

  /** Adds a workflow; its name must be new. */
  register<P>(workflow: WorkflowDefinition<P>): this {
    if (this.#workflows.has(workflow.name)) {
      throw new ValidationError(`workflow "${workflow.name}" is already registered`);
    }
    this.#workflows.set(workflow.name, workflow as WorkflowDefinition);
    return this;
  }

  /** Whether `name` is registered. */
  has(name: string): boolean {
    return this.#workflows.has(name);
  }

  /** The workflow called `name`, or a {@link NotFoundError} listing the known ones. */
  get(name: string): WorkflowDefinition {
    const workflow = this.#workflows.get(name);
    if (workflow === undefined) {
      throw new NotFoundError(
        `no workflow named "${name}"; known: ${this.names().join(", ") || "(none)"}`,
      );
    }
    return workflow;
  }

  /** Registered names, sorted. */
  names(): string[] {
    return [...this.#workflows.keys()].sort();
  }

  /** Registered workflows, by name. */
  list(): WorkflowDefinition[] {
    return this.names().map((name) => this.get(name));
  }
}
