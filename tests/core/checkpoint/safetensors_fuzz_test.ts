import fc from "fast-check";
import { assert, assertEquals } from "../../assert.ts";
import {
  decodeSafetensors,
  encodeSafetensors,
  type SafetensorsContent,
  SafetensorsError,
} from "../../../core/checkpoint/mod.ts";
import { concat, decodeOrRefuse, FUZZ_SEED, fuzzRuns, mutatedBytes } from "../../fuzz.ts";

/** Cases per property (the whole file runs in about a second). */
export const SAFETENSORS_FUZZ_CASES = { mutated: 10_000, headerEdits: 6_000, roundTrips: 500 };

const CODES = ["invalid_safetensors"];

const samples: SafetensorsContent[] = [
  {
    tensors: {
      "policy.0.weight": { data: new Float32Array([1.5, -2, 3.25, 0, 1e-30, -7]), shape: [2, 3] },
      "policy.0.bias": { data: new Float32Array([0.5, -0.5, 1]), shape: [3] },
      "count": { data: new Int32Array([7, -1]), shape: [2] },
      "mask": { data: new Uint8Array([1, 0, 1]), shape: [3] },
    },
    metadata: { architecture: '{"format":"omiga-policy"}', iteration: "42" },
  },
  { tensors: {}, metadata: {} },
  {
    tensors: {
      empty: { data: new Float32Array(0), shape: [0, 4] },
      scalar: { data: new Int32Array([3]), shape: [] },
    },
    metadata: { note: "" },
  },
];
const validFiles = samples.map(encodeSafetensors);

/** Checks what a decode that succeeded returned: sizes agree, nothing larger than the file. */
function checkDecoded(content: SafetensorsContent, bytes: Uint8Array): void {
  let total = 0;
  for (const { data, shape } of Object.values(content.tensors)) {
    assertEquals(data.length, shape.reduce((a, b) => a * b, 1));
    total += data.byteLength;
  }
  assert(total <= bytes.length, `decoded ${total} bytes from a ${bytes.length}-byte file`);
  for (const value of Object.values(content.metadata)) assertEquals(typeof value, "string");
}

function fuzzDecode(bytes: Uint8Array): void {
  const decoded = decodeOrRefuse(() => decodeSafetensors(bytes), SafetensorsError, CODES);
  if (decoded !== undefined) checkDecoded(decoded, bytes);
}

/** The header JSON and the data bytes of a valid file. */
function split(file: Uint8Array): { header: Record<string, unknown>; data: Uint8Array } {
  const length = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  return {
    header: JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + length))),
    data: file.subarray(8 + length),
  };
}

/** A file from header text and data, its header length correct. */
function assemble(headerText: string, data: Uint8Array): Uint8Array {
  const header = new TextEncoder().encode(headerText);
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(header.length), true);
  return concat(length, header, data);
}

/** Values that are wrong wherever a dtype, shape, offset or metadata value is expected. */
const hostile = fc.constantFrom<unknown>(
  null,
  true,
  -1,
  0.5,
  1e308,
  2 ** 53,
  -(2 ** 31),
  "",
  "F64",
  "F32 ",
  "__proto__",
  [],
  [0],
  [0, 1, 2],
  [-1, 4],
  [4, 0],
  [0, 2 ** 53],
  [2 ** 31, 2 ** 31, 2 ** 31],
  [1e308, 1e308],
  [1.5],
  ["0", "4"],
  [null, null],
  {},
  { dtype: "F32" },
);

const FIELDS = ["dtype", "shape", "data_offsets"];

/** One edit of a header object (tensor entries, names, metadata), by a seed for its choices. */
const headerEdit = fc.tuple(
  fc.integer({ min: 0, max: 9 }),
  fc.nat(),
  fc.constantFrom(...FIELDS),
  hostile,
  fc.integer({ min: -9, max: 9 }),
  fc.constantFrom("__proto__", "__metadata__", "constructor", "", "policy.0.weight"),
);

type HeaderEdit = typeof headerEdit extends fc.Arbitrary<infer T> ? T : never;

