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
interface WasmBackendInternals {
  wasm?: { asm?: { memory?: unknown } };
  dataIdMap: { get(dataId: object): { memoryOffset: number | null } | undefined };
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
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
