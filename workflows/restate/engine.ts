/**
 * The Restate engine: the same workflows, step bodies, checkpoints, progress and cancellation as
 * the SQLite engine, with Restate (a durable-execution server) driving each run instead of this
 * process's claim loop. Runs, steps and events stay in the home's store, so the CLI, the HTTP
 * API and the dashboard read them as before; what Restate adds is the driver's journal. See
 * docs/restate.md.
 *
 * - Submitting a run stores it (as {@link Engine.submit} does) and sends one invocation of the
 *   virtual object `omiga-run`, keyed by the run id, handler `drive`. The object's key makes
 *   Restate run one driver per run at a time; the idempotency key `<run id>/<resumes>` makes a
 *   repeated send (the dispatcher's, after a restart) the same invocation.
 * - The driver works the run's graph in lanes (several steps at once). Each lane claims the
 *   next ready step inside `ctx.run` (journaled: a replay claims the same step), then runs it in
 *   **segments**: one `ctx.run` per stored checkpoint, whose journal entry holds the checkpoint's
 *   path and SHA-256. A failover therefore repeats at most one segment: the step resumes from
 *   its last checkpoint, as it does under the SQLite engine.
 * - Steps run under a lease owned by `restate:<invocation id>:<attempt>`. When Restate retries an
 *   invocation (its endpoint died, or the stream broke), the new attempt takes over the leases
 *   of the earlier attempts of the same invocation at once, without waiting for them to expire;
 *   writes stay fenced on the lease. When an attempt ends, its running steps are aborted and
 *   given back (`attemptCompletedSignal`), so a timed-out attempt stops burning CPU.
 *
 * @module
 */
import * as restate from "@restatedev/restate-sdk/fetch";
import { OmigaError } from "../../core/errors.ts";
import { CheckpointFiles, sha256Hex } from "../checkpoint.ts";
import { Engine, type EngineOptions, type SubmitOptions, type WorkOptions } from "../engine.ts";
import { ShutdownError } from "../errors.ts";
import { stepCheckpointDir } from "../home.ts";
import type { WorkflowRegistry } from "../registry.ts";
import { isTerminalRunState, type RunRecord, type StepState } from "../store/records.ts";
import type { ClaimedStep } from "../store/step_store.ts";
import type { WorkflowStore } from "../store/store.ts";
import { type RestateUrls, restateUrls } from "./config.ts";

/** The name of the Restate virtual object that drives runs. */
export const RUN_DRIVER = "omiga-run";

/** Options of a {@link RestateEngine}. */
export interface RestateEngineOptions extends EngineOptions {
  /** Where Restate answers; default {@link restateUrls}. */
  restate?: Partial<RestateUrls>;
  /** Steps of one run a driver runs at once. Default this engine's `concurrency`. */
  lanes?: number;
  /** Longest wait of an idle lane before it looks for a ready step again, in ms. Default 5 000. */
  idleWaitMs?: number;
}

/** What one segment of a step ended with (a journal entry). */
export type SegmentOutcome =
  | { kind: "checkpoint"; sequence: number; path: string; sha256: string }
  | { kind: "ended"; state: StepState };

/** What a claim found (a journal entry). */
type LaneClaim = { stepId: string } | { waitMs: number } | { ended: true };

/** What the driver's race returned: a segment's end, or its timer. */
type Waited = { stepId: string; outcome: SegmentOutcome } | { timer: true };

/** A step running in this process for a driver, between the driver's segments. */
interface Execution {
  owner: string;
  controller: AbortController;
  /** Checkpoints stored and not yet handed to a segment. */
  checkpoints: SegmentOutcome[];
  /** Wakes a segment waiting for the next checkpoint or the end. */
  wake: () => void;
  ended: boolean;
}

/** Could not reach Restate, or Restate refused a request. */
export class RestateUnavailableError extends OmigaError {
  constructor(message: string, options?: ErrorOptions) {
    super("restate_unavailable", message, options);
  }
}

