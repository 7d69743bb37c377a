/**
 * Checkpoint files: the safetensors format and atomic writes.
 *
 * @module
 */
export {
  decodeSafetensors,
  encodeSafetensors,
  type NamedTensor,
  type SafetensorsContent,
  type SafetensorsDtype,
  SafetensorsError,
  type TensorData,
} from "./safetensors.ts";
export { writeFileAtomic } from "./atomic_file.ts";
export { metadataJson } from "./metadata.ts";
