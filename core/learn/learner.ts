/**
 * The learner: a d3rlpy-like object with a few verbs (`create`, `step`, `fit`, `checkpoint`,
 * `fromCheckpoint`, `exportPolicy`) around any algorithm of `core/algorithms`. It owns the
 * algorithm's flat parameter vectors, their targets, the Adam states, the iteration count and
 * the {@link Rng} that initialised it and now draws its batches and every random value of a
 * step: the whole training state, which a checkpoint stores.
 *
 * @module
 */
import { tf } from "../tf.ts";
import { type MultiAgentSpec, specDifferences, type TransitionArrays } from "../dataset.ts";
import { ValidationError } from "../errors.ts";
import { Rng } from "../rng.ts";
import { type Kernels, kernelsFor } from "../kernels/mod.ts";
import { filledVectors } from "../kernels/heap.ts";
import { type AdamState, initialAdamState } from "../nn/adam.ts";
import { initialiseMlp } from "../nn/dense.ts";
import { algorithmOf } from "../algorithms/mod.ts";
import type { Model, ParameterGroup, StepShard, TrainingState } from "./algorithm.ts";
import type { Collective } from "./parallel/collective.ts";
import { Team } from "./parallel/team.ts";
import { parseTrainConfig, type TrainConfig, type TrainConfigInput } from "./config.ts";
import { BatchSampler, type TrainingBatch } from "./sampler.ts";
import {
  CheckpointError,
  decodeCheckpoint,
  encodeCheckpoint,
  type StateTensor,
  stateTensors,
} from "./checkpoint.ts";
import {
  exportPolicyHead,
  type LoadedPolicy,
  loadPolicy,
  type PolicyExport,
} from "./policy_export.ts";
import { disposeBatch, uploadBatch } from "./batch_tensors.ts";

/** The values of the latest step, by the algorithm's loss names (e.g. policy, q, v, weightEss). */
export type Losses = Record<string, number>;

/** Checks a spec that a learner is built for. */
export function validateSpec(spec: MultiAgentSpec): void {
  for (const key of ["nAgents", "obsDim", "stateDim", "actDim"] as const) {
    if (!Number.isInteger(spec[key]) || spec[key] < 1) {
      throw new ValidationError(`spec.${key} must be a positive integer, got ${spec[key]}`);
    }
  }
  if (spec.actionKind !== "continuous" && spec.actionKind !== "discrete") {
    throw new ValidationError(`spec.actionKind must be continuous or discrete`);
  }
  if (spec.actionKind === "discrete" && (!Number.isInteger(spec.nActions) || spec.nActions! < 2)) {
    throw new ValidationError(`spec.nActions must be an integer >= 2, got ${spec.nActions}`);
  }
}

/** The algorithm of `config` built for `spec`; refuses an action kind it does not cover. */
function buildModel(spec: MultiAgentSpec, config: TrainConfig, kernels: Kernels): Model {
  const definition = algorithmOf(config.algorithm);
  if (!definition.actionKinds.includes(spec.actionKind)) {
    throw new ValidationError(
      `${config.algorithm} covers ${definition.actionKinds.join(" and ")} actions only (as its ` +
        `reference implementation does); this dataset's actions are ${spec.actionKind}`,
    );
  }
  return definition.build(spec, config, kernels);
}

function initialValues(group: ParameterGroup, rng: Rng): Float32Array {
  const values = new Float32Array(group.size);
  if (group.initialise) group.initialise(values, rng);
  else for (const layout of group.layouts) initialiseMlp(layout, values, rng);
  return values;
}

/** Options of {@link Learner.create} and {@link Learner.fromCheckpoint}. */
export interface LearnerOptions {
  /** The kernels to run on; default the active backend's ({@link kernelsFor}). */
  kernels?: Kernels;
}

