/**
 * The WebAssembly binary of the matrix-product kernels, assembled here from their instructions
 * (`wasm_assembler.ts`: no toolchain, no binary in the repository). See `heap_gemm.ts` for why and how it is used.
 *
 * `gemm(a, stride, b, bias, c, M, K, N, relu, mask)`, all i32 byte addresses in the imported
 * memory: C[M, N] = A[M, K] B[K, N] (+ bias[N]) (then max(., 0) when `relu` is not 0; no bias
 * when `bias` is 0; then 0 wherever mask[M, N] <= 0 when `mask` is not 0: relu'(mask) applied),
 * A's rows `stride` bytes apart. `gemmTransposedA` takes the same arguments but
 * multiplies by the transpose of the matrix stored at `a` (rows `stride` bytes apart), read in
 * place: C = A^T B with A^T[i, k] at `a + 4 i + k * stride`. B and C are row-major; N must be a
 * multiple of 8. Rows go in blocks of 6 (12 accumulators of 4 lanes, multiply-adds with
 * `f32x4.relaxed_madd`), the last M % 6 rows one at a time; k is unrolled 4 times.
 *
 * @module
 */
import { Code, leb, moduleBytes, op, simd } from "./wasm_assembler.ts";

// Parameters, then locals, by index.
const PARAMS = 10;
const [A, STRIDE, B, BIAS, C, M, K, N, RELU, MASK] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const [I, J, KK, PB, PC, ROW_B, PM] = [10, 11, 12, 13, 14, 15, 16];
const PA = 17; // row pointers: 17..22 (one when A is read transposed)
const [X, B0, B1, INIT0, INIT1] = [23, 24, 25, 26, 27];
const ACC = 28; // accumulator (row r, half h) at ACC + 2 r + h: 28..39
const I32_LOCALS = 13;
const V128_LOCALS = 17;
const BLOCK_ROWS = 6;
const UNROLL = 4;

/**
 * One k of a block: C[rows, 8] += A[rows, k] B[k, 8], then B's pointer moves a row on (and A's,
 * when A is read transposed; row-major A is read at offset 4 u from its row pointers, which
 * move after the unrolled steps).
 */
function kStep(code: Code, rows: number, transposed: boolean, u: number): void {
  code.loadVector(B0, PB, 0).loadVector(B1, PB, 16);
  for (let r = 0; r < rows; r++) {
    const [pointer, offset] = transposed ? [PA, 4 * r] : [PA + r, 4 * u];
    code.get(pointer).simd(simd.load32Splat, 0, ...leb(offset)).set(X);
    for (const [h, bVector] of [[0, B0], [1, B1]]) {
      const accumulator = ACC + 2 * r + h;
      code.get(X).get(bVector).get(accumulator).simd(simd.f32x4RelaxedMadd).set(accumulator);
    }
  }
  code.add(PB, PB, ROW_B);
  if (transposed) code.add(PA, PA, STRIDE);
}

