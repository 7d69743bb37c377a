/**
 * `deno run -A scripts/fidelity/cql_ma_fixture.ts OUT.json [--warm] [--lagrange]`: one CQL-MA
 * continuous step on a small synthetic batch, written with everything the reference needs to
 * take the same step (initial weights, targets moved off the live weights, the batch, the
 * step's noise) and what our step produced (losses, weights after). Read by
 * `cql_ma_reference.py`, which runs aviralkumar2907/CQL's `CQLTrainer` from a clone of the reference.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { selectBackend } from "../../core/backend/mod.ts";
import { tf } from "../../core/tf.ts";
import { Rng } from "../../core/rng.ts";
import { Learner } from "../../core/learn/learner.ts";
import { uploadBatch } from "../../core/learn/batch_tensors.ts";
import { syntheticTransitions } from "../../core/learn/synthetic.ts";
import type { TrainingState } from "../../core/learn/algorithm.ts";
import {
  cqlLayouts,
  CqlNetworks,
  drawNoise,
  lagrangeMultiplier,
  resolvedSizes,
} from "../../core/algorithms/cql_ma.ts";
import type { CqlMaConfig } from "../../core/algorithms/cql_ma.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { warm: { type: "boolean" }, lagrange: { type: "boolean" } },
  allowPositionals: true,
});
const out = positionals[0] ?? "/tmp/cql_ma_fixture.json";
await selectBackend({ backend: "cpu" });

const spec = {
  nAgents: 2,
  obsDim: 3,
  stateDim: 2,
  actionKind: "continuous" as const,
  actDim: 2,
};
const learner = Learner.create(spec, {
  algorithm: "cql-ma",
  hiddenSize: 16,
  batchSize: 8,
  seed: 7,
  policyEvalStart: values.warm ? 2 : 0,
  withLagrange: values.lagrange ?? false,
  lagrangeThreshold: 5,
});
const config = learner.config as unknown as CqlMaConfig;
const sizes = resolvedSizes(spec, config);
const list = (t: tf.Tensor) => Array.from(t.dataSync());

// Targets off the live weights, so that the target path is exercised.
const jitter = Rng.fromSeed(11);
const start: TrainingState = {
  live: { ...learner.state.live },
  target: Object.fromEntries(
    Object.entries(learner.state.target).map(([name, t]) => {
      const noise = jitter.fillNormal(new Float32Array(t.size), 0, 0.02) as Float32Array;
      return [name, tf.add(t, tf.tensor1d(noise)) as tf.Tensor1D];
    }),
  ),
  adam: learner.state.adam,
};
const data = syntheticTransitions(spec, 64, 3);
const sampled = learner.sample(data);
const batch = uploadBatch(sampled, spec);
const rows = sampled.batchSize * spec.nAgents;
const rng = Rng.fromSeed(5);
const noise = drawNoise(rng.clone(), rows, sizes.cqlSamples, spec.actDim);
const before = {
  live: Object.fromEntries(Object.entries(start.live).map(([k, t]) => [k, list(t)])),
  target: Object.fromEntries(Object.entries(start.target).map(([k, t]) => [k, list(t)])),
};
const result = learner.model.step(start, batch, { kernels: learner.kernels, rng, iteration: 0 });
const losses = list(result.losses);
// The gradients the step applied, recomputed from its pieces (alpha after its step, alpha' before).
const networks = new CqlNetworks(spec, config, cqlLayouts(spec, config), learner.kernels);
const alpha = tf.exp(tf.reshape(result.state.live.alpha, [])) as tf.Scalar;
const alphaPrime = config.withLagrange ? lagrangeMultiplier(start.live.alphaPrime) : tf.scalar(1);
const fixed = networks.constants(
  start,
  batch,
  networks.heads(start.live.policy, batch),
  noise,
  alpha,
  alphaPrime,
);
const { gradients, values: parts } = networks.gradients(
  start,
  fixed,
  batch,
  config.policyEvalStart > 1,
);
const repeat = (x: Float32Array) =>
  Array.from({ length: rows }, (_, r) => x[Math.floor(r / spec.nAgents)]);
const fixture = {
  spec,
  hiddenSize: sizes.hiddenSize,
  cqlSamples: sizes.cqlSamples,
  cqlWeight: sizes.cqlWeight,
  policyEvalStart: config.policyEvalStart,
  withLagrange: config.withLagrange,
  lagrangeThreshold: config.lagrangeThreshold,
  config: {
    gamma: config.gamma,
    tau: config.tau,
    policyLr: config.policyLr,
    qLr: config.qLr,
  },
  before,
  batch: {
    obsWithId: list(batch.obsWithId),
    nextObsWithId: list(batch.nextObsWithId),
    action: list(batch.action!),
    reward: repeat(sampled.reward), // the team reward for every agent's row
    terminal: repeat(sampled.mask).map((m) => 1 - m),
  },
  noise: Object.fromEntries(Object.entries(noise).map(([k, t]) => [k, list(t)])),
  after: {
    live: Object.fromEntries(Object.entries(result.state.live).map(([k, t]) => [k, list(t)])),
    target: Object.fromEntries(Object.entries(result.state.target).map(([k, t]) => [k, list(t)])),
  },
  losses: Object.fromEntries(learner.model.lossNames.map((name, i) => [name, losses[i]])),
  parts: Object.fromEntries(Object.entries(parts).map(([k, t]) => [k, list(t)[0]])),
  gradients: Object.fromEntries(Object.entries(gradients).map(([k, t]) => [k, list(t)])),
};
await Deno.writeTextFile(out, JSON.stringify(fixture));
console.log(`wrote ${out}`);