/**
 * The engine with Restate as the driver. The process that serves {@link RestateEngine.endpoint}
 * (a `deno task serve` with `OMIGA_ENGINE=restate`) runs the steps; any process may submit.
 *
 * @example
 * ```ts ignore
 * const engine = new RestateEngine(WorkflowStore.open(), defaultRegistry());
 * const { run } = engine.submit("hash-chain", { iterations: 100 });
 * console.log((await engine.execute(run.id)).state); // driven by Restate, recorded here
 * ```
 */
export class RestateEngine extends Engine {
  readonly urls: RestateUrls;
  readonly lanes: number;
  readonly idleWaitMs: number;
  /** Steps this process runs for drivers, by `<run id>/<step id>`. */
  readonly #executions = new Map<string, Execution>();
  /** Invocations this process has sent, by `<run id>/<resumes>`. */
  readonly #sent = new Set<string>();

  constructor(
    store: WorkflowStore,
    registry: WorkflowRegistry,
    options: RestateEngineOptions = {},
  ) {
    super(store, registry, options);
    this.urls = restateUrls(options.restate);
    this.lanes = options.lanes ?? this.concurrency;
    this.idleWaitMs = options.idleWaitMs ?? 5_000;
  }

  /** Stores the run, then hands it to Restate (in the background; `work` retries). */
  override submit(
    workflowName: string,
    params: unknown,
    options: SubmitOptions = {},
  ): { run: RunRecord; created: boolean } {
    const submitted = super.submit(workflowName, params, options);
    this.dispatch(submitted.run.id).catch(() => {
      // Restate is unreachable now: the dispatcher (`work`) sends it later.
    });
    return submitted;
  }

  /** Queues a failed or cancelled run again, and sends it to Restate as a new invocation. */
  override resume(runId: string): RunRecord {
    const run = super.resume(runId);
    this.dispatch(runId).catch(() => {});
    return run;
  }

