/**
 * Declaring a workflow: a name, a zod schema for its parameters (the one the CLI and the HTTP
 * API validate with), and a graph of named steps. Each step says which steps it runs after
 * (`after`, by default the one declared just before it, so that a plain list of steps is a
 * chain) and takes its input from the run's parameters and the outputs of the steps it runs
 * after, directly or through others (its ancestors). A group of steps may be derived from the
 * validated parameters ({@link WorkflowBuilder.expand}): one step per sweep cell, say, each with
 * a deterministic id `<group>/...`, so that the steps of a run are fixed when it is submitted.
 *
 * A step may only run after steps declared before it, so every workflow is acyclic by
 * construction. Outputs stay typed: a step's `input` sees `outputs.<id>` for each ancestor step
 * and `outputs.<group>` (a record by step id) for each group it runs after, and nothing else.
 * Why the graph is declared this way, and how the engine runs it: `docs/workflows.md`.
 *
 * @module
 */
import type { z } from "zod";
import { type FieldNamer, parseOrExplain, ValidationError } from "../core/errors.ts";
import { DEFAULT_RETRY, type RetryPolicy } from "./retry.ts";
import type { StepBody } from "./step.ts";
import { CONCURRENCY_KEY } from "./store/limit_store.ts";
import type { Json, StepRecord } from "./store/records.ts";

/** What a step's input is computed from. */
export interface StepSources<P, Outputs> {
  params: P;
  outputs: Outputs;
}

/** The options every step has, declared or expanded. */
export interface StepOptions {
  /**
   * A concurrency key (`cpu`, say): steps naming the same key share a limit set per home
   * (`deno task omiga limits`), counted across every process on that home. Default: none.
   */
  concurrency?: string;
  /** Overrides of {@link DEFAULT_RETRY}. */
  retry?: Partial<RetryPolicy>;
}

/** One step as declared: its dependencies, its input and its body. */
export interface StepSpec<P, Outputs, I, O, After> extends StepOptions {
  /**
   * The steps (ids), groups (names, meaning every step of the group) or expanded steps (ids)
   * this one runs after, all declared before it. Default: the step or group declared just
   * before; `[]`: none (it may start at once).
   */
  after?: After;
  /** The step's input from the params and its ancestors' outputs; it must be JSON. */
  input: (sources: StepSources<P, Outputs>) => I;
  /** The body (in this process, or in a Worker through `inWorker`). */
  run: StepBody<I, O>;
}

/** A step of an expanded group: its id (`<group>/...`) and its spec. */
export interface ExpandedStep<P, Outputs, I, O> extends StepOptions {
  id: string;
  /** Steps or groups this one runs after; default the group's `after`. */
  after?: readonly string[];
  input: (sources: StepSources<P, Outputs>) => I;
  run: StepBody<I, O>;
}

/** A group of steps derived from the run's validated parameters. */
export interface GroupSpec<P, Outputs, I, O, After> {
  /** What every step of the group runs after unless it says otherwise (see {@link StepSpec}). */
  after?: After;
  /** The group's steps; deterministic (a run's steps are fixed when it is submitted). */
  steps: (params: P) => readonly ExpandedStep<P, Outputs, I, O>[];
}

/** A step as the engine sees it, with its dependencies resolved to step ids. */
export interface StepDefinition {
  /** The step's id within its run. */
  id: string;
  /** The group it was expanded from, if any. */
  group?: string;
  /** Ids of the steps it runs after (all earlier in the list). */
  after: readonly string[];
  concurrency?: string;
  retry: RetryPolicy;
  input: (sources: StepSources<unknown, Record<string, Json>>) => unknown;
  run: StepBody<unknown, unknown>;
}

/** A step or group as declared, for listings (`GET /v1/workflows`). */
export interface DeclaredSegment {
  /** A step's id, or a group's name. */
  name: string;
  group: boolean;
  /** The names it runs after as declared (default resolved). */
  after: readonly string[];
  concurrency?: string;
}