/** A learner; call {@link Learner.dispose} when done with it. */
export class Learner {
  readonly config: TrainConfig;
  readonly spec: MultiAgentSpec;
  readonly model: Model;
  readonly kernels: Kernels;
  /** The state's tensors in checkpoint order. */
  readonly stateTensors: StateTensor[];
  /** Completed training steps. */
  iteration: number;
  /** Initialisation, batch sampling and each step's random draws; part of the training state. */
  readonly rng: Rng;
  #state: TrainingState;
  #lastLosses?: tf.Tensor1D;
  /** The losses a restored checkpoint holds, until this learner takes a step of its own. */
  #restoredLosses?: Losses;
  #sampler?: { data: TransitionArrays; sampler: BatchSampler };
  #team?: Team;
  #shard?: { collective: Collective; data: TransitionArrays; context: StepShard };

  private constructor(
    config: TrainConfig,
    spec: MultiAgentSpec,
    model: Model,
    state: TrainingState,
    rng: Rng,
    iteration: number,
    kernels: Kernels,
    restoredLosses?: Losses,
  ) {
    this.config = config;
    this.spec = { ...spec };
    this.model = model;
    this.stateTensors = stateTensors(model.groups);
    this.#state = state;
    this.rng = rng;
    this.iteration = iteration;
    this.kernels = kernels;
    if (restoredLosses) this.#restoredLosses = { ...restoredLosses };
  }

  /**
   * A fresh learner for data of shape `spec`: the config is validated and defaulted; weights
   * are drawn from `Rng.fromSeed(config.seed)` (PyTorch's default `nn.Linear` initialisation)
   * group by group; targets start equal to the live networks.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Learner } from "./learner.ts";
   * import { tf } from "../tf.ts";
   * await tf.setBackend("cpu");
   * const spec = { nAgents: 2, obsDim: 3, stateDim: 3, actionKind: "continuous" as const, actDim: 1 };
   * const learner = Learner.create(spec, { hiddenSize: 8, seed: 1 });
   * assert.equal(learner.iteration, 0);
   * assert.equal(learner.config.algorithm, "omiga");
   * learner.dispose();
   * ```
   */
  static create(
    spec: MultiAgentSpec,
    config: TrainConfigInput = {},
    options: LearnerOptions = {},
  ): Learner {
    validateSpec(spec);
    const parsed = parseTrainConfig(config);
    const kernels = options.kernels ?? kernelsFor();
    const model = buildModel(spec, parsed, kernels);
    const rng = Rng.fromSeed(parsed.seed);
    const state: TrainingState = { live: {}, target: {}, adam: {} };
    for (const group of model.groups) {
      const values = initialValues(group, rng);
      state.live[group.name] = tf.tensor1d(values);
      if (group.target) state.target[group.name] = tf.tensor1d(values);
      state.adam[group.name] = initialAdamState(group.size);
    }
    return new Learner(parsed, spec, model, state, rng, 0, kernels);
  }

  /**
   * Restores a learner from {@link Learner.checkpoint} bytes; continuing it gives the same
   * weights, bit for bit, as a run that never stopped (same backend).
   */
  static fromCheckpoint(bytes: Uint8Array, options: LearnerOptions = {}): Learner {
    const content = decodeCheckpoint(bytes);
    const kernels = options.kernels ?? kernelsFor();
    let model: Model;
    try {
      validateSpec(content.spec);
      model = buildModel(content.spec, content.config, kernels);
    } catch (error) {
      // A spec or config that does not fit is the checkpoint's fault, not the caller's.
      if (!(error instanceof ValidationError)) throw error;
      throw new CheckpointError(error.message, { cause: error });
    }
    const table = stateTensors(model.groups);
    const expected = new Set(table.map((entry) => entry.name));
    for (const name of Object.keys(content.tensors)) {
      if (!expected.has(name)) throw new CheckpointError(`unexpected tensor "${name}"`);
    }
    // Every check before the first tensor is made, so that a refused checkpoint leaks none.
    const values = table.map((entry) => {
      const found = content.tensors[entry.name];
      if (found === undefined) throw new CheckpointError(`tensor "${entry.name}" is missing`);
      if (found.length !== entry.size) {
        throw new CheckpointError(
          `tensor "${entry.name}" has ${found.length} values, expected ${entry.size}`,
        );
      }
      return found;
    });
    const state: TrainingState = { live: {}, target: {}, adam: {} };
    for (const group of model.groups) {
      const step = content.adamSteps?.[group.name];
      if (!Number.isInteger(step) || step < 0) {
        throw new CheckpointError(`the Adam step count of "${group.name}" is missing`);
      }
      state.adam[group.name] = { step } as AdamState; // its moments come from the table
    }
    table.forEach((entry, i) => entry.set(state, tf.tensor1d(values[i])));
    return new Learner(
      content.config,
      content.spec,
      model,
      state,
      Rng.fromState(content.rng),
      content.iteration,
      kernels,
      content.losses,
    );
  }

