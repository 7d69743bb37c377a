/**
 * Faster `Slice` and `SplitV` kernels for the wasm backend, registered in place of its own
 * (same values: a slice is a copy). The backend's `Slice` first copies its whole input out of
 * the heap (`readSync`), then copies each innermost run through a new `subarray`; for the
 * narrow column splits of a training step (a policy's [R, 2] output into mean and log-std, a
 * mixer's [B, n + 1] output into weights and bias) that cost 30-60 us per split here. These
 * read the input where it lies on the heap and copy short runs value by value.
 *
 * @module
 */
import { tf } from "../tf.ts";

/** What the kernels use of the wasm backend. */
interface WasmBackendSlice {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(tensor: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

type SliceArgs = {
  inputs: { x: tf.TensorInfo };
  attrs: { begin: number | number[]; size?: number | number[] };
  backend: WasmBackendSlice;
};

type SplitArgs = {
  inputs: { x: tf.TensorInfo };
  attrs: { numOrSizeSplits: number | number[]; axis: number };
  backend: WasmBackendSlice;
};

/** The kernel functions registered here (so that a second call does not wrap them again). */
const registered = new WeakSet<tf.KernelFunc>();

/** Runs at most this long are copied value by value rather than with `set`. */
const SHORT_RUN = 16;

/** `x[begin : begin + size]` on the heap, or undefined for what the backend's own kernel does. */
function sliceOnHeap(
  x: tf.TensorInfo,
  begin: number[],
  size: number[],
  backend: WasmBackendSlice,
): tf.TensorInfo | undefined {
  if (x.dtype === "string" || x.dtype === "complex64" || size.some((n) => n === 0)) {
    return undefined;
  }
  const out = backend.makeOutput(size, x.dtype); // first: it may grow the heap
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const rank = x.shape.length;
  const strides = tf.util.computeStrides(x.shape);
  const run = size[rank - 1] ?? 1;
  const outer = dst.length / run;
  // The index over every axis but the last, as a counter with carries.
  const index = new Array(Math.max(rank - 1, 0)).fill(0);
  for (let r = 0, at = 0; r < outer; r++, at += run) {
    let from = rank === 0 ? 0 : begin[rank - 1];
    for (let axis = 0; axis < rank - 1; axis++) from += (begin[axis] + index[axis]) * strides[axis];
    if (run <= SHORT_RUN) {
      for (let k = 0; k < run; k++) dst[at + k] = src[from + k];
    } else {
      dst.set(src.subarray(from, from + run), at);
    }
    for (let axis = rank - 2; axis >= 0; axis--) {
      if (++index[axis] < size[axis]) break;
      index[axis] = 0;
    }
  }
  return out;
}

/**
 * Registers the kernels for the wasm backend, once (later calls do nothing); they hand what
 * they do not take (strings, empty slices) to the backend's own kernels.
 */
export function registerHeapSlice(): void {
  const slice = tf.getKernel("Slice", "wasm");
  const split = tf.getKernel("SplitV", "wasm");
  if (slice === undefined || split === undefined || registered.has(slice.kernelFunc)) return;
  const ownSlice = slice.kernelFunc as unknown as (args: SliceArgs) => tf.TensorInfo;
  const sliceFunc = (args: SliceArgs) => {
    const [begin, size] = tf.slice_util.parseSliceParams(
      args.inputs.x as tf.TensorInfo as tf.Tensor,
      args.attrs.begin,
      args.attrs.size,
    );
    return sliceOnHeap(args.inputs.x, begin, size, args.backend) ??
      ownSlice({ ...args, attrs: { begin, size } });
  };
  const splitFunc = (args: SplitArgs) => {
    const { x } = args.inputs;
    const axis = tf.util.parseAxisParam(args.attrs.axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(
      x as tf.Tensor,
      args.attrs.numOrSizeSplits,
      axis,
    );
    const begin = new Array(x.shape.length).fill(0);
    return sizes.map((piece) => {
      const size = [...x.shape];
      size[axis] = piece;
      const out = sliceFunc({
        inputs: { x },
        attrs: { begin: [...begin], size },
        backend: args.backend,
      });
      begin[axis] += piece;
      return out;
    });
  };
  for (const [name, kernelFunc] of [["Slice", sliceFunc], ["SplitV", splitFunc]] as const) {
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel({
      kernelName: name,
      backendName: "wasm",
      kernelFunc: kernelFunc as unknown as tf.KernelFunc,
    });
    registered.add(kernelFunc as unknown as tf.KernelFunc);
  }
}
