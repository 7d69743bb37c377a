/**
 * The Restate engine: the same workflows, step bodies, checkpoints, progress and cancellation as
 * the SQLite engine, with Restate (a durable-execution server) driving each run instead of this
 * process's claim loop. Runs, steps and events stay in the home's store, so the CLI, the HTTP
 * API and the dashboard read them as before; what Restate adds is the driver's journal. See
 * docs/restate.md.
 *
 * - Submitting a run stores it (as {@link Engine.submit} does) and sends one invocation of the
 *   virtual object `omiga-run`, keyed by the run id, handler `drive`. The object's key makes
 *   Restate run one driver per run at a time; the idempotency key `<run id>/<latest resume>` makes a
 *   repeated send (the dispatcher's, after a restart) the same invocation.
 * - The driver launches one invocation of the virtual object `omiga-step` (key
 *   `<run id>/<step id>`) per ready step and waits for them; the calls are journaled, so a
 *   replayed driver awaits the same invocations. Each step is its own invocation, so Restate may
 *   run the steps of one run on different endpoints (behind a load balancer).
 * - A step invocation claims its step inside `ctx.run` (the SQLite engine's claim: dependencies,
 *   retry time, concurrency limits across every process on the home; it waits while its key is
 *   full, woken by the key's gate, {@link KEY_GATE}, when a step of the key ends), then runs it
 *   in **segments**: one `ctx.run` per stored checkpoint, whose journal entry holds the
 *   checkpoint's path and SHA-256. A failover therefore repeats at most one segment:
 *   the step resumes from its last checkpoint, as it does under the SQLite engine.
 * - Steps run under a lease owned by `restate:<invocation id>:<attempt>@<process>`. When Restate retries an
 *   invocation (its endpoint died, or the stream broke), the new attempt takes over the leases
 *   of the earlier attempts of the same invocation at once, without waiting for them to expire;
 *   writes stay fenced on the lease. When an attempt ends, its running steps are aborted and
 *   given back (`attemptCompletedSignal`), so a timed-out attempt stops burning CPU.
 *
 * @module
 */
// Types only: the SDK itself loads when an endpoint is made (`endpoint`), so that the CLI, which
// only sends invocations over HTTP, does not pay for importing it (~40 ms per command).
import type * as restate from "@restatedev/restate-sdk/fetch";
import { OmigaError } from "../../core/errors.ts";
import { CheckpointFiles, sha256Hex } from "../checkpoint.ts";
import { Engine, type EngineOptions, type SubmitOptions, type WorkOptions } from "../engine.ts";
import { NotFoundError, ShutdownError } from "../errors.ts";
import { stepCheckpointDir } from "../home.ts";
import type { WorkflowRegistry } from "../registry.ts";
import {
  isTerminalRunState,
  type RunRecord,
  type StepRecord,
  type StepState,
} from "../store/records.ts";
import type { ClaimedStep } from "../store/step_store.ts";
import type { WorkflowStore } from "../store/store.ts";
import { type RestateUrls, restateUrls } from "./config.ts";

/** The name of the Restate virtual object that drives runs (key: the run id). */
export const RUN_DRIVER = "omiga-run";

/** The name of the Restate virtual object that runs one step (key: `<run id>/<step id>`). */
export const STEP_RUNNER = "omiga-step";

/**
 * The name of the Restate virtual object that wakes steps waiting for a concurrency key (key:
 * the concurrency key, e.g. `cpu`): a waiting step leaves an awakeable there, and a step of that
 * key that ends resolves them all, so that the waiters claim again at once instead of at their
 * next look (up to `idleWaitMs` later). The claim itself stays in the store.
 */
export const KEY_GATE = "omiga-gate";

/** The services' timeouts and retries. */
const SERVICE_OPTIONS = {
  // One segment (the time between two checkpoints of a step) must end within this.
  inactivityTimeout: 30 * 60_000,
  abortTimeout: 10 * 60_000,
  retryPolicy: { initialInterval: 200, maxInterval: 10_000 },
};

/** Options of a {@link RestateEngine}. */
export interface RestateEngineOptions extends EngineOptions {
  /** Where Restate answers; default {@link restateUrls}. */
  restate?: Partial<RestateUrls>;
  /**
   * Longest wait of a step waiting for its concurrency key (or of a driver with nothing to do)
   * before it looks again, in ms. Default 5 000.
   */
  idleWaitMs?: number;
}

