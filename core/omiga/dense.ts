/**
 * Multi-layer perceptrons whose parameters live in one flat vector, with a hand-written
 * gradient. On the wasm backend `matMul` with `transposeA`/`transposeB` is 10-17x slower than a
 * plain one (DESIGN.md section 2) and autodiff of `matMul` uses those flags, so the backward pass
 * here transposes explicitly and then multiplies. On the wasm backend the products run on our
 * own heap kernels (`heap_gemm.ts`: no per-call repacking, fused multiply-adds, A^T read in
 * place, bias/ReLU/ReLU' fused) where they apply, and on tfjs ops otherwise. One flat vector per
 * optimiser also lets Adam, gradient clipping and the soft target update run as a handful of
 * large ops (one pass each on the wasm heap, `heap_adam.ts`).
 *
 * Weights are stored `[in, out]` row-major (`y = x W + b`), each layer's weight then bias.
 *
 * @module
 */
import { tf } from "../tf.ts";
import type { Rng } from "../rng.ts";
import { heapMatMul } from "./heap_gemm.ts";

/** One dense layer's place in a flat parameter vector. */
export interface DenseLayer {
  inputs: number;
  outputs: number;
  /** Offset of the `[inputs, outputs]` weight. */
  weightOffset: number;
  /** Offset of the `[outputs]` bias. */
  biasOffset: number;
}

/** An MLP with ReLU between layers and a linear last layer, occupying `[offset, offset+size)`. */
export interface MlpLayout {
  name: string;
  layers: DenseLayer[];
  offset: number;
  size: number;
}

/**
 * The layout of an MLP with the given layer widths (`[in, hidden..., out]`) starting at `offset`.
 *
 * @example
 * ```ts
 * import { mlpLayout } from "./dense.ts";
 * const layout = mlpLayout("v", [4, 8, 1]);
 * console.assert(layout.size === 4 * 8 + 8 + 8 * 1 + 1);
 * ```
 */
export function mlpLayout(name: string, widths: number[], offset = 0): MlpLayout {
  const layers: DenseLayer[] = [];
  let position = offset;
  for (let l = 0; l + 1 < widths.length; l++) {
    const [inputs, outputs] = [widths[l], widths[l + 1]];
    layers.push({
      inputs,
      outputs,
      weightOffset: position,
      biasOffset: position + inputs * outputs,
    });
    position += inputs * outputs + outputs;
  }
  return { name, layers, offset, size: position - offset };
}

/**
 * Fills `params` at `layout`'s place with PyTorch's default `nn.Linear` initialisation: weight
 * and bias uniform in +-1/sqrt(fan_in), drawn from `rng` (weights first, then bias, per layer).
 */
export function initialiseMlp(layout: MlpLayout, params: Float32Array, rng: Rng): void {
  for (const layer of layout.layers) {
    const bound = 1 / Math.sqrt(layer.inputs);
    const weights = params.subarray(
      layer.weightOffset,
      layer.weightOffset + layer.inputs * layer.outputs,
    );
    rng.fillUniform(weights, -bound, bound);
    rng.fillUniform(
      params.subarray(layer.biasOffset, layer.biasOffset + layer.outputs),
      -bound,
      bound,
    );
  }
}

/** The parts of the wasm backend that {@link sliceVector} uses. */
interface WasmHeap {
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
  typedArrayFromHeap(tensor: tf.TensorInfo): Float32Array;
}

/**
 * `vector[offset : offset + size]` as a new tensor of `shape` (default `[size]`). The wasm
 * backend's `Slice` kernel first copies its whole input out of the wasm heap (`readSync`),
 * which for a small bias cut from a flat parameter vector costs a full copy of the vector; here
 * the range is copied heap to heap, straight into a tensor of the wanted shape. Other backends
 * use `tf.slice`.
 */
export function sliceVector(
  vector: tf.Tensor1D,
  offset: number,
  size: number,
  shape: number[] = [size],
): tf.Tensor {
  if (tf.getBackend() !== "wasm") return tf.reshape(tf.slice(vector, [offset], [size]), shape);
  const heap = tf.backend() as unknown as WasmHeap;
  const out = heap.makeOutput(shape, "float32"); // allocate first: it may grow the heap
  heap.typedArrayFromHeap(out).set(
    heap.typedArrayFromHeap(vector).subarray(offset, offset + size),
  );
  return tf.engine().makeTensorFromTensorInfo(out);
}

function layerWeights(params: tf.Tensor1D, layer: DenseLayer): [tf.Tensor2D, tf.Tensor1D] {
  const { inputs, outputs } = layer;
  const weight = sliceVector(params, layer.weightOffset, inputs * outputs, [inputs, outputs]);
  const bias = sliceVector(params, layer.biasOffset, outputs);
  return [weight as tf.Tensor2D, bias as tf.Tensor1D];
}

