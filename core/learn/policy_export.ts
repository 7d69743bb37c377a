/**
 * Policy export: the policy network's weights alone as safetensors (one `[in, out]` weight and
 * one bias per layer, readable by any safetensors reader) plus a small JSON that describes the
 * architecture, and a loader that turns the two back into a {@link Policy}.
 *
 * Inference, per agent (the JSON's `inputLayout` names every column, `activation` the hidden
 * layers'): x = [obs | one-hot agent id]; h = relu(x W0 + b0); h = relu(h W1 + b1);
 * out = h W2 + b2; then by `output.kind`: `tanh_gaussian_mean` (out = [mean | log-std], action
 * = tanh(clamp(mean, +-meanLimit)), no clamp when meanLimit is null), `tanh` (a deterministic
 * actor: action = tanh(out)) or `categorical_argmax` (logits or Q-values: the argmax over
 * available actions).
 *
 * A composite policy (`bcq_candidates`: BCQ's decoder, perturbation actor and critic) stores
 * its further networks under `architecture.networks`, each with its own widths and tensor names
 * (`<name>.<l>.weight`), the main MLP (the actor) staying under `widths` and `layers`; its
 * loaded policy holds the seeded Rng of the rule's latent draws.
 *
 * @module
 */
import { tf } from "../tf.ts";
import type { MultiAgentSpec } from "../dataset.ts";
import { OmigaError, ValidationError } from "../errors.ts";
import type { Policy } from "../policy.ts";
import { decodeSafetensors, encodeSafetensors } from "../checkpoint/mod.ts";
import { kernelsFor } from "../kernels/mod.ts";
import { Rng } from "../rng.ts";
import { mlpForward, type MlpLayout, mlpLayout } from "../nn/dense.ts";
import { greedyDiscreteAction } from "../nn/distributions.ts";
import type { PolicyHead, PolicyOutput } from "./algorithm.ts";
import { parsePolicyArchitecture, PolicyError } from "./policy_file.ts";

/** One further network of a composite policy in the architecture JSON. */
export interface PolicyNetworkArchitecture {
  name: string;
  /** Widths `[in, hidden..., out]`. */
  widths: number[];
  /** Tensor names per layer, as for the main MLP. */
  layers: { weight: string; bias: string }[];
}

/** A further network of a composite policy with its group's vector (`layout` places it there). */
export interface PolicyPart {
  name: string;
  layout: MlpLayout;
  params: Float32Array;
}

/** A contiguous run of input columns: what it holds and how it is encoded. */
export interface PolicyInputPart {
  name: "obs" | "agent_id";
  /** The first column and the number of columns. */
  offset: number;
  width: number;
  encoding: "raw" | "one-hot";
  description: string;
}

/** What each column of the policy's input is, in order (written since the baselines). */
export interface PolicyInputLayout {
  /** Columns of one input row: obsDim + nAgents. */
  width: number;
  /** How a batch is laid out in rows. */
  rows: string;
  /** The parts, in column order. */
  parts: PolicyInputPart[];
  /** Every column's name, in order: `obs_0 .. obs_{O-1}`, `agent_id_0 .. agent_id_{N-1}`. */
  columns: string[];
  /** Any scaling of the observation before the first layer: none, it is fed as stored. */
  normalisation: "none";
}

/** The architecture JSON that travels with exported weights. */
export interface PolicyArchitecture {
  format: "omiga-policy";
  version: 1;
  spec: MultiAgentSpec;
  /** The input is the observation followed by the one-hot agent id ({@link inputLayout}). */
  input: "obs+agent_id";
  /** Each input column, in order (absent in files from before it was written). */
  inputLayout?: PolicyInputLayout;
  /** Widths `[in, hidden, hidden, out]`. */
  widths: number[];
  /** Tensor names per layer; weights are `[in, out]`, `y = x W + b`. */
  layers: { weight: string; bias: string }[];
  /** The activation after every layer but the last (which is linear, then {@link output}). */
  activation?: "relu";
  /** How the output becomes actions. */
  output: PolicyOutput;
  /** The algorithm that trained it (absent in files from before the baselines). */
  algorithm?: string;
  /** A composite rule's further networks (absent for a single MLP). */
  networks?: PolicyNetworkArchitecture[];
}

