/**
 * Policy export as ONNX (opset 13): the same network and acting rule as
 * {@link LoadedPolicy.act}, as a graph that any ONNX runtime runs without this code.
 *
 * Inputs: `obs` float32 [B, nAgents, obsDim] (the observations as stored, unscaled) and, for a
 * discrete policy, `avail` uint8 [B, nAgents, nActions] (nonzero: the action may be taken; pass
 * all ones for no mask). Output: `actions`, float32 [B, nAgents, actDim] in [-1, 1]
 * (continuous) or int32 [B, nAgents] action indices (discrete), as `act` returns them.
 *
 * The graph builds the input layout itself (`obs` followed by the one-hot agent id, from a
 * constant identity expanded over the batch), then per layer `MatMul` + `Add` (+ `Relu` but for
 * the last), then the rule: `tanh_gaussian_mean` slices the mean off [mean | log-std], clips it
 * to +-meanLimit and applies `Tanh`; `tanh` applies `Tanh`; `categorical_argmax` replaces the
 * logits of unavailable actions by -inf and takes the first `ArgMax`, as `act` does.
 *
 * `bcq_candidates` is not exported: its rule draws seeded random latents per call, which a
 * stateless graph cannot repeat.
 *
 * @module
 */
import onnxProto from "onnx-proto";
import type { MultiAgentSpec } from "../dataset.ts";
import { OmigaError } from "../errors.ts";
import { decodeSafetensors } from "../checkpoint/mod.ts";
import type { PolicyOutput } from "./algorithm.ts";
import type { PolicyArchitecture, PolicyExport } from "./policy_export.ts";

const { onnx } = onnxProto;
type Node = onnxProto.onnx.INodeProto;
type Tensor = onnxProto.onnx.ITensorProto;
type ValueInfo = onnxProto.onnx.IValueInfoProto;

const DataType = onnx.TensorProto.DataType;

/** The ONNX opset the graph is written for. */
export const POLICY_ONNX_OPSET = 13;

/**
 * Why the policy `architecture` has no ONNX form, or undefined when it has one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { onnxUnsupportedReason } from "./policy_onnx.ts";
 * const spec = { nAgents: 2, obsDim: 3, stateDim: 4, actionKind: "continuous" as const, actDim: 1 };
 * assert.equal(onnxUnsupportedReason({ spec, output: { kind: "tanh" } }), undefined);
 * ```
 */
export function onnxUnsupportedReason(
  architecture: Pick<PolicyArchitecture, "spec" | "output"> & { activation?: string },
): string | undefined {
  const { output, spec } = architecture;
  if (architecture.activation !== undefined && architecture.activation !== "relu") {
    return `activation "${architecture.activation}" is not relu`;
  }
  if (output.kind === "bcq_candidates") {
    return "bcq_candidates draws seeded random latents on every call, which a graph cannot repeat";
  }
  const discrete = output.kind === "categorical_argmax";
  if (discrete !== (spec.actionKind === "discrete")) {
    return `output ${output.kind} does not act on ${spec.actionKind} actions`;
  }
  return undefined;
}

function float32Tensor(name: string, dims: number[], values: Float32Array | number[]): Tensor {
  const data = Float32Array.from(values); // a fresh buffer, little-endian on every platform we run
  return { name, dims, dataType: DataType.FLOAT, rawData: new Uint8Array(data.buffer) };
}

function int64Tensor(name: string, values: number[]): Tensor {
  return { name, dims: [values.length], dataType: DataType.INT64, int64Data: values };
}