/** What a workflow's preflight may look at: the home a run would be submitted on. */
export interface PreflightContext {
  /** The `OMIGA_HOME` of the engine submitting the run. */
  home: string;
}

/**
 * A workflow's check of validated parameters against the home, before a run is submitted (a
 * dataset it names exists and fits the run): it throws a typed error naming the parameter and
 * what to do (`DatasetError` `not_found`, `ValidationError`, ...), so that a run that could only
 * fail is refused at submission, by the CLI, the HTTP API and schedule creation alike
 * ({@link Engine.submitChecked}).
 */
export type Preflight<P> = (params: P, context: PreflightContext) => Promise<void>;

/** A workflow as the engine sees it. */
export interface WorkflowDefinition<P = unknown> {
  name: string;
  description: string;
  /** Validates and completes (defaults) run parameters. */
  params: z.ZodType<P>;
  /** Checks validated parameters against the home before submission (none: nothing to check). */
  preflight?(params: P, context: PreflightContext): Promise<void>;
  /** The steps and groups as declared, in order. */
  declared: readonly DeclaredSegment[];
  /**
   * The steps of a run with these validated parameters, in order: the declared ones with every
   * expanded group in its place, dependencies resolved. Deterministic; ids checked (pattern,
   * unique, `<group>/...` in a group), every dependency declared earlier.
   */
  stepsFor(params: P): readonly StepDefinition[];
}

/**
 * Step ids and group names: lower-case letters, digits and dashes. An expanded step's id is its
 * group's name followed by `/`-separated parts that may also hold dots
 * (`cell/spread-medium/omiga/a0.5/s0`), at most 120 characters.
 */
const NAME = /^[a-z][a-z0-9-]*$/;
const EXPANDED_ID = /^[a-z][a-z0-9-]*(\/[a-z0-9][a-z0-9.-]*)+$/;
const STEP_ID_MAX = 120;

/** A declared step, or a group expanded when a run is submitted. */
type Segment =
  | { kind: "step"; name: string; after: readonly string[]; step: Omit<StepDefinition, "after"> }
  | {
    kind: "group";
    name: string;
    after: readonly string[];
    expand: (params: unknown) => readonly ExpandedStep<unknown, unknown, unknown, unknown>[];
  };

function checkName(workflow: string, name: string, what: string): void {
  if (!NAME.test(name) || name.length > STEP_ID_MAX) {
    throw new ValidationError(
      `workflow "${workflow}": ${what} "${name}" must be lower-case letters, digits and dashes, ` +
        `at most ${STEP_ID_MAX} characters`,
    );
  }
}

function toStep(
  workflow: string,
  id: string,
  spec: StepOptions & { input: unknown; run: unknown },
  group?: string,
): Omit<StepDefinition, "after"> {
  const retry = { ...DEFAULT_RETRY, ...spec.retry };
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
    throw new ValidationError(
      `workflow "${workflow}", step "${id}": retry.maxAttempts must be an integer >= 1`,
    );
  }
  if (spec.concurrency !== undefined && !CONCURRENCY_KEY.test(spec.concurrency)) {
    throw new ValidationError(
      `workflow "${workflow}", step "${id}": concurrency key "${spec.concurrency}" must be ` +
        `lower-case letters, digits and dashes (at most 32)`,
    );
  }
  return {
    id,
    ...(group === undefined ? {} : { group }),
    ...(spec.concurrency === undefined ? {} : { concurrency: spec.concurrency }),
    retry,
    input: spec.input as StepDefinition["input"],
    run: spec.run as StepBody<unknown, unknown>,
  };
}

/** Resolves declared dependency names to step ids, in declaration order. */
class DependencyResolver {
  readonly #workflow: string;
  /** Step ids and group names declared so far, each with the step ids it stands for. */
  readonly #known = new Map<string, readonly string[]>();

  constructor(workflow: string) {
    this.#workflow = workflow;
  }

