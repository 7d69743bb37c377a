/**
 * The compute kernels training runs on, behind one interface: the dense layer's forward
 * product, its two backward products, clipped Adam, the soft target update and slicing a flat
 * parameter vector. Two sets implement it: `tfjs` (tfjs ops, any backend) and `wasm-heap` (our
 * own WebAssembly kernels working in place on the wasm backend's heap, `heap_gemm.ts` and
 * `heap_adam.ts`, falling back to the tfjs set for the shapes they do not take). The set is
 * chosen once per tensor backend, by {@link kernelsFor}, and passed to whatever trains.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kernelsFor } from "./mod.ts";
 * import { tf } from "../tf.ts";
 * await tf.setBackend("cpu");
 * const kernels = kernelsFor();
 * assert.equal(kernels.name, "tfjs");
 * const y = kernels.dense(tf.tensor2d([[1, 2]]), tf.tensor2d([[1], [1]]), tf.tensor1d([0.5]), false);
 * assert.deepEqual(Array.from(y.dataSync()), [3.5]);
 * ```
 *
 * @module
 */
import { tf } from "../tf.ts";
import type { AdamSettings, AdamState } from "../nn/adam.ts";
import { tfjsKernels } from "./tfjs.ts";
import { wasmHeapKernels } from "./wasm_heap.ts";

/** The kernels a training step needs. Every method returns new tensors; inputs stay. */
export interface Kernels {
  /** `tfjs` or `wasm-heap`. */
  readonly name: "tfjs" | "wasm-heap";
  /** x W + b, then ReLU unless `linear`. `x` [R, in], `weight` [in, out], `bias` [out]. */
  dense(x: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor1D, linear: boolean): tf.Tensor2D;
  /** A layer's parameter gradients: dW = input^T upstream [in, out], db = 1^T upstream [out]. */
  denseGradients(input: tf.Tensor2D, upstream: tf.Tensor2D): { weight: tf.Tensor; bias: tf.Tensor };
  /**
   * The gradient with respect to a layer's input, upstream W^T [R, in]; times relu'(`mask`)
   * when a mask (the ReLU's output, which is > 0 exactly where its input was) is given.
   */
  inputGradient(upstream: tf.Tensor2D, weight: tf.Tensor2D, mask?: tf.Tensor2D): tf.Tensor2D;
  /** One clipped Adam step over a flat vector (see `core/nn/adam.ts`). */
  adamStep(
    params: tf.Tensor1D,
    gradient: tf.Tensor1D,
    state: AdamState,
    settings: AdamSettings,
  ): { params: tf.Tensor1D; state: AdamState };
  /** target (1 - tau) + live tau. */
  softUpdate(target: tf.Tensor1D, live: tf.Tensor1D, tau: number): tf.Tensor1D;
  /** `vector[offset : offset + size]` as a new tensor of `shape`. */
  slice(vector: tf.Tensor1D, offset: number, size: number, shape: number[]): tf.Tensor;
}

const chosen = new WeakMap<object, Kernels>();

/**
 * The kernels for the active tensor backend, chosen once per backend instance: `wasm-heap` on
 * the wasm backend when the engine validates our modules (relaxed SIMD), `tfjs` otherwise.
 */
export function kernelsFor(): Kernels {
  const backend = tf.backend();
  let kernels = chosen.get(backend);
  if (kernels === undefined) {
    kernels = tf.getBackend() === "wasm" ? wasmHeapKernels() ?? tfjsKernels : tfjsKernels;
    chosen.set(backend, kernels);
  }
  return kernels;
}

export { tfjsKernels } from "./tfjs.ts";
