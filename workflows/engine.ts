/**
 * The durable workflow engine: submits runs, claims their ready steps under leases (any step
 * whose dependencies have succeeded, within the concurrency limits of its key), runs several
 * step bodies at once with heartbeats, memoises outputs, retries with backoff, and honours
 * cancellation. Any number of engines (in one process or many) may share one store; a step is
 * run by one of them at a time, and a step whose owner died is taken over once its lease
 * expires. The engine knows nothing of what steps do: keys and annotations are opaque to it.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { OmigaError, ValidationError } from "../core/errors.ts";
import { createStepContext } from "./context.ts";
import { parseParams, type StepDefinition, visibleOutputs } from "./definition.ts";
import {
  isRetriable,
  LeaseLostError,
  NonRetriableError,
  RunCancelledError,
  RunFailedError,
  ShutdownError,
} from "./errors.ts";
import type { WorkflowRegistry } from "./registry.ts";
import { backoffDelayMs, DEFAULT_RETRY } from "./retry.ts";
import type { FollowOptions } from "./store/event_log.ts";
import { canonicalJson, type Json, type RunEvent, type RunRecord } from "./store/records.ts";
import { defaultLimit, parseLimits } from "./store/limit_store.ts";
import type { ClaimedStep, ClaimRequest } from "./store/step_store.ts";
import type { WorkflowStore } from "./store/store.ts";

/** How an engine behaves. Every field has a default. */
export interface EngineOptions {
  /** How long a lease lasts without a heartbeat, in ms. Default `OMIGA_LEASE_MS` or 30 000. */
  leaseMs?: number;
  /** Heartbeat period, in ms. Default a third of the lease, at most 1 000. */
  heartbeatMs?: number;
  /**
   * Limits per concurrency key that this engine applies instead of the home's
   * (`deno task omiga limits`). Default `OMIGA_CONCURRENCY` (`cpu=2,gpu=1`) or none.
   */
  limits?: Record<string, number>;
  /** Steps this engine runs at once, whatever their keys. Default twice the cores, at least 4. */
  concurrency?: number;
  /** Longest idle wait before looking at the store again, in ms. Default 500. */
  pollMs?: number;
  /** This engine's lease owner name. Default host, pid and a random suffix. */
  owner?: string;
}

/** Options of a submission. */
export interface SubmitOptions {
  /** Submitting the same key again returns the same run (with the same parameters). */
  idempotencyKey?: string;
  /** The schedule that submits this run. */
  scheduleId?: string;
}

/** Options of {@link Engine.work}. */
export interface WorkOptions {
  /** Return once no queued or running run of a known workflow is left. */
  untilIdle?: boolean;
  /** Only this run. */
  runId?: string;
  /** Stop: running steps are aborted and given back (pending) for the next worker. */
  signal?: AbortSignal;
}