/**
 * The input layout of a policy for data of shape `spec`: per row (one agent of one environment
 * copy) the agent's observation as stored in the dataset's `obs`, then its one-hot agent id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { policyInputLayout } from "./policy_export.ts";
 * const spec = { nAgents: 2, obsDim: 3, stateDim: 4, actionKind: "continuous" as const, actDim: 1 };
 * const layout = policyInputLayout(spec);
 * assert.deepEqual(layout.columns, ["obs_0", "obs_1", "obs_2", "agent_id_0", "agent_id_1"]);
 * assert.deepEqual(layout.parts.map((p) => [p.name, p.offset, p.width]), [["obs", 0, 3], ["agent_id", 3, 2]]);
 * ```
 */
export function policyInputLayout(spec: MultiAgentSpec): PolicyInputLayout {
  const { obsDim, nAgents } = spec;
  const names = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, k) => `${prefix}_${k}`);
  return {
    width: obsDim + nAgents,
    rows: "one row per agent: agent i of environment copy b is row b * nAgents + i; every agent " +
      "shares the same weights",
    parts: [
      {
        name: "obs",
        offset: 0,
        width: obsDim,
        encoding: "raw",
        description: "the agent's local observation, as in the dataset's obs field, not scaled",
      },
      {
        name: "agent_id",
        offset: obsDim,
        width: nAgents,
        encoding: "one-hot",
        description: "1 in column obsDim + i for agent i, 0 elsewhere",
      },
    ],
    columns: [...names("obs", obsDim), ...names("agent_id", nAgents)],
    normalisation: "none",
  };
}

/** The networks each composite output rule reads besides the main MLP. */
const COMPOSITE_NETWORKS: Partial<Record<PolicyOutput["kind"], string[]>> = {
  bcq_candidates: ["decoder", "q1"],
};

function layerNames(prefix: string, layout: MlpLayout): { weight: string; bias: string }[] {
  return layout.layers.map((_, l) => ({
    weight: `${prefix}.${l}.weight`,
    bias: `${prefix}.${l}.bias`,
  }));
}

function widthsOf(layout: MlpLayout): number[] {
  return [layout.layers[0].inputs, ...layout.layers.map((layer) => layer.outputs)];
}

/** An exported policy: safetensors bytes plus the architecture JSON. */
export interface PolicyExport {
  weights: Uint8Array;
  architecture: PolicyArchitecture;
}

/**
 * The architecture of the policy `layout` for data of shape `spec`, with the further networks
 * `extra` of a composite rule.
 */
export function policyArchitecture(
  spec: MultiAgentSpec,
  layout: MlpLayout,
  output: PolicyOutput,
  algorithm: string,
  extra: { name: string; layout: MlpLayout }[] = [],
): PolicyArchitecture {
  const architecture: PolicyArchitecture = {
    format: "omiga-policy",
    version: 1,
    spec: { ...spec },
    input: "obs+agent_id",
    inputLayout: policyInputLayout(spec),
    widths: widthsOf(layout),
    layers: layerNames("policy", layout),
    activation: "relu",
    output,
    algorithm,
  };
  if (extra.length > 0) {
    architecture.networks = extra.map((part) => ({
      name: part.name,
      widths: widthsOf(part.layout),
      layers: layerNames(part.name, part.layout),
    }));
  }
  return architecture;
}

/** Refuses a composite rule without its networks (or a single one with extras). */
function checkNetworks(output: PolicyOutput, names: string[]): void {
  const needed = COMPOSITE_NETWORKS[output.kind] ?? [];
  const same = needed.length === names.length && needed.every((name) => names.includes(name));
  if (!same) {
    throw new OmigaError(
      "invalid_policy",
      `policy output ${output.kind} needs the networks [${needed.join(", ")}], got [${
        names.join(", ")
      }]` + (needed.length > 0 ? " (export it with exportPolicyHead)" : ""),
    );
  }
}