  /**
   * Sends run `runId` to Restate (once per resume: the send is idempotent) unless it has ended.
   * Throws {@link RestateUnavailableError} when the ingress cannot be reached or refuses.
   */
  async dispatch(runId: string): Promise<void> {
    const run = this.store.runs.get(runId);
    if (isTerminalRunState(run.state)) return;
    const resumes = this.store.events.list(runId, 0, 1_000_000)
      .filter((event) => event.type === "run.resumed").length;
    const key = `${runId}/${resumes}`;
    if (this.#sent.has(key)) return;
    const url = `${this.urls.ingress}/${RUN_DRIVER}/${encodeURIComponent(runId)}/drive/send`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": key },
        body: "null",
      });
    } catch (error) {
      throw new RestateUnavailableError(
        `cannot reach Restate's ingress at ${this.urls.ingress} (OMIGA_RESTATE_INGRESS): ${
          (error as Error).message
        }`,
        { cause: error },
      );
    }
    const text = await response.text();
    if (!response.ok) {
      throw new RestateUnavailableError(
        `Restate refused run ${runId} (HTTP ${response.status} from ${url}): ${
          text.slice(0, 300)
        }` +
          (response.status === 404 ? "; is the endpoint registered (`omiga restate up`)?" : ""),
      );
    }
    this.#sent.add(key);
  }

  /**
   * The dispatcher: sends every active run of a known workflow to Restate (again after an
   * error), until `signal` aborts or, with `untilIdle`, no active run is left. Steps run where
   * Restate invokes the endpoint, not in this loop.
   */
  override async work(options: WorkOptions = {}): Promise<void> {
    const { signal, runId } = options;
    const workflows = this.registry.names();
    while (!signal?.aborted) {
      const active = runId === undefined
        ? this.store.runs.list({ state: "queued" }).concat(
          this.store.runs.list({ state: "running" }),
        )
        : [this.store.runs.get(runId)];
      for (const run of active) {
        if (!workflows.includes(run.workflow) || isTerminalRunState(run.state)) continue;
        await this.dispatch(run.id).catch(() => {});
      }
      if (options.untilIdle && this.store.runs.activeCount(workflows, runId) === 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.pollMs);
        const unsubscribe = this.store.events.subscribe((id, type) => {
          if ((runId === undefined || id === runId) && WAKING.has(type)) done();
        });
        function done() {
          clearTimeout(timer);
          unsubscribe();
          signal?.removeEventListener("abort", done);
          resolve();
        }
        signal?.addEventListener("abort", done, { once: true });
      });
    }
  }

  /** The Restate virtual object whose `drive` handler runs a run's steps in this process. */
  driver(): restate.VirtualObjectDefinition<typeof RUN_DRIVER, unknown> {
    return restate.object({
      name: RUN_DRIVER,
      description: "Runs one omiga-flow run's steps (the key is the run id)",
      handlers: {
        drive: (ctx: restate.ObjectContext) => this.#drive(ctx),
      },
      options: {
        // One segment (the time between two checkpoints of a step) must end within this.
        inactivityTimeout: 30 * 60_000,
        abortTimeout: 10 * 60_000,
        retryPolicy: { initialInterval: 200, maxInterval: 10_000 },
      },
    });
  }

  /**
   * A fetch handler serving {@link RestateEngine.driver} (mount it under `/restate`). With
   * `identityKeys` (Restate's `publickeyv1_...` keys), it answers only requests that Restate
   * signed with one of them.
   */
  endpoint(identityKeys: string[] = []): (request: Request) => Promise<Response> {
    return restate.createEndpointHandler({
      services: [this.driver()],
      bidirectional: true,
      logger: quietLogger,
      ...(identityKeys.length > 0 ? { identityKeys } : {}),
    });
  }

  async #drive(ctx: restate.ObjectContext): Promise<string> {
    const runId = ctx.key;
    const invocation = `restate:${ctx.request().id}:`;
    // This attempt's identity; earlier attempts of the invocation are superseded.
    const owner = `${invocation}${crypto.randomUUID().slice(0, 8)}`;
    const supersedes = (other: string) => other.startsWith(invocation);
    ctx.request().attemptCompletedSignal.addEventListener("abort", () => {
      for (const execution of this.#executions.values()) {
        if (execution.owner === owner) execution.controller.abort(new ShutdownError());
      }
    }, { once: true });
    await this.#driveSteps(ctx, runId, owner, supersedes);
    return await ctx.run("outcome", () => this.store.runs.get(runId).state);
  }

  /**
   * The driver's loop: claim ready steps until `lanes` run, then wait for the first of their
   * segments (or, when a claim found nothing, a timer) to end, and go round again. One loop
   * awaiting one race: Restate journals which entry completed first, so a replay takes the same
   * path (the SDK allows one awaiting flow per invocation).
   */
  async #driveSteps(
    ctx: restate.ObjectContext,
    runId: string,
    owner: string,
    supersedes: (owner: string) => boolean,
  ): Promise<void> {
    const segments = new Map<string, { segment: number; next: restate.RestatePromise<Waited> }>();
    const startSegment = (stepId: string, segment: number) => {
      const next = ctx.run(
        `${stepId} #${segment}`,
        () => this.#nextSegment(runId, stepId, owner, supersedes),
      ).map((outcome) => ({ stepId, outcome: outcome! }));
      segments.set(stepId, { segment, next });
    };
    let claims = 0;
    let idle = 0;
    for (;;) {
      let waitMs: number | undefined;
      while (segments.size < this.lanes) {
        const claim: LaneClaim = await ctx.run(
          `claim ${claims++}`,
          () => this.#claimNext(runId, owner, supersedes, idle),
        );
        if ("ended" in claim) {
          if (segments.size === 0) return;
          break;
        }
        if ("waitMs" in claim) {
          waitMs = claim.waitMs;
          idle++;
          break;
        }
        idle = 0;
        startSegment(claim.stepId, 0);
      }
      const waiting: restate.RestatePromise<Waited>[] = [...segments.values()].map((s) => s.next);
      if (waitMs !== undefined) waiting.push(ctx.sleep(waitMs).map(() => ({ timer: true })));
      if (waiting.length === 0) continue;
      const first = await restate.RestatePromise.race(waiting);
      if ("timer" in first) continue;
      const running = segments.get(first.stepId)!;
      if (first.outcome.kind === "checkpoint") startSegment(first.stepId, running.segment + 1);
      else segments.delete(first.stepId);
    }
  }

  /** Claims the next ready step of the run (and starts it), or says how long to wait. */
  #claimNext(
    runId: string,
    owner: string,
    supersedes: (owner: string) => boolean,
    idle: number,
  ): LaneClaim {
    if (isTerminalRunState(this.store.runs.get(runId).state)) return { ended: true };
    const claim = this.#claim(runId, owner, supersedes);
    if (claim !== null) {
      this.#start(claim, owner);
      return { stepId: claim.step.stepId };
    }
    // Nothing ready: steps of other lanes are running, a retry is due later, or the step's
    // concurrency key is full. Back off (at most idleWaitMs), sooner when a retry comes due.
    const now = Date.now();
    const backoff = Math.min(this.idleWaitMs, 250 * 2 ** Math.min(idle, 10));
    const wakeAt = this.store.steps.nextWakeAt(this.registry.names(), now, runId);
    return {
      waitMs: wakeAt === null ? backoff : Math.max(10, Math.min(backoff, wakeAt - now + 1)),
    };
  }

  /** Waits for the step's next checkpoint or its end (starting it if this attempt does not run it). */
  async #nextSegment(
    runId: string,
    stepId: string,
    owner: string,
    supersedes: (owner: string) => boolean,
  ): Promise<SegmentOutcome> {
    const key = `${runId}/${stepId}`;
    let execution = this.#executions.get(key);
    if (execution === undefined || execution.owner !== owner) {
      // A replay, or a new attempt: take the step over (it resumes from its checkpoint).
      const claim = this.#claim(runId, owner, supersedes, stepId);
      if (claim === null) return { kind: "ended", state: this.#stepState(runId, stepId) };
      execution = this.#start(claim, owner);
    }
    while (execution.checkpoints.length === 0 && !execution.ended) {
      await new Promise<void>((resolve) => execution!.wake = resolve);
    }
    const next = execution.checkpoints.shift();
    if (next !== undefined) return next;
    return { kind: "ended", state: this.#stepState(runId, stepId) };
  }

  #claim(
    runId: string,
    owner: string,
    supersedes: (owner: string) => boolean,
    stepId?: string,
  ): ClaimedStep | null {
    let stored: Map<string, number> | undefined;
    return this.store.steps.claim({
      owner,
      now: Date.now(),
      leaseMs: this.leaseMs,
      limitOf: (k) => this.limitOf(k, stored ??= this.store.limits.byKey()),
      workflows: this.registry.names(),
      runId,
      stepId,
      supersedes,
    });
  }

  #start(claim: ClaimedStep, owner: string): Execution {
    const key = `${claim.run.id}/${claim.step.stepId}`;
    this.#executions.get(key)?.controller.abort(new ShutdownError());
    const files = new CheckpointFiles(
      stepCheckpointDir(this.store.home, claim.run.id, claim.step.stepId),
    );
    const execution: Execution = {
      owner,
      controller: new AbortController(),
      checkpoints: [],
      wake: () => {},
      ended: false,
    };
    this.#executions.set(key, execution);
    this.runClaimedStep(claim, execution.controller, (sequence, bytes) => {
      execution.checkpoints.push({
        kind: "checkpoint",
        sequence,
        path: files.pathOf(sequence),
        sha256: sha256Hex(bytes),
      });
      execution.wake();
    }).finally(() => {
      execution.ended = true;
      if (this.#executions.get(key) === execution) this.#executions.delete(key);
      execution.wake();
    });
    return execution;
  }

  #stepState(runId: string, stepId: string): StepState {
    return this.store.runs.steps(runId).find((step) => step.stepId === stepId)?.state ?? "pending";
  }
}

const WAKING = new Set(["run.submitted", "run.resumed"]);

/**
 * The SDK's log lines, warnings and errors only (not replaying), on stderr; the run's own events
 * already say what each invocation did. `RESTATE_LOGGING=INFO` (the SDK's setting) is not read
 * here: `OMIGA_DEBUG=1` shows every line.
 */
const quietLogger: restate.LoggerTransport = (meta, message, ...rest) => {
  const loud = meta.level === "warn" || meta.level === "error";
  if ((loud && !meta.replaying) || Deno.env.get("OMIGA_DEBUG") === "1") {
    const where = meta.context
      ? ` ${meta.context.invocationTarget} ${meta.context.invocationId}`
      : "";
    console.error(`restate ${meta.level}${where}: ${message}`, ...rest);
  }
};
