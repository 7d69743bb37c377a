import { assert, assertEquals } from "../../assert.ts";
import { type BackendName, selectBackend } from "../../../core/backend/mod.ts";
import { tf } from "../../../core/tf.ts";

/**
 * A 2-layer MLP's loss and parameter gradients, from fixed weights, on the active backend.
 * Reads back with `data()`: WebGPU in Deno has no synchronous read (it needs a canvas).
 */
async function mlpLossAndGradients(): Promise<{ loss: number; gradients: Float32Array[] }> {
  // Fixed, smooth inputs so that every backend sees identical numbers.
  const values = (n: number, scale: number, phase: number) =>
    Float32Array.from({ length: n }, (_, i) => scale * Math.sin(0.37 * i + phase));
  const [value, ...grads] = tf.tidy(() => {
    const x = tf.tensor2d(values(8 * 5, 1, 0.1), [8, 5]); // [B, in]
    const target = tf.tensor2d(values(8 * 3, 0.5, 0.7), [8, 3]); // [B, out]
    const w1 = tf.tensor2d(values(5 * 16, 0.4, 1.3), [5, 16]);
    const b1 = tf.tensor1d(values(16, 0.1, 2.1));
    const w2 = tf.tensor2d(values(16 * 3, 0.3, 0.4), [16, 3]);
    const b2 = tf.tensor1d(values(3, 0.1, 0.9));
    const lossOf = (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor) => {
      const hidden = tf.relu(tf.add(tf.matMul(x, w1 as tf.Tensor2D), b1)) as tf.Tensor2D;
      const out = tf.add(tf.matMul(hidden, w2 as tf.Tensor2D), b2);
      return tf.mean(tf.square(tf.sub(out, target)));
    };
    const { value, grads } = tf.valueAndGrads((w1, b1, w2, b2) =>
      lossOf(w1, b1, w2, b2) as tf.Scalar
    )(
      [w1, b1, w2, b2],
    );
    return [value, ...grads];
  });
  const loss = (await value.data())[0];
  const gradients = await Promise.all(grads.map(async (g) => await g.data() as Float32Array));
  tf.dispose([value, ...grads]);
  return { loss, gradients };
}

function relativeGap(a: Float32Array | number[], b: Float32Array | number[]): number {
  let gap = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    gap = Math.max(gap, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]), Math.abs(b[i]));
  }
  return scale === 0 ? gap : gap / scale;
}

Deno.test("an MLP's loss and gradients agree across cpu, wasm and webgpu within 1e-4", async () => {
  const results = new Map<BackendName, Awaited<ReturnType<typeof mlpLossAndGradients>>>();
  for (const backend of ["cpu", "wasm", "webgpu"] as const) {
    await selectBackend({ backend, allowSoftwareGpu: true });
    assertEquals(tf.getBackend(), backend);
    results.set(backend, await mlpLossAndGradients());
  }
  const reference = results.get("cpu")!;
  assert(reference.loss > 0, "the fixture should have a non-zero loss");
  assertEquals(reference.gradients.length, 4);
  for (const [backend, result] of results) {
    const lossGap = relativeGap([result.loss], [reference.loss]);
    assert(lossGap <= 1e-4, `${backend} loss differs from cpu by ${lossGap} relative`);
    result.gradients.forEach((gradient, i) => {
      const gap = relativeGap(gradient, reference.gradients[i]);
      assert(gap <= 1e-4, `${backend} gradient ${i} differs from cpu by ${gap} relative`);
      assert(gradient.some((v) => v !== 0), `${backend} gradient ${i} is all zero`);
    });
  }
  await selectBackend({ backend: "cpu" });
});
