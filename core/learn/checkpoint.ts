/**
 * Training checkpoints: the whole training state in one safetensors file. Tensors: each
 * algorithm's live and target flat parameter vectors and the Adam moments
 * ({@link stateTensors}). `__metadata__` (strings, as the format asks): format, version,
 * iteration, the Rng state, the config (with its algorithm), the data spec, the Adam step
 * counts and, once a step has run, that step's losses (non-finite values as the strings "NaN",
 * "Infinity", "-Infinity"), each as JSON. Checkpoints written before the losses were kept read
 * as having none.
 *
 * @module
 */
import type { MultiAgentSpec } from "../dataset.ts";
import { z } from "zod";
import { OmigaError } from "../errors.ts";
import { type RngState, rngStateSchema } from "../rng.ts";
import {
  decodeSafetensors,
  encodeSafetensors,
  metadataJson,
  writeFileAtomic,
} from "../checkpoint/mod.ts";
import type { tf } from "../tf.ts";
import type { ParameterGroup, TrainingState } from "./algorithm.ts";
import { parseTrainConfig, type TrainConfig } from "./config.ts";
import { specSchema } from "./shapes.ts";

/** Bytes that are not an OMIGA checkpoint this version can resume. */
export class CheckpointError extends OmigaError {
  constructor(message: string, options?: ErrorOptions) {
    super("invalid_checkpoint", `cannot resume from this checkpoint: ${message}`, options);
  }
}

/** One tensor of a training state: its checkpoint name, where it lives, its length. */
export interface StateTensor {
  name: string;
  get(state: TrainingState): tf.Tensor1D;
  /** Puts `tensor` in its place of `state` (an Adam moment: into the group's existing state). */
  set(state: TrainingState, tensor: tf.Tensor1D): void;
  size: number;
}

/**
 * The tensors of a training state over `groups`, in checkpoint order: every live vector, every
 * target, then each group's Adam moments (`adam.<group>.m`, `adam.<group>.v`).
 */
export function stateTensors(groups: ParameterGroup[]): StateTensor[] {
  return [
    ...groups.map((g) => ({
      name: g.name,
      get: (s: TrainingState) => s.live[g.name],
      set: (s: TrainingState, t: tf.Tensor1D) => void (s.live[g.name] = t),
      size: g.size,
    })),
    ...groups.filter((g) => g.target).map((g) => ({
      name: `${g.name}_target`,
      get: (s: TrainingState) => s.target[g.name],
      set: (s: TrainingState, t: tf.Tensor1D) => void (s.target[g.name] = t),
      size: g.size,
    })),
    ...groups.flatMap((g) =>
      (["m", "v"] as const).map((moment) => ({
        name: `adam.${g.name}.${moment}`,
        get: (s: TrainingState) => s.adam[g.name][moment],
        set: (s: TrainingState, t: tf.Tensor1D) => void (s.adam[g.name][moment] = t),
        size: g.size,
      }))
    ),
  ];
}

/** The training state as plain data. */
export interface CheckpointContent {
  config: TrainConfig;
  spec: MultiAgentSpec;
  iteration: number;
  rng: RngState;
  /** Completed Adam steps per group. */
  adamSteps: Record<string, number>;
  /** By {@link StateTensor} name. */
  tensors: Record<string, Float32Array>;
  /** The losses of the step that reached `iteration`; absent before the first step. */
  losses?: Record<string, number>;
}

const FORMAT = "omiga-checkpoint";
const VERSION = "1";

/** Encodes a checkpoint (deterministic: equal states give equal bytes). */
export function encodeCheckpoint(content: CheckpointContent): Uint8Array {
  const tensors = Object.fromEntries(
    Object.entries(content.tensors).map(([name, data]) => [name, { data, shape: [data.length] }]),
  );
  return encodeSafetensors({
    tensors,
    metadata: {
      format: FORMAT,
      version: VERSION,
      iteration: String(content.iteration),
      rng: JSON.stringify(content.rng),
      config: JSON.stringify(content.config),
      spec: JSON.stringify(content.spec),
      adam_steps: JSON.stringify(content.adamSteps),
      ...(content.losses ? { losses: JSON.stringify(encodeLosses(content.losses)) } : {}),
    },
  });
}

const count = z.number().int().nonnegative();

const adamStepsSchema = z.record(z.string(), count);

/** JSON has no NaN or infinities; a diverged step's losses keep them as strings. */
const NON_FINITE = ["NaN", "Infinity", "-Infinity"] as const;
const lossesSchema = z.record(z.string(), z.union([z.number(), z.enum(NON_FINITE)]));

function encodeLosses(losses: Record<string, number>): Record<string, number | string> {
  return Object.fromEntries(
    Object.entries(losses).map((
      [name, value],
    ) => [name, Number.isFinite(value) ? value : String(value)]),
  );
}

/**
 * Decodes and checks a checkpoint; a {@link CheckpointError} says what is wrong. The bytes are
 * untrusted: every metadata entry is parsed against its schema (the config against its
 * algorithm's), so nothing ill-typed reaches the learner.
 */
export function decodeCheckpoint(bytes: Uint8Array): CheckpointContent {
  let file;
  try {
    file = decodeSafetensors(bytes);
  } catch (error) {
    throw new CheckpointError((error as Error).message, { cause: error });
  }
  const { metadata } = file;
  if (metadata.format !== FORMAT) {
    throw new CheckpointError(`metadata.format is ${metadata.format}, expected ${FORMAT}`);
  }
  if (metadata.version !== VERSION) {
    throw new CheckpointError(`version ${metadata.version}, this code reads ${VERSION}`);
  }
  const json = <T>(key: string, parse: z.ZodType<T> | ((raw: unknown) => T)): T =>
    metadataJson(metadata, key, parse, (message, options) => new CheckpointError(message, options));
  const tensors: Record<string, Float32Array> = {};
  for (const [name, tensor] of Object.entries(file.tensors)) {
    if (!(tensor.data instanceof Float32Array)) {
      throw new CheckpointError(`tensor "${name}" is not F32`);
    }
    tensors[name] = tensor.data;
  }
  const iteration = Number(metadata.iteration);
  if (!/^\d+$/.test(metadata.iteration ?? "") || !Number.isSafeInteger(iteration)) {
    throw new CheckpointError(`metadata.iteration "${metadata.iteration}" is not a count`);
  }
  return {
    config: json("config", parseTrainConfig),
    spec: json("spec", specSchema),
    iteration,
    rng: json("rng", rngStateSchema),
    adamSteps: json("adam_steps", adamStepsSchema),
    tensors,
    ...(metadata.losses === undefined ? {} : {
      losses: Object.fromEntries(
        Object.entries(json("losses", lossesSchema)).map(([name, value]) => [name, Number(value)]),
      ),
    }),
  };
}

/**
 * Writes checkpoint bytes to `path` atomically (temp file, fsync, rename).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeCheckpointFile } from "./checkpoint.ts";
 * const path = await Deno.makeTempFile({ suffix: ".safetensors" });
 * await writeCheckpointFile(path, new Uint8Array(8));
 * assert.equal((await Deno.readFile(path)).length, 8);
 * ```
 */
export async function writeCheckpointFile(path: string, bytes: Uint8Array): Promise<void> {
  await writeFileAtomic(path, bytes);
}
