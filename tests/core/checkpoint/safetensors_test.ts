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
