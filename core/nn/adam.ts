/**
 * Adam over one flat parameter vector, with gradient-norm clipping first, computing exactly what
 * `torch.nn.utils.clip_grad_norm_` followed by `torch.optim.Adam.step` compute (no weight decay,
 * no amsgrad). Its state (the two moment vectors and the step count) is plain data, so a
 * checkpoint stores it and a resumed run continues bit for bit. The arithmetic runs on the
 * chosen kernels (`core/kernels`): a dozen tfjs ops, or one pass on the wasm heap.
 *
 * @module
 */
import { tf } from "../tf.ts";
import { type Kernels, kernelsFor } from "../kernels/mod.ts";

/** Adam's hyper-parameters. */
export interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Maximum global gradient norm; gradients above it are scaled down. */
  clipNorm: number;
}

/** Adam's state for one parameter vector. */
export interface AdamState {
  /** First moment, same length as the parameters. */
  m: tf.Tensor1D;
  /** Second moment. */
  v: tf.Tensor1D;
  /** Completed steps. */
  step: number;
}

/** A fresh state for `size` parameters. */
export function initialAdamState(size: number): AdamState {
  return { m: tf.zeros([size]), v: tf.zeros([size]), step: 0 };
}

/**
 * One clipped Adam step. Returns the new parameters and state; the caller disposes the old ones.
 *
 * With c = min(1, clip / (|g| + 1e-6)) and g <- c g:
 * m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
 * p = p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 *
 * The clip coefficient is folded into the moment updates' scalars and g^2 is shared with the
 * norm.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { adamStep, initialAdamState } from "./adam.ts";
 * import { tf } from "../tf.ts";
 * await tf.setBackend("cpu");
 * const settings = { learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, clipNorm: 1 };
 * const { params } = adamStep(tf.tensor1d([1]), tf.tensor1d([2]), initialAdamState(1), settings);
 * assert.ok(Math.abs(params.dataSync()[0] - 0.9) < 1e-6);
 * ```
 */
export function adamStep(
  params: tf.Tensor1D,
  gradient: tf.Tensor1D,
  state: AdamState,
  settings: AdamSettings,
  kernels: Kernels = kernelsFor(),
): { params: tf.Tensor1D; state: AdamState } {
  return kernels.adamStep(params, gradient, state, settings);
}