function valueInfo(name: string, elemType: number, dims: (number | string)[]): ValueInfo {
  const dim = dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

/** The acting rule's nodes from the network output `out`, ending in `actions`. */
function ruleNodes(
  spec: MultiAgentSpec,
  output: PolicyOutput,
  nodes: Node[],
  constants: Tensor[],
): void {
  if (output.kind === "tanh") {
    nodes.push({ opType: "Tanh", input: ["out"], output: ["actions"] });
  } else if (output.kind === "tanh_gaussian_mean") {
    // out [B, N, 2 * actDim] = [mean | log-std]
    constants.push(
      int64Tensor("mean_start", [0]),
      int64Tensor("mean_end", [spec.actDim]),
      int64Tensor("last_axis", [2]),
    );
    nodes.push({
      opType: "Slice",
      input: ["out", "mean_start", "mean_end", "last_axis"],
      output: ["mean"],
    });
    let mean = "mean";
    if (output.meanLimit !== null) {
      constants.push(
        float32Tensor("mean_min", [], [-output.meanLimit]),
        float32Tensor("mean_max", [], [output.meanLimit]),
      );
      nodes.push({ opType: "Clip", input: ["mean", "mean_min", "mean_max"], output: ["clipped"] });
      mean = "clipped";
    }
    nodes.push({ opType: "Tanh", input: [mean], output: ["actions"] });
  } else if (output.kind === "categorical_argmax") {
    constants.push(float32Tensor("unavailable", [], [-Infinity]));
    nodes.push(
      {
        opType: "Cast",
        input: ["avail"],
        output: ["available"],
        attribute: [castTo(DataType.BOOL)],
      },
      { opType: "Where", input: ["available", "out", "unavailable"], output: ["masked"] },
      {
        opType: "ArgMax",
        input: ["masked"],
        output: ["best"],
        attribute: [
          { name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: 2 },
          { name: "keepdims", type: onnx.AttributeProto.AttributeType.INT, i: 0 },
        ],
      },
      { opType: "Cast", input: ["best"], output: ["actions"], attribute: [castTo(DataType.INT32)] },
    );
  } else {
    throw new OmigaError("invalid_policy", `output ${output.kind} has no ONNX form`);
  }
}

function castTo(type: number): onnxProto.onnx.IAttributeProto {
  return { name: "to", type: onnx.AttributeProto.AttributeType.INT, i: type };
}

/**
 * The exported policy `exported` as an ONNX model (the bytes of a `.onnx` file). Throws an
 * {@link OmigaError} for a policy that {@link onnxUnsupportedReason} refuses.
 *
 * @example
 * ```ts ignore
 * await Deno.writeFile("policy.onnx", encodePolicyOnnx(exported));
 * ```
 */
export function encodePolicyOnnx(exported: PolicyExport): Uint8Array {
  const { architecture } = exported;
  const reason = onnxUnsupportedReason(architecture);
  if (reason !== undefined) throw new OmigaError("invalid_policy", `no ONNX export: ${reason}`);
  const { spec, output } = architecture;
  const { nAgents, obsDim } = spec;
  const { tensors } = decodeSafetensors(exported.weights);

  const eye = new Float32Array(nAgents * nAgents);
  for (let i = 0; i < nAgents; i++) eye[i * nAgents + i] = 1;
  const constants: Tensor[] = [
    float32Tensor("agent_eye", [1, nAgents, nAgents], eye),
    int64Tensor("batch_start", [0]),
    int64Tensor("batch_end", [1]),
    int64Tensor("agent_id_tail", [nAgents, nAgents]),
  ];
  // x [B, N, obsDim + N] = [obs | one-hot agent id]
  const nodes: Node[] = [
    { opType: "Shape", input: ["obs"], output: ["obs_shape"] },
    { opType: "Slice", input: ["obs_shape", "batch_start", "batch_end"], output: ["batch"] },
    {
      opType: "Concat",
      input: ["batch", "agent_id_tail"],
      output: ["agent_id_shape"],
      attribute: [{ name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: 0 }],
    },
    { opType: "Expand", input: ["agent_eye", "agent_id_shape"], output: ["agent_id"] },
    {
      opType: "Concat",
      input: ["obs", "agent_id"],
      output: ["x"],
      attribute: [{ name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: 2 }],
    },
  ];
  let h = "x";
  architecture.layers.forEach(({ weight, bias }, l) => {
    const w = tensors[weight];
    const b = tensors[bias];
    constants.push(
      float32Tensor(weight, w.shape, w.data as Float32Array),
      float32Tensor(bias, b.shape, b.data as Float32Array),
    );
    const last = l === architecture.layers.length - 1;
    const product = `layer${l}.product`;
    const sum = last ? "out" : `layer${l}.sum`;
    nodes.push(
      { opType: "MatMul", input: [h, weight], output: [product] },
      { opType: "Add", input: [product, bias], output: [sum] },
    );
    if (!last) nodes.push({ opType: "Relu", input: [sum], output: [`layer${l}.relu`] });
    h = last ? sum : `layer${l}.relu`;
  });
  ruleNodes(spec, output, nodes, constants);

  const discrete = spec.actionKind === "discrete";
  const inputs = [valueInfo("obs", DataType.FLOAT, ["B", nAgents, obsDim])];
  if (discrete) inputs.push(valueInfo("avail", DataType.UINT8, ["B", nAgents, spec.nActions!]));
  const actions = discrete
    ? valueInfo("actions", DataType.INT32, ["B", nAgents])
    : valueInfo("actions", DataType.FLOAT, ["B", nAgents, spec.actDim]);
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: "omiga-flow",
    opsetImport: [{ domain: "", version: POLICY_ONNX_OPSET }],
    docString: `omiga-policy (${architecture.algorithm ?? "unknown algorithm"}, ${output.kind})`,
    metadataProps: [{ key: "omiga-policy", value: JSON.stringify(architecture) }],
    graph: {
      name: "policy",
      node: nodes.map((node, i) => ({ name: `${node.opType}_${i}`, ...node })),
      initializer: constants,
      input: inputs,
      output: [actions],
    },
  });
  return new Uint8Array(onnx.ModelProto.encode(model).finish());
}
