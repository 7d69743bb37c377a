/**
 * The WebAssembly binary of the optimiser's element-wise kernels (see `heap_adam.ts`), each one
 * pass over float32 vectors, 4 lanes at a time, the last n % 4 elements one at a time with the
 * same operations in the same order:
 *
 * - `sumSquares(g, n) -> f32`: sum of g^2.
 * - `adam(p, g, m, v, outP, outM, outV, n, s1, s2, beta1, beta2, sqrtCorrection2, eps, step)`:
 *   m' = m beta1 + g s1;  v' = v beta2 + (g g) s2;  p' = p - (m' / (sqrt(v') / sqrtCorrection2
 *   + eps)) step — the operations of `adamStep` in `adam.ts`, in its order.
 * - `softUpdate(target, live, out, n, tau, keep)`: out = live tau + target keep.
 *
 * @module
 */
import { Code, leb, moduleBytes, op, simd } from "./wasm_assembler.ts";

/** One arithmetic vocabulary for the vector loop and the scalar tail. */
interface Lanes {
  width: number; // bytes per step
  load(code: Code, pointer: number, offset: number): void; // pushes *(local[pointer] + local[offset])
  store(code: Code, pointer: number, offset: number, value: number): void;
  add: number[];
  sub: number[];
  mul: number[];
  div: number[];
  sqrt: number[];
}

const simdOp = (opcode: number) => [0xfd, ...leb(opcode)];

const vectorLanes: Lanes = {
  width: 16,
  load: (code, pointer, offset) =>
    void code.get(pointer).get(offset).emit(op.i32Add).simd(simd.load, 0, 0),
  store: (code, pointer, offset, value) =>
    void code.get(pointer).get(offset).emit(op.i32Add).get(value).simd(simd.store, 0, 0),
  add: simdOp(simd.f32x4Add),
  sub: simdOp(simd.f32x4Sub),
  mul: simdOp(simd.f32x4Mul),
  div: simdOp(simd.f32x4Div),
  sqrt: simdOp(simd.f32x4Sqrt),
};

const scalarLanes: Lanes = {
  width: 4,
  load: (code, pointer, offset) =>
    void code.get(pointer).get(offset).emit(op.i32Add).emit(op.f32Load, 2, 0),
  store: (code, pointer, offset, value) =>
    void code.get(pointer).get(offset).emit(op.i32Add).get(value).emit(op.f32Store, 2, 0),
  add: [op.f32Add],
  sub: [op.f32Sub],
  mul: [op.f32Mul],
  div: [op.f32Div],
  sqrt: [op.f32Sqrt],
};

/**
 * `for (offset = start; offset < end; offset += width) body` where `start` is the local OFFSET
 * as it is and `end` a local; leaves OFFSET at the end.
 */
function loop(code: Code, offset: number, end: number, width: number, body: () => void): void {
  code.emit(op.block, op.empty, op.loop, op.empty);
  code.get(offset).get(end).emit(op.i32GeU, op.brIf, 1);
  body();
  code.get(offset).const(width).emit(op.i32Add).set(offset);
  code.emit(op.br, 0, op.end, op.end);
}

/** Sets local `vectorEnd` to n rounded down to 4 elements and `end` to n, in bytes. */
function bounds(code: Code, n: number, vectorEnd: number, end: number): void {
  code.get(n).const(2).emit(op.i32Shl).set(end);
  code.get(end).const(-16).emit(0x71 /* i32.and */).set(vectorEnd);
}

function sumSquaresBody(): number[] {
  const [G, N, OFFSET, VECTOR_END, END, SUM, FX, ACC, X] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const code = new Code();
  bounds(code, N, VECTOR_END, END);
  code.zero(ACC);
  loop(code, OFFSET, VECTOR_END, 16, () => {
    vectorLanes.load(code, G, OFFSET);
    code.set(X).get(X).get(X).emit(...vectorLanes.mul).get(ACC).emit(...vectorLanes.add).set(ACC);
  });
  for (let lane = 0; lane < 4; lane++) {
    code.get(ACC).simd(simd.f32x4ExtractLane, lane);
    if (lane > 0) code.emit(op.f32Add);
  }
  code.set(SUM);
  loop(code, OFFSET, END, 4, () => {
    scalarLanes.load(code, G, OFFSET);
    code.set(FX).get(FX).get(FX).emit(op.f32Mul).get(SUM).emit(op.f32Add).set(SUM);
  });
  code.get(SUM).emit(op.end);
  return code.bytes;
}