  /** The step ids `names` stand for (unique, in the order given); `who` names the dependent. */
  resolve(names: readonly string[], who: string): string[] {
    const ids = new Set<string>();
    for (const name of names) {
      const stands = this.#known.get(name);
      if (stands === undefined) {
        throw new ValidationError(
          `workflow "${this.#workflow}": ${who} runs after "${name}", which is not a step or ` +
            `group declared before it`,
        );
      }
      for (const id of stands) ids.add(id);
    }
    return [...ids];
  }

  /** Records a step id or group name; each must be new. */
  declare(name: string, ids: readonly string[]): void {
    if (this.#known.has(name)) {
      throw new ValidationError(`workflow "${this.#workflow}": "${name}" is declared twice`);
    }
    this.#known.set(name, ids);
  }
}

/** The steps of `segments` for `params`, dependencies resolved (see {@link WorkflowDefinition}). */
function expandSegments(
  workflow: string,
  segments: readonly Segment[],
  params: unknown,
): StepDefinition[] {
  const resolver = new DependencyResolver(workflow);
  const steps: StepDefinition[] = [];
  for (const segment of segments) {
    if (segment.kind === "step") {
      const after = resolver.resolve(segment.after, `step "${segment.name}"`);
      resolver.declare(segment.name, [segment.name]);
      steps.push({ ...segment.step, after });
      continue;
    }
    const groupAfter = resolver.resolve(segment.after, `group "${segment.name}"`);
    const ids: string[] = [];
    for (const spec of segment.expand(params)) {
      if (
        !EXPANDED_ID.test(spec.id) || spec.id.length > STEP_ID_MAX ||
        !spec.id.startsWith(`${segment.name}/`)
      ) {
        throw new ValidationError(
          `workflow "${workflow}": step id "${spec.id}" of group "${segment.name}" must be ` +
            `"${segment.name}/" followed by lower-case letters, digits, dots and dashes ` +
            `(parts separated by "/"), at most ${STEP_ID_MAX} characters`,
        );
      }
      const after = spec.after === undefined
        ? groupAfter
        : resolver.resolve(spec.after, `step "${spec.id}"`);
      resolver.declare(spec.id, [spec.id]);
      ids.push(spec.id);
      steps.push({ ...toStep(workflow, spec.id, spec, segment.name), after });
    }
    resolver.declare(segment.name, ids);
  }
  if (steps.length === 0) throw new ValidationError(`workflow "${workflow}": no steps to run`);
  return steps;
}

/** What a step may run after: a step or group declared before it, or a step of such a group. */
type Dependency<Outputs, Groups extends string> = (keyof Outputs & string) | `${Groups}/${string}`;
/** The group a dependency name belongs to (`cell/x` -> `cell`), or the name itself. */
type Base<D> = D extends `${infer G}/${string}` ? G : D;
/** The names a step depending on `After` may read: each of them and their ancestors. */
type Visible<Reach, After> = Reach[Base<After> & keyof Reach] & string;
/**
 * The dependencies a step declared with `after` resolves to: its elements, or (omitted,
 * `undefined`) `Last`, the segment declared before it.
 */
type Deps<After, Last extends string> = After extends readonly (infer D)[] ? D : Last;
/** The outputs a step with these dependencies may read. */
type OutputsFor<Outputs, Reach, D> = Pick<Outputs, Visible<Reach, D> & keyof Outputs>;

/** What a workflow is declared with besides its steps. */
interface WorkflowMeta<P> {
  name: string;
  description: string;
  params: z.ZodType<P>;
  preflight?: Preflight<P>;
}

/**
 * Accumulates steps and groups. `Outputs` maps each step id to its output type and each group
 * name to a record of its steps' outputs; `Reach` maps each name to itself and its ancestors;
 * `Last` is the name declared last (the default dependency of the next one).
 */
export class WorkflowBuilder<
  P,
  Outputs extends Record<string, unknown>,
  Reach extends Record<string, string> = Record<never, never>,
  Groups extends string = never,
  Last extends string = never,
