/**
 * Matrix products computed in place on the wasm backend's heap by a kernel of our own
 * (`heap_gemm_module.ts`), for the dense layers' large products. tfjs's wasm `matMul` goes
 * through XNNPACK, which packs its right-hand operand into a new buffer on every call (its
 * cache is keyed by tensor, and the weights change every step) and, as built, has no fused
 * multiply-add; at 384x256x256 it took ~2.4 ms per product here, this kernel ~1.5 ms. It also
 * reads a left operand transposed in place, so `input^T upstream` needs no explicit transpose.
 *
 * Used only on the wasm backend when the engine supports relaxed SIMD; everywhere else (and
 * for shapes it does not take) {@link heapMatMul} returns undefined and callers use tfjs ops.
 *
 * @module
 */
import { tf } from "../tf.ts";
import { gemmModuleBytes } from "./heap_gemm_module.ts";
import { heapModule } from "./heap.ts";

type Kernel = (
  a: number,
  stride: number,
  b: number,
  bias: number,
  c: number,
  m: number,
  k: number,
  n: number,
  relu: number,
  mask: number,
) => void;

type RowDots = (
  a: number,
  stride: number,
  bt: number,
  bias: number,
  c: number,
  m: number,
  k: number,
  n: number,
) => void;

type Transpose = (
  src: number,
  dst: number,
  rows: number,
  cols: number,
  rows4: number,
  cols4: number,
) => void;

type Kernels = { gemm: Kernel; gemmTransposedA: Kernel; rowDots: RowDots; transpose: Transpose };

/** Rows of the inner dimension per chunk of a transposed product (B's chunk stays in cache). */
const K_CHUNK = 512;

/** Options of {@link heapMatMul}. */
export interface HeapMatMulOptions {
  /** Multiply by the transpose of `a`. */
  transposeA?: boolean;
  /** Added to every row of the product, [N]. */
  bias?: tf.Tensor1D;
  /** max(., 0) after the bias. */
  relu?: boolean;
  /** [M, N]: keep the product where it is > 0, 0 elsewhere (times relu'(mask)). */
  mask?: tf.Tensor2D;
}

/**
 * `op(a) b (+ bias) (relu) (* relu'(mask))` with op(a) = a or a^T, [M, K] x [K, N] -> [M, N],
 * computed on the wasm heap; undefined where the kernels do not apply (not the wasm backend,
 * no relaxed SIMD, an empty or non-float32 operand, or N not a multiple of 8 with anything but
 * a plain or biased product): use tfjs ops then.
 */
export function heapMatMul(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  options: HeapMatMulOptions = {},
): tf.Tensor2D | undefined {
  const kernels = heapModule<Kernels>("gemm", gemmModuleBytes);
  if (kernels === null) return undefined;
  const { transposeA = false, bias, relu = false, mask } = options;
  const [rows, inner] = transposeA ? [a.shape[1], a.shape[0]] : a.shape;
  const columns = b.shape[1];
  const floats = [a, b, ...(bias ? [bias] : []), ...(mask ? [mask] : [])]
    .every((t) => t.dtype === "float32");
  if (
    !floats || rows < 1 || inner < 1 || columns < 1 ||
    b.shape[0] !== inner || (bias !== undefined && bias.size !== columns) ||
    (mask !== undefined && (mask.shape[0] !== rows || mask.shape[1] !== columns))
  ) {
    return undefined;
  }
  const { heap, exports } = kernels;
  if (columns % 8 !== 0) {
    // A narrow product (a head): dot products of A's rows with B's columns, B transposed first
    // (a reshape for one column).
    if (transposeA || relu || mask) return undefined;
    const bt = columns === 1 ? tf.reshape(b, [1, inner]) : heapTranspose(b) ?? tf.transpose(b);
    const out = heap.output([rows, columns]);
    exports.rowDots(
      heap.address(a),
      a.shape[1] * 4,
      heap.address(bt),
      bias ? heap.address(bias) : 0,
      heap.address(out),
      rows,
      inner,
      columns,
    );
    bt.dispose();
    return heap.tensor<tf.Tensor2D>(out);
  }
  const address = (t: tf.TensorInfo) => heap.address(t);
  if (transposeA && !bias && inner > K_CHUNK) {
    // A^T B with a long inner dimension (a weight gradient over many rows): B would stream from
    // memory once per block of C's rows; in chunks of K_CHUNK rows it stays in cache, and the
    // partial products are summed (in a fixed order: results are deterministic).
    const parts: tf.Tensor2D[] = [];
    for (let k0 = 0; k0 < inner; k0 += K_CHUNK) {
      const part = heap.output([rows, columns]); // first: it may grow the heap
      exports.gemmTransposedA(
        address(a) + 4 * k0 * a.shape[1],
        a.shape[1] * 4,
        address(b) + 4 * k0 * columns,
        0,
        address(part),
        rows,
        Math.min(K_CHUNK, inner - k0),
        columns,
        0,
        0,
      );
      parts.push(heap.tensor<tf.Tensor2D>(part));
    }
    const sum = tf.addN(parts);
    tf.dispose(parts);
    return sum;
  }
  const out = heap.output([rows, columns]); // first: it may grow the heap
  (transposeA ? exports.gemmTransposedA : exports.gemm)(
    address(a),
    a.shape[1] * 4,
    address(b),
    bias ? address(bias) : 0,
    address(out),
    rows,
    inner,
    columns,
    relu ? 1 : 0,
    mask ? address(mask) : 0,
  );
  return heap.tensor<tf.Tensor2D>(out);
}

/**
 * The transpose of a float32 matrix [R, C] -> [C, R], on the wasm heap: the same values as
 * `tf.transpose` (a copy), in 4 x 4 SIMD blocks, the strips of fewer than 4 rows or columns
 * copied one by one. tfjs's wasm `Transpose` took about 150 us for 256 x 256 here; a backward
 * pass transposes every hidden layer's weights (`inputGradient`). Undefined where the kernels
 * do not apply (not the wasm backend, no relaxed SIMD, not float32, empty): use `tf.transpose`.
 */
export function heapTranspose(x: tf.Tensor2D): tf.Tensor2D | undefined {
  const kernels = heapModule<Kernels>("gemm", gemmModuleBytes);
  const [rows, cols] = x.shape;
  if (kernels === null || x.dtype !== "float32" || rows * cols === 0) return undefined;
  const { heap, exports } = kernels;
  const out = heap.output([cols, rows]); // first: it may grow the heap
  const [rows4, cols4] = [rows - rows % 4, cols - cols % 4];
  exports.transpose(heap.address(x), heap.address(out), rows, cols, rows4, cols4);
  if (rows4 < rows || cols4 < cols) {
    const src = heap.values(x);
    const dst = heap.values(out);
    for (let i = 0; i < rows; i++) {
      // The columns from cols4 in every row; the first cols4 columns in rows from rows4.
      for (let j = i < rows4 ? cols4 : 0; j < cols; j++) dst[j * rows + i] = src[i * cols + j];
    }
  }
  return heap.tensor<tf.Tensor2D>(out);
}