// adam's parameters and locals.
const [P, G, M, V, OUT_P, OUT_M, OUT_V, N] = [0, 1, 2, 3, 4, 5, 6, 7];
const SCALARS = 8; // s1, s2, beta1, beta2, sqrtCorrection2, eps, step: 8..14
const [OFFSET, VECTOR_END, END] = [15, 16, 17];
const [GF, MF, VF] = [18, 19, 20]; // f32 temporaries
const SPLATS = 21; // the 7 scalars as vectors: 21..27
const [GX, MX, VX] = [28, 29, 30]; // v128 temporaries

function adamBody(): number[] {
  const code = new Code();
  bounds(code, N, VECTOR_END, END);
  for (let s = 0; s < 7; s++) code.get(SCALARS + s).simd(simd.f32x4Splat).set(SPLATS + s);
  const [s1, s2, beta1, beta2, correction, eps, step] = [0, 1, 2, 3, 4, 5, 6];
  const pass = (lanes: Lanes, constant: (s: number) => number, [g, m, v]: number[]) => {
    const c = (s: number) => code.get(constant(s));
    lanes.load(code, G, OFFSET);
    code.set(g);
    // m' = m beta1 + g s1
    lanes.load(code, M, OFFSET);
    c(beta1).emit(...lanes.mul).get(g);
    c(s1).emit(...lanes.mul, ...lanes.add).set(m);
    lanes.store(code, OUT_M, OFFSET, m);
    // v' = v beta2 + (g g) s2
    lanes.load(code, V, OFFSET);
    c(beta2).emit(...lanes.mul).get(g).get(g).emit(...lanes.mul);
    c(s2).emit(...lanes.mul, ...lanes.add).set(v);
    lanes.store(code, OUT_V, OFFSET, v);
    // p' = p - (m' / (sqrt(v') / correction + eps)) step
    lanes.load(code, P, OFFSET);
    code.get(m).get(v).emit(...lanes.sqrt);
    c(correction).emit(...lanes.div);
    c(eps).emit(...lanes.add, ...lanes.div);
    c(step).emit(...lanes.mul, ...lanes.sub).set(g);
    lanes.store(code, OUT_P, OFFSET, g);
  };
  loop(code, OFFSET, VECTOR_END, 16, () => pass(vectorLanes, (s) => SPLATS + s, [GX, MX, VX]));
  loop(code, OFFSET, END, 4, () => pass(scalarLanes, (s) => SCALARS + s, [GF, MF, VF]));
  code.emit(op.end);
  return code.bytes;
}

function softUpdateBody(): number[] {
  const [TARGET, LIVE, OUT, COUNT, TAU, KEEP] = [0, 1, 2, 3, 4, 5];
  const [AT, VECTOR_AT, STOP, FX, X, TAU_X, KEEP_X] = [6, 7, 8, 9, 10, 11, 12];
  const code = new Code();
  bounds(code, COUNT, VECTOR_AT, STOP);
  code.get(TAU).simd(simd.f32x4Splat).set(TAU_X).get(KEEP).simd(simd.f32x4Splat).set(KEEP_X);
  const pass = (lanes: Lanes, tau: number, keep: number, temporary: number) => {
    lanes.load(code, LIVE, AT);
    code.get(tau).emit(...lanes.mul);
    lanes.load(code, TARGET, AT);
    code.get(keep).emit(...lanes.mul, ...lanes.add).set(temporary);
    lanes.store(code, OUT, AT, temporary);
  };
  loop(code, AT, VECTOR_AT, 16, () => pass(vectorLanes, TAU_X, KEEP_X, X));
  loop(code, AT, STOP, 4, () => pass(scalarLanes, TAU, KEEP, FX));
  code.emit(op.end);
  return code.bytes;
}

/** The optimiser kernels' module: imports `env.memory`, exports the three functions. */
export function adamModuleBytes(): Uint8Array<ArrayBuffer> {
  const i32 = "i32" as const;
  const f32 = "f32" as const;
  return moduleBytes([
    {
      name: "sumSquares",
      signature: { params: [i32, i32], results: [f32] },
      locals: { i32: 3, f32: 2, v128: 2 },
      body: sumSquaresBody(),
    },
    {
      name: "adam",
      signature: { params: [...new Array(8).fill(i32), ...new Array(7).fill(f32)], results: [] },
      locals: { i32: 3, f32: 3, v128: 10 },
      body: adamBody(),
    },
    {
      name: "softUpdate",
      signature: { params: [i32, i32, i32, i32, f32, f32], results: [] },
      locals: { i32: 3, f32: 1, v128: 3 },
      body: softUpdateBody(),
    },
  ]);
}
