/**
 * The kernels as tfjs ops, on any backend. Transposes are explicit: on the wasm backend
 * `matMul`'s transpose flags run 10-17x slower than a plain product (docs/algorithms.md,
 * "Kernels").
 *
 * @module
 */
import { tf } from "../tf.ts";
import type { AdamSettings, AdamState } from "../nn/adam.ts";
import type { Kernels } from "./mod.ts";

function dense(x: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor1D, linear: boolean) {
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

/**
 * dW and db. The two products share their right operand (the wasm backend's XNNPACK caches its
 * packing per tensor); a narrow input (a first layer), for which packing the wide upstream
 * would dominate, computes ([input | 1]^T upstream)^T = upstream^T [input | 1] and transposes
 * the small result.
 */
function denseGradients(input: tf.Tensor2D, upstream: tf.Tensor2D) {
  return tf.tidy(() => {
    const [rows, inputs] = input.shape;
    const ones = tf.ones([1, rows]) as tf.Tensor2D;
    if (inputs + 1 < upstream.shape[1]) {
      const inputWithOnes = tf.concat([input, tf.reshape(ones, [rows, 1])], 1); // [R, in + 1]
      const both = tf.transpose(tf.matMul(tf.transpose(upstream), inputWithOnes)); // [in+1, out]
      const [weight, bias] = tf.split(both, [inputs, 1], 0);
      return { weight, bias: tf.reshape(bias, [-1]) };
    }
    return {
      weight: tf.matMul(tf.transpose(input), upstream),
      bias: tf.reshape(tf.matMul(ones, upstream), [-1]),
    };
  });
}

function inputGradient(upstream: tf.Tensor2D, weight: tf.Tensor2D, mask?: tf.Tensor2D) {
  return tf.tidy(() => {
    const [inputs, outputs] = weight.shape;
    // A one-column weight's transpose is the same values: a reshape, no copy.
    const weightT = outputs === 1 ? tf.reshape(weight, [1, inputs]) : tf.transpose(weight);
    const product = tf.matMul(upstream, weightT as tf.Tensor2D);
    return (mask ? tf.mul(product, tf.step(mask)) : product) as tf.Tensor2D;
  });
}

function adamStep(
  params: tf.Tensor1D,
  gradient: tf.Tensor1D,
  state: AdamState,
  settings: AdamSettings,
): { params: tf.Tensor1D; state: AdamState } {
  const step = state.step + 1;
  const { learningRate, beta1, beta2, epsilon } = settings;
  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2 = 1 - beta2 ** step;
  const [p, m, v] = tf.tidy(() => {
    const squared = tf.square(gradient);
    const norm = tf.sqrt(tf.sum(squared));
    const clip = tf.minimum(tf.div(settings.clipNorm, tf.add(norm, 1e-6)), 1); // scalar c
    const m = tf.add(tf.mul(state.m, beta1), tf.mul(gradient, tf.mul(clip, 1 - beta1)));
    const v = tf.add(tf.mul(state.v, beta2), tf.mul(squared, tf.mul(tf.square(clip), 1 - beta2)));
    const denominator = tf.add(tf.div(tf.sqrt(v), Math.sqrt(biasCorrection2)), epsilon);
    const update = tf.mul(tf.div(m, denominator), learningRate / biasCorrection1);
    return [tf.sub(params, update), m, v] as tf.Tensor1D[];
  });
  return { params: p, state: { m, v, step } };
}

function softUpdate(target: tf.Tensor1D, live: tf.Tensor1D, tau: number): tf.Tensor1D {
  return tf.tidy(() => tf.add(tf.mul(live, tau), tf.mul(target, 1 - tau)));
}

function slice(vector: tf.Tensor1D, offset: number, size: number, shape: number[]): tf.Tensor {
  return tf.tidy(() => tf.reshape(tf.slice(vector, [offset], [size]), shape));
}

/** The tfjs kernel set. */
export const tfjsKernels: Kernels = {
  name: "tfjs",
  dense,
  denseGradients,
  inputGradient,
  adamStep,
  softUpdate,
  slice,
};
