/**
 * The OMIGA learner: a d3rlpy-like object with a few verbs (`create`, `step`, `fit`,
 * `checkpoint`, `fromCheckpoint`, `exportPolicy`). It owns the networks' flat parameters, their
 * targets, the three Adam states, the iteration count and the {@link Rng} that initialised it and
 * now draws its batches: the whole training state, which a checkpoint stores.
 *
 * @module
 */
import { tf } from "../tf.ts";
import type { MultiAgentSpec, TransitionArrays } from "../dataset.ts";
import { ValidationError } from "../errors.ts";
import { Rng } from "../rng.ts";
import { initialAdamState } from "./adam.ts";
import { type OmigaConfig, type OmigaConfigInput, parseOmigaConfig } from "./config.ts";
import { initialParameters, type OmigaArchitecture, omigaLayouts } from "./networks.ts";
import { BatchSampler, type TrainingBatch } from "./sampler.ts";
import {
  CHECKPOINT_TENSORS,
  CheckpointError,
  type CheckpointTensorName,
  decodeCheckpoint,
  encodeCheckpoint,
} from "./checkpoint.ts";
import { encodePolicy, type LoadedPolicy, loadPolicy, type PolicyExport } from "./policy_export.ts";
import { disposeBatch, uploadBatch } from "./batch_tensors.ts";
import { OmigaNetworks } from "./forward.ts";
import { omigaStep, trainingTensorList, type TrainingTensors } from "./update.ts";

/** The three losses of the latest step, read back from the backend. */
export interface OmigaLosses {
  policy: number;
  q: number;
  v: number;
  /**
   * Not a loss: the effective sample size of the policy loss's weights exp(z), as a fraction of
   * the batch's samples. Near 1, OMIGA's weights hardly differ and it steps as BC does (alpha
   * too large for the advantages); it falls as the critics tell samples apart.
   */
  weightEss: number;
}

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

/** An OMIGA learner; call {@link OmigaLearner.dispose} when done with it. */
export class OmigaLearner {
  readonly config: OmigaConfig;
  readonly architecture: OmigaArchitecture;
  readonly networks: OmigaNetworks;
  /** Completed training steps. */
  iteration: number;
  /** Initialisation and batch sampling; part of the training state. */
  readonly rng: Rng;
  #tensors: TrainingTensors;
  #lastLosses?: tf.Tensor1D;
  #sampler?: { data: TransitionArrays; sampler: BatchSampler };

  /** @internal use {@link OmigaLearner.create} or {@link OmigaLearner.fromCheckpoint}. */
  constructor(
    config: OmigaConfig,
    spec: MultiAgentSpec,
    tensors: TrainingTensors,
    rng: Rng,
    iteration: number,
  ) {
    this.config = config;
    this.architecture = {
      spec: { ...spec },
      algorithm: config.algorithm,
      hiddenSize: config.hiddenSize,
      mixerHiddenSize: config.mixerHiddenSize,
    };
    this.networks = new OmigaNetworks(spec, omigaLayouts(this.architecture));
    this.#tensors = tensors;
    this.rng = rng;
    this.iteration = iteration;
  }

  /**
   * A fresh learner for data of shape `spec`: the config is validated and defaulted; weights
   * are drawn from `Rng.fromSeed(config.seed)` (PyTorch's default `nn.Linear` initialisation);
   * targets start equal to the live networks.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { OmigaLearner } from "./learner.ts";
   * import { tf } from "../tf.ts";
   * await tf.setBackend("cpu");
   * const spec = { nAgents: 2, obsDim: 3, stateDim: 3, actionKind: "continuous" as const, actDim: 1 };
   * const learner = OmigaLearner.create(spec, { hiddenSize: 8, seed: 1 });
   * assert.equal(learner.iteration, 0);
   * learner.dispose();
   * ```
   */
  static create(spec: MultiAgentSpec, config: OmigaConfigInput = {}): OmigaLearner {
    validateSpec(spec);
    const parsed = parseOmigaConfig(config);
    const rng = Rng.fromSeed(parsed.seed);
    const architecture = {
      spec,
      algorithm: parsed.algorithm,
      hiddenSize: parsed.hiddenSize,
      mixerHiddenSize: parsed.mixerHiddenSize,
    };
    const layouts = omigaLayouts(architecture);
    const initial = initialParameters(layouts, rng);
    const tensors: TrainingTensors = {
      live: {
        policy: tf.tensor1d(initial.policy),
        critic: tf.tensor1d(initial.critic),
        value: tf.tensor1d(initial.value),
      },
      criticTarget: tf.tensor1d(initial.critic),
      valueTarget: tf.tensor1d(initial.value),
      adam: {
        policy: initialAdamState(layouts.sizes.policy),
        critic: initialAdamState(layouts.sizes.critic),
        value: initialAdamState(layouts.sizes.value),
      },
    };
    return new OmigaLearner(parsed, spec, tensors, rng, 0);
  }

