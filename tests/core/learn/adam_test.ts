import { assertClose, assertEquals } from "../../assert.ts";
import { selectBackend } from "../../../core/backend/mod.ts";
import { tf } from "../../../core/tf.ts";
import { adamStep, initialAdamState } from "../../../core/nn/adam.ts";

await selectBackend({ backend: "cpu" });

/** torch.nn.utils.clip_grad_norm_ then torch.optim.Adam.step, in float64, written out. */
function referenceAdam(
  params: number[],
  gradients: number[][],
  lr: number,
  clip: number,
  [beta1, beta2, eps] = [0.9, 0.999, 1e-8],
): number[] {
  const p = [...params];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  gradients.forEach((raw, index) => {
    const step = index + 1;
    const norm = Math.sqrt(raw.reduce((s, g) => s + g * g, 0));
    const coefficient = Math.min(clip / (norm + 1e-6), 1);
    const g = raw.map((x) => x * coefficient);
    for (let k = 0; k < p.length; k++) {
      m[k] = beta1 * m[k] + (1 - beta1) * g[k];
      v[k] = beta2 * v[k] + (1 - beta2) * g[k] * g[k];
      const stepSize = lr / (1 - beta1 ** step);
      const denominator = Math.sqrt(v[k]) / Math.sqrt(1 - beta2 ** step) + eps;
      p[k] -= stepSize * m[k] / denominator;
    }
  });
  return p;
}

Deno.test("clipped Adam matches clip_grad_norm_ + torch Adam step by step", () => {
  const start = [0.5, -1.0, 2.0];
  // Norms 0.3 (not clipped), 5.0 (clipped to 1) and 1e-3 (tiny).
  const gradients = [[0.1, -0.2, 0.2], [3.0, 4.0, 0.0], [1e-3, 0, 0], [-0.5, 0.1, 0.3]];
  const settings = { learningRate: 5e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, clipNorm: 1 };
  let params = tf.tensor1d(start);
  let state = initialAdamState(3);
  gradients.forEach((g, i) => {
    const next = adamStep(params, tf.tensor1d(g), state, settings);
    tf.dispose([params, state.m, state.v]);
    params = next.params;
    state = next.state;
    const expected = referenceAdam(start, gradients.slice(0, i + 1), 5e-2, 1);
    const actual = params.dataSync();
    expected.forEach((value, k) => assertClose(actual[k], value, 1e-6, `step ${i + 1} p[${k}]`));
  });
  assertEquals(state.step, 4);
});