> {
  readonly #meta: WorkflowMeta<P>;
  readonly #segments: readonly Segment[];

  constructor(
    meta: WorkflowMeta<P>,
    segments: readonly Segment[] = [],
  ) {
    this.#meta = meta;
    this.#segments = segments;
  }

  /**
   * Adds a step named `id` (lower-case letters, digits and dashes; unique). It runs after the
   * step or group declared just before it unless `after` says otherwise.
   */
  step<
    Id extends string,
    I,
    O,
    const After extends readonly Dependency<Outputs, Groups>[] | undefined = undefined,
  >(
    id: Id,
    spec: StepSpec<P, OutputsFor<Outputs, Reach, Deps<After, Last>>, I, O, After>,
  ): WorkflowBuilder<
    P,
    Outputs & { [K in Id]: O },
    Reach & { [K in Id]: Id | Visible<Reach, Deps<After, Last>> },
    Groups,
    Id
  > {
    const name = this.#meta.name;
    checkName(name, id, "step id");
    return new WorkflowBuilder(
      this.#meta,
      this.#appended({
        kind: "step",
        name: id,
        after: spec.after ?? this.#lastName(),
        step: toStep(name, id, spec),
      }),
    );
  }

  /**
   * Adds a group of steps derived from the run's validated parameters (one per sweep cell,
   * say), each with an id `<group>/...`. Later steps read the group's outputs as
   * `outputs.<group>[stepId]`, and may run after the whole group (`after: ["<group>"]`) or
   * after single steps of it (`after: ["<group>/..."]`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { z } from "zod";
   * import { defineWorkflow } from "./definition.ts";
   * const fanOut = defineWorkflow({
   *   name: "fan-out",
   *   description: "one step per word, then their total",
   *   params: z.object({ words: z.array(z.string()) }),
   * })
   *   .expand("word", {
   *     steps: (params) =>
   *       params.words.map((word) => ({
   *         id: `word/${word}`,
   *         input: () => word,
   *         run: async (w: string) => w.length,
   *       })),
   *   })
   *   .step("total", {
   *     input: ({ outputs }) => Object.values(outputs.word),
   *     run: async (lengths: number[]) => lengths.reduce((a, b) => a + b, 0),
   *   })
   *   .build();
   * const steps = fanOut.stepsFor({ words: ["a", "bc"] });
   * assert.deepEqual(steps.map((s) => s.id), ["word/a", "word/bc", "total"]);
   * assert.deepEqual(steps[0].after, []); // both words may run at once
   * assert.deepEqual(steps[2].after, ["word/a", "word/bc"]);
   * ```
   */
  expand<
    G extends string,
    I,
    O,
    const After extends readonly Dependency<Outputs, Groups>[] | undefined = undefined,
  >(
    group: G,
    spec: GroupSpec<P, OutputsFor<Outputs, Reach, Deps<After, Last>>, I, O, After>,
  ): WorkflowBuilder<
    P,
    Outputs & { [K in G]: Readonly<Record<string, O>> },
    Reach & { [K in G]: G | Visible<Reach, Deps<After, Last>> },
    Groups | G,
    G
  > {
    checkName(this.#meta.name, group, "group name");
    return new WorkflowBuilder(
      this.#meta,
      this.#appended({
        kind: "group",
        name: group,
        after: spec.after ?? this.#lastName(),
        expand: spec.steps as (
          params: unknown,
        ) => ExpandedStep<unknown, unknown, unknown, unknown>[],
      }),
    );
  }

  #lastName(): string[] {
    const last = this.#segments.at(-1);
    return last === undefined ? [] : [last.name];
  }

  /**
   * The segments with `segment` added, checked as far as they can be before a run's parameters
   * are known: its name new, and each of its dependencies a step or group declared before it, or
   * a member (`<group>/...`) of such a group. {@link expandSegments} checks the members at
   * submission.
   */
  #appended(segment: Segment): Segment[] {
    const declared = new Map(this.#segments.map((s) => [s.name, s.kind]));
    for (const dependency of segment.after) {
      const known = dependency.includes("/")
        ? declared.get(dependency.split("/")[0]) === "group"
        : declared.has(dependency);
      if (!known) {
        throw new ValidationError(
          `workflow "${this.#meta.name}": "${segment.name}" runs after "${dependency}", ` +
            `which is not a step or group declared before it`,
        );
      }
    }
    if (declared.has(segment.name)) {
      throw new ValidationError(
        `workflow "${this.#meta.name}": "${segment.name}" is declared twice`,
      );
    }
    return [...this.#segments, segment];
  }

  /** The finished definition (at least one step or group). */
  build(): WorkflowDefinition<P> {
    const name = this.#meta.name;
    const segments = [...this.#segments];
    if (segments.length === 0) throw new ValidationError(`workflow "${name}" has no steps`);
    const declared = segments.map((s): DeclaredSegment => ({
      name: s.name,
      group: s.kind === "group",
      after: s.after,
      ...(s.kind === "step" && s.step.concurrency ? { concurrency: s.step.concurrency } : {}),
    }));
    const fixed = segments.every((s) => s.kind === "step")
      ? expandSegments(name, segments, undefined)
      : undefined;
    return {
      ...this.#meta,
      declared,
      stepsFor: (params: P) => fixed ?? expandSegments(name, segments, params),
    };
  }
}

/**
 * Starts a workflow declaration.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
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
 * const steps = greet.stepsFor({ who: "you" });
 * assert.deepEqual(steps.map((s) => [s.id, s.after]), [["compose", []], ["shout", ["compose"]]]);
 * ```
 */
export function defineWorkflow<S extends z.ZodType>(
  meta: { name: string; description: string; params: S; preflight?: Preflight<z.output<S>> },
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
    ...(meta.preflight ? { preflight: meta.preflight } : {}),
  });
}