/** One block of `rows` rows and 8 columns at (i, j): accumulate over k, then store. */
function rowBlock(code: Code, rows: number, transposed: boolean): void {
  for (let r = 0; r < rows; r++) code.get(INIT0).set(ACC + 2 * r).get(INIT1).set(ACC + 2 * r + 1);
  // Row pointers: a + i * stride (+ r * stride), or a + 4 i for A read transposed.
  if (transposed) {
    code.get(A).get(I).const(2).emit(op.i32Shl, op.i32Add).set(PA);
  } else {
    code.get(A).get(I).get(STRIDE).emit(op.i32Mul, op.i32Add).set(PA);
    for (let r = 1; r < rows; r++) code.add(PA + r, PA + r - 1, STRIDE);
  }
  // pb = b + j * 4; k = K
  code.get(B).get(J).const(2).emit(op.i32Shl, op.i32Add).set(PB);
  code.get(K).set(KK);
  // k in steps of UNROLL while at least UNROLL remain, then one at a time.
  code.emit(op.block, op.empty, op.loop, op.empty);
  code.get(KK).const(UNROLL).emit(op.i32LtU, op.brIf, 1);
  for (let u = 0; u < UNROLL; u++) kStep(code, rows, transposed, u);
  if (!transposed) {
    for (let r = 0; r < rows; r++) code.get(PA + r).const(4 * UNROLL).emit(op.i32Add).set(PA + r);
  }
  code.get(KK).const(-UNROLL).emit(op.i32Add).set(KK);
  code.emit(op.br, 0, op.end, op.end);
  code.emit(op.block, op.empty, op.loop, op.empty);
  code.get(KK).emit(op.i32Eqz, op.brIf, 1);
  kStep(code, rows, transposed, 0);
  if (!transposed) {
    for (let r = 0; r < rows; r++) code.get(PA + r).const(4).emit(op.i32Add).set(PA + r);
  }
  code.get(KK).const(-1).emit(op.i32Add).set(KK);
  code.emit(op.br, 0, op.end, op.end);
  // relu
  code.get(RELU).emit(op.if, op.empty).zero(X);
  for (let a = 0; a < 2 * rows; a++) code.get(ACC + a).get(X).simd(simd.f32x4Max).set(ACC + a);
  code.emit(op.end);
  // pc = c + i * rowB + j * 4; store row by row
  code.get(C).get(I).get(ROW_B).emit(op.i32Mul, op.i32Add).get(J).const(2)
    .emit(op.i32Shl, op.i32Add).set(PC);
  // mask: keep where mask > 0 (pm = mask + (pc - c)), else 0
  code.get(MASK).emit(op.if, op.empty).zero(X);
  code.get(MASK).get(PC).get(C).emit(op.i32Sub, op.i32Add).set(PM);
  for (let r = 0; r < rows; r++) {
    for (let h = 0; h < 2; h++) {
      code.get(ACC + 2 * r + h).get(PM).simd(simd.load, 0, h * 16).get(X).simd(simd.f32x4Gt)
        .simd(simd.v128And).set(ACC + 2 * r + h);
    }
    code.add(PM, PM, ROW_B);
  }
  code.emit(op.end);
  for (let r = 0; r < rows; r++) {
    code.get(PC).get(ACC + 2 * r).simd(simd.store, 0, 0);
    code.get(PC).get(ACC + 2 * r + 1).simd(simd.store, 0, 16);
    code.add(PC, PC, ROW_B);
  }
}

function kernelBody(transposed: boolean): number[] {
  const code = new Code();
  code.get(N).const(2).emit(op.i32Shl).set(ROW_B);
  code.const(0).set(J);
  code.emit(op.block, op.empty, op.loop, op.empty); // over column blocks j
  code.get(J).get(N).emit(op.i32GeU, op.brIf, 1);
  // Initial accumulators: the bias, or zeros.
  code.zero(INIT0).zero(INIT1);
  code.get(BIAS).emit(op.if, op.empty);
  code.get(BIAS).get(J).const(2).emit(op.i32Shl, op.i32Add).set(PB);
  code.loadVector(INIT0, PB, 0).loadVector(INIT1, PB, 16);
  code.emit(op.end);
  code.const(0).set(I);
  // Blocks of 6 rows while i + 6 <= M.
  code.emit(op.block, op.empty, op.loop, op.empty);
  code.get(I).const(BLOCK_ROWS).emit(op.i32Add).get(M).emit(op.i32GtU, op.brIf, 1);
  rowBlock(code, BLOCK_ROWS, transposed);
  code.get(I).const(BLOCK_ROWS).emit(op.i32Add).set(I);
  code.emit(op.br, 0, op.end, op.end);
  // The remaining rows one at a time.
  code.emit(op.block, op.empty, op.loop, op.empty);
  code.get(I).get(M).emit(op.i32GeU, op.brIf, 1);
  rowBlock(code, 1, transposed);
  code.get(I).const(1).emit(op.i32Add).set(I);
  code.emit(op.br, 0, op.end, op.end);
  code.get(J).const(8).emit(op.i32Add).set(J);
  code.emit(op.br, 0, op.end, op.end);
  code.emit(op.end); // function
  return code.bytes;
}

