import { assert, assertClose, assertEquals } from "../../assert.ts";
import { selectBackend } from "../../../core/backend/mod.ts";
import { tf } from "../../../core/tf.ts";
import { heapMatMul, heapTranspose } from "../../../core/kernels/heap_gemm.ts";
import { gemmModuleBytes } from "../../../core/kernels/heap_gemm_module.ts";
import { Rng } from "../../../core/rng.ts";

function values(rng: Rng, count: number): Float32Array {
  const out = new Float32Array(count);
  rng.fillUniform(out, -1, 1);
  return out;
}

/** op(a) b + bias, relu: float64 arithmetic on the same numbers. */
function reference(
  a: Float32Array,
  [aRows, aColumns]: [number, number],
  b: Float32Array,
  columns: number,
  transposeA: boolean,
  bias?: Float32Array,
  relu = false,
): number[] {
  const [rows, inner] = transposeA ? [aColumns, aRows] : [aRows, aColumns];
  const out: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) {
      let sum = bias ? bias[j] : 0;
      for (let k = 0; k < inner; k++) {
        const left = transposeA ? a[k * aColumns + i] : a[i * aColumns + k];
        sum += left * b[k * columns + j];
      }
      out.push(relu ? Math.max(sum, 0) : sum);
    }
  }
  return out;
}

Deno.test("the heap kernel's module is valid WebAssembly", () => {
  assert(WebAssembly.validate(gemmModuleBytes()), "the assembled module does not validate");
});

Deno.test("heap products equal the arithmetic, in every row block, transposed, with bias and relu", async () => {
  await selectBackend({ backend: "wasm" });
  const rng = Rng.fromSeed(3);
  // Rows: whole blocks of 6, remainders, a single row; inner sizes odd and even.
  const cases: [number, number, number, boolean, boolean, boolean][] = [
    [12, 5, 8, false, false, false],
    [13, 7, 16, false, true, true],
    [1, 9, 24, false, false, false],
    [17, 30, 8, true, false, false],
    [7, 3, 16, true, true, true],
    [6, 1, 8, false, true, false],
    // Narrow products (heads): one column, two, and a width that is not a multiple of 8.
    [13, 9, 1, false, true, false],
    [7, 6, 2, false, false, false],
    [5, 4, 12, false, true, false],
    // A transposed product over more inner rows than one chunk (512): summed chunk by chunk.
    [7, 1100, 16, true, false, false],
  ];
  for (const [rows, inner, columns, transposeA, withBias, relu] of cases) {
    const aShape: [number, number] = transposeA ? [inner, rows] : [rows, inner];
    const a = values(rng, rows * inner);
    const b = values(rng, inner * columns);
    const bias = withBias ? values(rng, columns) : undefined;
    const out = tf.tidy(() =>
      heapMatMul(tf.tensor2d(a, aShape), tf.tensor2d(b, [inner, columns]), {
        transposeA,
        bias: bias ? tf.tensor1d(bias) : undefined,
        relu,
      })
    );
    assert(out !== undefined, "the heap kernel should run on wasm");
    assertEquals(out.shape, [rows, columns]);
    const expected = reference(a, aShape, b, columns, transposeA, bias, relu);
    const actual = await out.data();
    const where = `${rows}x${inner}x${columns} transposeA=${transposeA}`;
    // float32 sums of `inner` products: the rounding grows with their count.
    const tolerance = 1e-5 * Math.max(1, inner / 100);
    expected.forEach((value, i) => assertClose(actual[i], value, tolerance, `${where} [${i}]`));
    out.dispose();
  }
  await selectBackend({ backend: "cpu" });
});

Deno.test("a masked heap product keeps its values where the mask is positive, 0 elsewhere", async () => {
  await selectBackend({ backend: "wasm" });
  const rng = Rng.fromSeed(4);
  for (const [rows, inner, columns] of [[13, 6, 16], [6, 9, 8], [1, 4, 8]]) {
    const a = values(rng, rows * inner);
    const b = values(rng, inner * columns);
    const mask = values(rng, rows * columns).map((x, i) => i % 5 === 0 ? 0 : x); // zeros too
    const out = tf.tidy(() =>
      heapMatMul(tf.tensor2d(a, [rows, inner]), tf.tensor2d(b, [inner, columns]), {
        mask: tf.tensor2d(mask, [rows, columns]),
      })
    );
    assert(out !== undefined, "the heap kernel should run on wasm");
    const actual = await out.data();
    reference(a, [rows, inner], b, columns, false).forEach((value, i) =>
      assertClose(actual[i], mask[i] > 0 ? value : 0, 1e-5, `${rows}x${inner}x${columns} [${i}]`)
    );
    out.dispose();
  }
  await selectBackend({ backend: "cpu" });
});

Deno.test("heap products decline what they do not cover, so callers use tfjs ops", async () => {
  await selectBackend({ backend: "wasm" });
  tf.tidy(() => {
    // 12 columns (not a multiple of 8) with relu, or read transposed.
    assertEquals(heapMatMul(tf.ones([4, 3]), tf.ones([3, 12]), { relu: true }), undefined);
    assertEquals(heapMatMul(tf.ones([3, 4]), tf.ones([3, 12]), { transposeA: true }), undefined);
  });
  await selectBackend({ backend: "cpu" });
  tf.tidy(() => assertEquals(heapMatMul(tf.ones([4, 3]), tf.ones([3, 8])), undefined));
});

Deno.test("the heap transpose equals tf.transpose exactly, strips of fewer than 4 included", async () => {
  await selectBackend({ backend: "wasm" });
  const rng = Rng.fromSeed(7);
  for (
    const [rows, cols] of [[256, 256], [17, 256], [256, 2], [6, 9], [1, 1], [3, 3], [4, 4], [13, 1]]
  ) {
    const x = tf.tensor2d(values(rng, rows * cols), [rows, cols]);
    const heap = heapTranspose(x);
    assert(heap !== undefined, "the heap kernels run on the wasm backend");
    assertEquals(heap.shape, [cols, rows]);
    assertEquals(heap.dataSync(), tf.transpose(x).dataSync(), `${rows} x ${cols}`);
    tf.dispose([x, heap]);
  }
  await selectBackend({ backend: "cpu" });
  assertEquals(heapTranspose(tf.zeros([2, 2])), undefined, "not on the cpu backend");
});
