/**
 * The kernels on the wasm backend's heap: products by our own GEMM module (`heap_gemm.ts`: no
 * per-call repacking, fused multiply-adds, A^T read in place, bias/ReLU/ReLU' fused) and Adam
 * and the soft update as single passes (`heap_adam.ts`). For a shape a heap kernel does not
 * take, the method falls back to the tfjs set, so a caller never chooses.
 *
 * @module
 */
import { tf } from "../tf.ts";
import type { Kernels } from "./mod.ts";
import { tfjsKernels } from "./tfjs.ts";
import { heapAdamStep, heapSoftUpdate } from "./heap_adam.ts";
import { heapMatMul, heapTranspose } from "./heap_gemm.ts";
import { heapModule, type WasmBackendInternals } from "./heap.ts";
import { gemmModuleBytes } from "./heap_gemm_module.ts";

/**
 * A range of a flat parameter vector as a tensor of the wanted shape, copied heap to heap in one
 * pass (`tf.slice` then `tf.reshape` would be two ops; the wasm backend's own `Slice` also
 * copied its whole input out of the heap first, until `heap_slice.ts` replaced it).
 */
function slice(vector: tf.Tensor1D, offset: number, size: number, shape: number[]): tf.Tensor {
  const heap = tf.backend() as unknown as WasmBackendInternals;
  const out = heap.makeOutput(shape, "float32"); // allocate first: it may grow the heap
  heap.typedArrayFromHeap(out).set(
    heap.typedArrayFromHeap(vector).subarray(offset, offset + size),
  );
  return tf.engine().makeTensorFromTensorInfo(out);
}

/** x^T: on the heap (exact, about 3x faster than tfjs's `Transpose` at 256 x 256), else tfjs. */
function transpose(x: tf.Tensor2D): tf.Tensor2D {
  return heapTranspose(x) ?? tf.transpose(x);
}

function denseGradients(input: tf.Tensor2D, upstream: tf.Tensor2D) {
  return tf.tidy(() => {
    const ones = tf.ones([1, upstream.shape[0]]) as tf.Tensor2D;
    const weight = heapMatMul(input, upstream, { transposeA: true });
    if (weight) return { weight, bias: tf.reshape(heapMatMul(ones, upstream)!, [-1]) };
    // A few output columns (the heads): dW^T = upstream^T input on the heap, then a small
    // transpose (a reshape for one column).
    const transposed = heapMatMul(upstream, input, { transposeA: true }); // [out, in]
    if (transposed === undefined) return tfjsKernels.denseGradients(input, upstream);
    const [outputs, inputs] = transposed.shape;
    return {
      weight: outputs === 1 ? tf.reshape(transposed, [inputs, 1]) : transpose(transposed),
      bias: tf.reshape(heapMatMul(ones, upstream) ?? tf.matMul(ones, upstream), [-1]),
    };
  });
}

function inputGradient(upstream: tf.Tensor2D, weight: tf.Tensor2D, mask?: tf.Tensor2D) {
  return tf.tidy(() => {
    const [inputs, outputs] = weight.shape;
    const weightT = outputs === 1 ? tf.reshape(weight, [1, inputs]) : transpose(weight);
    return heapMatMul(upstream, weightT as tf.Tensor2D, { mask }) ??
      tfjsKernels.inputGradient(upstream, weight, mask);
  });
}

/** The heap kernel set, or undefined where the engine rejects the modules. */
export function wasmHeapKernels(): Kernels | undefined {
  if (heapModule("gemm", gemmModuleBytes) === null) return undefined;
  return {
    name: "wasm-heap",
    dense: (x, weight, bias, linear) =>
      heapMatMul(x, weight, { bias, relu: !linear }) ??
        tfjsKernels.dense(x, weight, bias, linear),
    denseGradients,
    inputGradient,
    adamStep: (params, gradient, state, settings) =>
      heapAdamStep(params, gradient, state, settings, state.step + 1) ??
        tfjsKernels.adamStep(params, gradient, state, settings),
    softUpdate: (target, live, tau) =>
      heapSoftUpdate(target, live, tau) ?? tfjsKernels.softUpdate(target, live, tau),
    slice,
  };
}
