/**
 * OMIGA training checkpoints: the whole training state in one safetensors file. Tensors: the
 * live and target flat parameter vectors and the Adam moments. `__metadata__` (strings, as the
 * format asks): format, version, iteration, the Rng state, the config, the data spec and the
 * Adam step counts, each as JSON.
 *
 * @module
 */
import type { MultiAgentSpec } from "../dataset.ts";
import { OmigaError } from "../errors.ts";
import type { RngState } from "../rng.ts";
import { decodeSafetensors, encodeSafetensors, writeFileAtomic } from "../checkpoint/mod.ts";
import { type OmigaConfig, parseOmigaConfig } from "./config.ts";

/** Bytes that are not an OMIGA checkpoint this version can resume. */
export class CheckpointError extends OmigaError {
  constructor(message: string, options?: ErrorOptions) {
    super("invalid_checkpoint", `cannot resume from this checkpoint: ${message}`, options);
  }
}

/** The names of the flat vectors a checkpoint holds. */
export const CHECKPOINT_TENSORS = [
  "policy",
  "critic",
  "value",
  "critic_target",
  "value_target",
  "adam.policy.m",
  "adam.policy.v",
  "adam.critic.m",
  "adam.critic.v",
  "adam.value.m",
  "adam.value.v",
] as const;

/** One of {@link CHECKPOINT_TENSORS}. */
export type CheckpointTensorName = typeof CHECKPOINT_TENSORS[number];

/** The training state as plain data. */
export interface CheckpointContent {
  config: OmigaConfig;
  spec: MultiAgentSpec;
  iteration: number;
  rng: RngState;
  adamSteps: { policy: number; critic: number; value: number };
  tensors: Record<CheckpointTensorName, Float32Array>;
}

const FORMAT = "omiga-checkpoint";
const VERSION = "1";

/** Encodes a checkpoint (deterministic: equal states give equal bytes). */
export function encodeCheckpoint(content: CheckpointContent): Uint8Array {
  const tensors = Object.fromEntries(
    CHECKPOINT_TENSORS.map((name) => {
      const data = content.tensors[name];
      return [name, { data, shape: [data.length] }];
    }),
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
    },
  });
}

/** Decodes and checks a checkpoint; a {@link CheckpointError} says what is wrong. */
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
  const json = (key: string) => {
    try {
      return JSON.parse(metadata[key]);
    } catch {
      throw new CheckpointError(`metadata.${key} is missing or not JSON`);
    }
  };
  const tensors = {} as Record<CheckpointTensorName, Float32Array>;
  for (const name of CHECKPOINT_TENSORS) {
    const tensor = file.tensors[name];
    if (!(tensor?.data instanceof Float32Array)) {
      throw new CheckpointError(`tensor "${name}" is missing or not F32`);
    }
    tensors[name] = tensor.data;
  }
  const iteration = Number(metadata.iteration);
  if (!Number.isInteger(iteration) || iteration < 0) {
    throw new CheckpointError(`metadata.iteration "${metadata.iteration}" is not a count`);
  }
  return {
    config: parseOmigaConfig(json("config")),
    spec: json("spec"),
    iteration,
    rng: json("rng"),
    adamSteps: json("adam_steps"),
    tensors,
  };
}

/**
 * Writes checkpoint bytes to `path` atomically (temp file, fsync, rename).
 *
 * @example
 * ```ts
 * import { writeCheckpointFile } from "./checkpoint.ts";
 * const path = await Deno.makeTempFile({ suffix: ".safetensors" });
 * await writeCheckpointFile(path, new Uint8Array(8));
 * ```
 */
export async function writeCheckpointFile(path: string, bytes: Uint8Array): Promise<void> {
  await writeFileAtomic(path, bytes);
}
