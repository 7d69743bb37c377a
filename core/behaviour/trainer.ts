/**
 * Online training of a behaviour policy on a multi-agent MuJoCo task: SAC (`sac.ts`) on the
 * task's full state and joint action, one environment copy, one update per environment step
 * after a warm-up of uniformly random actions, whole episodes (so that every checkpoint falls
 * on an episode boundary and a resumed run continues exactly as an uninterrupted one would).
 *
 * Along the way the run keeps:
 * - every transition, in order (`replay.ts`), for the `medium-replay` tier;
 * - a log of the training episodes (step, return, length) and their seeds;
 * - snapshots of the actor every `snapshotEvery` steps, each evaluated on `snapshotEpisodes`
 *   episodes of its own (sampled actions, fixed seeds), from which the `medium` tier is chosen.
 *
 * @module
 */
import { z } from "zod";
import type { MultiAgentSpec, ReturnSummary } from "../dataset.ts";
import { decodeSafetensors, encodeSafetensors, metadataJson } from "../checkpoint/mod.ts";
import { OmigaError, parseOrExplain } from "../errors.ts";
import { episodeSeed } from "../envs/env.ts";
import { playEpisodes, summariseReturns } from "../envs/episodes.ts";
import { fullStateOf, MujocoEnv, mujocoSpec } from "../envs/mujoco/env.ts";
import { loadMujoco } from "../envs/mujoco/engine.ts";
import { MUJOCO_TASK_NAMES, MUJOCO_TASKS, type MujocoTaskName } from "../envs/mujoco/tasks.ts";
import type { Kernels } from "../kernels/mod.ts";
import { Rng, rngStateSchema } from "../rng.ts";
import { tf } from "../tf.ts";
import { BehaviourPolicy, jointToAgents, normals } from "./policy.ts";
import { ReplayBuffer } from "./replay.ts";
import {
  disposeSacState,
  initialSacState,
  SAC_LOSS_NAMES,
  sacAct,
  type SacConfig,
  sacConfigSchema,
  sacLayouts,
  type SacNetworks,
  sacNetworks,
  type SacState,
  sacUpdate,
} from "./sac.ts";

/** What a behaviour run trains: the task, the budget, the cadences and SAC's settings. */
export const behaviourSettingsSchema = z.object({
  env: z.enum(MUJOCO_TASK_NAMES),
  /** Environment steps to train for (whole episodes: the last one may run past it). */
  steps: z.number().int().min(1).max(10_000_000).default(200_000),
  /** Steps of uniformly random actions before the first update. */
  warmupSteps: z.number().int().min(1).max(1_000_000).default(5_000),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  /** Episode length limit of the task (the benchmark's 1,000). */
  timeLimit: z.number().int().min(1).max(100_000).default(1_000),
  sac: sacConfigSchema.default(sacConfigSchema.parse({})),
  snapshotEvery: z.number().int().min(1).max(10_000_000).default(5_000),
  snapshotEpisodes: z.number().int().min(1).max(1_000).default(5),
  checkpointEvery: z.number().int().min(1).max(10_000_000).default(10_000),
}).strict().superRefine((settings, ctx) => {
  if (settings.warmupSteps >= settings.steps) {
    ctx.addIssue({ code: "custom", path: ["warmupSteps"], message: "must be below steps" });
  }
});

/** A behaviour run's settings, complete. */
export type BehaviourSettings = z.output<typeof behaviourSettingsSchema>;

/** One finished training episode. */
export interface EpisodeRecord {
  /** Its index (its seed is `episodeSeed(trainingSeedStream(seed), index)`). */
  episode: number;
  /** The run's step count after it. */
  step: number;
  return: number;
  length: number;
}

/** An evaluated snapshot of the actor. */
export interface SnapshotRecord {
  step: number;
  /** Episodes completed before it was taken (its replay buffer holds exactly those). */
  episodes: number;
  evaluation: ReturnSummary;
}

