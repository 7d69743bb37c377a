import { assert, assertClose } from "../../assert.ts";

import { tf } from "../../../core/tf.ts";
import { kernelsFor } from "../../../core/kernels/mod.ts";
import { initialiseMlp } from "../../../core/nn/dense.ts";
import { qmixLayouts, qmixTotal } from "../../../core/nn/qmix.ts";
import { Rng } from "../../../core/rng.ts";
Deno.test("the QMIX mixer computes elu(q |W1| + b1) . |wFinal| + V(s) and is monotonic in each Q_i", async () => {
  await tf.setBackend("cpu");
  const L = qmixLayouts(3, 4, 5, 6, 0);
  const p = new Float32Array(L.size);
  const rng = Rng.fromSeed(2);
  for (const l of [L.hyperW1, L.hyperB1, L.hyperWFinal, L.value]) initialiseMlp(l, p, rng);
  const s = tf.tensor2d(rng.fillNormal(new Float32Array(8)) as Float32Array, [2, 4]);
  const q = tf.tensor2d([[1, -2, 0.5], [0.3, 2, -1]]);
  // Plain JS reference.
  const P = Array.from(p);
  const S = Array.from(s.dataSync());
  const Q = [[1, -2, 0.5], [0.3, 2, -1]];
  function lin(
    x: number[],
    l: { weightOffset: number; biasOffset: number; inputs: number; outputs: number },
  ) {
    return Array.from(
      { length: l.outputs },
      (_, o) =>
        P[l.biasOffset + o] +
        x.reduce((t, xi, i) => t + xi * P[l.weightOffset + i * l.outputs + o], 0),
    );
  }
  const relu = (v: number[]) => v.map((x) => Math.max(0, x));
  const out: number[] = [];
  for (let b = 0; b < 2; b++) {
    const st = S.slice(b * 4, b * 4 + 4);
    const w1 = lin(relu(lin(st, L.hyperW1.layers[0])), L.hyperW1.layers[1]).map(Math.abs);
    const b1 = lin(st, L.hyperB1.layers[0]);
    const h = b1.map((bb, e) => {
      const x = bb + Q[b].reduce((t, qi, i) => t + qi * w1[i * 5 + e], 0);
      return x > 0 ? x : Math.exp(x) - 1;
    });
    const wf = lin(relu(lin(st, L.hyperWFinal.layers[0])), L.hyperWFinal.layers[1]).map(Math.abs);
    const v = lin(relu(lin(st, L.value.layers[0])), L.value.layers[1])[0];
    out.push(h.reduce((t, hh, e) => t + hh * wf[e], 0) + v);
  }
  const mixed = Array.from(qmixTotal(kernelsFor(), L, s, q, tf.tensor1d(p)).dataSync());
  out.forEach((value, b) => assertClose(mixed[b], value, 1e-5, `Q_tot[${b}]`));
  // Monotonic: raising one agent's Q never lowers Q_tot.
  const higher = Array.from(
    qmixTotal(kernelsFor(), L, s, tf.tensor2d([[1.5, -2, 0.5], [0.3, 2.5, -1]]), tf.tensor1d(p))
      .dataSync(),
  );
  higher.forEach((value, b) => assert(value >= mixed[b], `Q_tot[${b}] fell`));
});
