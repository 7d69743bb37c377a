/**
 * Declaring a workflow: a name, a zod schema for its parameters (the one the CLI and the HTTP
 * API validate with), and a sequence of named steps, each taking its input from the run's
 * parameters and the outputs of the steps before it.
 *
 * @module
 */
import type { z } from "zod";
import { ValidationError } from "../core/errors.ts";
import { DEFAULT_RETRY, type RetryPolicy } from "./retry.ts";
import type { StepBody } from "./step.ts";
import type { Json, StepKind } from "./store/records.ts";

/** What a step's input is computed from. */
export interface StepSources<P, Outputs> {
  params: P;
  outputs: Outputs;
}

/** One step as declared. */
export interface StepSpec<P, Outputs, I, O> {
  /** `training` steps count against the training concurrency limit. Default `default`. */
  kind?: StepKind;
  /** Overrides of {@link DEFAULT_RETRY}. */
  retry?: Partial<RetryPolicy>;
  /** The step's input from the params and earlier outputs; it must be JSON. */
  input: (sources: StepSources<P, Outputs>) => I;
  /** The body (in this process, or in a Worker through `inWorker`). */
  run: StepBody<I, O>;
}

/** A step as the engine sees it. */
export interface StepDefinition {
  /** The step's id within every run of its workflow. */
  id: string;
  kind: StepKind;
  retry: RetryPolicy;
  input: (sources: StepSources<unknown, Record<string, Json>>) => unknown;
  run: StepBody<unknown, unknown>;
}

/** A workflow as the engine sees it. */
export interface WorkflowDefinition<P = unknown> {
  name: string;
  description: string;
  /** Validates and completes (defaults) run parameters. */
  params: z.ZodType<P>;
  steps: readonly StepDefinition[];
}

const STEP_ID = /^[a-z][a-z0-9-]{0,62}$/;

/** Accumulates steps; each `step` call widens the type of the outputs later steps can read. */
export class WorkflowBuilder<P, Outputs extends Record<string, unknown>> {
  readonly #meta: { name: string; description: string; params: z.ZodType<P> };
  readonly #steps: StepDefinition[];

  constructor(
    meta: { name: string; description: string; params: z.ZodType<P> },
    steps: StepDefinition[] = [],
  ) {
    this.#meta = meta;
    this.#steps = steps;
  }

  /** Appends a step named `id` (lower-case letters, digits and dashes; unique). */
  step<Id extends string, I, O>(
    id: Id,
    spec: StepSpec<P, Outputs, I, O>,
  ): WorkflowBuilder<P, Outputs & { [K in Id]: O }> {
    if (!STEP_ID.test(id)) {
      throw new ValidationError(
        `workflow "${this.#meta.name}": step id "${id}" must be lower-case letters, digits and dashes`,
      );
    }
    if (this.#steps.some((s) => s.id === id)) {
      throw new ValidationError(`workflow "${this.#meta.name}": step "${id}" is declared twice`);
    }
    const retry = { ...DEFAULT_RETRY, ...spec.retry };
    if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
      throw new ValidationError(
        `workflow "${this.#meta.name}", step "${id}": retry.maxAttempts must be an integer >= 1`,
      );
    }
    const step: StepDefinition = {
      id,
      kind: spec.kind ?? "default",
      retry,
      input: spec.input as StepDefinition["input"],
      run: spec.run as StepBody<unknown, unknown>,
    };
    return new WorkflowBuilder(this.#meta, [...this.#steps, step]);
  }

  /** The finished definition (at least one step). */
  build(): WorkflowDefinition<P> {
    if (this.#steps.length === 0) {
      throw new ValidationError(`workflow "${this.#meta.name}" has no steps`);
    }
    return { ...this.#meta, steps: [...this.#steps] };
  }
}

/**
 * Starts a workflow declaration.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineWorkflow } from "./definition.ts";
 * const greet = defineWorkflow({
 *   name: "greet",
 *   description: "says hello",
 *   params: z.object({ who: z.string() }),
 * })
 *   .step("compose", { input: ({ params }) => params.who, run: async (who) => `hello ${who}` })
 *   .step("shout", {
 *     input: ({ outputs }) => outputs.compose,
 *     run: async (text) => text.toUpperCase(),
 *   })
 *   .build();
 * console.assert(greet.steps.length === 2);
 * ```
 */
export function defineWorkflow<S extends z.ZodType>(
  meta: { name: string; description: string; params: S },
): WorkflowBuilder<z.output<S>, Record<never, never>> {
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(meta.name)) {
    throw new ValidationError(
      `workflow name "${meta.name}" must be lower-case letters, digits and dashes`,
    );
  }
  return new WorkflowBuilder<z.output<S>, Record<never, never>>({
    name: meta.name,
    description: meta.description,
    params: meta.params as unknown as z.ZodType<z.output<S>>,
  });
}

/**
 * Validates raw parameters against a workflow's schema, returning the parsed value or a
 * {@link ValidationError} naming each bad field.
 */
export function parseParams<P>(workflow: WorkflowDefinition<P>, raw: unknown): P {
  const result = workflow.params.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) =>
    `${issue.path.length > 0 ? issue.path.join(".") : "(parameters)"}: ${issue.message}`
  );
  throw new ValidationError(
    `invalid parameters for workflow "${workflow.name}": ${problems.join("; ")}`,
  );
}
