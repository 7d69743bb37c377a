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

/** Where in a file a problem sits: the tensor (or `__metadata__`) and its field. */
export interface SafetensorsLocation {
  tensor?: string;
  field?: string;
}

/**
 * A safetensors file that cannot be read: truncated, bad header, unknown dtype, bad offsets.
 * `location` names the tensor and field at fault, when one is.
 */
export class SafetensorsError extends OmigaError {
  /** The tensor (or `__metadata__`) and field at fault. */
  readonly location: SafetensorsLocation;

  constructor(message: string, location: SafetensorsLocation = {}) {
    const where = [
      location.tensor === undefined ? "" : `tensor ${JSON.stringify(location.tensor)}`,
      location.field === undefined ? "" : `field ${location.field}`,
    ].filter((part) => part !== "").join(", ");
    super(
      "invalid_safetensors",
      `not a valid safetensors file: ${where ? `${where}: ` : ""}${message}`,
    );
    this.location = location;
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
    if (name === "__metadata__" || name === "__proto__") {
      throw new SafetensorsError("not an allowed tensor name", { tensor: name });
    }
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

/** The largest header this reader parses, in bytes (the reference reader's limit). */
export const MAX_HEADER_BYTES = 100_000_000;

/**
 * Decodes safetensors bytes; tensors are copies (aligned, independent of `bytes`). The bytes
 * are untrusted: anything but a well-formed file (a header that is a JSON object of tensors,
 * each with a dtype this reader knows, a shape whose size matches its `data_offsets`, the
 * tensors tiling the data without gaps or overlaps, string metadata, no name twice) is refused
 * with a {@link SafetensorsError} naming the tensor and field, and nothing larger than the file
 * is allocated.
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
  if (bytes.length < 8) {
    throw new SafetensorsError(`${bytes.length} bytes is shorter than the 8-byte header length`);
  }
  const declared = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(bytes.length - 8)) {
    throw new SafetensorsError(
      `header length ${declared} runs past the end of the ${bytes.length}-byte file`,
    );
  }
  if (declared > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(`header length ${declared} is over ${MAX_HEADER_BYTES} bytes`);
  }
  const dataStart = 8 + Number(declared);
  const header = parseHeader(bytes.subarray(8, dataStart));
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: TensorEntry[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__proto__") throw new SafetensorsError("not an allowed name", { tensor: name });
    if (name === "__metadata__") Object.assign(metadata, readMetadata(entry));
    else entries.push(readEntry(name, entry, dataLength));
  }
  checkTiling(entries, dataLength);
  const tensors: Record<string, NamedTensor> = {};
  for (const { name, dtype, shape, begin, end } of entries) {
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

/** One tensor's header entry, checked. */
interface TensorEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** The header bytes as a JSON object, every name in it once. */
function parseHeader(raw: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(raw);
  } catch {
    throw new SafetensorsError("the header is not UTF-8 text");
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    throw new SafetensorsError(`the header is not JSON (${(error as Error).message})`);
  }
  if (!isObject(header)) {
    throw new SafetensorsError(`the header is ${preview(header)}, expected a JSON object`);
  }
  const duplicate = firstDuplicateKey(text);
  if (duplicate !== undefined) {
    throw new SafetensorsError("the name appears twice in the header", locate(duplicate));
  }
  return header;
}

/** `__metadata__`: a map from string to string. */
function readMetadata(entry: unknown): Record<string, string> {
  if (!isObject(entry)) {
    throw new SafetensorsError(`expected an object of strings, got ${preview(entry)}`, {
      field: "__metadata__",
    });
  }
  for (const [key, value] of Object.entries(entry)) {
    const where = { field: `__metadata__.${key}` };
    if (key === "__proto__") throw new SafetensorsError("not an allowed key", where);
    if (typeof value !== "string") {
      throw new SafetensorsError(`expected a string, got ${preview(value)}`, where);
    }
  }
  return entry as Record<string, string>;
}

/** A tensor's `{dtype, shape, data_offsets}`, each checked against the others and the data. */
function readEntry(name: string, entry: unknown, dataLength: number): TensorEntry {
  const at = (field: string) => ({ tensor: name, field });
  if (!isObject(entry)) {
    throw new SafetensorsError(`expected {dtype, shape, data_offsets}, got ${preview(entry)}`, {
      tensor: name,
    });
  }
  const { dtype, shape, data_offsets: offsets } = entry;
  if (typeof dtype !== "string" || !Object.hasOwn(BYTES_PER_ELEMENT, dtype)) {
    throw new SafetensorsError(
      `unsupported dtype ${preview(dtype)}; this reader reads F32, I32 and U8`,
      at("dtype"),
    );
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw new SafetensorsError(
      `expected an array of non-negative integers, got ${preview(shape)}`,
      at("shape"),
    );
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw new SafetensorsError(
      `expected [begin, end], two non-negative integers, got ${preview(offsets)}`,
      at("data_offsets"),
    );
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) {
    throw new SafetensorsError(`begin ${begin} is after end ${end}`, at("data_offsets"));
  }
  if (end > dataLength) {
    throw new SafetensorsError(
      `end ${end} runs past the ${dataLength} bytes of data`,
      at("data_offsets"),
    );
  }
  const size = BYTES_PER_ELEMENT[dtype as SafetensorsDtype];
  const count = elementCount(shape, Math.floor(Number.MAX_SAFE_INTEGER / size));
  if (count * size !== end - begin) {
    const needs = Number.isFinite(count) ? `${count * size} bytes` : "over 2^53 bytes";
    throw new SafetensorsError(
      `shape [${shape.join(", ")}] of ${dtype} needs ${needs}, data_offsets [${begin}, ${end}] ` +
        `hold ${end - begin}`,
      at("shape"),
    );
  }
  return { name, dtype: dtype as SafetensorsDtype, shape, begin, end };
}

/** The number of elements of `shape`, or Infinity once it passes `limit` (no overflow). */
function elementCount(shape: number[], limit: number): number {
  if (shape.includes(0)) return 0;
  let count = 1;
  for (const dimension of shape) {
    count *= dimension;
    if (count > limit) return Infinity;
  }
  return count;
}

/** The tensors' byte ranges, in order, must tile the data exactly: no overlap, no gap. */
function checkTiling(entries: TensorEntry[], dataLength: number): void {
  const ordered = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let position = 0;
  let previous: string | undefined;
  for (const { name, begin, end } of ordered) {
    if (begin < position) {
      throw new SafetensorsError(
        `bytes [${begin}, ${end}) overlap tensor ${JSON.stringify(previous)}`,
        { tensor: name, field: "data_offsets" },
      );
    }
    if (begin > position) {
      throw new SafetensorsError(
        `bytes [${position}, ${begin}) before it belong to no tensor`,
        { tensor: name, field: "data_offsets" },
      );
    }
    position = end;
    previous = name;
  }
  if (position !== dataLength) {
    throw new SafetensorsError(
      `the last ${dataLength - position} of the ${dataLength} data bytes belong to no tensor`,
    );
  }
}

/** Where the header path `path` (a tensor's name then its fields, or `__metadata__`) is. */
function locate(path: string[]): SafetensorsLocation {
  if (path[0] === "__metadata__") return { field: path.join(".") };
  return { tensor: path[0], field: path.length > 1 ? path.slice(1).join(".") : undefined };
}

/**
 * The object keys leading to the first key that appears twice in one object of `text` (valid
 * JSON), or undefined. `JSON.parse` keeps the last of two equal keys without a word; a header
 * whose two entries for one name disagree is ambiguous, so it is refused instead.
 */
function firstDuplicateKey(text: string): string[] | undefined {
  const open: { keys?: Set<string>; key?: string }[] = []; // objects have keys, arrays not
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      if (expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        const object = open[open.length - 1];
        if (object.keys!.has(key)) {
          return [...open.slice(0, -1).flatMap((o) => o.key === undefined ? [] : [o.key]), key];
        }
        object.keys!.add(key);
        object.key = key;
      }
      expectKey = false;
      i = j;
    } else if (c === "{") {
      open.push({ keys: new Set() });
      expectKey = true;
    } else if (c === "[") {
      open.push({});
    } else if (c === "}" || c === "]") {
      open.pop();
    } else if (c === ",") {
      expectKey = open[open.length - 1]?.keys !== undefined;
    }
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** A short rendering of a JSON value for a message. */
function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