/** What one segment of a step ended with (a journal entry). */
export type SegmentOutcome =
  | { kind: "checkpoint"; sequence: number; path: string; sha256: string }
  | { kind: "ended"; state: StepState };

/**
 * What a step's claim found (a journal entry); `key`: the concurrency key it waits for, when
 * that may be what holds it back.
 */
type StepClaim = { started: true } | { waitMs: number; key?: string } | { ended: StepState };

/** The driver's plan (a journal entry): the steps to launch, or the run's end. */
interface Plan {
  ended: boolean;
  runState: string;
  launch: string[];
}

/** A step invocation's end, as the driver's race sees it. */
interface StepEnd {
  stepId: string;
  state: StepState;
}

/** Step states that no claim changes. */
const FINISHED: ReadonlySet<StepState> = new Set(["succeeded", "failed", "cancelled", "skipped"]);

/** A step running in this process for a step invocation, between its segments. */
interface Execution {
  owner: string;
  controller: AbortController;
  /** Checkpoints stored and not yet handed to a segment. */
  checkpoints: SegmentOutcome[];
  /** Wakes a segment waiting for the next checkpoint or the end. */
  wake: () => void;
  ended: boolean;
  /** Set once the attempt running it has completed: stops it unless a later attempt adopts it. */
  orphaned?: ReturnType<typeof setTimeout>;
}

/**
 * How long a step whose invocation attempt has completed (its stream to Restate broke: a node
 * restarted, a partition's leader moved) keeps running for the invocation's next attempt to
 * adopt it, instead of restarting it from its checkpoint. Restate retries an invocation within
 * SERVICE_OPTIONS' retry interval (at most 10 s); a step no attempt adopts stops after this.
 */
