/**
 * Just enough of a WebAssembly assembler for the heap kernels (`heap_gemm_module.ts`,
 * `heap_adam_module.ts`): LEB128 numbers, an instruction writer and a module of functions that
 * import the memory they work on (`env.memory`). Opcodes follow the WebAssembly core and SIMD
 * (with relaxed SIMD) specifications.
 *
 * @module
 */

/** Core opcodes used by the kernels. */
export const op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  get: 0x20,
  set: 0x21,
  f32Load: 0x2a,
  f32Store: 0x38,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32LtU: 0x49,
  i32GtU: 0x4b,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32Shl: 0x74,
  f32Sqrt: 0x91,
  f32Add: 0x92,
  f32Sub: 0x93,
  f32Mul: 0x94,
  f32Div: 0x95,
  empty: 0x40,
};

/** SIMD opcodes (after the 0xfd prefix). */
export const simd = {
  load: 0x00,
  load32Splat: 0x09,
  store: 0x0b,
  const: 0x0c,
  i8x16Shuffle: 0x0d,
  f32x4Splat: 0x13,
  f32x4ExtractLane: 0x1f,
  f32x4Gt: 0x44,
  v128And: 0x4e,
  f32x4Max: 0xe9,
  f32x4Sqrt: 0xe3,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4RelaxedMadd: 0x105,
};

/** Unsigned LEB128. */
export function leb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v === 0 ? byte : byte | 0x80);
  } while (v !== 0);
  return out;
}

/** Signed LEB128. */
export function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** An instruction writer. */
export class Code {
  readonly bytes: number[] = [];
  emit(...bytes: number[]): this {
    this.bytes.push(...bytes);
    return this;
  }
  get(index: number): this {
    return this.emit(op.get, ...leb(index));
  }
  set(index: number): this {
    return this.emit(op.set, ...leb(index));
  }
  const(value: number): this {
    return this.emit(op.i32Const, ...sleb(value));
  }
  simd(opcode: number, ...immediates: number[]): this {
    return this.emit(0xfd, ...leb(opcode), ...immediates);
  }
  /** local[target] = local[a] + local[b] (i32) */
  add(target: number, a: number, b: number): this {
    return this.get(a).get(b).emit(op.i32Add).set(target);
  }
  /** for (local[counter] = 0; local[counter] < local[bound]; local[counter] += step) body() */
  forEach(counter: number, bound: number, step: number, body: () => void): this {
    this.const(0).set(counter);
    this.emit(op.block, op.empty, op.loop, op.empty);
    this.get(counter).get(bound).emit(op.i32GeU, op.brIf, 1);
    body();
    this.get(counter).const(step).emit(op.i32Add).set(counter);
    return this.emit(op.br, 0, op.end, op.end);
  }
  /** local[target] = the zero vector */
  zero(target: number): this {
    return this.simd(simd.const, ...new Array(16).fill(0)).set(target);
  }
  /** local[target] = v128 at local[address] + offset */
  loadVector(target: number, address: number, offset: number): this {
    return this.get(address).simd(simd.load, 0, ...leb(offset)).set(target);
  }
}

/** Value types by name. */
const TYPES = { i32: 0x7f, f32: 0x7d, v128: 0x7b } as const;
type ValueType = keyof typeof TYPES;

/** One exported function: its parameters and results, then its locals by type, then its code. */
export interface AssembledFunction {
  name: string;
  signature: { params: ValueType[]; results: ValueType[] };
  /** Locals after the parameters: all the i32 ones, then f32, then v128. */
  locals: Partial<Record<ValueType, number>>;
  /** The code, ending with `end`. */
  body: number[];
}

function section(id: number, content: number[]): number[] {
  return [id, ...leb(content.length), ...content];
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...leb(bytes.length), ...bytes];
}

function vector(items: number[][]): number[] {
  return [...leb(items.length), ...items.flat()];
}

/** A module importing `env.memory` (at least one page) and exporting `functions`. */
export function moduleBytes(functions: AssembledFunction[]): Uint8Array<ArrayBuffer> {
  const types = functions.map(({ signature }) => [
    0x60,
    ...vector(signature.params.map((t) => [TYPES[t]])),
    ...vector(signature.results.map((t) => [TYPES[t]])),
  ]);
  const bodies = functions.map(({ locals, body }) => {
    const groups = (["i32", "f32", "v128"] as const)
      .filter((t) => (locals[t] ?? 0) > 0)
      .map((t) => [...leb(locals[t]!), TYPES[t]]);
    const code = [...vector(groups), ...body];
    return [...leb(code.length), ...code];
  });
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(2, vector([[...name("env"), ...name("memory"), 0x02, 0x00, 1]])),
    ...section(3, vector(functions.map((_, i) => leb(i)))),
    ...section(7, vector(functions.map((f, i) => [...name(f.name), 0x00, ...leb(i)]))),
    ...section(10, vector(bodies)),
  ]);
}
