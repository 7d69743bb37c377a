import { assert, assertClose, assertEquals } from "../../assert.ts";
import { selectBackend } from "../../../core/backend/mod.ts";
import { tf } from "../../../core/tf.ts";
import { adamStep, initialAdamState } from "../../../core/nn/adam.ts";
import { heapAdamStep, heapSoftUpdate } from "../../../core/kernels/heap_adam.ts";
import { Rng } from "../../../core/rng.ts";

const settings = { learningRate: 5e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, clipNorm: 1 };

/** Parameters after Adam steps on `gradients` (the tfjs-op formulation on cpu, the kernel on wasm). */
async function trajectory(
  backend: "cpu" | "wasm",
  start: Float32Array,
  gradients: Float32Array[],
): Promise<Float32Array[]> {
  await selectBackend({ backend });
  let params = tf.tensor1d(start);
  let state = initialAdamState(start.length);
  const out: Float32Array[] = [];
  for (const g of gradients) {
    const gradient = tf.tensor1d(g);
    if (backend === "wasm") {
      const direct = heapAdamStep(params, gradient, state, settings, state.step + 1);
      assert(direct !== undefined, "the one-pass kernel should run on wasm");
      tf.dispose([direct.params, direct.state.m, direct.state.v]);
    }
    const next = adamStep(params, gradient, state, settings);
    tf.dispose([params, gradient, state.m, state.v]);
    [params, state] = [next.params, next.state];
    out.push(new Float32Array(await params.data()));
  }
  tf.dispose([params, state.m, state.v]);
  return out;
}

Deno.test("the one-pass Adam kernel on wasm follows the tfjs formulation, clipped or not", async () => {
  const rng = Rng.fromSeed(5);
  const size = 11; // two 4-lane blocks and a 3-value tail
  const start = new Float32Array(size);
  rng.fillUniform(start, -1, 1);
  const gradients = [0.05, 3, 1e-3, 0.5].map((scale) => {
    const g = new Float32Array(size);
    rng.fillUniform(g, -scale, scale); // norms from well under to well over the clip
    return g;
  });
  const expected = await trajectory("cpu", start, gradients);
  const actual = await trajectory("wasm", start, gradients);
  expected.forEach((values, step) =>
    values.forEach((value, k) =>
      assertClose(actual[step][k], value, 1e-6, `step ${step + 1} p[${k}]`)
    )
  );
  await selectBackend({ backend: "cpu" });
});

Deno.test("the soft update kernel computes live tau + target (1 - tau)", async () => {
  await selectBackend({ backend: "wasm" });
  const target = [1, -2, 3, 0.5, 7, -1, 2];
  const live = [0, 4, -3, 0.25, 1, 1, -2];
  const tau = 0.005;
  const out = tf.tidy(() => heapSoftUpdate(tf.tensor1d(target), tf.tensor1d(live), tau));
  assert(out !== undefined, "the kernel should run on wasm");
  const values = await out.data();
  assertEquals(values.length, target.length);
  target.forEach((t, k) => assertClose(values[k], live[k] * tau + t * (1 - tau), 1e-6, `[${k}]`));
  out.dispose();
  await selectBackend({ backend: "cpu" });
  tf.tidy(() => assertEquals(heapSoftUpdate(tf.tensor1d([1]), tf.tensor1d([2]), tau), undefined));
});