/**
 * Encodes the policy MLP `layout` of the flat vector `params` as named per-layer tensors
 * (architecture in metadata), and a composite rule's further networks `extra`.
 */
export function encodePolicy(
  spec: MultiAgentSpec,
  layout: MlpLayout,
  params: Float32Array,
  output: PolicyOutput,
  algorithm: string,
  extra: PolicyPart[] = [],
): PolicyExport {
  checkNetworks(output, extra.map((part) => part.name));
  const architecture = policyArchitecture(spec, layout, output, algorithm, extra);
  const tensors: Record<string, { data: Float32Array; shape: number[] }> = {};
  const add = (
    names: { weight: string; bias: string }[],
    part: MlpLayout,
    values: Float32Array,
  ) => {
    part.layers.forEach((layer, l) => {
      const weightEnd = layer.weightOffset + layer.inputs * layer.outputs;
      tensors[names[l].weight] = {
        data: values.slice(layer.weightOffset, weightEnd),
        shape: [layer.inputs, layer.outputs],
      };
      tensors[names[l].bias] = {
        data: values.slice(layer.biasOffset, layer.biasOffset + layer.outputs),
        shape: [layer.outputs],
      };
    });
  };
  add(architecture.layers, layout, params);
  extra.forEach((part, i) => add(architecture.networks![i].layers, part.layout, part.params));
  const weights = encodeSafetensors({
    tensors,
    metadata: { architecture: JSON.stringify(architecture) },
  });
  return { weights, architecture };
}

/**
 * Exports the policy `head` from the live vectors `live` (by group name): the main MLP and,
 * for a composite rule, every network in `head.extra`.
 */
export async function exportPolicyHead(
  spec: MultiAgentSpec,
  head: PolicyHead,
  live: Record<string, tf.Tensor1D>,
  algorithm: string,
): Promise<PolicyExport> {
  const read = async (group: string) => {
    const vector = live[group];
    if (vector === undefined) {
      throw new OmigaError("invalid_policy", `the policy reads group "${group}", which is absent`);
    }
    return new Float32Array(await vector.data() as Float32Array);
  };
  const params = await read(head.group);
  const extra: PolicyPart[] = [];
  for (const network of head.extra ?? []) {
    extra.push({ name: network.name, layout: network.layout, params: await read(network.group) });
  }
  return encodePolicy(spec, head.layout, params, head.output, algorithm, extra);
}

/** A policy loaded from an export; {@link LoadedPolicy.dispose} frees its weights. */
export class LoadedPolicy implements Policy {
  readonly spec: MultiAgentSpec;
  readonly architecture: PolicyArchitecture;
  readonly #layout: MlpLayout;
  readonly #params: tf.Tensor1D;
  /** A composite rule's further networks, by name. */
  readonly #networks: Record<string, { layout: MlpLayout; params: tf.Tensor1D }> = {};
  /** The latent draws of `bcq_candidates`, seeded from the architecture. */
  readonly #rng?: Rng;