function positiveIntegerFromEnv(name: string): number | undefined {
  const raw = Deno.env.get(name);
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new ValidationError(`${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

/** Event types after which an idle loop should look at the store again. */
const WAKING_EVENTS = new Set([
  "run.submitted",
  "run.resumed",
  "run.cancelled",
  "step.succeeded",
  "step.failed",
  "step.retrying",
  "step.released",
  "step.cancelled",
]);

/**
 * The engine.
 *
 * @example
 * ```ts ignore
 * const store = WorkflowStore.open();
 * const engine = new Engine(store, defaultRegistry());
 * const { run } = engine.submit("hash-chain", { iterations: 100 }, { idempotencyKey: "demo" });
 * const finished = await engine.execute(run.id);
 * console.log(finished.state, finished.output);
 * ```
 */
export class Engine {
  readonly store: WorkflowStore;
  readonly registry: WorkflowRegistry;
  readonly owner: string;
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  /** Limits that override the home's, by key. */
  readonly limits: Readonly<Record<string, number>>;
  readonly concurrency: number;
  readonly pollMs: number;
  /** Abort controllers of the steps running here, by run id. */
  readonly #running = new Map<string, Set<AbortController>>();

  constructor(store: WorkflowStore, registry: WorkflowRegistry, options: EngineOptions = {}) {
    this.store = store;
    this.registry = registry;
    this.leaseMs = options.leaseMs ?? positiveIntegerFromEnv("OMIGA_LEASE_MS") ?? 30_000;
    this.heartbeatMs = options.heartbeatMs ?? Math.min(1_000, Math.floor(this.leaseMs / 3));
    this.limits = options.limits ??
      parseLimits(Deno.env.get("OMIGA_CONCURRENCY") ?? "", "OMIGA_CONCURRENCY");
    this.concurrency = options.concurrency ?? Math.max(4, 2 * navigator.hardwareConcurrency);
    this.pollMs = options.pollMs ?? 500;
    this.owner = options.owner ??
      `${Deno.hostname()}:${Deno.pid}:${crypto.randomUUID().slice(0, 8)}`;
    if (this.heartbeatMs >= this.leaseMs) {
      throw new ValidationError(
        `heartbeatMs (${this.heartbeatMs}) must be shorter than leaseMs (${this.leaseMs})`,
      );
    }
  }

  /**
   * Validates `params` with the workflow's schema and runs the workflow's preflight against this
   * engine's home (a dataset it names exists and fits, say); returns the validated parameters,
   * or throws the schema's or the preflight's error. What every user-facing submission does
   * first ({@link Engine.submitChecked}, schedule creation).
   */
  async preflight(workflowName: string, params: unknown): Promise<Json> {
    const workflow = this.registry.get(workflowName);
    const parsed = parseParams(workflow, params);
    await workflow.preflight?.(parsed, { home: this.store.artifacts });
    return parsed as Json;
  }

  /**
   * {@link Engine.preflight}, then {@link Engine.submit}: a run that could only fail (its
   * dataset does not exist, or does not fit) is refused before it is queued. The CLI and the
   * HTTP API submit this way.
   */
  async submitChecked(
    workflowName: string,
    params: unknown,
    options: SubmitOptions = {},
  ): Promise<{ run: RunRecord; created: boolean }> {
    const parsed = await this.preflight(workflowName, params);
    return this.submit(workflowName, parsed, options);
  }

  /**
   * Validates `params` with the workflow's schema and queues a run, or returns the run that
   * already holds `idempotencyKey` (same parameters) with `created: false`. It does not run the
   * workflow's preflight (a schedule's firing submits this way: its parameters were checked when
   * it was created); user-facing submissions use {@link Engine.submitChecked}.
   */
  submit(
    workflowName: string,
    params: unknown,
    options: SubmitOptions = {},
  ): { run: RunRecord; created: boolean } {
    const workflow = this.registry.get(workflowName);
    const parsed = parseParams(workflow, params) as Json;
    const requestHash = createHash("sha256")
      .update(canonicalJson({ workflow: workflow.name, params: parsed }))
      .digest("hex");
    return this.store.runs.insert({
      id: crypto.randomUUID(),
      workflow: workflow.name,
      params: parsed,
      requestHash,
      idempotencyKey: options.idempotencyKey ?? null,
      scheduleId: options.scheduleId ?? null,
      steps: workflow.stepsFor(parsed).map((step) => ({
        stepId: step.id,
        ...(step.group === undefined ? {} : { group: step.group }),
        after: step.after,
        ...(step.concurrency === undefined ? {} : { concurrencyKey: step.concurrency }),
        maxAttempts: step.retry.maxAttempts,
      })),
    });
  }

  /**
   * Cancels a run; its steps running here see their signals abort at once, elsewhere within a
   * heartbeat. `reason` is kept in the `run.cancelled` event.
   */
  cancel(runId: string, reason?: string): RunRecord {
    const run = this.store.runs.cancel(runId, Date.now(), reason);
    this.#abortRunning(runId, new RunCancelledError(runId));
    return run;
  }

  /** The limit of concurrency key `key`: this engine's, the home's, or the default. */
  limitOf(key: string, stored = this.store.limits.byKey()): number {
    return this.limits[key] ?? stored.get(key) ?? defaultLimit(key);
  }

  /**
   * Takes the lease of one ready step of this engine's workflows (see `StepStore.claim`), now,
   * for this engine's lease time, within the concurrency limits (the home's are read once per
   * claim, and only when a keyed step is ready).
   */
  protected claim(
    request: Pick<ClaimRequest, "owner" | "runId" | "stepId" | "supersedes">,
  ): ClaimedStep | null {
    let stored: Map<string, number> | undefined;
    return this.store.steps.claim({
      ...request,
      now: Date.now(),
      leaseMs: this.leaseMs,
      limitOf: (key) => this.limitOf(key, stored ??= this.store.limits.byKey()),
      workflows: this.registry.names(),
    });
  }

  #abortRunning(runId: string, reason: Error): void {
    for (const controller of this.#running.get(runId) ?? []) controller.abort(reason);
  }

  /** Queues a failed or cancelled run again; finished steps are not run again. */
  resume(runId: string): RunRecord {
    return this.store.runs.resume(runId);
  }

  /** A run's events from `afterSeq` on, following live ones until the run ends. */
  events(runId: string, options: FollowOptions = {}): AsyncGenerator<RunEvent> {
    this.store.runs.get(runId);
    return this.store.events.follow(runId, options);
  }

  /** Runs `runId` here until it ends (waiting out other owners' leases), and returns it. */
  async execute(runId: string, signal?: AbortSignal): Promise<RunRecord> {
    this.store.runs.get(runId);
    await this.work({ runId, untilIdle: true, signal });
    return this.store.runs.get(runId);
  }

  /**
   * Claims and runs ready steps (new, retrying, or orphaned by a dead process) until `signal`
   * aborts, or with `untilIdle` until no active run is left.
   */
  async work(options: WorkOptions = {}): Promise<void> {
    const { signal, runId } = options;
    const workflows = this.registry.names();
    const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
    let wake: () => void = () => {};
    const unsubscribe = this.store.events.subscribe((id, type) => {
      if ((runId === undefined || id === runId) && WAKING_EVENTS.has(type)) wake();
    });
    try {
      while (!signal?.aborted) {
        while (running.size < this.concurrency) {
          const claim = this.claim({ owner: this.owner, runId });
          if (claim === null) break;
          const key = `${claim.run.id}/${claim.step.stepId}`;
          const controller = new AbortController();
          const done = this.runClaimedStep(claim, controller).finally(() => {
            running.delete(key);
            wake();
          });
          running.set(key, { controller, done });
        }
        if (
          options.untilIdle && running.size === 0 &&
          this.store.runs.activeCount(workflows, runId) === 0
        ) break;
        const now = Date.now();
        const wakeAt = this.store.steps.nextWakeAt(workflows, now, runId);
        const delay = wakeAt === null ? this.pollMs : Math.min(this.pollMs, wakeAt - now + 1);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, Math.max(0, delay));
          function done() {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            resolve();
          }
          wake = done;
          signal?.addEventListener("abort", done, { once: true });
        });
        wake = () => {};
      }
    } finally {
      unsubscribe();
      for (const { controller } of running.values()) controller.abort(new ShutdownError());
      await Promise.allSettled([...running.values()].map((r) => r.done));
    }
  }

  /**
   * Runs the body of a step this engine has claimed, with heartbeats, and records its outcome
   * (succeeded, failed, retry later, or given back when `controller` aborts). `onCheckpoint`
   * hears of each checkpoint the body saves, after it is stored.
   */
  protected async runClaimedStep(
    claim: ClaimedStep,
    controller: AbortController,
    onCheckpoint?: (sequence: number, bytes: Uint8Array) => void,
  ): Promise<void> {
    const { run, step } = claim;
    const owner = ownerOf(claim, this.owner);
    const steps = this.store.steps;
    const local = this.#running.get(run.id) ?? new Set();
    this.#running.set(run.id, local.add(controller));
    const checkLease = () => {
      const { held, runState } = steps.heartbeat(run.id, step.stepId, owner, this.leaseMs);
      if (!held) controller.abort(new LeaseLostError(run.id, step.stepId));
      else if (runState === "cancelled") controller.abort(new RunCancelledError(run.id));
      else if (runState === "failed") controller.abort(new RunFailedError(run.id));
    };
    const heartbeat = setInterval(() => {
      try {
        checkLease();
      } catch {
        // A busy database: the next beat tries again, well within the lease.
      }
    }, this.heartbeatMs);
    try {
      const definition = this.#definitionOf(run, step.position);
      if (definition?.id !== step.stepId) {
        throw new NonRetriableError(
          `workflow "${run.workflow}" no longer has step "${step.stepId}" at position ` +
            `${step.position}; it changed after run ${run.id} was submitted`,
        );
      }
      let input = step.input;
      if (input === null) {
        // The outputs of the step's ancestors in the graph stored with the run.
        const outputs = visibleOutputs(this.store.runs.steps(run.id), step.stepId);
        input = toJson(
          computeInput(definition, run.params, outputs),
          `the input of step "${step.stepId}"`,
        );
        steps.setInput(run.id, step.stepId, input);
      }
      const context = createStepContext(
        this.store,
        run,
        step,
        controller.signal,
        () => {
          checkLease();
          controller.signal.throwIfAborted();
        },
        coresPerStep(step.concurrencyKey ? this.limitOf(step.concurrencyKey) : 1),
      );
      if (onCheckpoint !== undefined) {
        const save = context.checkpoint.save;
        context.checkpoint.save = async (bytes) => {
          const sequence = await save(bytes);
          onCheckpoint(sequence, bytes);
          return sequence;
        };
      }
      const output = toJson(
        await definition.run(input, context),
        `the output of step "${step.stepId}"`,
      );
      if (!steps.succeed(run.id, step.stepId, owner, output)) this.#noteLeaseLost(claim);
    } catch (error) {
      this.#settleFailure(claim, controller.signal, error);
    } finally {
      clearInterval(heartbeat);
      local.delete(controller);
      if (local.size === 0) this.#running.delete(run.id);
    }
  }

  #settleFailure(claim: ClaimedStep, signal: AbortSignal, error: unknown): void {
    const { run, step } = claim;
    const owner = ownerOf(claim, this.owner);
    const steps = this.store.steps;
    if (signal.aborted) {
      const reason = signal.reason;
      if (reason instanceof LeaseLostError) return this.#noteLeaseLost(claim);
      const message = reason instanceof Error ? reason.message : String(reason);
      steps.releaseAborted(run.id, step.stepId, owner, message);
      return;
    }
    const failure = {
      message: error instanceof Error ? error.message : String(error),
      code: error instanceof OmigaError ? error.code : "step_failed",
    };
    let settled: boolean;
    if (!isRetriable(error) || step.attempt >= step.maxAttempts) {
      settled = steps.fail(run.id, step.stepId, owner, failure);
      // The run failed: its other steps running here stop now (skipped, checkpoints kept).
      if (settled) this.#abortRunning(run.id, new RunFailedError(run.id, step.stepId));
    } else {
      let retry = DEFAULT_RETRY;
      try {
        retry = this.#definitionOf(run, step.position)?.retry ?? DEFAULT_RETRY;
      } catch {
        // The step list cannot be derived any more: back off with the default policy.
      }
      const delay = backoffDelayMs(retry, step.attempt, `${run.id}/${step.stepId}`);
      settled = steps.retryLater(run.id, step.stepId, owner, failure, delay);
    }
    if (!settled) this.#noteLeaseLost(claim);
  }

  /** The definition of the step at `position` of `run` (its list derived from its params). */
  #definitionOf(run: RunRecord, position: number): StepDefinition | undefined {
    try {
      return this.registry.get(run.workflow).stepsFor(run.params)[position];
    } catch (error) {
      throw new NonRetriableError(
        `cannot list the steps of run ${run.id}: ${
          error instanceof Error ? error.message : String(error)
        }`,
        { cause: error },
      );
    }
  }

  #noteLeaseLost(claim: ClaimedStep): void {
    const owner = ownerOf(claim, this.owner);
    this.store.events.append(claim.run.id, "step.lease-lost", { owner }, claim.step.stepId);
  }
}

/** The owner a claim was made for (a subclass may claim under owners of its own). */
function ownerOf(claim: ClaimedStep, fallback: string): string {
  return claim.step.leaseOwner ?? fallback;
}

/** A step's input from the run's parameters and earlier outputs; a bug there cannot be retried. */
function computeInput(
  definition: StepDefinition,
  params: Json,
  outputs: Record<string, Json>,
): unknown {
  try {
    return definition.input({ params, outputs });
  } catch (error) {
    throw new NonRetriableError(
      `cannot compute the input of step "${definition.id}": ${
        error instanceof Error ? error.message : String(error)
      }`,
      { cause: error },
    );
  }
}

/** `value` as JSON (a round trip), or a NonRetriableError naming `what`. */
function toJson(value: unknown, what: string): Json {
  if (value === undefined) return null;
  try {
    return JSON.parse(JSON.stringify(value)) as Json;
  } catch (error) {
    throw new NonRetriableError(
      `${what} is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * The cores one of `limit` steps running at once may keep busy: the machine's, shared out
 * evenly (at least 1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { coresPerStep } from "./engine.ts";
 * assert.equal(coresPerStep(2, 8), 4);
 * assert.equal(coresPerStep(16, 8), 1);
 * ```
 */
export function coresPerStep(limit: number, cores = navigator.hardwareConcurrency): number {
  return Math.max(1, Math.floor(cores / Math.max(1, limit)));
}