/** x W + b, then ReLU unless `linear`: one fused kernel. */
function dense(x: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor1D, linear: boolean) {
  const onHeap = heapMatMul(x, weight, { bias, relu: !linear });
  if (onHeap) return onHeap;
  // Called directly rather than through `tf.fused.matMul` to skip that op's bookkeeping.
  const out = tf.engine().runKernel("_FusedMatMul", {
    a: tf.reshape(x, [1, ...x.shape]),
    b: tf.reshape(weight, [1, ...weight.shape]),
    bias,
  }, {
    transposeA: false,
    transposeB: false,
    activation: linear ? "linear" : "relu",
    leakyreluAlpha: 0,
  }) as tf.Tensor3D;
  return tf.reshape(out, [x.shape[0], weight.shape[1]]) as tf.Tensor2D;
}

/** What {@link mlpBackward} needs from a forward pass: each layer's input and weight. */
export interface MlpTrace {
  inputs: tf.Tensor2D[]; // [R, in] per layer
  weights: tf.Tensor2D[]; // [in, out] per layer
}

/** The forward pass `x` [R, in] -> [R, out], with the trace for {@link mlpBackward}. */
export function mlpForwardTraced(
  layout: MlpLayout,
  x: tf.Tensor2D,
  params: tf.Tensor1D,
): { output: tf.Tensor2D; trace: MlpTrace } {
  const trace: MlpTrace = { inputs: [], weights: [] };
  let h = x;
  layout.layers.forEach((layer, l) => {
    const [weight, bias] = layerWeights(params, layer);
    trace.inputs.push(h);
    trace.weights.push(weight);
    h = dense(h, weight, bias, l === layout.layers.length - 1);
  });
  return { output: h, trace };
}

/** The forward pass alone (acting, target networks): `x` [R, in] -> [R, out]. */
export function mlpForward(layout: MlpLayout, x: tf.Tensor2D, params: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => mlpForwardTraced(layout, x, params).output);
}

/**
 * [dW, db] of one layer: dW = input^T upstream, db = 1^T upstream. On the wasm heap kernel
 * (`heap_gemm.ts`) input^T is read in place (or upstream^T, for a narrow head). Otherwise two tfjs products share their right
 * operand (the wasm backend's XNNPACK caches its packing per tensor), and a narrow input (the
 * first layer), for which packing the wide upstream would dominate, computes
 * ([input | 1]^T upstream)^T = upstream^T [input | 1] and transposes the small result.
 */
function layerGradients(input: tf.Tensor2D, upstream: tf.Tensor2D, ones: tf.Tensor2D) {
  const onHeap = heapMatMul(input, upstream, { transposeA: true });
  if (onHeap) return [onHeap, heapMatMul(ones, upstream)!];
  // A few output columns (the heads): dW^T = upstream^T input on the heap, then a small
  // transpose (a reshape for one column).
  const transposedOnHeap = heapMatMul(upstream, input, { transposeA: true }); // [out, in]
  if (transposedOnHeap) {
    const [outputs, inputs] = transposedOnHeap.shape;
    const weight = outputs === 1
      ? tf.reshape(transposedOnHeap, [inputs, 1])
      : tf.transpose(transposedOnHeap);
    return [weight, heapMatMul(ones, upstream) ?? tf.matMul(ones, upstream)];
  }
  const [rows, inputs] = input.shape;
  if (inputs + 1 < upstream.shape[1]) {
    const inputWithOnes = tf.concat([input, tf.reshape(ones, [rows, 1])], 1); // [R, in + 1]
    return [tf.transpose(tf.matMul(tf.transpose(upstream), inputWithOnes))]; // [in + 1, out]
  }
  return [tf.matMul(tf.transpose(input), upstream), tf.matMul(ones, upstream)];
}

/**
 * The gradient of a loss with respect to the layout's parameters, given the gradient with
 * respect to the output, `outputGradient` [R, out]. Returns [layout.size] in layout order.
 * Transposes are explicit: `matMul`'s transpose flags are 10-17x slower on wasm.
 *
 * Per layer, from the last: the weight and bias gradients ({@link layerGradients}); then
 * upstream <- (upstream W^T) * relu'(input), relu' read from the input itself (> 0).
 */
export function mlpBackward(
  layout: MlpLayout,
  trace: MlpTrace,
  outputGradient: tf.Tensor2D,
): tf.Tensor1D {
  return tf.tidy(() => {
    const layers: tf.Tensor[][] = []; // [weight, bias] gradients, last layer first
    const ones = tf.ones([1, outputGradient.shape[0]]) as tf.Tensor2D;
    let upstream = outputGradient; // d loss / d (layer output), [R, out]
    for (let l = layout.layers.length - 1; l >= 0; l--) {
      const input = trace.inputs[l];
      layers.push(layerGradients(input, upstream, ones));
      if (l > 0) {
        const [inputs, outputs] = [input.shape[1], upstream.shape[1]];
        const weight = trace.weights[l];
        // A one-column weight's transpose is the same values: a reshape, no copy.
        const weightT = outputs === 1 ? tf.reshape(weight, [1, inputs]) : tf.transpose(weight);
        upstream = heapMatMul(upstream, weightT as tf.Tensor2D, { mask: input }) ??
          tf.mul(tf.matMul(upstream, weightT), tf.step(input)) as tf.Tensor2D;
      }
    }
    return tf.concat(layers.reverse().flat().map((piece) => tf.reshape(piece, [-1])));
  });
}