  /**
   * `params` holds the main MLP (layer after layer, weight then bias); `extra` the further
   * networks of `architecture.networks` by name, each packed the same way.
   */
  constructor(
    architecture: PolicyArchitecture,
    params: Float32Array,
    extra: Record<string, Float32Array> = {},
  ) {
    this.architecture = architecture;
    this.spec = architecture.spec;
    const output = architecture.output;
    checkNetworks(output, (architecture.networks ?? []).map((network) => network.name));
    if (architecture.activation !== undefined && architecture.activation !== "relu") {
      throw new OmigaError(
        "invalid_policy",
        `policy activation "${architecture.activation}" is not one this loader runs (relu)`,
      );
    }
    this.#layout = mlpLayout("policy", architecture.widths);
    if (params.length !== this.#layout.size) {
      throw new ValidationError(
        `policy weights hold ${params.length} values, the architecture needs ${this.#layout.size}`,
      );
    }
    const layouts: Record<string, MlpLayout> = {};
    for (const network of architecture.networks ?? []) {
      const layout = mlpLayout(network.name, network.widths);
      const values = extra[network.name];
      if (values?.length !== layout.size) {
        throw new ValidationError(
          `network "${network.name}" holds ${values?.length ?? 0} values, the architecture ` +
            `needs ${layout.size}`,
        );
      }
      layouts[network.name] = layout;
    }
    if (output.kind === "bcq_candidates") {
      checkCandidateWidths(this.spec, output, this.#layout, layouts);
      this.#rng = Rng.fromSeed(output.seed);
    }
    this.#params = tf.tensor1d(params);
    for (const [name, layout] of Object.entries(layouts)) {
      this.#networks[name] = { layout, params: tf.tensor1d(extra[name]) };
    }
  }

  /**
   * Actions for B environment copies: `obs` [B, nAgents, obsDim], `avail` [B, nAgents,
   * nActions] (discrete). Continuous: [B, nAgents, actDim] in [-1, 1]; discrete: [B, nAgents]
   * indices of available actions. Deterministic per call, except `bcq_candidates`, whose latent
   * draws come from the policy's own seeded Rng (the same sequence after every load).
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
    const rule = this.architecture.output;
    const latent = rule.kind === "bcq_candidates" ? this.#latents(rows, rule) : undefined;
    const actions = tf.tidy(() => {
      const x = tf.tensor2d(input, [rows, width]);
      if (rule.kind === "bcq_candidates") return this.#bestCandidate(x, latent!, rule);
      const output = mlpForward(kernelsFor(), this.#layout, x, this.#params);
      if (actionKind === "continuous") return continuousAction(output, rule);
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
    for (const network of Object.values(this.#networks)) network.params.dispose();
  }

  /** `candidates` clipped standard-normal latents per row, [rows * candidates * latentDim]. */
  #latents(rows: number, rule: BcqCandidates): Float32Array {
    const z = this.#rng!.fillNormal(new Float32Array(rows * rule.candidates * rule.latentDim));
    for (let i = 0; i < z.length; i++) {
      z[i] = Math.min(Math.max(z[i], -rule.latentClip), rule.latentClip);
    }
    return z as Float32Array;
  }

