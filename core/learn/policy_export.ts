/**
 * Policy export: the policy network's weights alone as safetensors (one `[in, out]` weight and
 * one bias per layer, readable by any safetensors reader) plus a small JSON that describes the
 * architecture, and a loader that turns the two back into a {@link Policy}.
 *
 * Inference, per agent: x = [obs | one-hot agent id]; h = relu(x W0 + b0); h = relu(h W1 + b1);
 * out = h W2 + b2; then by `output.kind`: `tanh_gaussian_mean` (out = [mean | log-std], action
 * = tanh(clamp(mean, +-meanLimit)), no clamp when meanLimit is null), `tanh` (a deterministic
 * actor: action = tanh(out)) or `categorical_argmax` (logits or Q-values: the argmax over
 * available actions).
 *
 * @module
 */
import { tf } from "../tf.ts";
import type { MultiAgentSpec } from "../dataset.ts";
import { OmigaError, ValidationError } from "../errors.ts";
import type { Policy } from "../policy.ts";
import { decodeSafetensors, encodeSafetensors } from "../checkpoint/mod.ts";
import { kernelsFor } from "../kernels/mod.ts";
import { mlpForward, type MlpLayout, mlpLayout } from "../nn/dense.ts";
import { greedyDiscreteAction } from "../nn/distributions.ts";
import type { PolicyOutput } from "./algorithm.ts";

/** The architecture JSON that travels with exported weights. */
export interface PolicyArchitecture {
  format: "omiga-policy";
  version: 1;
  spec: MultiAgentSpec;
  /** The input is the observation followed by the one-hot agent id. */
  input: "obs+agent_id";
  /** Widths `[in, hidden, hidden, out]`. */
  widths: number[];
  /** Tensor names per layer; weights are `[in, out]`, `y = x W + b`, ReLU between layers. */
  layers: { weight: string; bias: string }[];
  /** How the output becomes actions. */
  output: PolicyOutput;
  /** The algorithm that trained it (absent in files from before the baselines). */
  algorithm?: string;
}

/** An exported policy: safetensors bytes plus the architecture JSON. */
export interface PolicyExport {
  weights: Uint8Array;
  architecture: PolicyArchitecture;
}

/** The architecture of the policy `layout` for data of shape `spec`. */
export function policyArchitecture(
  spec: MultiAgentSpec,
  layout: MlpLayout,
  output: PolicyOutput,
  algorithm: string,
): PolicyArchitecture {
  const widths = [layout.layers[0].inputs, ...layout.layers.map((layer) => layer.outputs)];
  return {
    format: "omiga-policy",
    version: 1,
    spec: { ...spec },
    input: "obs+agent_id",
    widths,
    layers: layout.layers.map((_, l) => ({
      weight: `policy.${l}.weight`,
      bias: `policy.${l}.bias`,
    })),
    output,
    algorithm,
  };
}

/**
 * Encodes the policy MLP `layout` of the flat vector `params` as named per-layer tensors
 * (architecture in metadata).
 */
export function encodePolicy(
  spec: MultiAgentSpec,
  layout: MlpLayout,
  params: Float32Array,
  output: PolicyOutput,
  algorithm: string,
): PolicyExport {
  const architecture = policyArchitecture(spec, layout, output, algorithm);
  const tensors: Record<string, { data: Float32Array; shape: number[] }> = {};
  layout.layers.forEach((layer, l) => {
    const weightEnd = layer.weightOffset + layer.inputs * layer.outputs;
    tensors[architecture.layers[l].weight] = {
      data: params.slice(layer.weightOffset, weightEnd),
      shape: [layer.inputs, layer.outputs],
    };
    tensors[architecture.layers[l].bias] = {
      data: params.slice(layer.biasOffset, layer.biasOffset + layer.outputs),
      shape: [layer.outputs],
    };
  });
  const weights = encodeSafetensors({
    tensors,
    metadata: { architecture: JSON.stringify(architecture) },
  });
  return { weights, architecture };
}

/** A policy loaded from an export; {@link LoadedPolicy.dispose} frees its weights. */
export class LoadedPolicy implements Policy {
  readonly spec: MultiAgentSpec;
  readonly architecture: PolicyArchitecture;
  readonly #layout: MlpLayout;
  readonly #params: tf.Tensor1D;

  constructor(architecture: PolicyArchitecture, params: Float32Array) {
    this.architecture = architecture;
    this.spec = architecture.spec;
    this.#layout = mlpLayout("policy", architecture.widths);
    if (params.length !== this.#layout.size) {
      throw new ValidationError(
        `policy weights hold ${params.length} values, the architecture needs ${this.#layout.size}`,
      );
    }
    this.#params = tf.tensor1d(params);
  }

