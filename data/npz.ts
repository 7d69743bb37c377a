/**
 * A dataset as NumPy's `.npz` (what `numpy.savez` writes: a zip of one uncompressed `.npy` file
 * per array, here one per canonical field): `episode`, `t` (int32 [N]), `obs`, `state` (float32
 * [N, agents, dim]), `action` (float32 [N, agents, act_dim], or int32 [N, agents, 1] for discrete
 * actions), `avail` (uint8 [N, agents, n_actions], discrete only), `reward` (float32 [N]), `done`
 * and `truncated` (uint8 [N]). `numpy.load(path)` reads it. The zip is streamed into the file
 * (fflate), so the arrays are not copied into one buffer first.
 *
 * @module
 */
import { Zip, ZipPassThrough } from "fflate";
import type { CanonicalDataset } from "../core/dataset.ts";
import { writeAll } from "./arrow_layout.ts";
import { DatasetError } from "./errors.ts";

/** An array of the `.npz` file: its name, values and shape. */
export interface NpzArray {
  name: string;
  values: Int32Array | Float32Array | Uint8Array;
  shape: number[];
}

/** The arrays a dataset is written as, in order. */
export function npzArrays(dataset: CanonicalDataset): NpzArray[] {
  const { spec, size } = dataset;
  const perAgent = (dim: number) => [size, spec.nAgents, dim];
  const arrays: NpzArray[] = [
    { name: "episode", values: dataset.episode, shape: [size] },
    { name: "t", values: dataset.t, shape: [size] },
    { name: "obs", values: dataset.obs, shape: perAgent(spec.obsDim) },
    { name: "state", values: dataset.state, shape: perAgent(spec.stateDim) },
    { name: "action", values: dataset.action, shape: perAgent(spec.actDim) },
  ];
  if (dataset.avail !== undefined) {
    arrays.push({ name: "avail", values: dataset.avail, shape: perAgent(spec.nActions!) });
  }
  arrays.push(
    { name: "reward", values: dataset.reward, shape: [size] },
    { name: "done", values: dataset.done, shape: [size] },
    { name: "truncated", values: dataset.truncated, shape: [size] },
  );
  return arrays;
}

/**
 * The `.npy` header (format 1.0) of an array: magic, version, header length and the Python dict
 * literal of dtype, order and shape, padded so that the data start at a multiple of 64 bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { npyHeader } from "./npz.ts";
 * const header = npyHeader(new Float32Array(6), [2, 3]);
 * assert.equal(header.length % 64, 0);
 * assert.match(new TextDecoder().decode(header), /'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\)/);
 * ```
 */
export function npyHeader(values: NpzArray["values"], shape: number[]): Uint8Array {
  const descr = values instanceof Float32Array
    ? "<f4"
    : values instanceof Int32Array
    ? "<i4"
    : "|u1";
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${dims}, }`;
  const unpadded = 10 + dict.length + 1; // magic 6, version 2, length 2, dict, newline
  const text = dict + " ".repeat((64 - (unpadded % 64)) % 64) + "\n";
  const header = new Uint8Array(10 + text.length);
  header.set([0x93, ...new TextEncoder().encode("NUMPY"), 1, 0]);
  new DataView(header.buffer).setUint16(8, text.length, true);
  header.set(new TextEncoder().encode(text), 10);
  return header;
}

/** Zip without its 64-bit extension, which the zip writer has not: members and offsets < 4 GiB. */
const ZIP_LIMIT = 2 ** 32 - 1;

/**
 * Writes `dataset` as an `.npz` file at `path` and fsyncs it. Refuses, before writing, a dataset
 * whose arrays reach 4 GiB (the zip format without its 64-bit extension).
 *
 * @example
 * ```ts ignore
 * await writeNpz("/tmp/spread.npz", dataset);
 * // python3 -c "import numpy; d = numpy.load('/tmp/spread.npz'); print(d['obs'].shape)"
 * ```
 */
export async function writeNpz(path: string, dataset: CanonicalDataset): Promise<void> {
  const arrays = npzArrays(dataset);
  const total = arrays.reduce((sum, array) => sum + array.values.byteLength + 256, 0);
  if (total >= ZIP_LIMIT) {
    throw new DatasetError(
      "invalid_input",
      `the arrays take ${total} bytes, more than a .npz file without the zip's 64-bit extension ` +
        "holds (4 GiB); export .parquet or .arrow, or filter the dataset first",
      { file: path },
    );
  }
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new DatasetError("invalid_input", ".npz export needs a little-endian machine");
  }
  const pending: Uint8Array[] = [];
  let failure: Error | null = null;
  const zip = new Zip((error, chunk) => {
    if (error !== null) failure = error;
    else pending.push(chunk);
  });
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const flush = async () => {
    if (failure !== null) throw failure;
    for (const chunk of pending.splice(0)) await writeAll(file, chunk);
  };
  try {
    for (const { name, values, shape } of arrays) {
      const member = new ZipPassThrough(`${name}.npy`);
      zip.add(member);
      member.push(npyHeader(values, shape) as Uint8Array<ArrayBuffer>);
      const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
      const step = 1 << 24; // 16 MiB pieces: the file takes each before the next is hashed
      for (let at = 0; at < bytes.length; at += step) {
        const end = Math.min(bytes.length, at + step);
        member.push(bytes.subarray(at, end) as Uint8Array<ArrayBuffer>, end === bytes.length);
        await flush();
      }
    }
    zip.end();
    await flush();
    await file.sync();
  } finally {
    file.close();
  }
}
