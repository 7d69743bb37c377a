import { assert, assertClose } from "../../assert.ts";
import { selectBackend } from "../../../core/backend/mod.ts";
import { tf } from "../../../core/tf.ts";
import type { MultiAgentSpec } from "../../../core/dataset.ts";
import { Learner } from "../../../core/learn/learner.ts";
import { disposeBatch, uploadBatch } from "../../../core/learn/batch_tensors.ts";
import { omigaGradients, omigaGradientsByTape } from "../../../core/algorithms/omiga_gradients.ts";
import { omigaParts } from "./omiga_parts.ts";
import { syntheticTransitions } from "../../../core/learn/synthetic.ts";
import { referenceLosses, type ReferenceParameters } from "./omiga_reference.ts";

/**
 * Each optimiser's gradient (the hand-written backward pass: loss derivatives, then the dense
 * layers) against central differences of the float64 reference of that vector's own loss
 * (m held at its value: it carries no gradient).
 */
async function checkGradients(
  spec: MultiAgentSpec,
  backend: "cpu" | "wasm",
  algorithm: "omiga" | "omiga-local" | "bc" = "omiga",
  hiddenSize = 4,
  clamped = false,
) {
  await selectBackend({ backend });
  const data = syntheticTransitions(spec, 30, 5);
  const learner = Learner.create(spec, {
    hiddenSize,
    mixerHiddenSize: 3,
    batchSize: 5,
    seed: 8,
    // Clamped: z = w (Q - V) / alpha leaves [-10, 10] for some samples.
    alpha: clamped ? 0.02 : 0.7,
    algorithm,
  });
  learner.fit(data, 2);
  if (clamped) pushPolicyPastItsClamps(learner);
  const batch = learner.sample(data);
  const uploaded = uploadBatch(batch, spec);
  const { networks, live, targets, layouts, config } = omigaParts(learner);
  const fixed = networks.targetValues(targets, uploaded);
  const { losses, gradients, weightEss } = omigaGradients(networks, live, fixed, uploaded);
  if (clamped) assertClampsActive(networks, live, fixed, uploaded, spec);
  const grads = [gradients.policy, gradients.critic, gradients.value];
  const base: ReferenceParameters = {
    policy: Float64Array.from(await live.policy.data()),
    critic: Float64Array.from(await live.critic.data()),
    value: Float64Array.from(await live.value.data()),
    criticTarget: Float64Array.from(await targets.critic.data()),
    valueTarget: Float64Array.from(await targets.value.data()),
  };
  const m = referenceLosses(layouts, spec, base, batch, config).m;
  const cases = [["policy", "policy", 0], ["critic", "q", 1], ["value", "v", 2]] as const;
  for (const [vector, loss, index] of cases) {
    const analytic = await grads[index].data();
    const params = base[vector] as Float64Array;
    const epsilon = 1e-6;
    const numeric = Array.from(params, (_, k) => {
      const saved = params[k];
      params[k] = saved + epsilon;
      const up = referenceLosses(layouts, spec, base, batch, config, m)[loss];
      params[k] = saved - epsilon;
      const down = referenceLosses(layouts, spec, base, batch, config, m)[loss];
      params[k] = saved;
      return (up - down) / (2 * epsilon);
    });
    const scale = Math.max(...numeric.map(Math.abs));
    assert(scale > 1e-4, `${loss} gradient should not vanish on this fixture`);
    numeric.forEach((value, k) =>
      assertClose(analytic[k], value, 2e-3 * scale, `${backend} d${loss}/d${vector}[${k}]`)
    );
  }
  tf.dispose([
    ...grads,
    losses.policy,
    losses.q,
    losses.v,
    weightEss,
    fixed.y,
    fixed.qTarget,
    fixed.wTarget,
  ]);
  disposeBatch(uploaded);
  learner.dispose();
}

/**
 * Scales the policy's last layer so that some raw means leave [-9, 9] and some raw log-stds
 * leave [-5, 2]: the branches where the head's clamps stop the gradient.
 */
function pushPolicyPastItsClamps(learner: Learner): void {
  const { layouts } = omigaParts(learner);
  const last = layouts.policy.layers.at(-1)!;
  const values = learner.state.live.policy.dataSync().slice();
  for (let k = last.weightOffset; k < last.biasOffset; k++) values[k] *= 40;
  learner.state.live.policy.dispose();
  learner.state.live.policy = tf.tensor1d(values);
}