/**
 * Validates raw parameters against a workflow's schema, returning the parsed value or a
 * {@link ValidationError} naming each bad field (by `nameOf`: the CLI names its flags).
 */
export function parseParams<P>(
  workflow: WorkflowDefinition<P>,
  raw: unknown,
  nameOf?: FieldNamer,
): P {
  return parseOrExplain(
    workflow.params,
    raw,
    `invalid parameters for workflow "${workflow.name}"`,
    "(parameters)",
    nameOf,
  );
}

/**
 * The outputs a step may read: for each of its succeeded ancestors (the steps it runs after,
 * directly or not), `outputs[id]`, or `outputs[group][id]` for a step of a group. `steps` are a
 * run's steps as stored, with their dependencies, states and outputs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { visibleOutputs } from "./definition.ts";
 * const step = (stepId: string, group: string | null, after: string[], output: number | null) =>
 *   ({ stepId, group, after, state: output === null ? "pending" as const : "succeeded" as const, output });
 * const steps = [
 *   step("a", null, [], 1),
 *   step("cell/1", "cell", ["a"], 2),
 *   step("b", null, [], 3),
 *   step("report", null, ["cell/1"], null),
 * ];
 * assert.deepEqual(visibleOutputs(steps, "report"), { a: 1, cell: { "cell/1": 2 } });
 * ```
 */
export function visibleOutputs(
  steps: readonly Pick<StepRecord, "stepId" | "group" | "after" | "state" | "output">[],
  stepId: string,
): Record<string, Json> {
  const byId = new Map(steps.map((step) => [step.stepId, step]));
  const ancestors = new Set<string>();
  const stack = [...(byId.get(stepId)?.after ?? [])];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (ancestors.has(id)) continue;
    ancestors.add(id);
    stack.push(...(byId.get(id)?.after ?? []));
  }
  const outputs: Record<string, Json> = {};
  // In the run's order, so that a group's record lists its steps in order.
  for (const step of steps) {
    if (!ancestors.has(step.stepId) || step.state !== "succeeded") continue;
    if (step.group === null) outputs[step.stepId] = step.output;
    else {
      const record = (outputs[step.group] ??= {}) as Record<string, Json>;
      record[step.stepId] = step.output;
    }
  }
  return outputs;
}