  /**
   * Restores a learner from {@link OmigaLearner.checkpoint} bytes; continuing it gives the same
   * weights, bit for bit, as a run that never stopped (same backend).
   */
  static fromCheckpoint(bytes: Uint8Array): OmigaLearner {
    const content = decodeCheckpoint(bytes);
    validateSpec(content.spec);
    const architecture = {
      spec: content.spec,
      algorithm: content.config.algorithm,
      hiddenSize: content.config.hiddenSize,
      mixerHiddenSize: content.config.mixerHiddenSize,
    };
    const { sizes } = omigaLayouts(architecture);
    const expected: Record<CheckpointTensorName, number> = {
      policy: sizes.policy,
      critic: sizes.critic,
      value: sizes.value,
      critic_target: sizes.critic,
      value_target: sizes.value,
      "adam.policy.m": sizes.policy,
      "adam.policy.v": sizes.policy,
      "adam.critic.m": sizes.critic,
      "adam.critic.v": sizes.critic,
      "adam.value.m": sizes.value,
      "adam.value.v": sizes.value,
    };
    for (const name of CHECKPOINT_TENSORS) {
      if (content.tensors[name].length !== expected[name]) {
        throw new CheckpointError(
          `tensor "${name}" has ${content.tensors[name].length} values, expected ${expected[name]}`,
        );
      }
    }
    const t = (name: CheckpointTensorName) => tf.tensor1d(content.tensors[name]);
    const tensors: TrainingTensors = {
      live: { policy: t("policy"), critic: t("critic"), value: t("value") },
      criticTarget: t("critic_target"),
      valueTarget: t("value_target"),
      adam: {
        policy: { m: t("adam.policy.m"), v: t("adam.policy.v"), step: content.adamSteps.policy },
        critic: { m: t("adam.critic.m"), v: t("adam.critic.v"), step: content.adamSteps.critic },
        value: { m: t("adam.value.m"), v: t("adam.value.v"), step: content.adamSteps.value },
      },
    };
    return new OmigaLearner(
      content.config,
      content.spec,
      tensors,
      Rng.fromState(content.rng),
      content.iteration,
    );
  }

  /** The whole training state as safetensors bytes (see `checkpoint.ts`). */
  async checkpoint(): Promise<Uint8Array> {
    const { live, adam, criticTarget, valueTarget } = this.#tensors;
    const read = async (t: tf.Tensor) => new Float32Array(await t.data() as Float32Array);
    const values = await Promise.all([
      live.policy,
      live.critic,
      live.value,
      criticTarget,
      valueTarget,
      adam.policy.m,
      adam.policy.v,
      adam.critic.m,
      adam.critic.v,
      adam.value.m,
      adam.value.v,
    ].map(read));
    return encodeCheckpoint({
      config: this.config,
      spec: this.architecture.spec,
      iteration: this.iteration,
      rng: this.rng.state(),
      adamSteps: { policy: adam.policy.step, critic: adam.critic.step, value: adam.value.step },
      tensors: Object.fromEntries(
        CHECKPOINT_TENSORS.map((name, i) => [name, values[i]]),
      ) as Record<CheckpointTensorName, Float32Array>,
    });
  }

  /** The policy alone: safetensors weights plus the architecture JSON. */
  async exportPolicy(): Promise<PolicyExport> {
    const params = new Float32Array(await this.#tensors.live.policy.data() as Float32Array);
    return encodePolicy(this.architecture.spec, this.networks.layouts.policy, params);
  }

  /** The current policy as a {@link Policy} (a copy: later steps do not change it). */
  async policy(): Promise<LoadedPolicy> {
    const exported = await this.exportPolicy();
    return loadPolicy(exported.weights, exported.architecture);
  }

  /** The current training tensors (read-only use: checkpoints, export, tests). */
  get tensors(): TrainingTensors {
    return this.#tensors;
  }

  /** Draws a batch from `data` with the learner's Rng. */
  sample(data: TransitionArrays): TrainingBatch {
    if (this.#sampler?.data !== data) {
      this.#checkData(data);
      this.#sampler = { data, sampler: new BatchSampler(data, this.config.batchSize) };
    }
    return this.#sampler.sampler.sample(this.rng);
  }

  /** One training step on a batch drawn from `data`, or on `batch` when given. */
  step(data: TransitionArrays | TrainingBatch): void {
    const batch = "spec" in data ? this.sample(data) : data;
    const uploaded = uploadBatch(batch, this.architecture.spec);
    try {
      const next = omigaStep(this.networks, this.#tensors, uploaded, this.config);
      tf.dispose(trainingTensorList(this.#tensors));
      this.#lastLosses?.dispose();
      this.#tensors = next.state;
      this.#lastLosses = next.losses;
      this.iteration += 1;
    } finally {
      disposeBatch(uploaded);
    }
  }

  /** `iterations` steps on batches from `data`. */
  fit(data: TransitionArrays, iterations: number): void {
    for (let i = 0; i < iterations; i++) this.step(data);
  }

  /** The latest step's losses (one read-back), or undefined before the first step. */
  async losses(): Promise<OmigaLosses | undefined> {
    if (this.#lastLosses === undefined) return undefined;
    const [policy, q, v, weightEss] = await this.#lastLosses.data();
    return { policy, q, v, weightEss };
  }

  /** Frees every tensor the learner holds. */
  dispose(): void {
    tf.dispose(trainingTensorList(this.#tensors));
    this.#lastLosses?.dispose();
    this.#lastLosses = undefined;
  }

  #checkData(data: TransitionArrays): void {
    const mine = this.architecture.spec;
    const theirs = data.spec;
    for (
      const key of ["nAgents", "obsDim", "stateDim", "actDim", "actionKind", "nActions"] as const
    ) {
      if (mine[key] !== theirs[key]) {
        throw new ValidationError(
          `training data has spec.${key} = ${theirs[key]}, but the learner was built for ${
            mine[key]
          }`,
        );
      }
    }
  }
}
