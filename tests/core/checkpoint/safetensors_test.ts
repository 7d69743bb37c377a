import { assert, assertEquals, assertThrows } from "../../assert.ts";
import {
  decodeSafetensors,
  encodeSafetensors,
  SafetensorsError,
  writeFileAtomic,
} from "../../../core/checkpoint/mod.ts";

const content = {
  tensors: {
    "b.weight": { data: new Float32Array([1.5, -2, 3.25, 0, 1e-30, -7]), shape: [2, 3] },
    "a.count": { data: new Int32Array([7, -1]), shape: [2] },
    "mask": { data: new Uint8Array([1, 0, 1]), shape: [3] },
  },
  metadata: { iteration: "42", note: '{"json":true}' },
};

Deno.test("safetensors bytes follow the format: LE header length, JSON header, raw data", () => {
  const bytes = encodeSafetensors(content);
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assertEquals((8 + headerLength) % 8, 0);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  assertEquals(header.__metadata__, content.metadata);
  assertEquals(header["a.count"], { dtype: "I32", shape: [2], data_offsets: [0, 8] });
  assertEquals(header["b.weight"], { dtype: "F32", shape: [2, 3], data_offsets: [8, 32] });
  assertEquals(header.mask, { dtype: "U8", shape: [3], data_offsets: [32, 35] });
  const data = bytes.subarray(8 + headerLength);
  assertEquals(new DataView(data.buffer, data.byteOffset).getFloat32(8 + 4, true), -2);
  assertEquals(data.length, 35);
});

Deno.test("safetensors round-trips tensors and metadata exactly", () => {
  const decoded = decodeSafetensors(encodeSafetensors(content));
  assertEquals(decoded.metadata, content.metadata);
  for (const [name, tensor] of Object.entries(content.tensors)) {
    assertEquals(decoded.tensors[name].shape, tensor.shape);
    assertEquals(decoded.tensors[name].data, tensor.data);
  }
});

Deno.test("truncated or malformed safetensors bytes are rejected", () => {
  const bytes = encodeSafetensors(content);
  assertThrows(() => decodeSafetensors(bytes.subarray(0, 5)), SafetensorsError, "shorter");
  assertThrows(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4)), SafetensorsError, "");
  const garbled = bytes.slice();
  garbled[9] = 0x7b; // "{{" is not JSON
  assertThrows(() => decodeSafetensors(garbled), SafetensorsError, "JSON");
});