/** What a behaviour run reports as it goes. */
export interface BehaviourProgress {
  step: number;
  total: number;
  stepsPerSecond: number;
  episodes: number;
  /** Mean return of the last 10 training episodes. */
  recentReturn: number;
  losses: Record<string, number>;
  snapshot?: SnapshotRecord;
}

/** The stream the training episodes' seeds come from (episode e: `episodeSeed(stream, e)`). */
export function trainingSeedStream(seed: number): number {
  return episodeSeed(seed, -3);
}

/** The seeds of a snapshot's evaluation episodes: fixed per run, the same for every snapshot. */
export function snapshotSeed(seed: number): number {
  return episodeSeed(seed, -4);
}

const CHECKPOINT_FORMAT = "omiga-behaviour-checkpoint";
const POLICY_FORMAT = "omiga-behaviour-policy";
const VERSION = "1";

/** Bytes that are not a behaviour checkpoint or policy this version reads. */
export class BehaviourFileError extends OmigaError {
  constructor(message: string, options?: ErrorOptions) {
    super("invalid_behaviour_file", message, options);
  }
}

/** A behaviour actor as a file: the task, SAC's settings (for the layout) and the weights. */
export interface BehaviourPolicyFile {
  env: MujocoTaskName;
  sac: SacConfig;
  step: number;
  actor: Float32Array;
}

/** Encodes a behaviour actor (safetensors, metadata as JSON strings). */
export function encodeBehaviourPolicy(file: BehaviourPolicyFile): Uint8Array {
  return encodeSafetensors({
    tensors: { actor: { data: file.actor, shape: [file.actor.length] } },
    metadata: {
      format: POLICY_FORMAT,
      version: VERSION,
      env: file.env,
      step: String(file.step),
      sac: JSON.stringify(file.sac),
    },
  });
}

/** `metadata[key]` checked by `schema`; a {@link BehaviourFileError} names what is not. */
function metadataEntry<T>(metadata: Record<string, string>, key: string, schema: z.ZodType<T>): T {
  return metadataJson(
    metadata,
    key,
    schema,
    (message, options) => new BehaviourFileError(message, options),
  );
}

const count = z.number().int().nonnegative();
const episodeRecordsSchema: z.ZodType<EpisodeRecord[]> = z.array(
  z.object({ episode: count, step: count, return: z.number(), length: count }),
);
const sacAdamStepsSchema = z.object({ actor: count, critic: count, logAlpha: count });
const returnSummarySchema: z.ZodType<ReturnSummary> = z.object({
  episodes: count,
  mean: z.number(),
  std: z.number(),
  ci95: z.tuple([z.number(), z.number()]),
  winRate: z.number().optional(),
});
const snapshotRecordsSchema: z.ZodType<SnapshotRecord[]> = z.array(
  z.object({ step: count, episodes: count, evaluation: returnSummarySchema }),
);
const lossesSchema = z.record(z.string(), z.number().nullable());

function readFile(bytes: Uint8Array, format: string) {
  let file;
  try {
    file = decodeSafetensors(bytes);
  } catch (error) {
    throw new BehaviourFileError((error as Error).message, { cause: error });
  }
  if (file.metadata.format !== format || file.metadata.version !== VERSION) {
    throw new BehaviourFileError(
      `expected a ${format} file of version ${VERSION}, got format ` +
        `${file.metadata.format} version ${file.metadata.version}`,
    );
  }
  const env = file.metadata.env;
  if (!(MUJOCO_TASK_NAMES as readonly string[]).includes(env)) {
    throw new BehaviourFileError(`metadata.env "${env}" is not a MuJoCo task`);
  }
  return file;
}

function f32(tensors: Record<string, { data: unknown }>, name: string): Float32Array {
  const data = tensors[name]?.data;
  if (!(data instanceof Float32Array)) throw new BehaviourFileError(`no F32 tensor "${name}"`);
  return data;
}

