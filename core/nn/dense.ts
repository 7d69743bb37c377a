/**
 * Multi-layer perceptrons whose parameters live in one flat vector, on the chosen kernels
 * (`core/kernels`), with their gradient written out once here: {@link mlpBackward} for a hand
 * written backward pass, and {@link mlp}, the same pass as a `tf.customGrad` op, so that a loss
 * written in plain tfjs ops is differentiated by `tf.grads` while the MLPs inside it still run
 * the fast products (autodiff of `matMul` would use its transpose flags, 10-17x slower on wasm:
 * docs/algorithms.md, "Kernels"). One flat vector per optimiser also lets Adam, gradient clipping
 * and the soft target update run as a handful of large ops.
 *
 * Weights are stored `[in, out]` row-major (`y = x W + b`), each layer's weight then bias.
 *
 * @module
 */
import { tf } from "../tf.ts";
import type { Rng } from "../rng.ts";
import type { Kernels } from "../kernels/mod.ts";

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
 * import assert from "node:assert/strict";
 * import { mlpLayout } from "./dense.ts";
 * const layout = mlpLayout("v", [4, 8, 1]);
 * assert.equal(layout.size, 4 * 8 + 8 + 8 * 1 + 1);
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

function layerWeights(
  kernels: Kernels,
  params: tf.Tensor1D,
  layer: DenseLayer,
): [tf.Tensor2D, tf.Tensor1D] {
  const { inputs, outputs } = layer;
  const weight = kernels.slice(params, layer.weightOffset, inputs * outputs, [inputs, outputs]);
  const bias = kernels.slice(params, layer.biasOffset, outputs, [outputs]);
  return [weight as tf.Tensor2D, bias as tf.Tensor1D];
}

/** What {@link mlpBackward} needs from a forward pass: each layer's input and weight. */
export interface MlpTrace {
  inputs: tf.Tensor2D[]; // [R, in] per layer
  weights: tf.Tensor2D[]; // [in, out] per layer
}

/** The forward pass `x` [R, in] -> [R, out], with the trace for {@link mlpBackward}. */
export function mlpForwardTraced(
  kernels: Kernels,
  layout: MlpLayout,
  x: tf.Tensor2D,
  params: tf.Tensor1D,
): { output: tf.Tensor2D; trace: MlpTrace } {
  const trace: MlpTrace = { inputs: [], weights: [] };
  let h = x;
  layout.layers.forEach((layer, l) => {
    const [weight, bias] = layerWeights(kernels, params, layer);
    trace.inputs.push(h);
    trace.weights.push(weight);
    h = kernels.dense(h, weight, bias, l === layout.layers.length - 1);
  });
  return { output: h, trace };
}

/** The forward pass alone (acting, target networks): `x` [R, in] -> [R, out]. */
export function mlpForward(
  kernels: Kernels,
  layout: MlpLayout,
  x: tf.Tensor2D,
  params: tf.Tensor1D,
): tf.Tensor2D {
  return tf.tidy(() => mlpForwardTraced(kernels, layout, x, params).output);
}

/**
 * The gradient of a loss with respect to the layout's parameters, given the gradient with
 * respect to the output, `outputGradient` [R, out]: `params` [layout.size] in layout order, and
 * with `withInput` the gradient with respect to the input x [R, in] too.
 *
 * Per layer, from the last: the weight and bias gradients (`kernels.denseGradients`); then
 * upstream <- (upstream W^T) * relu'(input), relu' read from the input itself (> 0).
 */