  /** BCQ's select_action per row of `x` [R, obs + id]: the best perturbed candidate, [R, A]. */
  #bestCandidate(x: tf.Tensor2D, latent: Float32Array, rule: BcqCandidates): tf.Tensor2D {
    const kernels = kernelsFor();
    const [rows, width] = x.shape;
    const n = rule.candidates;
    const repeated = tf.reshape(tf.tile(tf.expandDims(x, 1), [1, n, 1]), [rows * n, width]);
    const z = tf.tensor2d(latent, [rows * n, rule.latentDim]);
    const { decoder, q1 } = this.#networks;
    const net = (layout: MlpLayout, params: tf.Tensor1D, extra: tf.Tensor2D) =>
      mlpForward(kernels, layout, tf.concat([repeated, extra], 1) as tf.Tensor2D, params);
    const decoded = tf.mul(tf.tanh(net(decoder.layout, decoder.params, z)), rule.maxAction);
    const perturbation = tf.mul(
      tf.tanh(net(this.#layout, this.#params, decoded as tf.Tensor2D)),
      rule.phi * rule.maxAction,
    );
    const candidates = tf.clipByValue(
      tf.add(decoded, perturbation),
      -rule.maxAction,
      rule.maxAction,
    ) as tf.Tensor2D;
    const q = tf.reshape(net(q1.layout, q1.params, candidates), [rows, n]);
    const best = tf.add(tf.argMax(q, 1), tf.range(0, rows * n, n, "int32"));
    return tf.gather(candidates, best) as tf.Tensor2D;
  }
}

type BcqCandidates = Extract<PolicyOutput, { kind: "bcq_candidates" }>;

/** The decoder, actor and q1 widths `bcq_candidates` needs for data of shape `spec`. */
function checkCandidateWidths(
  spec: MultiAgentSpec,
  rule: BcqCandidates,
  actor: MlpLayout,
  layouts: Record<string, MlpLayout>,
): void {
  const x = spec.obsDim + spec.nAgents;
  const ends = (layout: MlpLayout) =>
    [layout.layers[0].inputs, layout.layers[layout.layers.length - 1].outputs].join("->");
  const expected: [string, MlpLayout, number, number][] = [
    ["decoder", layouts.decoder, x + rule.latentDim, spec.actDim],
    ["actor", actor, x + spec.actDim, spec.actDim],
    ["q1", layouts.q1, x + spec.actDim, 1],
  ];
  for (const [name, layout, inputs, outputs] of expected) {
    if (ends(layout) !== `${inputs}->${outputs}`) {
      throw new OmigaError(
        "invalid_policy",
        `bcq_candidates: ${name} maps ${ends(layout)}, expected ${inputs}->${outputs}`,
      );
    }
  }
  if (spec.actionKind !== "continuous") {
    throw new OmigaError("invalid_policy", "bcq_candidates acts on continuous actions only");
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
 * The MLP `layout`'s tensors `names` from a decoded file, packed in layout order. Every tensor
 * is checked before the vector is allocated, so its size is bounded by the file's.
 */
function readNetwork(
  tensors: ReturnType<typeof decodeSafetensors>["tensors"],
  layout: MlpLayout,
  names: { weight: string; bias: string }[],
): Float32Array {
  const found = layout.layers.map((layer, l) => {
    const { weight, bias } = names[l];
    const w = Object.hasOwn(tensors, weight) ? tensors[weight].data : undefined;
    const b = Object.hasOwn(tensors, bias) ? tensors[bias].data : undefined;
    if (!(w instanceof Float32Array) || w.length !== layer.inputs * layer.outputs) {
      throw new PolicyError(
        `weight "${weight}" is missing, not F32 or not of ${layer.inputs} x ${layer.outputs} values`,
      );
    }
    if (!(b instanceof Float32Array) || b.length !== layer.outputs) {
      throw new PolicyError(`bias "${bias}" is missing, not F32 or not of ${layer.outputs} values`);
    }
    return { w, b };
  });
  const params = new Float32Array(layout.size);
  layout.layers.forEach((layer, l) => {
    params.set(found[l].w, layer.weightOffset);
    params.set(found[l].b, layer.biasOffset);
  });
  return params;
}

/**
 * Loads an exported policy. `architecture` defaults to the JSON stored in the weights' metadata.
 * Both are untrusted (a file from disk or an upload): the weights are refused with a
 * `SafetensorsError`, an architecture that this loader cannot run or that the weights do not
 * fill with a {@link PolicyError}, each naming what is wrong.
 *
 * @example
 * ```ts ignore
 * const policy = loadPolicy(exported.weights, exported.architecture);
 * const actions = await policy.act(obs);
 * ```
 */
export function loadPolicy(weights: Uint8Array, architecture?: PolicyArchitecture): LoadedPolicy {
  const file = decodeSafetensors(weights);
  let raw: unknown = architecture;
  if (raw === undefined && file.metadata.architecture !== undefined) {
    try {
      raw = JSON.parse(file.metadata.architecture);
    } catch (error) {
      throw new PolicyError(`metadata.architecture is not JSON (${(error as Error).message})`);
    }
  }
  if (raw === undefined) throw new PolicyError("no omiga-policy architecture given or stored");
  const described = parsePolicyArchitecture(raw);
  const params = readNetwork(file.tensors, mlpLayout("policy", described.widths), described.layers);
  const extra: Record<string, Float32Array> = {};
  for (const network of described.networks ?? []) {
    const layout = mlpLayout(network.name, network.widths);
    extra[network.name] = readNetwork(file.tensors, layout, network.layers);
  }
  return new LoadedPolicy(described, params, extra);
}