/** `header` with `edit` applied, as JSON text (some edits only exist as text: duplicates). */
function applyEdit(header: Record<string, unknown>, edit: HeaderEdit): string {
  const [kind, pick, field, value, shift, name] = edit;
  const edited = structuredClone(header);
  const names = Object.keys(edited).filter((key) => key !== "__metadata__");
  const target = names.length > 0 ? names[pick % names.length] : undefined;
  const entry = target === undefined ? undefined : edited[target] as Record<string, unknown>;
  switch (kind) {
    case 0: // a field set to a wrong value
      if (entry) entry[field] = value;
      break;
    case 1: // a field removed
      if (entry) delete entry[field];
      break;
    case 2: // the whole entry replaced
      if (target) edited[target] = value;
      break;
    case 3: { // an offset moved
      const offsets = entry?.data_offsets as number[] | undefined;
      if (offsets) offsets[pick % 2] += shift;
      break;
    }
    case 4: { // a dimension changed
      const shape = entry?.shape as number[] | undefined;
      if (shape && shape.length > 0) shape[pick % shape.length] += shift;
      else if (shape) shape.push(Math.abs(shift));
      break;
    }
    case 5: // renamed (to a hostile or a colliding name), written as text so __proto__ stays
      if (target) {
        const text = JSON.stringify(edited);
        return text.replace(JSON.stringify(target) + ":", JSON.stringify(name) + ":");
      }
      break;
    case 6: { // an entry or a metadata key written twice
      const text = JSON.stringify(edited);
      const key = target ?? "__metadata__";
      const duplicate = `${JSON.stringify(key)}:${JSON.stringify(edited[key] ?? value)}`;
      return `{${duplicate},${text.slice(1)}`;
    }
    case 7: // the metadata replaced or given a wrong value
      edited.__metadata__ = pick % 2 === 0 ? value : { ...(edited.__metadata__ ?? {}), k: value };
      if (pick % 3 === 0) {
        return JSON.stringify(edited).replace(
          '"__metadata__":{',
          '"__metadata__":{"__proto__":"x",',
        );
      }
      break;
    case 8: // the header is not an object
      return JSON.stringify(value) ?? "null";
    case 9: // an extra tensor pointing into the data
      edited[`extra${pick % 3}`] = { dtype: "U8", shape: [Math.abs(shift)], data_offsets: [0, 4] };
      break;
  }
  return JSON.stringify(edited);
}

Deno.test(`${SAFETENSORS_FUZZ_CASES.mutated} mutated or arbitrary safetensors files are decoded or refused with SafetensorsError`, () => {
  fc.assert(fc.property(mutatedBytes(validFiles), fuzzDecode), {
    numRuns: fuzzRuns(SAFETENSORS_FUZZ_CASES.mutated),
    seed: FUZZ_SEED,
  });
});

Deno.test(`${SAFETENSORS_FUZZ_CASES.headerEdits} edited safetensors headers (fields, names, metadata, offsets) are decoded or refused with SafetensorsError`, () => {
  const parts = validFiles.map(split);
  fc.assert(
    fc.property(fc.constantFrom(...parts), headerEdit, fc.boolean(), (part, edit, pad) => {
      const text = applyEdit(part.header, edit) + (pad ? "   " : "");
      fuzzDecode(assemble(text, part.data));
    }),
    { numRuns: fuzzRuns(SAFETENSORS_FUZZ_CASES.headerEdits), seed: FUZZ_SEED },
  );
});

const tensor = fc.oneof(
  fc.array(fc.float({ noNaN: true }), { maxLength: 12 }).map((v) => new Float32Array(v)),
  fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 12 }).map((v) =>
    new Int32Array(v)
  ),
  fc.uint8Array({ maxLength: 12 }),
).map((data) => ({ data, shape: [data.length] }));

const name = fc.string({ maxLength: 12 }).filter((s) => s !== "__metadata__" && s !== "__proto__");

Deno.test(`${SAFETENSORS_FUZZ_CASES.roundTrips} arbitrary tensors and metadata round-trip through safetensors`, () => {
  fc.assert(
    fc.property(
      fc.dictionary(name, tensor, { maxKeys: 6 }),
      fc.dictionary(name, fc.string({ maxLength: 20 }), { maxKeys: 4 }),
      (tensors, metadata) => {
        const decoded = decodeSafetensors(encodeSafetensors({ tensors, metadata }));
        assertEquals({ ...decoded.metadata }, { ...metadata });
        assertEquals(Object.keys(decoded.tensors).sort(), Object.keys(tensors).sort());
        for (const [key, value] of Object.entries(tensors)) {
          assertEquals(decoded.tensors[key].data, value.data);
          assertEquals(decoded.tensors[key].shape, value.shape);
        }
      },
    ),
    { numRuns: fuzzRuns(SAFETENSORS_FUZZ_CASES.roundTrips), seed: FUZZ_SEED },
  );
});