/** Decodes and checks a behaviour actor file. */
export function decodeBehaviourPolicy(bytes: Uint8Array): BehaviourPolicyFile {
  const file = readFile(bytes, POLICY_FORMAT);
  const sac = metadataEntry(file.metadata, "sac", sacConfigSchema);
  const env = file.metadata.env as MujocoTaskName;
  const actor = f32(file.tensors, "actor");
  const expected = sacLayouts(taskShape(env), sac).actor.size;
  if (actor.length !== expected) {
    throw new BehaviourFileError(`actor has ${actor.length} weights, its layout needs ${expected}`);
  }
  return { env, sac, step: metadataEntry(file.metadata, "step", count), actor };
}

/** The full-state width and joint-action width of a task. */
export function taskShape(env: MujocoTaskName): { stateDim: number; actionDim: number } {
  const task = MUJOCO_TASKS[env];
  return { stateDim: task.singleObsDim, actionDim: task.partition.reduce((a, b) => a + b, 0) };
}

/**
 * A policy over the multi-agent interface from a behaviour actor file; with `seed` it samples
 * (the tiers' data), without it acts with the mean action.
 */
export function behaviourPolicy(
  file: BehaviourPolicyFile,
  kernels: Kernels,
  seed?: number,
): { policy: BehaviourPolicy; dispose(): void } {
  const networks = sacNetworks(taskShape(file.env), file.sac, kernels);
  const actor = tf.tensor1d(file.actor);
  const policy = new BehaviourPolicy(
    mujocoSpec(file.env),
    MUJOCO_TASKS[file.env].partition,
    kernels,
    networks.layouts,
    actor,
    seed === undefined ? undefined : Rng.fromSeed(seed),
  );
  return { policy, dispose: () => actor.dispose() };
}

/** The SAC state's tensors by checkpoint name. */
function stateEntries(state: SacState): [string, tf.Tensor1D][] {
  const { adam } = state;
  return [
    ["actor", state.actor],
    ["critic", state.critic],
    ["critic_target", state.criticTarget],
    ["log_alpha", state.logAlpha],
    ["adam.actor.m", adam.actor.m],
    ["adam.actor.v", adam.actor.v],
    ["adam.critic.m", adam.critic.m],
    ["adam.critic.v", adam.critic.v],
    ["adam.log_alpha.m", adam.logAlpha.m],
    ["adam.log_alpha.v", adam.logAlpha.v],
  ];
}

/** A behaviour run: its networks, replay buffer, Rng and logs, advanced episode by episode. */
export class BehaviourRun {
  readonly spec: MultiAgentSpec;
  readonly partition: readonly number[];
  /** The full state's and the joint action's widths. */
  readonly shape: { stateDim: number; actionDim: number };
  readonly networks: SacNetworks;
  readonly replay: ReplayBuffer;
  readonly episodes: EpisodeRecord[];
  readonly snapshots: SnapshotRecord[];
  #state: SacState;
  #rng: Rng;
  #step: number;
  #losses: Record<string, number>;

  private constructor(
    readonly settings: BehaviourSettings,
    kernels: Kernels,
    parts: {
      state: SacState;
      rng: Rng;
      step: number;
      replay: ReplayBuffer;
      episodes: EpisodeRecord[];
      snapshots: SnapshotRecord[];
      losses: Record<string, number>;
    },
  ) {
    this.spec = mujocoSpec(settings.env);
    this.partition = MUJOCO_TASKS[settings.env].partition;
    this.shape = taskShape(settings.env);
    this.networks = sacNetworks(this.shape, settings.sac, kernels);
    this.#state = parts.state;
    this.#rng = parts.rng;
    this.#step = parts.step;
    this.replay = parts.replay;
    this.episodes = parts.episodes;
    this.snapshots = parts.snapshots;
    this.#losses = parts.losses;
  }

