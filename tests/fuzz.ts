/**
 * Property-based fuzzing of decoders that read untrusted bytes: mutations of valid files (bit
 * flips, truncation, splices, overwrites with boundary values, insertions, deletions) and
 * arbitrary bytes, with the check that every case either decodes or is refused with the
 * decoder's typed error, within a time bound.
 *
 * @module
 */
import fc from "fast-check";
import { OmigaError } from "../core/errors.ts";
import { assert } from "./assert.ts";

/**
 * The seed of every fuzz run, so that a failure replays (fast-check prints its path).
 * `OMIGA_FUZZ_SEED` picks another, to explore further than CI does.
 */
export const FUZZ_SEED = Number(Deno.env.get("OMIGA_FUZZ_SEED") ?? 20261117);

/**
 * The number of runs of a property sized `cases` for CI, times `OMIGA_FUZZ_SCALE` (default 1)
 * for a longer run by hand: `OMIGA_FUZZ_SCALE=20 deno test -A tests/data/import_fuzz_test.ts`.
 */
export function fuzzRuns(cases: number): number {
  return Math.max(1, Math.round(cases * Number(Deno.env.get("OMIGA_FUZZ_SCALE") ?? 1)));
}

/** The longest one case may take, in milliseconds (a hang or a quadratic blow-up fails). */
export const CASE_TIME_LIMIT_MS = 2_000;

/** Bytes that sit on boundaries: zero, sign bits, all ones. */
const BOUNDARY_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];

/** Little-endian u32/u64 values that make lengths and offsets overflow or point nowhere. */
const BOUNDARY_WORDS: bigint[] = [
  0n,
  1n,
  7n,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  2n ** 53n,
  2n ** 63n,
  2n ** 64n - 1n,
];

/** One edit of a file. */
type Mutation = (bytes: Uint8Array) => Uint8Array;

/** A position in a file of `length` bytes, from a fraction in [0, 1). */
const at = (fraction: number, length: number) => Math.floor(fraction * length);

const fraction = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

/** The mutations of a file, each as an arbitrary of edits. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // Flip 1 to 8 bits.
  fc.array(fc.tuple(fraction, fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 8 })
    .map((flips) => (bytes: Uint8Array) => {
      const out = bytes.slice();
      for (const [where, bit] of flips) {
        if (out.length > 0) out[at(where, out.length)] ^= 1 << bit;
      }
      return out;
    }),
  // Truncate.
  fraction.map((where) => (bytes: Uint8Array) => bytes.slice(0, at(where, bytes.length))),
  // Overwrite bytes with boundary values.
  fc.array(fc.tuple(fraction, fc.constantFrom(...BOUNDARY_BYTES)), { minLength: 1, maxLength: 4 })
    .map((writes) => (bytes: Uint8Array) => {
      const out = bytes.slice();
      for (const [where, value] of writes) if (out.length > 0) out[at(where, out.length)] = value;
      return out;
    }),
  // Overwrite a u32 or u64 with a boundary value (lengths, offsets, counts).
  fc.tuple(fraction, fc.constantFrom(...BOUNDARY_WORDS), fc.constantFrom(4, 8)).map(
    ([where, value, width]) => (bytes: Uint8Array) => {
      const out = bytes.slice();
      const start = at(where, Math.max(0, out.length - width + 1));
      for (let k = 0; k < width && start + k < out.length; k++) {
        out[start + k] = Number((value >> BigInt(8 * k)) & 0xffn);
      }
      return out;
    },
  ),
  // Splice: copy one range of the file over another.
  fc.tuple(fraction, fraction, fraction).map(([from, to, size]) => (bytes: Uint8Array) => {
    const out = bytes.slice();
    const start = at(from, out.length);
    const length = at(size, Math.min(64, out.length - start));
    out.copyWithin(at(to, out.length), start, start + length);
    return out;
  }),
  // Delete a range.
  fc.tuple(fraction, fc.integer({ min: 1, max: 64 })).map(
    ([where, length]) => (bytes: Uint8Array) => {
      const start = at(where, bytes.length);
      return concat(bytes.subarray(0, start), bytes.subarray(start + length));
    },
  ),
  // Insert random bytes.
  fc.tuple(fraction, fc.uint8Array({ minLength: 1, maxLength: 32 })).map(
    ([where, inserted]) => (bytes: Uint8Array) => {
      const start = at(where, bytes.length);
      return concat(bytes.subarray(0, start), inserted, bytes.subarray(start));
    },
  ),
  // Append random bytes.
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((tail) => (bytes: Uint8Array) =>
    concat(bytes, tail)
  ),
);

/** `parts` end to end. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let position = 0;
  for (const part of parts) {
    out.set(part, position);
    position += part.length;
  }
  return out;
}

/**
 * Malformed versions of the valid files `valid`: one to three mutations of one of them, or
 * (one case in eight) arbitrary bytes of up to `maxArbitrary` bytes.
 */
export function mutatedBytes(
  valid: readonly Uint8Array[],
  maxArbitrary = 512,
): fc.Arbitrary<Uint8Array> {
  const mutated = fc.tuple(
    fc.constantFrom(...valid),
    fc.array(mutation, { minLength: 1, maxLength: 3 }),
  ).map(([file, edits]) => edits.reduce((bytes, edit) => edit(bytes), file));
  return fc.oneof(
    { arbitrary: mutated, weight: 7 },
    { arbitrary: fc.uint8Array({ maxLength: maxArbitrary }), weight: 1 },
  );
}

/**
 * Checks that `error` is the decoder's typed error: an instance of `errorClass` (an
 * {@link OmigaError} subclass) with the stable `code`.
 */
export function assertTypedRefusal(
  error: unknown,
  errorClass: abstract new (...args: never[]) => OmigaError,
  codes: readonly string[],
): void {
  if (error instanceof errorClass && codes.includes(error.code)) return;
  const described = error instanceof Error
    ? `${error.name} (${(error as Partial<OmigaError>).code ?? "no code"}): ${error.message}\n${
      error.stack ?? ""
    }`
    : String(error);
  throw new Error(`expected ${errorClass.name} [${codes.join(", ")}], got ${described}`);
}

/**
 * Runs `decode` on `input`: it returns a value or throws an `errorClass` with one of `codes`,
 * within {@link CASE_TIME_LIMIT_MS}. Returns the decoded value, or undefined when refused.
 */
export function decodeOrRefuse<T>(
  decode: () => T,
  errorClass: abstract new (...args: never[]) => OmigaError,
  codes: readonly string[],
): T | undefined {
  const started = performance.now();
  try {
    return decode();
  } catch (error) {
    assertTypedRefusal(error, errorClass, codes);
    return undefined;
  } finally {
    const took = performance.now() - started;
    assert(took < CASE_TIME_LIMIT_MS, `one case took ${took.toFixed(0)} ms`);
  }
}

/**
 * The async form of {@link decodeOrRefuse}: `decode` must settle within `limitMs` (a hang fails
 * the case instead of the whole run).
 */
export async function decodeOrRefuseAsync<T>(
  decode: () => Promise<T>,
  errorClass: abstract new (...args: never[]) => OmigaError,
  codes: readonly string[],
  limitMs = CASE_TIME_LIMIT_MS,
): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`one case took over ${limitMs} ms`)), limitMs);
  });
  try {
    return await Promise.race([decode(), timeout]);
  } catch (error) {
    assertTypedRefusal(error, errorClass, codes);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
