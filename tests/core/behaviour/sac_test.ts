/**
 * SAC's pieces against plain arithmetic: the squashed sample's log-density against the policy
 * head's own density of the same action, and the critic, actor and temperature gradients of an
 * update against the same losses written with `tf.matMul` and differentiated by the tape.
 */
import { assert, assertClose } from "../../assert.ts";
import { tf } from "../../../core/tf.ts";
import { tfjsKernels } from "../../../core/kernels/mod.ts";
import { tanhGaussianLogProb } from "../../../core/nn/distributions.ts";
import type { MlpLayout } from "../../../core/nn/dense.ts";
import {
  initialSacState,
  sacConfigSchema,
  sacNetworks,
  sacUpdate,
  squashedSample,
} from "../../../core/behaviour/sac.ts";
import { Rng } from "../../../core/rng.ts";

await tf.setBackend("cpu");

const normals = (rng: Rng, n: number) => {
  const out = new Float32Array(n);
  rng.fillNormal(out);
  return out;
};

Deno.test("the squashed sample's log-density is the tanh-Gaussian's density of its action", () => {
  const rng = Rng.fromSeed(1);
  const mean = tf.tensor2d(normals(rng, 12), [4, 3]);
  const logStd = tf.tensor2d(normals(rng, 12).map((v) => 0.3 * v - 0.5), [4, 3]);
  const noise = tf.tensor2d(normals(rng, 12), [4, 3]);
  const { action, logProb } = squashedSample(mean, logStd, noise);
  const expected = tanhGaussianLogProb(mean, logStd, action).dataSync();
  const got = logProb.dataSync();
  for (let r = 0; r < 4; r++) assertClose(got[r], expected[r], 1e-3, `row ${r}`);
});

/** A dense MLP written with matMul over the flat vector (the reference for `mlp`). */
function plainMlp(layout: MlpLayout, x: tf.Tensor2D, params: tf.Tensor1D): tf.Tensor2D {
  let h = x;
  layout.layers.forEach((layer, l) => {
    const w = tf.reshape(
      tf.slice(params, layer.weightOffset, layer.inputs * layer.outputs),
      [layer.inputs, layer.outputs],
    ) as tf.Tensor2D;
    const b = tf.slice(params, layer.biasOffset, layer.outputs);
    h = tf.add(tf.matMul(h, w), b);
    if (l < layout.layers.length - 1) h = tf.relu(h);
  });
  return h;
}

Deno.test("an update's gradients are those of SAC's losses written in plain ops", () => {
  const S = 5, A = 2, B = 8;
  const config = sacConfigSchema.parse({ hiddenSize: 16, batchSize: B });
  const networks = sacNetworks({ stateDim: S, actionDim: A }, config, tfjsKernels);
  const rng = Rng.fromSeed(3);
  const state = initialSacState(networks.layouts, config, rng);
  const batch = {
    state: tf.tensor2d(normals(rng, B * S), [B, S]),
    action: tf.tanh(tf.tensor2d(normals(rng, B * A), [B, A])) as tf.Tensor2D,
    reward: tf.tensor1d(normals(rng, B)),
    mask: tf.tensor1d(Array.from({ length: B }, (_, i) => (i % 3 === 0 ? 0 : 1))),
    nextState: tf.tensor2d(normals(rng, B * S), [B, S]),
  };
  const noise = {
    next: tf.tensor2d(normals(rng, B * A), [B, A]),
    current: tf.tensor2d(normals(rng, B * A), [B, A]),
  };
  const { layouts } = networks;
  const head = (out: tf.Tensor2D) => {
    const [m, s] = tf.split(out, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    return { m, s: tf.clipByValue(s, -5, 2) };
  };
  const alpha = Math.exp(state.logAlpha.dataSync()[0]);
  // The critic's target and gradient, by the tape over matMul.
  const nh = head(plainMlp(layouts.actor, batch.nextState, state.actor));
  const next = squashedSample(nh.m, nh.s, noise.next);
  const nextIn = tf.concat([batch.nextState, next.action], 1) as tf.Tensor2D;
  const minNext = tf.minimum(
    plainMlp(layouts.q1, nextIn, state.criticTarget),
    plainMlp(layouts.q2, nextIn, state.criticTarget),
  );
  const y = tf.add(
    batch.reward,
    tf.mul(
      0.99,
      tf.mul(batch.mask, tf.sub(tf.reshape(minNext, [-1]), tf.mul(alpha, next.logProb))),
    ),
  );
  const input = tf.concat([batch.state, batch.action], 1) as tf.Tensor2D;
  const criticGrad = tf.grad((c: tf.Tensor) => {
    const q1 = tf.reshape(plainMlp(layouts.q1, input, c as tf.Tensor1D), [-1]);
    const q2 = tf.reshape(plainMlp(layouts.q2, input, c as tf.Tensor1D), [-1]);
    return tf.add(tf.mean(tf.square(tf.sub(q1, y))), tf.mean(tf.square(tf.sub(q2, y))));
  })(state.critic);

  const { state: after } = sacUpdate(networks, state, batch, noise);
  // Adam's first step moves every parameter by lr * g / (|g| + eps'), i.e. by -lr sign(g)
  // where g is not tiny: compare the first moments instead, m = (1 - b1) g.
  const m = after.adam.critic.m.dataSync();
  const g = criticGrad.dataSync();
  let largest = 0;
  for (const v of g) largest = Math.max(largest, Math.abs(v));
  for (let i = 0; i < g.length; i++) {
    assertClose(m[i] / 0.1, g[i], 1e-4 * largest + 1e-6, `critic gradient ${i}`);
  }

  // The actor's gradient under the updated critic.
  const newCritic = after.critic;
  const actorGrad = tf.grad((p: tf.Tensor) => {
    const h = head(plainMlp(layouts.actor, batch.state, p as tf.Tensor1D));
    const sample = squashedSample(h.m, h.s, noise.current);
    const rows = tf.concat([batch.state, sample.action], 1) as tf.Tensor2D;
    const q = tf.reshape(
      tf.minimum(plainMlp(layouts.q1, rows, newCritic), plainMlp(layouts.q2, rows, newCritic)),
      [-1],
    );
    return tf.mean(tf.sub(tf.mul(alpha, sample.logProb), q));
  })(state.actor);
  const ma = after.adam.actor.m.dataSync();
  const ga = actorGrad.dataSync();
  largest = 0;
  for (const v of ga) largest = Math.max(largest, Math.abs(v));
  assert(largest > 0, "the actor's gradient is not zero");
  for (let i = 0; i < ga.length; i++) {
    assertClose(ma[i] / 0.1, ga[i], 1e-4 * largest + 1e-6, `actor gradient ${i}`);
  }

  // The temperature's gradient: -(mean log pi + target entropy), target -A.
  const h = head(plainMlp(layouts.actor, batch.state, state.actor));
  const logPi = tf.mean(squashedSample(h.m, h.s, noise.current).logProb).dataSync()[0];
  assertClose(after.adam.logAlpha.m.dataSync()[0] / 0.1, -(logPi - A), 1e-4, "alpha gradient");

  // The target moved by tau towards the updated critic.
  const target = after.criticTarget.dataSync(), before = state.criticTarget.dataSync();
  const live = after.critic.dataSync();
  for (let i = 0; i < target.length; i += 97) {
    assertClose(target[i], 0.995 * before[i] + 0.005 * live[i], 1e-6, `target ${i}`);
  }
});