/** Fails unless every clamp of the losses cuts at least one entry and passes at least one. */
function assertClampsActive(
  networks: ReturnType<typeof omigaParts>["networks"],
  live: ReturnType<typeof omigaParts>["live"],
  fixed: ReturnType<ReturnType<typeof omigaParts>["networks"]["targetValues"]>,
  uploaded: ReturnType<typeof uploadBatch>,
  spec: MultiAgentSpec,
): void {
  const pass = tf.tidy(() => {
    const { scaled, policyOutput } = networks.forward(live, fixed, uploaded);
    return { scaled, policyOutput };
  });
  const regions: [string, number[], number, number][] = [
    ["z", Array.from(pass.scaled.dataSync()), -10, 10],
  ];
  if (spec.actionKind === "continuous") {
    const out = Array.from(pass.policyOutput.dataSync());
    const width = 2 * spec.actDim;
    const column = (c: number) => out.filter((_, k) => k % width === c);
    regions.push(["mean", column(0), -9, 9], ["log-std", column(spec.actDim), -5, 2]);
  }
  for (const [name, values, low, high] of regions) {
    const cut = values.filter((v) => v < low || v > high).length;
    assert(cut > 0 && cut < values.length, `the ${name} clamp should cut some entries, cut ${cut}`);
  }
  tf.dispose([pass.scaled, pass.policyOutput]);
}

const continuous: MultiAgentSpec = {
  nAgents: 2,
  obsDim: 3,
  stateDim: 2,
  actionKind: "continuous",
  actDim: 1,
};
const discrete: MultiAgentSpec = {
  nAgents: 3,
  obsDim: 2,
  stateDim: 2,
  actionKind: "discrete",
  actDim: 1,
  nActions: 3,
};

Deno.test("the V loss gradient (and the policy and Q ones) match finite differences on cpu", async () => {
  await checkGradients(continuous, "cpu");
  await checkGradients(discrete, "cpu");
});

Deno.test("the ablations' gradients match finite differences", async () => {
  await checkGradients(continuous, "cpu", "omiga-local");
  await checkGradients(discrete, "cpu", "bc");
});

Deno.test("the hand-written gradients match finite differences on wasm", async () => {
  await checkGradients(continuous, "wasm");
  await selectBackend({ backend: "cpu" });
});

Deno.test("layers wider than their input (their own backward paths) match finite differences", async () => {
  // hidden 16 > input + 1: on cpu the first layers take the narrow-input branch of the dense
  // backward pass; on wasm every product 16 or more columns wide runs on the heap kernel.
  await checkGradients(continuous, "cpu", "omiga", 16);
  await checkGradients(continuous, "wasm", "omiga", 16);
  await checkGradients(discrete, "wasm", "omiga", 16);
  await selectBackend({ backend: "cpu" });
});

Deno.test("the gradients match finite differences where the clamps of z, the mean and the log-std cut", async () => {
  await checkGradients(continuous, "cpu", "omiga", 4, true);
  await checkGradients(discrete, "cpu", "omiga", 4, true);
});

Deno.test("the hand-written backward pass equals the tape's (tf.grads over the differentiable MLP)", async () => {
  for (const backend of ["cpu", "wasm"] as const) {
    await selectBackend({ backend });
    for (const spec of [continuous, discrete]) {
      const data = syntheticTransitions(spec, 30, 5);
      const learner = Learner.create(spec, { hiddenSize: 16, batchSize: 6, seed: 3, alpha: 0.01 });
      learner.fit(data, 2);
      pushPolicyPastItsClamps(learner);
      const uploaded = uploadBatch(learner.sample(data), spec);
      const { networks, live, targets } = omigaParts(learner);
      const fixed = networks.targetValues(targets, uploaded);
      const hand = omigaGradients(networks, live, fixed, uploaded);
      const tape = omigaGradientsByTape(networks, live, fixed, uploaded);
      for (const vector of ["policy", "critic", "value"] as const) {
        const a = hand.gradients[vector].dataSync();
        const b = tape[vector].dataSync();
        const scale = Math.max(...Array.from(b, Math.abs));
        assert(scale > 0, `${vector}: the tape's gradient should not vanish`);
        b.forEach((value, k) =>
          assertClose(a[k], value, 1e-4 * scale, `${backend} ${vector}[${k}]`)
        );
      }
      tf.dispose([
        ...Object.values(hand.gradients),
        ...Object.values(hand.losses),
        hand.weightEss,
        ...Object.values(tape),
        ...Object.values(fixed),
      ]);
      disposeBatch(uploaded);
      learner.dispose();
    }
  }
  await selectBackend({ backend: "cpu" });
});
