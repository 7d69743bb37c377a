/**
 * `deno task bench matmul [--backend NAME]`: the measured wasm trap of docs/algorithms.md, "Kernels".
 * Times a plain matMul against the `transposeA`/`transposeB` flag forms and against an explicit
 * `tf.transpose` first, for a dense layer's shapes (256 x 384 x 256).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { backendChoiceFrom, selectBackend } from "../../core/backend/mod.ts";
import { tf } from "../../core/tf.ts";
import { medianMsPerCall } from "./stats.ts";

export async function benchMatmul(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ args, options: { backend: { type: "string" } }, strict: true });
  const report = await selectBackend({ backend: backendChoiceFrom(values.backend) });
  const [m, k, n] = [256, 384, 256];
  const a = tf.randomNormal([m, k], 0, 1, "float32", 1);
  const b = tf.randomNormal([k, n], 0, 1, "float32", 2);
  const aT = tf.transpose(a);
  const bT = tf.transpose(b);
  const time = (f: () => tf.Tensor) =>
    medianMsPerCall(() => {
      const out = f();
      out.dataSync();
      out.dispose();
    });
  const result = {
    bench: "matmul",
    backend: report.backend,
    shape: { m, k, n },
    ms: {
      plain: await time(() => tf.matMul(a, b)),
      transposeAFlag: await time(() => tf.matMul(aT, b, true, false)),
      transposeBFlag: await time(() => tf.matMul(a, bT, false, true)),
      explicitTransposeA: await time(() => tf.tidy(() => tf.matMul(tf.transpose(aT), b))),
      explicitTransposeB: await time(() => tf.tidy(() => tf.matMul(a, tf.transpose(bT)))),
    },
  };
  tf.dispose([a, b, aT, bT]);
  return result;
}