const ADOPT_GRACE_MS = 15_000;

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
  readonly idleWaitMs: number;
  /** The SDK and this engine's services, once {@link RestateEngine.endpoint} has loaded them. */
  #served?: Served;
  /** Steps this process runs for drivers, by `<run id>/<step id>`. */
  readonly #executions = new Map<string, Execution>();
  /** Invocations this process has sent, by idempotency key (`<run id>/<resume event>`). */
  readonly #sent = new Set<string>();

  constructor(
    store: WorkflowStore,
    registry: WorkflowRegistry,
    options: RestateEngineOptions = {},
  ) {
    super(store, registry, options);
    this.urls = restateUrls(options.restate);
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
   * Sends run `runId` to Restate unless it has ended: once per submission and per resume (the
   * idempotency key is `<run id>/<seq of its latest run.resumed event, or 0>`).
   * Throws {@link RestateUnavailableError} when the ingress cannot be reached or refuses.
   */
  dispatch(runId: string): Promise<void> {
    return this.#dispatch(this.store.runs.get(runId));
  }

  async #dispatch(run: RunRecord): Promise<void> {
    if (isTerminalRunState(run.state)) return;
    const runId = run.id;
    // One invocation per submission and per resume: the latest resume's event names it.
    const key = `${runId}/${this.store.events.latest(runId, "run.resumed")?.seq ?? 0}`;
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
        if (!workflows.includes(run.workflow)) continue;
        await this.#dispatch(run).catch(() => {});
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

  /**
   * A fetch handler serving this engine's three Restate services (mount it under `/restate`):
   * `omiga-run` (the driver, keyed by run id), `omiga-step` (one step, keyed by
   * `<run id>/<step id>`) and `omiga-gate` (wakes steps waiting for a concurrency key, keyed by
   * it). With `identityKeys` (Restate's `publickeyv1_...` keys), it answers
   * only requests that Restate signed with one of them. The SDK loads on the first call; the
   * handler waits for it.
   */
  endpoint(identityKeys: string[] = []): (request: Request) => Promise<Response> {
    const handler = this.#serve().then(({ sdk, driver, runner, gate }) =>
      sdk.createEndpointHandler({
        services: [driver, runner, gate],
        bidirectional: true,
        logger: quietLogger,
        ...(identityKeys.length > 0 ? { identityKeys } : {}),
      })
    );
    handler.catch(() => {}); // a failed load answers each request with its error instead
    return async (request) => (await handler)(request);
  }

  async #serve(): Promise<Served> {
    if (this.#served) return this.#served;
    const sdk = await import("@restatedev/restate-sdk/fetch");
    this.#served ??= {
      sdk,
      driver: sdk.object({
        name: RUN_DRIVER,
        description: "Drives one omiga-flow run (the key is the run id)",
        handlers: { drive: (ctx: restate.ObjectContext) => this.#drive(ctx) },
        options: SERVICE_OPTIONS,
      }),
      runner: sdk.object({
        name: STEP_RUNNER,
        description: "Runs one step of an omiga-flow run (the key is <run id>/<step id>)",
        handlers: { run: (ctx: restate.ObjectContext) => this.#runStep(ctx) },
        options: SERVICE_OPTIONS,
      }),
      gate: sdk.object({
        name: KEY_GATE,
        description: "Wakes omiga-flow steps waiting for a concurrency key (the key)",
        handlers: {
          wait: (ctx: restate.ObjectContext, waiter: GateWaiter) => gateWait(ctx, waiter),
          release: (ctx: restate.ObjectContext) => gateRelease(ctx),
        },
      }),
    };
    return this.#served;
  }

  /** What the handlers use; they run only on an endpoint, which has loaded it. */
  get #sdk(): Served {
    if (!this.#served) throw new Error("the Restate SDK is not loaded: no endpoint was made");
    return this.#served;
  }

  /**
   * The driver: launches one `omiga-step` invocation per ready step of the run, waits for the
   * first of them to end, and plans again, until the run has ended. Each plan is a journal
   * entry and each launch a journaled call, so a replay relaunches nothing: it awaits the same
   * invocations. One loop awaiting one race (the SDK allows one awaiting flow per invocation;
   * Restate journals which call ended first, so a replay takes the same path).
   */
  async #drive(ctx: restate.ObjectContext): Promise<string> {
    const runId = ctx.key;
    this.#assertKnown(runId);
    const open = new Map<string, restate.RestatePromise<StepEnd>>();
    const launched = new Set<string>();
    let idle = 0;
    for (let round = 0;; round++) {
      const plan: Plan = await ctx.run(`plan ${round}`, () => this.#plan(runId, launched));
      for (const stepId of plan.launch) {
        launched.add(stepId);
        open.set(
          stepId,
          ctx.objectClient(this.#sdk.runner, `${runId}/${stepId}`).run()
            .map((state) => ({ stepId, state: state! })),
        );
      }
      if (open.size === 0) {
        if (plan.ended) return plan.runState;
        // Nothing runs and nothing is ready while the run is active: look again later.
        await ctx.sleep(this.#backoffMs(idle++));
        continue;
      }
      idle = 0;
      const first = await this.#sdk.sdk.RestatePromise.race([...open.values()]);
      open.delete(first.stepId);
    }
  }

  /** The steps of the run to launch now: ready ones (their dependencies succeeded) not launched. */
  #plan(runId: string, launched: ReadonlySet<string>): Plan {
    const run = this.store.runs.get(runId);
    if (isTerminalRunState(run.state)) return { ended: true, runState: run.state, launch: [] };
    const ready = this.store.steps.readySteps(this.registry.names(), runId)
      .map(({ step }) => step.stepId)
      .filter((stepId) => !launched.has(stepId));
    return { ended: false, runState: run.state, launch: ready };
  }

  /**
   * One step: claims it (waiting while its concurrency key is full or its retry time has not
   * come), runs it in segments, and claims it again after a retriable failure, until the step or
   * its run has ended.
   */
  async #runStep(ctx: restate.ObjectContext): Promise<StepState> {
    const slash = ctx.key.indexOf("/");
    const [runId, stepId] = [ctx.key.slice(0, slash), ctx.key.slice(slash + 1)];
    this.#assertKnown(runId);
    const invocation = `restate:${ctx.request().id}:`;
    // This attempt's identity (and the process running it); earlier attempts are superseded, or
    // adopted while one still runs the step here (then the attempt takes on its owner).
    const attempt = { owner: `${invocation}${crypto.randomUUID().slice(0, 8)}@${this.owner}` };
    const supersedes = (other: string) => other.startsWith(invocation);
    ctx.request().attemptCompletedSignal.addEventListener("abort", () => {
      const execution = this.#executions.get(`${runId}/${stepId}`);
      if (execution?.owner !== attempt.owner || execution.ended) return;
      execution.orphaned = setTimeout(
        () => execution.controller.abort(new ShutdownError()),
        ADOPT_GRACE_MS,
      );
      Deno.unrefTimer(execution.orphaned);
    }, { once: true });
    let idle = 0;
    for (let turn = 0;; turn++) {
      const claim: StepClaim = await ctx.run(
        `claim ${turn}`,
        () => this.#claimStep(runId, stepId, attempt, supersedes, idle),
      );
      if ("ended" in claim) return claim.ended;
      if ("waitMs" in claim) {
        idle++;
        await this.#waitForKey(ctx, claim.key, claim.waitMs);
        continue;
      }
      idle = 0;
      for (let segment = 0;; segment++) {
        const outcome: SegmentOutcome = await ctx.run(
          `turn ${turn} #${segment}`,
          () => this.#nextSegment(runId, stepId, attempt, supersedes),
        );
        if (outcome.kind === "ended") break;
      }
      // Its key has a free place now (this attempt's run of the step has ended): wake its waiters.
      const key = this.#step(runId, stepId)?.concurrencyKey;
      if (key) ctx.objectSendClient(this.#sdk.gate, key).release();
    }
  }

  /**
   * Waits `waitMs`, or less when `key` is given and a step of that key ends before: the step
   * leaves an awakeable at the key's gate ({@link KEY_GATE}). The sleep stays the bound, for a
   * place freed between the claim and the awakeable's arrival at the gate (no step of the key
   * ends after it), or by a process that is not an endpoint of this cluster.
   */
  async #waitForKey(ctx: restate.ObjectContext, key: string | undefined, waitMs: number) {
    if (key === undefined) return await ctx.sleep(waitMs);
    const woken = ctx.awakeable<null>();
    ctx.objectSendClient(this.#sdk.gate, key).wait({ step: ctx.key, awakeable: woken.id });
    await this.#sdk.sdk.RestatePromise.race([woken.promise, ctx.sleep(waitMs)]);
  }

  /** Claims the step (and starts it), says it has ended, or how long to wait. */
  #claimStep(
    runId: string,
    stepId: string,
    attempt: { owner: string },
    supersedes: (owner: string) => boolean,
    idle: number,
  ): StepClaim {
    const step = this.#step(runId, stepId);
    const state = step?.state ?? "pending";
    if (isTerminalRunState(this.store.runs.get(runId).state) || FINISHED.has(state)) {
      return { ended: state };
    }
    if (this.#adopt(`${runId}/${stepId}`, attempt, supersedes)) return { started: true };
    const claim = this.claim({ owner: attempt.owner, runId, stepId, supersedes });
    if (claim !== null) {
      this.#start(claim, attempt.owner);
      return { started: true };
    }
    // Its concurrency key is full, its retry is due later, or another process holds it: back
    // off (at most idleWaitMs), sooner when its retry comes due.
    const now = Date.now();
    const backoff = this.#backoffMs(idle);
    const due = state === "pending" ? step?.retryAt : step?.leaseExpiresAt;
    const key = step?.concurrencyKey;
    const keyed = state === "pending" && key && (due === null || due === undefined || due <= now);
    return {
      waitMs: due === null || due === undefined
        ? backoff
        : Math.max(10, Math.min(backoff, due - now + 1)),
      ...(keyed ? { key } : {}),
    };
  }

  /** Waits for the step's next checkpoint or its end (starting it if this attempt does not run it). */
  async #nextSegment(
    runId: string,
    stepId: string,
    attempt: { owner: string },
    supersedes: (owner: string) => boolean,
  ): Promise<SegmentOutcome> {
    const key = `${runId}/${stepId}`;
    this.#adopt(key, attempt, supersedes);
    let execution = this.#executions.get(key);
    if (execution === undefined || execution.owner !== attempt.owner) {
      // A replay, or a new attempt in another process: take the step over (it resumes from its
      // checkpoint).
      const claim = this.claim({ owner: attempt.owner, runId, stepId, supersedes });
      if (claim === null) return { kind: "ended", state: this.#stepState(runId, stepId) };
      execution = this.#start(claim, attempt.owner);
    }
    while (execution.checkpoints.length === 0 && !execution.ended) {
      await new Promise<void>((resolve) => execution!.wake = resolve);
    }
    const next = execution.checkpoints.shift();
    if (next !== undefined) return next;
    return { kind: "ended", state: this.#stepState(runId, stepId) };
  }

  /**
   * Whether an earlier attempt of this invocation still runs step `key` in this process; if so
   * the attempt adopts it (its lease, its Worker, its next checkpoints) rather than restart it.
   */
  #adopt(key: string, attempt: { owner: string }, supersedes: (owner: string) => boolean): boolean {
    const execution = this.#executions.get(key);
    if (execution === undefined || execution.ended) return false;
    if (execution.owner === attempt.owner) return true;
    if (!supersedes(execution.owner)) return false;
    clearTimeout(execution.orphaned);
    execution.orphaned = undefined;
    attempt.owner = execution.owner;
    return true;
  }

  #start(claim: ClaimedStep, owner: string): Execution {
    const key = `${claim.run.id}/${claim.step.stepId}`;
    this.#executions.get(key)?.controller.abort(new ShutdownError());
    const files = new CheckpointFiles(
      stepCheckpointDir(this.store.artifacts, claim.run.id, claim.step.stepId),
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
      clearTimeout(execution.orphaned);
      if (this.#executions.get(key) === execution) this.#executions.delete(key);
      execution.wake();
    });
    return execution;
  }

  /**
   * Refuses, for good (no retry can help), an invocation for a run this endpoint's store does not
   * hold: an endpoint registered for a cluster whose clients use another home.
   */
  #assertKnown(runId: string): void {
    try {
      this.store.runs.get(runId);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      throw new this.#sdk.sdk.TerminalError(
        `run ${runId} is not in this endpoint's store (${this.store.path}): every endpoint and ` +
          `client of one Restate cluster must share one store (docs/restate.md)`,
      );
    }
  }

  #step(runId: string, stepId: string): StepRecord | undefined {
    return this.store.runs.steps(runId).find((step) => step.stepId === stepId);
  }

  #stepState(runId: string, stepId: string): StepState {
    return this.#step(runId, stepId)?.state ?? "pending";
  }

  /** The wait after `idle` fruitless looks: 0.25 s doubling, at most `idleWaitMs`. */
  #backoffMs(idle: number): number {
    return Math.min(this.idleWaitMs, 250 * 2 ** Math.min(idle, 10));
  }
}