/**
 * `rowDots(a, stride, bt, bias, c, M, K, N)`: C[M, N] = A B (+ bias) for a narrow B given
 * transposed (bt: [N, K], row-major), each value a dot product of two contiguous rows, 4 lanes
 * at a time and the last K % 4 one at a time.
 */
function rowDotsBody(): number[] {
  const [DA, DSTRIDE, DBT, DBIAS, DC, DM, DK, DN] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [DI, DJ, DKK, DPA, DPB, DPC, SUM, DACC] = [8, 9, 10, 11, 12, 13, 14, 15];
  const code = new Code();
  const forEach = (counter: number, bound: number, body: () => void) =>
    code.forEach(counter, bound, 1, body);
  code.get(DC).set(DPC);
  forEach(DI, DM, () =>
    forEach(DJ, DN, () => {
      code.get(DA).get(DI).get(DSTRIDE).emit(op.i32Mul, op.i32Add).set(DPA);
      code.get(DBT).get(DJ).get(DK).emit(op.i32Mul).const(2).emit(op.i32Shl, op.i32Add).set(DPB);
      code.zero(DACC).get(DK).set(DKK);
      code.emit(op.block, op.empty, op.loop, op.empty);
      code.get(DKK).const(4).emit(op.i32LtU, op.brIf, 1);
      code.get(DPA).simd(simd.load, 0, 0).get(DPB).simd(simd.load, 0, 0).get(DACC)
        .simd(simd.f32x4RelaxedMadd).set(DACC);
      code.get(DPA).const(16).emit(op.i32Add).set(DPA);
      code.get(DPB).const(16).emit(op.i32Add).set(DPB);
      code.get(DKK).const(-4).emit(op.i32Add).set(DKK);
      code.emit(op.br, 0, op.end, op.end);
      for (let lane = 0; lane < 4; lane++) {
        code.get(DACC).simd(simd.f32x4ExtractLane, lane);
        if (lane > 0) code.emit(op.f32Add);
      }
      code.set(SUM);
      code.emit(op.block, op.empty, op.loop, op.empty);
      code.get(DKK).emit(op.i32Eqz, op.brIf, 1);
      code.get(DPA).emit(op.f32Load, 2, 0).get(DPB).emit(op.f32Load, 2, 0, op.f32Mul);
      code.get(SUM).emit(op.f32Add).set(SUM);
      code.get(DPA).const(4).emit(op.i32Add).set(DPA);
      code.get(DPB).const(4).emit(op.i32Add).set(DPB);
      code.get(DKK).const(-1).emit(op.i32Add).set(DKK);
      code.emit(op.br, 0, op.end, op.end);
      code.get(DBIAS).emit(op.if, op.empty);
      code.get(SUM).get(DBIAS).get(DJ).const(2).emit(op.i32Shl, op.i32Add)
        .emit(op.f32Load, 2, 0, op.f32Add).set(SUM);
      code.emit(op.end);
      code.get(DPC).get(SUM).emit(op.f32Store, 2, 0);
      code.get(DPC).const(4).emit(op.i32Add).set(DPC);
    }));
  code.emit(op.end);
  return code.bytes;
}

/** `i8x16.shuffle` immediates taking f32 lanes `lanes` of (a, b): 0-3 from a, 4-7 from b. */
function laneBytes(lanes: number[]): number[] {
  return lanes.flatMap((lane) => [4 * lane, 4 * lane + 1, 4 * lane + 2, 4 * lane + 3]);
}