Deno.test("an atomic write replaces the file whole and leaves no temporary file", async () => {
  const folder = await Deno.makeTempDir();
  try {
    const path = `${folder}/state.safetensors`;
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    await writeFileAtomic(path, encodeSafetensors(content));
    assertEquals(decodeSafetensors(await Deno.readFile(path)).metadata.iteration, "42");
    const names = [];
    for await (const entry of Deno.readDir(folder)) names.push(entry.name);
    assertEquals(names, ["state.safetensors"]);
    assert(!names.some((name) => name.endsWith(".tmp")));
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

/** A file from header text and data bytes, its header length correct. */
function file(header: string, data: number[] = []): Uint8Array {
  const text = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

const u8 = (shape: unknown, offsets: unknown) => ({ dtype: "U8", shape, data_offsets: offsets });

/** Minimal malformed files (each found by the fuzz tests or the review), and what is named. */
const MALFORMED: [string, Uint8Array, string][] = [
  [
    "a missing data_offsets",
    file('{"w":{"dtype":"F32","shape":[1]}}', [0, 0, 0, 0]),
    'tensor "w", field data_offsets',
  ],
  [
    "a missing shape",
    file('{"w":{"dtype":"F32","data_offsets":[0,4]}}', [0, 0, 0, 0]),
    'tensor "w", field shape',
  ],
  [
    "a null entry",
    file('{"w":null}'),
    'tensor "w": expected {dtype, shape, data_offsets}, got null',
  ],
  ["a null __metadata__", file('{"__metadata__":null}'), "field __metadata__: expected an object"],
  [
    "a metadata value that is not a string",
    file('{"__metadata__":{"k":1}}'),
    "field __metadata__.k",
  ],
  ["a null header", file("null"), "the header is null, expected a JSON object"],
  ["an array header", file("[]"), "the header is [], expected a JSON object"],
  [
    "overlapping tensors",
    file(JSON.stringify({ a: u8([2], [0, 2]), b: u8([2], [0, 2]) }), [1, 2]),
    'tensor "b", field data_offsets: bytes [0, 2) overlap tensor "a"',
  ],
  [
    "bytes no tensor holds",
    file(JSON.stringify({ a: u8([1], [0, 1]) }), [1, 2, 3]),
    "the last 2 of the 3 data bytes",
  ],
  [
    "a gap between tensors",
    file(JSON.stringify({ a: u8([1], [0, 1]), b: u8([1], [2, 3]) }), [1, 2, 3]),
    'tensor "b", field data_offsets: bytes [1, 2) before it',
  ],
  [
    "an end past the data",
    file(JSON.stringify({ a: u8([4], [0, 4]) }), [1]),
    "end 4 runs past the 1 bytes",
  ],
  ["begin after end", file(JSON.stringify({ a: u8([0], [1, 0]) }), [1]), "begin 1 is after end 0"],
  [
    "a tensor named __proto__",
    file(
      JSON.stringify({ ["__proto__"]: 0 }).replace(
        "{}",
        `{"__proto__":${JSON.stringify(u8([1], [0, 1]))}}`,
      ),
      [9],
    ),
    'tensor "__proto__": not an allowed name',
  ],
  [
    "a metadata key __proto__",
    file('{"__metadata__":{"__proto__":"x"}}'),
    "field __metadata__.__proto__",
  ],
  [
    "negative dimensions",
    file(JSON.stringify({ w: u8([-1, -4], [0, 4]) }), [1, 2, 3, 4]),
    'tensor "w", field shape',
  ],
  [
    "fractional dimensions",
    file(JSON.stringify({ w: u8([0.5, 8], [0, 4]) }), [1, 2, 3, 4]),
    'tensor "w", field shape',
  ],
  [
    "dimensions as strings",
    file(JSON.stringify({ w: u8(["2", "2"], [0, 4]) }), [1, 2, 3, 4]),
    'tensor "w", field shape',
  ],
  [
    "fractional offsets",
    file(JSON.stringify({ w: u8([4], [0.5, 4.5]) }), [1, 2, 3, 4, 5]),
    'tensor "w", field data_offsets',
  ],
  [
    "a huge shape",
    file('{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}', [
      1,
      2,
      3,
      4,
    ]),
    "needs over 2^53 bytes",
  ],
  [
    "a shape that disagrees with the offsets",
    file('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', [1, 2, 3, 4]),
    "shape [2] of F32 needs 8 bytes, data_offsets [0, 4] hold 4",
  ],
  [
    "an inherited property as dtype",
    file('{"w":{"dtype":"toString","shape":[1],"data_offsets":[0,4]}}', [1, 2, 3, 4]),
    'field dtype: unsupported dtype "toString"',
  ],
  [
    "a name written twice",
    file(`{"a":${JSON.stringify(u8([1], [0, 1]))},"a":${JSON.stringify(u8([2], [0, 2]))}}`, [1, 2]),
    'tensor "a": the name appears twice',
  ],
  [
    "a metadata key written twice",
    file('{"__metadata__":{"k":"1","k":"2"}}'),
    "field __metadata__.k: the name appears twice",
  ],
  [
    "a header past the end of the file",
    new Uint8Array([255, 0, 0, 0, 0, 0, 0, 0, 123, 125]),
    "header length 255 runs past the end of the 10-byte file",
  ],
  [
    "a header length of 2^64 - 1",
    new Uint8Array([255, 255, 255, 255, 255, 255, 255, 255, 123, 125]),
    "header length 18446744073709551615 runs past",
  ],
];

Deno.test("malformed safetensors files are refused with SafetensorsError naming the tensor and field", () => {
  for (const [what, bytes, named] of MALFORMED) {
    const error = assertThrows(() => decodeSafetensors(bytes), SafetensorsError, named);
    assertEquals(error.code, "invalid_safetensors", what);
  }
});

Deno.test("a header that is not UTF-8 is refused", () => {
  const bytes = file(`{"w?":${JSON.stringify(u8([1], [0, 1]))}}`, [1]);
  bytes[11] = 0xff;
  assertThrows(() => decodeSafetensors(bytes), SafetensorsError, "not UTF-8");
});

Deno.test("names such as constructor and toString, zero-size and scalar tensors decode", () => {
  const decoded = decodeSafetensors(encodeSafetensors({
    tensors: {
      constructor: { data: new Uint8Array([1]), shape: [1] },
      toString: { data: new Float32Array(0), shape: [0, 3] },
      scalar: { data: new Int32Array([5]), shape: [] },
    },
    metadata: { hasOwnProperty: "x" },
  }));
  assertEquals(decoded.tensors["constructor"].data, new Uint8Array([1]));
  assertEquals(decoded.tensors["toString"].shape, [0, 3]);
  assertEquals(decoded.tensors.scalar.data, new Int32Array([5]));
  assertEquals(decoded.metadata.hasOwnProperty, "x");
});

Deno.test("the writer refuses the tensor names __metadata__ and __proto__", () => {
  for (const name of ["__metadata__", "__proto__"]) {
    const tensors = Object.defineProperty({}, name, {
      value: { data: new Uint8Array(1), shape: [1] },
      enumerable: true,
    });
    assertThrows(() => encodeSafetensors({ tensors, metadata: {} }), SafetensorsError, name);
  }
});
