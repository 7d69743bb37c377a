/**
 * Tensor backends: pick the fastest one that works here, or the one the user forced.
 *
 * ```ts
 * import { describeBackend, selectBackend } from "./mod.ts";
 * const report = await selectBackend({ backend: "auto" });
 * console.log(describeBackend(report));
 * ```
 *
 * @module
 */
export {
  BACKEND_NAMES,
  type BackendAttempt,
  type BackendChoice,
  backendChoiceFrom,
  type BackendName,
  type BackendOptions,
  type BackendReport,
  describeBackend,
  parseBackendChoice,
  selectBackend,
  wasmBinaryFolder,
  type WasmFacts,
  type WebGpuFacts,
} from "./select.ts";
