/**
 * The clipped Adam step and the soft target update as single passes over the flat vectors, on
 * the wasm backend's heap (`heap_adam_module.ts`). The tfjs formulation in `adam.ts` runs a
 * dozen element-wise kernels per optimiser, each a pass over ~70k values plus a dispatch; these
 * compute the same float32 operations in the same order in one pass. The clip coefficient is
 * computed in JavaScript from the kernel's sum of squares, rounding like float32 tensors do.
 * Elsewhere (other backends, no relaxed SIMD) both return undefined.
 *
 * @module
 */
import { tf } from "../tf.ts";
import type { AdamSettings, AdamState } from "../nn/adam.ts";
import { adamModuleBytes } from "./heap_adam_module.ts";
import { heapModule } from "./heap.ts";

interface AdamKernels {
  sumSquares(g: number, n: number): number;
  adam(...args: number[]): void;
  softUpdate(
    target: number,
    live: number,
    out: number,
    n: number,
    tau: number,
    keep: number,
  ): void;
}

const kernels = () => heapModule<AdamKernels>("adam", adamModuleBytes);
const f32 = Math.fround;

/** {@link adamStep}'s result computed on the heap, or undefined where it does not apply. */
export function heapAdamStep(
  params: tf.Tensor1D,
  gradient: tf.Tensor1D,
  state: AdamState,
  settings: AdamSettings,
  step: number,
): { params: tf.Tensor1D; state: AdamState } | undefined {
  const module = kernels();
  const tensors = [params, gradient, state.m, state.v];
  if (module === null || tensors.some((t) => t.dtype !== "float32" || t.size !== params.size)) {
    return undefined;
  }
  const { heap, exports } = module;
  const { learningRate, beta1, beta2, epsilon, clipNorm } = settings;
  const n = params.size;
  const norm = f32(Math.sqrt(exports.sumSquares(heap.address(gradient), n)));
  const clip = Math.min(f32(f32(clipNorm) / f32(norm + f32(1e-6))), 1);
  const [outP, outM, outV] = [heap.output([n]), heap.output([n]), heap.output([n])];
  exports.adam(
    heap.address(params),
    heap.address(gradient),
    heap.address(state.m),
    heap.address(state.v),
    heap.address(outP),
    heap.address(outM),
    heap.address(outV),
    n,
    f32(clip * f32(1 - beta1)),
    f32(f32(clip * clip) * f32(1 - beta2)),
    beta1,
    beta2,
    Math.sqrt(1 - beta2 ** step),
    epsilon,
    learningRate / (1 - beta1 ** step),
  );
  return {
    params: heap.tensor<tf.Tensor1D>(outP),
    state: { m: heap.tensor<tf.Tensor1D>(outM), v: heap.tensor<tf.Tensor1D>(outV), step },
  };
}

/** target (1 - tau) + live tau on the heap, or undefined where it does not apply. */
export function heapSoftUpdate(
  target: tf.Tensor1D,
  live: tf.Tensor1D,
  tau: number,
): tf.Tensor1D | undefined {
  const module = kernels();
  if (module === null || target.size !== live.size) return undefined;
  if (target.dtype !== "float32" || live.dtype !== "float32") return undefined;
  const { heap, exports } = module;
  const out = heap.output([target.size]);
  exports.softUpdate(
    heap.address(target),
    heap.address(live),
    heap.address(out),
    target.size,
    tau,
    1 - tau,
  );
  return heap.tensor<tf.Tensor1D>(out);
}