const WAKING = new Set(["run.submitted", "run.resumed"]);

/** A step waiting at a key's gate: its `omiga-step` key and the awakeable that wakes it. */
interface GateWaiter {
  step: string;
  awakeable: string;
}

/**
 * The gate's `wait`: keeps the step's latest awakeable (one per step, so that a step that looks
 * again many times leaves one entry).
 */
async function gateWait(ctx: restate.ObjectContext, waiter: GateWaiter): Promise<void> {
  const waiters = (await ctx.get<Record<string, string>>("waiters")) ?? {};
  waiters[waiter.step] = waiter.awakeable;
  ctx.set("waiters", waiters);
}

/** The gate's `release`: wakes every waiting step (each claims again; the store decides). */
async function gateRelease(ctx: restate.ObjectContext): Promise<void> {
  const waiters = (await ctx.get<Record<string, string>>("waiters")) ?? {};
  for (const awakeable of Object.values(waiters)) ctx.resolveAwakeable(awakeable, null);
  ctx.clear("waiters");
}

/** The loaded SDK and the three services built with it. */
interface Served {
  sdk: typeof restate;
  driver: restate.VirtualObjectDefinition<typeof RUN_DRIVER, unknown>;
  runner: restate.VirtualObjectDefinition<
    typeof STEP_RUNNER,
    { run: (ctx: restate.ObjectContext) => Promise<StepState> }
  >;
  gate: restate.VirtualObjectDefinition<
    typeof KEY_GATE,
    {
      wait: (ctx: restate.ObjectContext, waiter: GateWaiter) => Promise<void>;
      release: (ctx: restate.ObjectContext) => Promise<void>;
    }
  >;
}

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
