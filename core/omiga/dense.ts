/**
 * Multi-layer perceptrons whose parameters live in one flat vector, with a hand-written
 * gradient. On the wasm backend `matMul` with `transposeA`/`transposeB` is 10-17x slower than a
 * plain one (DESIGN.md section 2) and autodiff of `matMul` uses those flags, so the backward pass
 * here transposes explicitly and then multiplies. One flat vector per optimiser also lets Adam,
 * gradient clipping and the soft target update run as a handful of large ops.
 *
 * Weights are stored `[in, out]` row-major (`y = x W + b`), each layer's weight then bias.
 *
 * @module
 */
import { tf } from "../tf.ts";
import type { Rng } from "../rng.ts";

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

function layerWeights(params: tf.Tensor1D, layer: DenseLayer): [tf.Tensor2D, tf.Tensor1D] {
  const weight = tf.reshape(
    tf.slice(params, [layer.weightOffset], [layer.inputs * layer.outputs]),
    [layer.inputs, layer.outputs],
  ) as tf.Tensor2D;
  const bias = tf.slice(params, [layer.biasOffset], [layer.outputs]) as tf.Tensor1D;
  return [weight, bias];
}

/**
 * A forward pass without gradient bookkeeping (acting, targets): fused matMul + bias + ReLU.
 * `x`: [R, in] -> [R, out].
 */
export function mlpForward(layout: MlpLayout, x: tf.Tensor2D, params: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => {
    let h = x;
    layout.layers.forEach((layer, l) => {
      const [weight, bias] = layerWeights(params, layer);
      const last = l === layout.layers.length - 1;
      h = tf.fused.matMul({
        a: h,
        b: weight,
        bias,
        activation: last ? "linear" : "relu",
      }) as tf.Tensor2D;
    });
    return h;
  });
}

/** `(x, params) -> [R, out]` whose gradient flows to `params` (the input `x` is data: zero). */
export type Mlp = (x: tf.Tensor2D, params: tf.Tensor1D) => tf.Tensor2D;

/** x W + b, then ReLU unless `linear`: one fused kernel, also while a gradient tape records. */
function denseKernel(x: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor1D, linear: boolean) {
  // `tf.fused.matMul` unfuses whenever a gradient is being recorded; inside this op's forward
  // pass nothing is recorded (the hand-written backward below is used), so run the kernel.
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

function recordingGradient(): boolean {
  return (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;
}

/**
 * An MLP as one differentiable op with a hand-written backward pass that uses explicit
 * transposes. `params` may be a larger vector holding other networks too: the gradient has the
 * full vector's length, zero outside the layout.
 *
 * The forward pass keeps its layer inputs and weights for the backward pass itself rather than
 * through `save` (which copies every saved tensor); they are freed when the backward pass runs,
 * so call it only under `tf.grads` with `params` among the differentiated inputs, and use
 * {@link mlpForward} otherwise.
 */
export function differentiableMlp(layout: MlpLayout): Mlp {
  const last = layout.layers.length - 1;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, params] = args as [tf.Tensor2D, tf.Tensor1D];
    const keep = recordingGradient();
    const inputs: tf.Tensor2D[] = []; // input of each layer, [R, in]
    const weights: tf.Tensor2D[] = [];
    let h = x;
    layout.layers.forEach((layer, l) => {
      const [weight, bias] = layerWeights(params, layer);
      inputs.push(h);
      weights.push(weight);
      h = denseKernel(h, weight, bias, l === last);
    });
    if (keep) [...inputs.slice(1), ...weights].forEach((t) => tf.keep(t));
    return {
      value: h,
      gradFunc: (dy: tf.Tensor) => {
        const pieces: tf.Tensor[] = [];
        const rows = x.shape[0];
        const ones = tf.ones([1, rows]);
        let upstream = dy as tf.Tensor2D; // d loss / d (layer output), [R, out]
        for (let l = last; l >= 0; l--) {
          const input = inputs[l];
          // [input | 1]^T upstream = [dW; db], [in + 1, out]: weight then bias, as laid out.
          const inputWithOnes = tf.concat([tf.transpose(input), ones], 0);
          pieces.push(tf.reshape(tf.matMul(inputWithOnes, upstream), [-1]));
          if (l > 0) {
            const throughWeight = tf.matMul(upstream, tf.transpose(weights[l])); // [R, in]
            upstream = tf.mul(throughWeight, tf.step(input)); // ReLU: input > 0 <=> pre-act > 0
          }
        }
        tf.dispose([...inputs.slice(1), ...weights]);
        pieces.reverse();
        const total = params.shape[0];
        const before = layout.offset;
        const after = total - layout.offset - layout.size;
        if (before > 0) pieces.unshift(tf.zeros([before]));
        if (after > 0) pieces.push(tf.zeros([after]));
        return [tf.zerosLike(x), tf.concat(pieces)];
      },
    };
  });
  return (x, params) => op(x, params) as tf.Tensor2D;
}
