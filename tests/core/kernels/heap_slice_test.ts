/**
 * The wasm backend's `Slice` and `SplitV` as registered by `core/kernels/heap_slice.ts` give the
 * cpu backend's values for every rank up to 5, float32, int32 and bool, long and short runs,
 * sizes of -1, empty slices and splits by count and by sizes; gradients still flow through them.
 */
import { assertEquals } from "../../assert.ts";
import { selectBackend } from "../../../core/backend/mod.ts";
import { Rng } from "../../../core/rng.ts";
import { tf } from "../../../core/tf.ts";

type Case = {
  shape: number[];
  begin: number[];
  size: number[];
  dtype: "float32" | "int32" | "bool";
};

function cases(rng: Rng): Case[] {
  const out: Case[] = [
    { shape: [384, 2], begin: [0, 1], size: [-1, 1], dtype: "float32" },
    { shape: [70000], begin: [100], size: [65536], dtype: "float32" },
    { shape: [5, 40], begin: [1, 3], size: [3, 30], dtype: "int32" },
    { shape: [4, 3], begin: [2, 0], size: [0, 3], dtype: "float32" },
  ];
  const dtypes = ["float32", "int32", "bool"] as const;
  for (let i = 0; i < 60; i++) {
    const rank = 1 + Math.floor(rng.float() * 5);
    const shape = Array.from({ length: rank }, () => 1 + Math.floor(rng.float() * 7));
    const begin = shape.map((n) => Math.floor(rng.float() * n));
    const size = shape.map((n, k) =>
      rng.float() < 0.2 ? -1 : 1 + Math.floor(rng.float() * (n - begin[k]))
    );
    out.push({ shape, begin, size, dtype: dtypes[i % 3] });
  }
  return out;
}

function input({ shape, dtype }: Case, rng: Rng): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, () => rng.float() * 100 - 50);
  if (dtype === "bool") return tf.tensor(values.map((v) => v > 0), shape, "bool");
  return tf.tensor(dtype === "int32" ? values.map(Math.round) : values, shape, dtype);
}

async function onBackend<T>(backend: "wasm" | "cpu", fn: () => T): Promise<T> {
  await selectBackend({ backend });
  return fn();
}

Deno.test("wasm Slice and SplitV give the cpu backend's values", async () => {
  const all = cases(Rng.fromSeed(11));
  const run = (backend: "wasm" | "cpu") =>
    onBackend(backend, () => {
      const rng = Rng.fromSeed(12);
      return all.map((c) => {
        const x = input(c, rng);
        const sliced = tf.slice(x, c.begin, c.size);
        const axis = c.shape.length - 1;
        const pieces = c.shape[axis] % 2 === 0 ? 2 : [c.shape[axis] - 1, 1];
        const split = c.shape[axis] > 1 ? tf.split(x, pieces, axis) : [];
        const result = {
          shape: sliced.shape,
          values: Array.from(sliced.dataSync()),
          split: split.map((t) => ({ shape: t.shape, values: Array.from(t.dataSync()) })),
        };
        tf.dispose([x, sliced, ...split]);
        return result;
      });
    });
  const wasm = await run("wasm");
  const cpu = await run("cpu");
  all.forEach((c, i) => assertEquals(wasm[i], cpu[i], JSON.stringify(c)));
});

Deno.test("gradients flow through the registered wasm slices", async () => {
  await selectBackend({ backend: "wasm" });
  const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
  const grad = tf.grad((t: tf.Tensor) => {
    const [left, right] = tf.split(t, [2, 1], 1);
    return tf.add(tf.sum(tf.mul(left, 3)), tf.sum(tf.slice(right, [1, 0], [1, 1])));
  })(x);
  assertEquals(Array.from(grad.dataSync()), [3, 3, 0, 3, 3, 1]);
  tf.dispose([x, grad]);
});