  /** A new run, or the one a checkpoint holds (its settings must be these). */
  static async open(
    settings: BehaviourSettings,
    kernels: Kernels,
    checkpoint?: Uint8Array,
  ): Promise<BehaviourRun> {
    await loadMujoco();
    const shape = taskShape(settings.env);
    if (checkpoint !== undefined) return BehaviourRun.#restore(settings, kernels, checkpoint);
    const rng = Rng.fromSeed(settings.seed);
    const layouts = sacLayouts(shape, settings.sac);
    const state = initialSacState(layouts, settings.sac, rng.fork());
    return new BehaviourRun(settings, kernels, {
      state,
      rng,
      step: 0,
      replay: new ReplayBuffer(
        settings.steps + settings.timeLimit,
        shape.stateDim,
        shape.actionDim,
      ),
      episodes: [],
      snapshots: [],
      losses: {},
    });
  }

  static #restore(settings: BehaviourSettings, kernels: Kernels, bytes: Uint8Array): BehaviourRun {
    const file = readFile(bytes, CHECKPOINT_FORMAT);
    const stored = metadataEntry(file.metadata, "settings", z.unknown());
    if (JSON.stringify(stored) !== JSON.stringify(settings)) {
      throw new BehaviourFileError(
        `the checkpoint was written by a run with other settings: ${JSON.stringify(stored)}`,
      );
    }
    const shape = taskShape(settings.env);
    const step = metadataEntry(file.metadata, "step", count);
    const episodes = metadataEntry(file.metadata, "episodes", episodeRecordsSchema);
    const size = metadataEntry(file.metadata, "replay_size", count);
    const terminal = file.tensors["replay.terminal"]?.data;
    if (!(terminal instanceof Uint8Array)) {
      throw new BehaviourFileError(`no U8 tensor "replay.terminal"`);
    }
    const replay = ReplayBuffer.restore(
      {
        state: f32(file.tensors, "replay.state"),
        action: f32(file.tensors, "replay.action"),
        reward: f32(file.tensors, "replay.reward"),
        terminal,
        nextState: f32(file.tensors, "replay.next_state"),
      },
      size,
      settings.steps + settings.timeLimit,
      shape.stateDim,
      shape.actionDim,
    );
    const adamSteps = metadataEntry(file.metadata, "adam_steps", sacAdamStepsSchema);
    const t = (name: string) => tf.tensor1d(f32(file.tensors, name));
    const state: SacState = {
      actor: t("actor"),
      critic: t("critic"),
      criticTarget: t("critic_target"),
      logAlpha: t("log_alpha"),
      adam: {
        actor: { m: t("adam.actor.m"), v: t("adam.actor.v"), step: adamSteps.actor },
        critic: { m: t("adam.critic.m"), v: t("adam.critic.v"), step: adamSteps.critic },
        logAlpha: {
          m: t("adam.log_alpha.m"),
          v: t("adam.log_alpha.v"),
          step: adamSteps.logAlpha,
        },
      },
    };
    return new BehaviourRun(settings, kernels, {
      state,
      rng: Rng.fromState(metadataEntry(file.metadata, "rng", rngStateSchema)),
      step,
      replay,
      episodes,
      snapshots: metadataEntry(file.metadata, "snapshots", snapshotRecordsSchema),
      // JSON writes a diverged loss (NaN) as null.
      losses: Object.fromEntries(
        Object.entries(metadataEntry(file.metadata, "losses", lossesSchema)).map((
          [name, value],
        ) => [name, value ?? Number.NaN]),
      ),
    });
  }

  /** Environment steps taken. */
  get step(): number {
    return this.#step;
  }

  /** Whether the run has taken its budget of steps. */
  get finished(): boolean {
    return this.#step >= this.settings.steps;
  }

  /** The whole state as bytes (deterministic: equal states give equal bytes). */
  checkpoint(): Uint8Array {
    const tensors: Record<string, { data: Float32Array | Uint8Array; shape: number[] }> = {};
    for (const [name, tensor] of stateEntries(this.#state)) {
      const data = tensor.dataSync() as Float32Array;
      tensors[name] = { data, shape: [data.length] };
    }
    const stored = this.replay.stored();
    const put = (name: string, data: Float32Array | Uint8Array) =>
      tensors[name] = { data, shape: [data.length] };
    put("replay.state", stored.state);
    put("replay.action", stored.action);
    put("replay.reward", stored.reward);
    put("replay.terminal", stored.terminal);
    put("replay.next_state", stored.nextState);
    const { adam } = this.#state;
    return encodeSafetensors({
      tensors,
      metadata: {
        format: CHECKPOINT_FORMAT,
        version: VERSION,
        env: this.settings.env,
        step: String(this.#step),
        replay_size: String(this.replay.size),
        settings: JSON.stringify(this.settings),
        rng: JSON.stringify(this.#rng.state()),
        adam_steps: JSON.stringify({
          actor: adam.actor.step,
          critic: adam.critic.step,
          logAlpha: adam.logAlpha.step,
        }),
        episodes: JSON.stringify(this.episodes),
        snapshots: JSON.stringify(this.snapshots),
        losses: JSON.stringify(this.#losses),
      },
    });
  }

  /** The current actor as a policy file. */
  policyFile(): BehaviourPolicyFile {
    return {
      env: this.settings.env,
      sac: this.settings.sac,
      step: this.#step,
      actor: (this.#state.actor.dataSync() as Float32Array).slice(),
    };
  }

  /** Evaluates the current actor (sampled actions) on the run's fixed snapshot episodes. */
  async evaluate(episodes = this.settings.snapshotEpisodes): Promise<ReturnSummary> {
    const policy = new BehaviourPolicy(
      this.spec,
      this.partition,
      this.networks.kernels,
      this.networks.layouts,
      this.#state.actor,
      Rng.fromSeed(snapshotSeed(this.settings.seed)),
    );
    const { env, timeLimit } = this.settings;
    const outcomes = await playEpisodes((n) => new MujocoEnv(env, n, { timeLimit }), policy, {
      episodes,
      seeds: [snapshotSeed(this.settings.seed)],
      maxBatch: 64,
    });
    return summariseReturns(outcomes.returns);
  }

  /** Frees the networks' tensors. */
  dispose(): void {
    disposeSacState(this.#state);
  }

  /**
   * Plays and learns from whole episodes until the budget is spent or `signal` aborts (then it
   * stops at the next episode boundary). After each episode: progress; a snapshot when one is
   * due (`onSnapshot` gets the actor file before the run records it); a checkpoint when one is
   * due or the budget is spent.
   */
  async train(hooks: {
    onProgress?: (progress: BehaviourProgress) => void;
    onSnapshot?: (snapshot: SnapshotRecord, policy: BehaviourPolicyFile) => Promise<void>;
    onCheckpoint?: (bytes: Uint8Array, step: number) => Promise<void>;
    signal?: AbortSignal;
  } = {}): Promise<"finished" | "aborted"> {
    const { settings } = this;
    const env = new MujocoEnv(settings.env, 1, { timeLimit: settings.timeLimit });
    const started = performance.now(), startStep = this.#step;
    let checkpointedAt = this.#step;
    try {
      while (!this.finished) {
        if (hooks.signal?.aborted) return "aborted";
        await this.#episode(env);
        const done = this.#step;
        const recent = this.episodes.slice(-10);
        const progress: BehaviourProgress = {
          step: done,
          total: settings.steps,
          stepsPerSecond: (done - startStep) / Math.max(1e-9, (performance.now() - started) / 1e3),
          episodes: this.episodes.length,
          recentReturn: recent.reduce((a, e) => a + e.return, 0) / recent.length,
          losses: { ...this.#losses },
        };
        const lastSnapshot = this.snapshots.at(-1)?.step ?? 0;
        if (done - lastSnapshot >= settings.snapshotEvery || this.finished) {
          const snapshot: SnapshotRecord = {
            step: done,
            episodes: this.episodes.length,
            evaluation: await this.evaluate(),
          };
          await hooks.onSnapshot?.(snapshot, this.policyFile());
          this.snapshots.push(snapshot);
          progress.snapshot = snapshot;
        }
        hooks.onProgress?.(progress);
        if (done - checkpointedAt >= settings.checkpointEvery || this.finished) {
          await hooks.onCheckpoint?.(this.checkpoint(), done);
          checkpointedAt = done;
        }
      }
      return "finished";
    } finally {
      env.dispose();
    }
  }

  /** One training episode: act (random during the warm-up), store, update once per step. */
  async #episode(env: MujocoEnv): Promise<void> {
    const { settings, spec, networks } = this;
    const { stateDim, actionDim } = this.shape;
    const index = this.episodes.length;
    const state = new Float32Array(stateDim), next = new Float32Array(stateDim);
    const joint = new Float32Array(actionDim);
    const agents = new Float32Array(spec.nAgents * spec.actDim);
    fullStateOf(
      env.reset([episodeSeed(trainingSeedStream(settings.seed), index)]).obs,
      spec,
      0,
      state,
    );
    let total = 0, length = 0;
    for (;;) {
      if (this.#step < settings.warmupSteps) {
        for (let k = 0; k < actionDim; k++) joint[k] = 2 * this.#rng.float() - 1;
      } else {
        const noise = normals(this.#rng, actionDim);
        const action = tf.tidy(() =>
          sacAct(
            networks.kernels,
            networks.layouts,
            this.#state.actor,
            tf.tensor2d(state, [1, stateDim]),
            tf.tensor2d(noise, [1, actionDim]),
          )
        );
        joint.set(action.dataSync() as Float32Array);
        action.dispose();
      }
      const outcome = env.step(jointToAgents(joint, this.partition, spec.actDim, agents));
      fullStateOf(outcome.obs, spec, 0, next);
      const reward = outcome.reward[0];
      this.replay.add(state, joint, reward, outcome.terminated[0] === 1, next);
      total += reward;
      length++;
      this.#step++;
      if (this.#step > settings.warmupSteps) await this.#update();
      if (outcome.terminated[0] || outcome.truncated[0]) break;
      state.set(next);
    }
    this.episodes.push({ episode: index, step: this.#step, return: total, length });
  }

  /** One SAC update on a batch drawn from the whole buffer. */
  async #update(): Promise<void> {
    const { networks, settings } = this;
    const { stateDim: S, actionDim: A } = this.shape;
    const B = settings.sac.batchSize;
    const sample = this.replay.sample(B, this.#rng);
    const nextNoise = normals(this.#rng, B * A);
    const currentNoise = normals(this.#rng, B * A);
    const batch = {
      state: tf.tensor2d(sample.state, [B, S]),
      action: tf.tensor2d(sample.action, [B, A]),
      reward: tf.tensor1d(sample.reward),
      mask: tf.tensor1d(sample.mask),
      nextState: tf.tensor2d(sample.nextState, [B, S]),
    };
    const noise = {
      next: tf.tensor2d(nextNoise, [B, A]),
      current: tf.tensor2d(currentNoise, [B, A]),
    };
    const { state, losses } = sacUpdate(networks, this.#state, batch, noise);
    tf.dispose([...Object.values(batch), noise.next, noise.current]);
    disposeSacState(this.#state);
    this.#state = state;
    // Reading the losses syncs; on the CPU backends the step has run by now anyway.
    if (this.#step % 1000 === 0 || this.#step === settings.steps) {
      const values = await losses.data();
      this.#losses = Object.fromEntries(SAC_LOSS_NAMES.map((name, i) => [name, values[i]]));
    }
    losses.dispose();
  }
}

/** Validates behaviour settings; a bad one is a {@link ValidationError} naming the field. */
export function parseBehaviourSettings(raw: unknown): BehaviourSettings {
  return parseOrExplain(behaviourSettingsSchema, raw, "behaviour", "(settings)");
}
