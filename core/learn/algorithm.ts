/**
 * What an offline algorithm is to the trainer: a typed config (zod, the reference's defaults),
 * the flat parameter vectors it trains ({@link ParameterGroup}: one optimiser each, with or
 * without a soft-updated target), the losses it reports, the policy it exports, and one
 * training step. The learner (`learner.ts`) owns everything else: initialisation, the Rng,
 * batches, checkpoints, export. Each algorithm is one file in `core/algorithms`, documented in
 * docs/algorithms.md.
 *
 * @module
 */
import type { z } from "zod";
import type { tf } from "../tf.ts";
import type { ActionKind, MultiAgentSpec } from "../dataset.ts";
import type { Rng } from "../rng.ts";
import type { Kernels } from "../kernels/mod.ts";
import type { AdamState } from "../nn/adam.ts";
import type { MlpLayout } from "../nn/dense.ts";
import type { BatchTensors } from "./batch_tensors.ts";

/**
 * One flat parameter vector with its own Adam optimiser. Checkpoints name its tensors `name`,
 * `name_target` (when it has a target) and `adam.name.m`, `adam.name.v`.
 */
export interface ParameterGroup {
  name: string;
  /** The networks in the vector, each at its layout's offset. */
  layouts: MlpLayout[];
  /** Values in the vector (the layouts' sizes, plus any raw values after them). */
  size: number;
  /** Whether a soft-updated target copy exists. */
  target: boolean;
  learningRate: number;
  /**
   * Fills the initial values. Default: PyTorch's `nn.Linear` initialisation of each layout in
   * order, drawn from the learner's Rng.
   */
  initialise?: (params: Float32Array, rng: Rng) => void;
}

/** The live vectors, their targets and the Adam states, by group name. */
export interface TrainingState {
  live: Record<string, tf.Tensor1D>;
  target: Record<string, tf.Tensor1D>;
  adam: Record<string, AdamState>;
}

/** What a step may use besides the state and the batch. */
export interface StepContext {
  kernels: Kernels;
  /** The learner's Rng: every random draw of a step (noise, sampled actions) comes from it. */
  rng: Rng;
  /** Steps completed before this one. */
  iteration: number;
  /**
   * Present when a team of threads takes the step together (`parallel/team.ts`): `batch` is
   * then this thread's share of the whole batch. Only a model with `shardable` gets one.
   */
  shard?: StepShard;
}

/**
 * What a step taken by a team of threads reads across threads. Every thread holds the same
 * parameters and a contiguous share of the batch; means over the batch divide by the whole
 * batch's size, and the gradients are summed before the (identical) updates.
 */
export interface StepShard {
  /** Transitions in the whole batch. */
  batchSize: number;
  /**
   * In one meeting of the threads: the element-wise sums of every thread's tensors (alike in
   * shapes), the same bits on each, and the largest of every thread's `value`.
   */
  reduce(tensors: tf.Tensor1D[], value: number): { sums: tf.Tensor1D[]; max: number };
}

/** How the exported policy turns its network's output into actions. */
export type PolicyOutput =
  /** [mean | log-std] -> tanh(clamp(mean, +-meanLimit)); no clamp when meanLimit is null. */
  | { kind: "tanh_gaussian_mean"; meanLimit: number | null }
  /** A deterministic actor: tanh(output). */
  | { kind: "tanh" }
  /** Logits or Q-values: the argmax over available actions. */
  | { kind: "categorical_argmax" }
  /**
   * BCQ's acting rule (sfujim/BCQ, `select_action`), over three networks: the main MLP is the
   * perturbation actor, {@link PolicyHead.extra} adds `decoder` (the VAE's) and `q1` (the first
   * critic). Per agent, x = [obs | id]: `candidates` latents z ~ N(0, 1) clipped to
   * +-latentClip, drawn from an Rng seeded `seed` that the loaded policy holds (so a freshly
   * loaded policy repeats its draws); d = maxAction tanh(decoder([x | z])); c = clip(d + phi
   * maxAction tanh(actor([x | d])), +-maxAction); the action is the c of the largest q1([x | c]).
   */
  | {
    kind: "bcq_candidates";
    candidates: number;
    latentDim: number;
    latentClip: number;
    phi: number;
    maxAction: number;
    seed: number;
  };

/** A further MLP of a composite policy: its role, the group it sits in, its layout there. */
export interface PolicyNetwork {
  name: string;
  group: string;
  layout: MlpLayout;
}

/**
 * The exported policy: one MLP of one group and its output rule, plus the further networks a
 * composite rule reads (`extra`, e.g. BCQ's decoder and critic).
 */
export interface PolicyHead {
  group: string;
  layout: MlpLayout;
  output: PolicyOutput;
  extra?: PolicyNetwork[];
}

/** An algorithm built for one data shape and config. */
export interface Model {
  groups: ParameterGroup[];
  /** Names of the values `step` returns, in order (losses, and diagnostics such as weightEss). */
  lossNames: readonly string[];
  policy: PolicyHead;
  /**
   * Whether `step` can be taken by a team of threads (it reads {@link StepContext.shard}). A
   * model without it trains on one thread.
   */
  shardable?: boolean;
  /**
   * One training step. Returns the state after it (a group it does not update keeps its
   * tensors; the learner disposes the replaced ones) and the values named by `lossNames`.
   */
  step(
    state: TrainingState,
    batch: BatchTensors,
    context: StepContext,
  ): { state: TrainingState; losses: tf.Tensor1D };
}

/** Common fields of every algorithm's config. */
export interface BaseConfig {
  algorithm: string;
  seed: number;
  batchSize: number;
  gamma: number;
  tau: number;
  gradClip: number;
  adamBeta1: number;
  adamBeta2: number;
  adamEps: number;
}

/** An algorithm: its names, what it covers, its config and how to build it. */
export interface AlgorithmDefinition<Config extends BaseConfig = BaseConfig> {
  /** The names it answers to (`--algorithm`); variants share one definition. */
  names: readonly string[];
  /** One line for help texts. */
  summary: string;
  /** The action kinds its reference covers; others are refused. */
  actionKinds: readonly ActionKind[];
  schema: z.ZodType<Config>;
  /** Whether it has OMIGA's regularisation temperature `alpha` (the sweeps' alpha axis). */
  hasAlpha(name: string): boolean;
  /** The model for data of shape `spec`, its steps on `kernels`. */
  build(spec: MultiAgentSpec, config: Config, kernels: Kernels): Model;
}