/**
 * `transpose(src, dst, rows, cols, rows4, cols4)`: dst[j, i] = src[i, j] for i < rows4 and
 * j < cols4 (multiples of 4, at most rows and cols), src [rows, cols] and dst [cols, rows]
 * row-major. Each 4 x 4 block is four vector loads, eight shuffles and four vector stores; the
 * caller copies the strips left over (fewer than 4 rows or columns).
 */
function transposeBody(): number[] {
  const [SRC, DST, ROWS, COLS, ROWS4, COLS4] = [0, 1, 2, 3, 4, 5];
  const [TI, TJ, PS, PD, ROW_BYTES, COL_BYTES] = [6, 7, 8, 9, 10, 11];
  const R = [12, 13, 14, 15]; // the block's rows, then its columns
  const T = [16, 17, 18, 19];
  const code = new Code();
  code.get(COLS).const(2).emit(op.i32Shl).set(ROW_BYTES);
  code.get(ROWS).const(2).emit(op.i32Shl).set(COL_BYTES);
  const forEach4 = (counter: number, bound: number, body: () => void) =>
    code.forEach(counter, bound, 4, body);
  const shuffle = (target: number, a: number, b: number, lanes: number[]) =>
    code.get(a).get(b).simd(simd.i8x16Shuffle, ...laneBytes(lanes)).set(target);
  forEach4(TI, ROWS4, () =>
    forEach4(TJ, COLS4, () => {
      // ps = src + (i cols + j) 4; pd = dst + (j rows + i) 4
      code.get(SRC).get(TI).get(COLS).emit(op.i32Mul).get(TJ).emit(op.i32Add).const(2)
        .emit(op.i32Shl, op.i32Add).set(PS);
      code.get(DST).get(TJ).get(ROWS).emit(op.i32Mul).get(TI).emit(op.i32Add).const(2)
        .emit(op.i32Shl, op.i32Add).set(PD);
      for (let r = 0; r < 4; r++) {
        code.loadVector(R[r], PS, 0);
        if (r < 3) code.add(PS, PS, ROW_BYTES);
      }
      shuffle(T[0], R[0], R[1], [0, 4, 1, 5]);
      shuffle(T[1], R[0], R[1], [2, 6, 3, 7]);
      shuffle(T[2], R[2], R[3], [0, 4, 1, 5]);
      shuffle(T[3], R[2], R[3], [2, 6, 3, 7]);
      shuffle(R[0], T[0], T[2], [0, 1, 4, 5]);
      shuffle(R[1], T[0], T[2], [2, 3, 6, 7]);
      shuffle(R[2], T[1], T[3], [0, 1, 4, 5]);
      shuffle(R[3], T[1], T[3], [2, 3, 6, 7]);
      for (let c = 0; c < 4; c++) {
        code.get(PD).get(R[c]).simd(simd.store, 0, 0);
        if (c < 3) code.add(PD, PD, COL_BYTES);
      }
    }));
  code.emit(op.end);
  return code.bytes;
}

/**
 * The kernel module: imports `env.memory`, exports `gemm`, `gemmTransposedA`, `rowDots` and
 * `transpose`.
 */
export function gemmModuleBytes(): Uint8Array<ArrayBuffer> {
  const signature = { params: new Array(PARAMS).fill("i32" as const), results: [] };
  const locals = { i32: I32_LOCALS, v128: V128_LOCALS };
  return moduleBytes([
    { name: "gemm", signature, locals, body: kernelBody(false) },
    { name: "gemmTransposedA", signature, locals, body: kernelBody(true) },
    {
      name: "rowDots",
      signature: { params: new Array(8).fill("i32" as const), results: [] },
      locals: { i32: 6, f32: 1, v128: 1 },
      body: rowDotsBody(),
    },
    {
      name: "transpose",
      signature: { params: new Array(6).fill("i32" as const), results: [] },
      locals: { i32: 6, v128: 8 },
      body: transposeBody(),
    },
  ]);
}