export function mlpBackward(
  kernels: Kernels,
  layout: MlpLayout,
  trace: MlpTrace,
  outputGradient: tf.Tensor2D,
  withInput = false,
): { params: tf.Tensor1D; input?: tf.Tensor2D } {
  return tf.tidy(() => {
    const pieces: tf.Tensor[] = []; // weight and bias gradients, last layer first
    let upstream = outputGradient; // d loss / d (layer output), [R, out]
    for (let l = layout.layers.length - 1; l >= 0; l--) {
      const input = trace.inputs[l];
      const { weight, bias } = kernels.denseGradients(input, upstream);
      pieces.push(bias, weight);
      if (l > 0) upstream = kernels.inputGradient(upstream, trace.weights[l], input);
      else if (withInput) upstream = kernels.inputGradient(upstream, trace.weights[0]);
    }
    const params = tf.concat(pieces.reverse().map((piece) => tf.reshape(piece, [-1])));
    return withInput ? { params, input: upstream } : { params };
  }) as { params: tf.Tensor1D; input?: tf.Tensor2D };
}

/**
 * The MLP at `layout` inside the flat vector `params` as a differentiable op: `tf.grads` of
 * anything computed from its output gives d/d`params` (zero outside the layout's range) and
 * d/d`x`, by {@link mlpBackward} on the fast kernels rather than by the tape. With
 * `constantInput` (an input that is data, such as the batch's observations) d/d`x` is returned
 * as zeros and its product is skipped; with `constantParams` (a critic an actor differentiates
 * through) d/d`params` is returned as zeros and only the input-gradient products run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tf } from "../tf.ts";
 * import { tfjsKernels } from "../kernels/mod.ts";
 * import { mlp, mlpLayout } from "./dense.ts";
 * await tf.setBackend("cpu");
 * const layout = mlpLayout("f", [1, 1]); // y = x w + b
 * const [dw] = tf.grads((p: tf.Tensor) =>
 *   tf.sum(mlp(tfjsKernels, layout, tf.tensor2d([[3]]), p as tf.Tensor1D))
 * )([tf.tensor1d([2, 1])]);
 * assert.deepEqual(Array.from(dw.dataSync()), [3, 1]); // dy/dw = x, dy/db = 1
 * ```
 */
export function mlp(
  kernels: Kernels,
  layout: MlpLayout,
  x: tf.Tensor2D,
  params: tf.Tensor1D,
  constantInput = false,
  constantParams = false,
): tf.Tensor2D {
  const depth = layout.layers.length;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, vector, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const { output, trace } = mlpForwardTraced(
      kernels,
      layout,
      input as tf.Tensor2D,
      vector as tf.Tensor1D,
    );
    save([...trace.inputs, ...trace.weights]);
    return {
      value: output,
      gradFunc: (dy, saved) => {
        if (constantParams) {
          // Only d/dx is wanted (an actor differentiating through a critic): one product per
          // layer instead of three.
          return [
            inputGradientOnly(kernels, layout, saved, dy as tf.Tensor2D),
            tf.zerosLike(params),
          ];
        }
        const trace = {
          inputs: saved.slice(0, depth) as tf.Tensor2D[],
          weights: saved.slice(depth) as tf.Tensor2D[],
        };
        const gradient = mlpBackward(kernels, layout, trace, dy as tf.Tensor2D, !constantInput);
        const before = layout.offset;
        const after = params.size - layout.offset - layout.size;
        const dParams = before === 0 && after === 0
          ? gradient.params
          : tf.pad(gradient.params, [[before, after]]);
        return [gradient.input ?? tf.zerosLike(trace.inputs[0]), dParams];
      },
    };
  });
  return op(x, params) as tf.Tensor2D;
}

/** d loss / d x alone, from the saved trace (inputs, then weights) and d loss / d output. */
function inputGradientOnly(
  kernels: Kernels,
  layout: MlpLayout,
  saved: tf.Tensor[],
  outputGradient: tf.Tensor2D,
): tf.Tensor2D {
  const depth = layout.layers.length;
  return tf.tidy(() => {
    let upstream = outputGradient;
    for (let l = depth - 1; l >= 0; l--) {
      const weight = saved[depth + l] as tf.Tensor2D;
      upstream = kernels.inputGradient(
        upstream,
        weight,
        l > 0 ? saved[l] as tf.Tensor2D : undefined,
      );
    }
    return upstream;
  });
}