  /**
   * Deterministic actions for B environment copies: `obs` [B, nAgents, obsDim], `avail`
   * [B, nAgents, nActions] (discrete). Continuous: [B, nAgents, actDim] in [-1, 1]; discrete:
   * [B, nAgents] indices of available actions.
   */
  async act(obs: Float32Array, avail?: Uint8Array): Promise<Float32Array | Int32Array> {
    const { nAgents, obsDim, actionKind } = this.spec;
    if (obs.length === 0 || obs.length % (nAgents * obsDim) !== 0) {
      throw new ValidationError(
        `act: obs has ${obs.length} values, expected a multiple of nAgents * obsDim = ${
          nAgents * obsDim
        }`,
      );
    }
    const rows = obs.length / obsDim;
    const width = obsDim + nAgents;
    const input = new Float32Array(rows * width);
    for (let row = 0; row < rows; row++) {
      input.set(obs.subarray(row * obsDim, (row + 1) * obsDim), row * width);
      input[row * width + obsDim + (row % nAgents)] = 1;
    }
    const nActions = this.spec.nActions ?? 0;
    if (actionKind === "discrete" && avail !== undefined) {
      checkAvail(avail, rows, nActions, nAgents);
    }
    const actions = tf.tidy(() => {
      const x = tf.tensor2d(input, [rows, width]);
      const output = mlpForward(kernelsFor(), this.#layout, x, this.#params);
      if (actionKind === "continuous") return continuousAction(output, this.architecture.output);
      const mask = avail === undefined ? undefined : tf.tensor2d(avail, [rows, nActions], "int32");
      return greedyDiscreteAction(output, mask);
    });
    try {
      const values = await actions.data();
      return actionKind === "continuous"
        ? new Float32Array(values as Float32Array)
        : new Int32Array(values as Int32Array);
    } finally {
      actions.dispose();
    }
  }

  /** Frees the weights. */
  dispose(): void {
    this.#params.dispose();
  }
}

/** The deterministic continuous action of an output under `rule`, [R, A]. */
function continuousAction(output: tf.Tensor2D, rule: PolicyOutput): tf.Tensor2D {
  if (rule.kind === "tanh") return tf.tanh(output);
  if (rule.kind !== "tanh_gaussian_mean") {
    throw new OmigaError("invalid_policy", `output ${rule.kind} does not give continuous actions`);
  }
  const [mean] = tf.split(output, 2, 1) as tf.Tensor2D[];
  const limit = rule.meanLimit;
  return tf.tanh(limit === null ? mean : tf.clipByValue(mean, -limit, limit));
}

function checkAvail(avail: Uint8Array, rows: number, nActions: number, nAgents: number): void {
  if (avail.length !== rows * nActions) {
    throw new ValidationError(`act: avail has ${avail.length} values, expected ${rows * nActions}`);
  }
  for (let row = 0; row < rows; row++) {
    let any = false;
    for (let a = 0; a < nActions; a++) any ||= avail[row * nActions + a] !== 0;
    if (!any) {
      throw new ValidationError(
        `act: no action is available to agent ${row % nAgents} in copy ${
          Math.floor(row / nAgents)
        }`,
      );
    }
  }
}

/**
 * Loads an exported policy. `architecture` defaults to the JSON stored in the weights' metadata.
 *
 * @example
 * ```ts ignore
 * const policy = loadPolicy(exported.weights, exported.architecture);
 * const actions = await policy.act(obs);
 * ```
 */
export function loadPolicy(weights: Uint8Array, architecture?: PolicyArchitecture): LoadedPolicy {
  const file = decodeSafetensors(weights);
  const described = architecture ??
    (file.metadata.architecture ? JSON.parse(file.metadata.architecture) : undefined);
  if (described?.format !== "omiga-policy") {
    throw new OmigaError("invalid_policy", "no omiga-policy architecture given or stored");
  }
  const layout = mlpLayout("policy", described.widths);
  const params = new Float32Array(layout.size);
  layout.layers.forEach((layer, l) => {
    const { weight, bias } = described.layers[l];
    const w = file.tensors[weight]?.data;
    const b = file.tensors[bias]?.data;
    if (!(w instanceof Float32Array) || w.length !== layer.inputs * layer.outputs) {
      throw new OmigaError("invalid_policy", `weight "${weight}" missing or of the wrong size`);
    }
    if (!(b instanceof Float32Array) || b.length !== layer.outputs) {
      throw new OmigaError("invalid_policy", `bias "${bias}" missing or of the wrong size`);
    }
    params.set(w, layer.weightOffset);
    params.set(b, layer.biasOffset);
  });
  return new LoadedPolicy(described, params);
}