  /** The whole training state as safetensors bytes (see `checkpoint.ts`). */
  async checkpoint(): Promise<Uint8Array> {
    const read = async (t: tf.Tensor) => new Float32Array(await t.data() as Float32Array);
    const values = await Promise.all(
      this.stateTensors.map((entry) => read(entry.get(this.#state))),
    );
    const losses = await this.losses();
    return encodeCheckpoint({
      config: this.config,
      spec: this.spec,
      iteration: this.iteration,
      rng: this.rng.state(),
      adamSteps: Object.fromEntries(
        this.model.groups.map((group) => [group.name, this.#state.adam[group.name].step]),
      ),
      tensors: Object.fromEntries(this.stateTensors.map((entry, i) => [entry.name, values[i]])),
      ...(losses ? { losses } : {}),
    });
  }

  /** The policy alone: safetensors weights plus the architecture JSON. */
  exportPolicy(): Promise<PolicyExport> {
    return exportPolicyHead(this.spec, this.model.policy, this.#state.live, this.config.algorithm);
  }

  /** The current policy as a {@link Policy} (a copy: later steps do not change it). */
  async policy(): Promise<LoadedPolicy> {
    const exported = await this.exportPolicy();
    return loadPolicy(exported.weights, exported.architecture);
  }

  /** The current training state (read-only use: checkpoints, export, tests). */
  get state(): TrainingState {
    return this.#state;
  }

  /** The team of {@link Learner.useThreads}, while there is one (read-only use: tests). */
  get team(): Team | undefined {
    return this.#team;
  }

  /** Threads taking each step: 1, or the size of the team of {@link Learner.useThreads}. */
  get threads(): number {
    return this.#shard?.collective.size ?? 1;
  }

  /**
   * Takes every later step on `threads` threads (this one and `threads - 1` helper Workers,
   * `parallel/team.ts`), each on its share of the batch drawn from `data`, the only data the
   * learner then trains on. Each thread count repeats itself bit for bit; different counts
   * agree to float32 rounding (the gradients are summed in another order). Refused for a model
   * that is not `shardable`, on a backend other than wasm or cpu, or with fewer transitions per
   * batch than threads.
   */
  async useThreads(threads: number, data: TransitionArrays): Promise<void> {
    if (!Number.isInteger(threads) || threads < 1) {
      throw new ValidationError(`threads must be an integer >= 1, got ${threads}`);
    }
    if (this.#shard) throw new ValidationError("the learner already trains on a team of threads");
    if (threads === 1) return;
    const refusal = this.threadsRefusal(threads);
    if (refusal !== undefined) throw new ValidationError(refusal);
    const backend = tf.getBackend();
    this.#checkData(data);
    const capacity = this.model.groups.reduce((n, group) => n + group.size, 0) + 64;
    this.#team = await Team.start({
      threads,
      backend,
      checkpoint: await this.checkpoint(),
      data,
      capacity,
    });
    this.joinTeam(this.#team.collective, data);
  }

  /** Why {@link Learner.useThreads} would refuse `threads` (> 1) threads, or undefined. */
  threadsRefusal(threads: number): string | undefined {
    const backend = tf.getBackend();
    if (!this.model.shardable) {
      const tape = "gradients" in this.config && this.config.gradients === "tape";
      return `${this.config.algorithm} trains on one thread only${
        tape ? " with gradients = tape" : ""
      }`;
    }
    if (backend !== "wasm" && backend !== "cpu") {
      return `threads apply to the CPU backends (wasm, cpu); this run is on ${backend}`;
    }
    if (this.config.batchSize < threads) {
      return `threads (${threads}) must not exceed the batch size (${this.config.batchSize})`;
    }
    return undefined;
  }

  /** Makes this learner one rank of a team (helpers call it; the trainer uses useThreads). */
  joinTeam(collective: Collective, data: TransitionArrays): void {
    const context: StepShard = {
      batchSize: this.config.batchSize,
      reduce: (tensors, value) => {
        let max = value;
        const sums = filledVectors(tensors, tensors.map((t) => t.size), (values, outputs) => {
          max = collective.reduce(values, value, outputs).max;
        });
        return { sums, max };
      },
    };
    this.#shard = { collective, data, context };
  }

  /**
   * Draws a batch from `data` with the learner's Rng; on a team of threads, this thread's
   * contiguous share of it (every thread draws the same indices).
   */
  sample(data: TransitionArrays): TrainingBatch {
    if (this.#sampler?.data !== data) {
      this.#checkData(data);
      this.#sampler = { data, sampler: new BatchSampler(data, this.config.batchSize) };
    }
    const { sampler } = this.#sampler;
    if (this.#shard === undefined) return sampler.sample(this.rng);
    const indices = sampler.sampleIndices(this.rng);
    const { rank, size } = this.#shard.collective;
    const share = (r: number) => Math.floor((r * indices.length) / size);
    return sampler.gather(indices.subarray(share(rank), share(rank + 1)));
  }

  /** One training step on a batch drawn from `data`, or on `batch` when given. */
  step(data: TransitionArrays | TrainingBatch): void {
    if (this.#shard && data !== this.#shard.data) {
      throw new ValidationError("a learner on a team of threads trains on the team's data only");
    }
    const batch = "spec" in data ? this.sample(data) : data;
    const uploaded = uploadBatch(batch, this.spec);
    try {
      const context = {
        kernels: this.kernels,
        rng: this.rng,
        iteration: this.iteration,
        shard: this.#shard?.context,
      };
      const next = this.model.step(this.#state, uploaded, context);
      const kept = new Set(this.stateTensors.map((entry) => entry.get(next.state)));
      tf.dispose(
        this.stateTensors.map((entry) => entry.get(this.#state)).filter((t) => !kept.has(t)),
      );
      this.#lastLosses?.dispose();
      this.#state = next.state;
      this.#lastLosses = next.losses;
      this.#restoredLosses = undefined;
      this.iteration += 1;
    } finally {
      disposeBatch(uploaded);
    }
  }

  /** `iterations` steps on batches from `data`. */
  fit(data: TransitionArrays, iterations: number): void {
    for (let i = 0; i < iterations; i++) this.step(data);
  }

  /**
   * The latest step's values (one read-back), or undefined before the first step. A learner
   * restored from a checkpoint answers with the losses the checkpoint holds until it steps.
   */
  async losses(): Promise<Losses | undefined> {
    if (this.#lastLosses === undefined) {
      return this.#restoredLosses ? { ...this.#restoredLosses } : undefined;
    }
    const values = await this.#lastLosses.data();
    return Object.fromEntries(this.model.lossNames.map((name, i) => [name, values[i]]));
  }

  /** Frees every tensor the learner holds, and stops its team of threads. */
  dispose(): void {
    this.#team?.stop();
    this.#team = undefined;
    tf.dispose(this.stateTensors.map((entry) => entry.get(this.#state)));
    this.#lastLosses?.dispose();
    this.#lastLosses = undefined;
  }

  #checkData(data: TransitionArrays): void {
    const [key] = specDifferences(this.spec, data.spec);
    if (key !== undefined) {
      throw new ValidationError(
        `training data has spec.${key} = ${data.spec[key]}, but the learner was built for ${
          this.spec[key]
        }`,
      );
    }
  }
}
