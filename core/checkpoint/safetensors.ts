/**
 * A small reader and writer for the safetensors format: an 8-byte little-endian header length,
 * a JSON header mapping each tensor name to `{dtype, shape, data_offsets}` (offsets relative to
 * the end of the header), then the raw little-endian tensor bytes. Non-tensor state travels in
 * the header's `__metadata__`, a map from string to string, as the format's specification asks.
 *
 * @module
 */
import { OmigaError } from "../errors.ts";

/** The dtypes this project writes and reads. */
export type SafetensorsDtype = "F32" | "I32" | "U8";

/** A typed array of one of {@link SafetensorsDtype}. */
export type TensorData = Float32Array | Int32Array | Uint8Array;

/** One named tensor: its values and shape. */
export interface NamedTensor {
  data: TensorData;
  shape: number[];
}

/** What a safetensors file holds. */
export interface SafetensorsContent {
  tensors: Record<string, NamedTensor>;
  metadata: Record<string, string>;
}

/** A safetensors file that cannot be read: truncated, bad header, unknown dtype, bad offsets. */
export class SafetensorsError extends OmigaError {
  constructor(message: string) {
    super("invalid_safetensors", `not a valid safetensors file: ${message}`);
  }
}

const BYTES_PER_ELEMENT: Record<SafetensorsDtype, number> = { F32: 4, I32: 4, U8: 1 };

function dtypeOf(data: TensorData): SafetensorsDtype {
  if (data instanceof Float32Array) return "F32";
  if (data instanceof Int32Array) return "I32";
  return "U8";
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Encodes tensors (in name order, so equal content gives equal bytes) and string metadata.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";
 * const bytes = encodeSafetensors({
 *   tensors: { w: { data: new Float32Array([1, 2]), shape: [2] } },
 *   metadata: { step: "3" },
 * });
 * assert.ok(decodeSafetensors(bytes).metadata.step === "3");
 * ```
 */
export function encodeSafetensors(content: SafetensorsContent): Uint8Array {
  if (!littleEndian) throw new OmigaError("unsupported_platform", "big-endian hosts unsupported");
  const names = Object.keys(content.tensors).sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(content.metadata).length > 0) header.__metadata__ = content.metadata;
  let offset = 0;
  for (const name of names) {
    if (name === "__metadata__") throw new SafetensorsError(`"__metadata__" is not a tensor name`);
    const { data, shape } = content.tensors[name];
    const count = shape.reduce((a, b) => a * b, 1);
    if (count !== data.length) {
      throw new SafetensorsError(`tensor "${name}" has ${data.length} values, shape ${shape}`);
    }
    header[name] = {
      dtype: dtypeOf(data),
      shape,
      data_offsets: [offset, offset + data.byteLength],
    };
    offset += data.byteLength;
  }
  let headerText = JSON.stringify(header);
  // Pad with spaces so that the data starts 8-byte aligned, as the reference writer does.
  const encoder = new TextEncoder();
  let headerBytes = encoder.encode(headerText);
  const padding = (8 - (headerBytes.length % 8)) % 8;
  if (padding > 0) {
    headerText += " ".repeat(padding);
    headerBytes = encoder.encode(headerText);
  }
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const name of names) {
    const { data } = content.tensors[name];
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), position);
    position += data.byteLength;
  }
  return out;
}

/**
 * Decodes safetensors bytes; tensors are copies (aligned, independent of `bytes`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";
 * const bytes = encodeSafetensors({ tensors: { b: { data: new Int32Array([7]), shape: [1] } }, metadata: {} });
 * assert.ok(decodeSafetensors(bytes).tensors.b.data[0] === 7);
 * ```
 */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsContent {
  if (!littleEndian) throw new OmigaError("unsupported_platform", "big-endian hosts unsupported");
  if (bytes.length < 8) throw new SafetensorsError(`${bytes.length} bytes is shorter than 8`);
  const headerLength = Number(
    new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true),
  );
  if (8 + headerLength > bytes.length) {
    throw new SafetensorsError(`header length ${headerLength} runs past the end`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    throw new SafetensorsError(`header is not JSON (${(error as Error).message})`);
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const tensors: Record<string, NamedTensor> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") {
      for (const [key, value] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof value !== "string") throw new SafetensorsError(`metadata "${key}" not a string`);
        metadata[key] = value;
      }
      continue;
    }
    const { dtype, shape, data_offsets: offsets } = entry as {
      dtype: string;
      shape: number[];
      data_offsets: [number, number];
    };
    if (!(dtype in BYTES_PER_ELEMENT)) {
      throw new SafetensorsError(`tensor "${name}" has unsupported dtype ${dtype}`);
    }
    const [begin, end] = offsets;
    const count = shape.reduce((a, b) => a * b, 1);
    const size = BYTES_PER_ELEMENT[dtype as SafetensorsDtype];
    if (!(begin >= 0 && end <= dataLength && end - begin === count * size)) {
      throw new SafetensorsError(`tensor "${name}" offsets [${begin}, ${end}] do not fit`);
    }
    const raw = bytes.slice(dataStart + begin, dataStart + end); // copy: aligned buffer
    const data = dtype === "F32"
      ? new Float32Array(raw.buffer)
      : dtype === "I32"
      ? new Int32Array(raw.buffer)
      : raw;
    tensors[name] = { data, shape };
  }
  return { tensors, metadata };
}
