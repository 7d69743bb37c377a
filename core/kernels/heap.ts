/**
 * Kernels of our own working in place on the wasm backend's heap (`heap_gemm.ts`,
 * `heap_adam.ts`): each is a small WebAssembly module that imports the backend's memory, so it
 * reads and writes tfjs tensors where they lie, without copies. Only on the wasm backend, and
 * only where the engine validates the module (relaxed SIMD); elsewhere callers use tfjs ops.
 *
 * @module
 */
import { tf } from "../tf.ts";

/** The parts of the wasm backend the heap kernels use. */
export interface WasmBackendInternals {
  wasm?: { asm?: { memory?: unknown } };
  dataIdMap: { get(dataId: object): { memoryOffset: number | null } | undefined };
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
  typedArrayFromHeap(tensor: tf.TensorInfo): Float32Array;
}

/** Tensors on the heap: where they lie, and new ones. */
export class WasmHeap {
  readonly #backend: WasmBackendInternals;

  constructor(backend: WasmBackendInternals) {
    this.#backend = backend;
  }

  /** A new float32 tensor's storage; allocate outputs before taking addresses (it may grow). */
  output(shape: number[]): tf.TensorInfo {
    return this.#backend.makeOutput(shape, "float32");
  }

  /** The byte address of a tensor's values. */
  address(tensor: tf.TensorInfo): number {
    return this.#backend.dataIdMap.get(tensor.dataId)!.memoryOffset!;
  }

  /** A tensor's float32 values where they lie on the heap (a view: valid until it grows). */
  values(tensor: tf.TensorInfo): Float32Array {
    return this.#backend.typedArrayFromHeap(tensor);
  }

  /** The tensor for storage from {@link WasmHeap.output}, tracked by the engine. */
  tensor<T extends tf.Tensor>(info: tf.TensorInfo): T {
    return tf.engine().makeTensorFromTensorInfo(info) as T;
  }
}

const instances = new WeakMap<object, Map<string, { heap: WasmHeap; exports: unknown } | null>>();

/**
 * The exports of the module `bytes()` instantiated on the current backend's heap (once per
 * backend and `key`), with the heap; null when the backend is not wasm or the engine rejects
 * the module.
 */
export function heapModule<Exports>(
  key: string,
  bytes: () => Uint8Array<ArrayBuffer>,
): { heap: WasmHeap; exports: Exports } | null {
  if (tf.getBackend() !== "wasm") return null;
  const backend = tf.backend() as unknown as WasmBackendInternals;
  let modules = instances.get(backend);
  if (modules === undefined) instances.set(backend, modules = new Map());
  if (!modules.has(key)) {
    let entry: { heap: WasmHeap; exports: unknown } | null = null;
    const memory = backend.wasm?.asm?.memory;
    const code = bytes();
    // validate() is false where the engine lacks relaxed SIMD.
    if (memory instanceof WebAssembly.Memory && WebAssembly.validate(code)) {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(code), {
        env: { memory },
      });
      entry = { heap: new WasmHeap(backend), exports: instance.exports };
    }
    modules.set(key, entry);
  }
  return modules.get(key) as { heap: WasmHeap; exports: Exports } | null;
}

/**
 * New float32 vectors of the given lengths, filled by `fill` with views of the vectors'
 * storage and of `inputs`' values: in place on the wasm heap (no copy either way; every output
 * is allocated before any view is taken, as allocation may move the heap), through copies on
 * other backends.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { filledVectors } from "./heap.ts";
 * import { tf } from "../tf.ts";
 * await tf.setBackend("cpu");
 * const [doubled] = filledVectors([tf.tensor1d([1, 2])], [2], ([x], [out]) => {
 *   for (let i = 0; i < x.length; i++) out[i] = 2 * x[i];
 * });
 * assert.deepEqual(Array.from(doubled.dataSync()), [2, 4]);
 * ```
 */
export function filledVectors(
  inputs: tf.Tensor[],
  lengths: number[],
  fill: (inputs: Float32Array[], outputs: Float32Array[]) => void,
): tf.Tensor1D[] {
  if (tf.getBackend() === "wasm" && inputs.every((t) => t.dtype === "float32")) {
    const backend = tf.backend() as unknown as WasmBackendInternals;
    const outputs = lengths.map((n) => backend.makeOutput([n], "float32"));
    fill(
      inputs.map((t) => backend.typedArrayFromHeap(t)),
      outputs.map((t) => backend.typedArrayFromHeap(t)),
    );
    return outputs.map((info) => tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor1D);
  }
  const outputs = lengths.map((n) => new Float32Array(n));
  fill(inputs.map((t) => t.dataSync() as Float32Array), outputs);
  return outputs.map((values) => tf.tensor1d(values));
}
