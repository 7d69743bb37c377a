/**
 * Declaring a workflow: a name, a zod schema for its parameters (the one the CLI and the HTTP
 * API validate with), and a sequence of named steps, each taking its input from the run's
 * parameters and the outputs of the steps before it. A group of steps may be derived from the
 * validated parameters ({@link WorkflowBuilder.expand}): one step per sweep cell, say, each with
 * a deterministic id, so that the list of a run's steps is fixed when it is submitted.
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
  /** The steps declared one by one (all of them, unless the workflow has an expanded group). */
  steps: readonly StepDefinition[];
  /**
   * The steps of a run with these validated parameters, in order: the declared ones with every
   * expanded group in its place. Deterministic; ids checked (pattern, unique).
   */
  stepsFor(params: P): readonly StepDefinition[];
}

/** A step declared by an expanded group: its id and its spec. */
export interface ExpandedStep<P, Outputs, I, O> extends StepSpec<P, Outputs, I, O> {
  id: string;
}

/**
 * Step ids: lower-case letters, digits and dashes, optionally followed by `/`-separated parts
 * that may also hold dots (`cell/spread-medium/omiga/a0.5/s0`), at most 120 characters.
 */
const STEP_ID = /^[a-z][a-z0-9-]*(\/[a-z0-9][a-z0-9.-]*)*$/;
const STEP_ID_MAX = 120;

type Segment = StepDefinition | ((params: unknown) => StepDefinition[]);

function checkStepId(workflow: string, id: string): void {
  if (!STEP_ID.test(id) || id.length > STEP_ID_MAX) {
    throw new ValidationError(
      `workflow "${workflow}": step id "${id}" must be lower-case letters, digits and dashes ` +
        `(parts after "/" may hold dots), at most ${STEP_ID_MAX} characters`,
    );
  }
}

function toDefinition<P, Outputs, I, O>(
  workflow: string,
  id: string,
  spec: StepSpec<P, Outputs, I, O>,
): StepDefinition {
  checkStepId(workflow, id);
  const retry = { ...DEFAULT_RETRY, ...spec.retry };
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
    throw new ValidationError(
      `workflow "${workflow}", step "${id}": retry.maxAttempts must be an integer >= 1`,
    );
  }
  return {
    id,
    kind: spec.kind ?? "default",
    retry,
    input: spec.input as StepDefinition["input"],
    run: spec.run as StepBody<unknown, unknown>,
  };
}

function checkUnique(workflow: string, steps: readonly StepDefinition[]): void {
  const seen = new Set<string>();
  for (const step of steps) {
    if (seen.has(step.id)) {
      throw new ValidationError(`workflow "${workflow}": step "${step.id}" is declared twice`);
    }
    seen.add(step.id);
  }
}

/**
 * Accumulates steps; each `step` call widens the type of the outputs later steps can read.
 * Outputs of an expanded group are read by id (`outputs["cell/..."]`); they are not typed.
 */
export class WorkflowBuilder<P, Outputs extends Record<string, unknown>> {
  readonly #meta: { name: string; description: string; params: z.ZodType<P> };
  readonly #segments: Segment[];

  constructor(
    meta: { name: string; description: string; params: z.ZodType<P> },
    segments: Segment[] = [],
  ) {
    this.#meta = meta;
    this.#segments = segments;
  }

  /** Appends a step named `id` (see the id pattern above; unique). */
  step<Id extends string, I, O>(
    id: Id,
    spec: StepSpec<P, Outputs, I, O>,
  ): WorkflowBuilder<P, Outputs & { [K in Id]: O }> {
    const step = toDefinition(this.#meta.name, id, spec);
    checkUnique(this.#meta.name, [...this.#fixed(), step]);
    return new WorkflowBuilder(this.#meta, [...this.#segments, step]);
  }

  /**
   * Appends a group of steps derived from the run's validated parameters (one per sweep cell,
   * say). `group` must be deterministic: a run's steps are fixed when it is submitted, and the
   * engine finds a step again by its position and id. Later steps read the group's outputs by id.
   *
   * @example
   * ```ts
   * import { z } from "zod";
   * import { defineWorkflow } from "./definition.ts";
   * const fanOut = defineWorkflow({
   *   name: "fan-out",
   *   description: "one step per word",
   *   params: z.object({ words: z.array(z.string()) }),
   * })
   *   .expand((params) =>
   *     params.words.map((word) => ({
   *       id: `word/${word}`,
   *       input: () => word,
   *       run: async (w: string) => w.length,
   *     }))
   *   )
   *   .build();
   * console.assert(fanOut.stepsFor({ words: ["a", "bc"] })[1].id === "word/bc");
   * ```
   */
  expand<I, O>(
    group: (params: P) => readonly ExpandedStep<P, Outputs, I, O>[],
  ): WorkflowBuilder<P, Outputs> {
    const name = this.#meta.name;
    const expand = (params: unknown) =>
      group(params as P).map((spec) => toDefinition(name, spec.id, spec));
    return new WorkflowBuilder(this.#meta, [...this.#segments, expand]);
  }

  #fixed(): StepDefinition[] {
    return this.#segments.filter((s): s is StepDefinition => typeof s !== "function");
  }

  /** The finished definition (at least one step, or an expanded group). */
  build(): WorkflowDefinition<P> {
    if (this.#segments.length === 0) {
      throw new ValidationError(`workflow "${this.#meta.name}" has no steps`);
    }
    const segments = [...this.#segments];
    const name = this.#meta.name;
    const fixed = this.#fixed();
    const stepsFor = segments.every((s) => typeof s !== "function") ? () => fixed : (params: P) => {
      const steps = segments.flatMap((s) => typeof s === "function" ? s(params) : [s]);
      if (steps.length === 0) throw new ValidationError(`workflow "${name}": no steps to run`);
      checkUnique(name, steps);
      return steps;
    };
    return { ...this.#meta, steps: fixed, stepsFor };
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
 * console.assert(greet.stepsFor({ who: "you" }).length === 2);
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
