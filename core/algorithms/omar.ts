/**
 * OMAR (Offline Multi-Agent RL with Actor Rectification, Pan et al., ICML 2022), after the
 * authors' `algorithms/maddpg.py` (class `MATD3`, its multi-agent MuJoCo branch) in
 * github:ling-pan/OMAR, as docs/algorithms.md ("OMAR") states it: independent TD3-style
 * learners, each with a deterministic tanh actor and twin critics Q1, Q2 over its own
 * (o_i, a_i), trained with a CQL(H) penalty on both critics; the actor imitates the better of
 * its own action and the best action a cross-entropy-method (CEM) search finds under Q1, mixed
 * with the usual deterministic policy gradient. Continuous actions only, as the reference.
 *
 * One step, in the reference's order: the critic step (TD target from the target actor and
 * the minimum of the target twins, no smoothing noise; CQL on both critics), then the actor
 * step with the just-updated critic (CEM search, rectified imitation), then the soft updates
 * of both targets.
 *
 * Shapes: B transitions, N agents, R = B * N rows (agent-major within a transition), A action
 * dims; C = numSampledActions (CQL), S = omarNumSamples, K = omarNumElites (CEM).
 *
 * @module
 */
import { z } from "zod";
import { tf } from "../tf.ts";
import type { MultiAgentSpec } from "../dataset.ts";
import type { Rng } from "../rng.ts";
import type { Kernels } from "../kernels/mod.ts";
import { initialiseMlp, mlp, mlpForward, type MlpLayout, mlpLayout } from "../nn/dense.ts";
import { tidyObject } from "../nn/tidy.ts";
import type { AlgorithmDefinition, Model, TrainingState } from "../learn/algorithm.ts";
import type { BatchTensors } from "../learn/batch_tensors.ts";
import { baseConfig, localInputWidth, qInputWidth } from "../learn/shapes.ts";
import { applyGradients, softUpdateTargets } from "../learn/update.ts";

// ---------------------------------------------------------------------------------------------
// Config: the reference's HalfCheetah-v2 settings (main.py, and the per-dataset table in
// maddpg.py for omarCoe and cqlAlpha: HalfCheetah medium).

/** OMAR's config schema; every field optional on input, defaulted to the reference's value. */
export const omarConfigSchema = z.object({
  algorithm: z.literal("omar"),
  ...baseConfig({ batchSize: 256, gamma: 0.99, tau: 0.005, gradClip: 0.5 }),
  /** Width of both hidden layers of the actor and of each critic tower. */
  hiddenSize: z.number().int().positive().max(4096).default(256),
  policyLr: z.number().positive().max(1).default(3e-4),
  qLr: z.number().positive().max(1).default(3e-4),
  /** Weight of the imitation term against the policy-gradient term (HalfCheetah medium: 0.7). */
  omarCoe: z.number().min(0).max(1).default(0.7),
  /** Weight of the CQL term on the critic loss (HalfCheetah medium: 1). */
  cqlAlpha: z.number().min(0).default(1),
  /** C: actions of each CQL source (uniform, pi(o), pi(o')) per row. */
  numSampledActions: z.number().int().positive().max(256).default(10),
  /** Std of the Gaussian noise on the policy's CQL actions. */
  cqlSampleNoiseLevel: z.number().positive().default(0.2),
  /**
   * What the CQL importance correction subtracts for the noisy policy actions: the noise's
   * log-density (the paper's CQL(H), default) or its density (what the reference code does).
   */
  cqlDensityCorrection: z.enum(["log-pdf", "pdf"]).default("log-pdf"),
  /** Temperature of the CQL log-sum-exp. */
  lseTemp: z.number().positive().default(1),
  /** CEM iterations. */
  omarIters: z.number().int().positive().max(64).default(2),
  /** S: CEM samples per row and iteration. */
  omarNumSamples: z.number().int().min(2).max(1024).default(20),
  /** K: CEM elites (refit with the unbiased std, so at least 2). */
  omarNumElites: z.number().int().min(2).max(1024).default(5),
  /** The CEM's initial mean, every row and dim (not pi(o), as the reference). */
  omarMu: z.number().min(-1).max(1).default(0),
  /** The CEM's initial std. */
  omarSigma: z.number().positive().default(2),
  /** Weight of the actor's output penalty mean(pi(o)^2). */
  actionPenalty: z.number().min(0).default(1e-3),
}).strict().refine((config) => config.omarNumElites <= config.omarNumSamples, {
  message: "omarNumElites must not exceed omarNumSamples",
  path: ["omarNumElites"],
});

/** A complete OMAR config. */
export type OmarConfig = z.output<typeof omarConfigSchema>;

// ---------------------------------------------------------------------------------------------
// Networks, shared across agents, each agent's input with its one-hot id appended. Two flat
// vectors, one optimiser and one soft-updated target each: the actor, and the critic (both
// towers; the reference clips and steps them together).

/** Where each network sits. */
export interface OmarLayouts {
  /** [obs | id] -> h -> h -> A; the action is tanh of it. */
  policy: MlpLayout;
  /** [obs | action | id] -> h -> h -> 1, at the start of the critic vector. */
  q1: MlpLayout;
  /** The same after Q1, in the same vector. */
  q2: MlpLayout;
}

/** The layouts for data of shape `spec`. */
export function omarLayouts(spec: MultiAgentSpec, config: OmarConfig): OmarLayouts {
  const h = config.hiddenSize;
  const q1 = mlpLayout("q1", [qInputWidth(spec), h, h, 1]);
  return {
    policy: mlpLayout("policy", [localInputWidth(spec), h, h, spec.actDim]),
    q1,
    q2: mlpLayout("q2", [qInputWidth(spec), h, h, 1], q1.size),
  };
}

/** PyTorch's default init, then the actor's last weight uniform in +-3e-3 (networks.py). */
function initialisePolicy(layout: MlpLayout, params: Float32Array, rng: Rng): void {
  initialiseMlp(layout, params, rng);
  const last = layout.layers[layout.layers.length - 1];
  const start = last.weightOffset;
  rng.fillUniform(params.subarray(start, start + last.inputs * last.outputs), -3e-3, 3e-3);
}

/** Each row of `x` [M, W] repeated `n` times in a row: [M * n, W]. */
export function repeatRows(x: tf.Tensor2D, n: number): tf.Tensor2D {
  const [m, w] = x.shape;
  return tf.reshape(tf.tile(tf.expandDims(x, 1), [1, n, 1]), [m * n, w]);
}

// ---------------------------------------------------------------------------------------------
// Losses, each mirroring its line of docs/algorithms.md ("OMAR"). Inputs marked "no gradient"
// are constants.

/** y = r + gamma * mask * min(Q1'(o', pi'(o')), Q2'(o', pi'(o'))), no gradient. All [R]. */
export function tdTarget(
  reward: tf.Tensor1D,
  mask: tf.Tensor1D,
  q1Next: tf.Tensor1D,
  q2Next: tf.Tensor1D,
  gamma: number,
): tf.Tensor1D {
  return tf.add(reward, tf.mul(tf.mul(mask, gamma), tf.minimum(q1Next, q2Next)));
}

/** L_TD = mean((Q1 - y)^2) + mean((Q2 - y)^2). */
export function tdLoss(q1: tf.Tensor1D, q2: tf.Tensor1D, y: tf.Tensor1D): tf.Scalar {
  return tf.add(tf.mean(tf.square(tf.sub(q1, y))), tf.mean(tf.square(tf.sub(q2, y))));
}

/** log mu(a) of a uniform action in [-1, 1]^A: -A ln 2. */
export function uniformLogDensity(actDim: number): number {
  return -actDim * Math.log(2);
}

/**
 * The correction subtracted from Q at a noisy policy action, from its noise `noise` [M, A]:
 * "log-pdf": sum_j log N(e_j; 0, sigma^2) = sum_j (-ln(sigma sqrt(2 pi)) - e_j^2 / (2 sigma^2));
 * "pdf": prod_j N(e_j; 0, sigma^2), the density itself (the reference code). Returns [M].
 */
export function noiseCorrection(
  noise: tf.Tensor2D,
  sigma: number,
  mode: "log-pdf" | "pdf",
): tf.Tensor1D {
  const perDim = tf.sub(
    tf.div(tf.square(noise), -2 * sigma * sigma),
    Math.log(sigma * Math.sqrt(2 * Math.PI)),
  );
  const logDensity = tf.sum(perDim, 1) as tf.Tensor1D;
  return mode === "pdf" ? tf.exp(logDensity) : logDensity;
}

/**
 * One critic's CQL gap: mean_r(T * logsumexp_c([Q(o, a_rand) - c_rand, Q(o, a_next) - c_next,
 * Q(o, a_curr) - c_curr] / T) - Q(o, a_data)). Q at the sampled actions and the corrections
 * [R, C] (c_rand a number), Q at the data [R].
 */
export function conservativeGap(
  qData: tf.Tensor1D,
  sampled: { random: tf.Tensor2D; next: tf.Tensor2D; current: tf.Tensor2D },
  corrections: { random: number; next: tf.Tensor2D; current: tf.Tensor2D },
  temperature: number,
): tf.Scalar {
  const scores = tf.concat([
    tf.sub(sampled.random, corrections.random),
    tf.sub(sampled.next, corrections.next),
    tf.sub(sampled.current, corrections.current),
  ], 1);
  const lse = tf.mul(tf.logSumExp(tf.div(scores, temperature), 1), temperature);
  return tf.mean(tf.sub(lse, qData));
}

/** L_Q = L_TD + alpha * (gap_1 + gap_2). */
export function criticLoss(td: tf.Scalar, cql: tf.Scalar, alpha: number): tf.Scalar {
  return tf.add(td, tf.mul(cql, alpha));
}

/**
 * L_pi = coe * mean_{r,j}(w_r (pi(o)_rj - a*_rj)^2) - (1 - coe) * mean_r Q1(o, pi(o))
 *        + penalty * mean_{r,j} pi(o)_rj^2,
 * where w_r = 1 when the searched action beats the policy's under Q1 (a* = searched) and 0
 * when not (a* = pi(o), whose squared gap is zero); w and a* carry no gradient.
 */
export function actorLoss(
  action: tf.Tensor2D,
  qPolicy: tf.Tensor1D,
  searched: tf.Tensor2D,
  searchWins: tf.Tensor1D,
  coe: number,
  penalty: number,
): tf.Scalar {
  const gap = tf.mul(tf.square(tf.sub(action, searched)), tf.expandDims(searchWins, 1));
  return tf.addN([
    tf.mul(tf.mean(gap), coe),
    tf.mul(tf.mean(qPolicy), -(1 - coe)),
    tf.mul(tf.mean(tf.square(action)), penalty),
  ]) as tf.Scalar;
}

// ---------------------------------------------------------------------------------------------
// The CEM search (no gradient): per row, sample S actions from N(mu, sigma) clipped to [-1, 1],
// keep the K best under Q1 (from the iteration's samples plus the previous elites), refit mu
// and sigma (unbiased std) to them; the answer is the best of the last pool.

/** The `k` best of each row's pool: values `q` [R, P] and actions [R, P, A]. */
export function selectElites(q: tf.Tensor2D, actions: tf.Tensor3D, k: number) {
  const [rows, pool, actDim] = actions.shape;
  const { values, indices } = tf.topk(q, k);
  const offsets = tf.reshape(tf.range(0, rows * pool, pool, "int32"), [rows, 1]);
  const flat = tf.reshape(tf.add(indices, offsets), [-1]);
  const chosen = tf.gather(tf.reshape(actions, [rows * pool, actDim]), flat);
  return {
    q: values as tf.Tensor2D,
    actions: tf.reshape(chosen, [rows, k, actDim]) as tf.Tensor3D,
  };
}

/** mu = mean over the K elites, sigma = their unbiased std; both [R, A]. */
export function refitElites(elites: tf.Tensor3D): { mean: tf.Tensor2D; std: tf.Tensor2D } {
  const k = elites.shape[1];
  const mean = tf.mean(elites, 1) as tf.Tensor2D;
  const squares = tf.sum(tf.square(tf.sub(elites, tf.expandDims(mean, 1))), 1);
  return { mean, std: tf.sqrt(tf.div(squares, k - 1)) as tf.Tensor2D };
}

/**
 * The CEM search: `q1Of` maps actions [R * S, A] (row-major by row, then sample) to Q1 [R, S];
 * `noise` holds one standard-normal draw [R, S, A] per iteration. Returns the best action
 * [R, A] and its Q1 [R].
 */
export function cemSearch(
  q1Of: (actions: tf.Tensor2D) => tf.Tensor2D,
  noise: tf.Tensor3D[],
  settings: { mu: number; sigma: number; elites: number },
): { action: tf.Tensor2D; q: tf.Tensor1D } {
  const [rows, samples, actDim] = noise[0].shape;
  let mean: tf.Tensor2D = tf.fill([rows, actDim], settings.mu);
  let std: tf.Tensor2D = tf.fill([rows, actDim], settings.sigma);
  let elites: { q: tf.Tensor2D; actions: tf.Tensor3D } | undefined;
  let pool!: { q: tf.Tensor2D; actions: tf.Tensor3D };
  noise.forEach((z, iteration) => {
    const drawn = tf.add(tf.expandDims(mean, 1), tf.mul(tf.expandDims(std, 1), z));
    const actions = tf.clipByValue(drawn, -1, 1) as tf.Tensor3D;
    const q = q1Of(tf.reshape(actions, [rows * samples, actDim]));
    pool = elites === undefined ? { q, actions } : {
      q: tf.concat([q, elites.q], 1),
      actions: tf.concat([actions, elites.actions], 1),
    };
    if (iteration === noise.length - 1) return; // the last refit is never used
    elites = selectElites(pool.q, pool.actions, settings.elites);
    ({ mean, std } = refitElites(elites.actions));
  });
  const best = selectElites(pool.q, pool.actions, 1);
  return {
    action: tf.reshape(best.actions, [rows, actDim]),
    q: tf.reshape(best.q, [rows]),
  };
}

// ---------------------------------------------------------------------------------------------
// The update.

/** A step's random draws (from the learner's Rng, in the reference's order), on the CPU. */
export interface OmarNoise {
  /** CQL uniform actions in [-1, 1], [R * C * A] (row, sample, dim). */
  uniform: Float32Array;
  /** CQL noise N(0, level^2) on pi(o), [R * C * A]. */
  current: Float32Array;
  /** CQL noise N(0, level^2) on pi(o'), [R * C * A]. */
  next: Float32Array;
  /** Standard normals per CEM iteration, each [R * S * A] (row, sample, dim). */
  cem: Float32Array[];
}

/** Draws a step's noise for `rows` rows. */
export function drawNoise(rng: Rng, rows: number, actDim: number, config: OmarConfig): OmarNoise {
  const cql = rows * config.numSampledActions * actDim;
  const level = config.cqlSampleNoiseLevel;
  const cem = rows * config.omarNumSamples * actDim;
  return {
    uniform: rng.fillUniform(new Float32Array(cql), -1, 1) as Float32Array,
    current: rng.fillNormal(new Float32Array(cql), 0, level) as Float32Array,
    next: rng.fillNormal(new Float32Array(cql), 0, level) as Float32Array,
    cem: Array.from(
      { length: config.omarIters },
      () => rng.fillNormal(new Float32Array(cem)) as Float32Array,
    ),
  };
}

/** OMAR built for one data shape. */
export interface OmarNetworks {
  spec: MultiAgentSpec;
  config: OmarConfig;
  layouts: OmarLayouts;
  kernels: Kernels;
}

/** [obs | action | id] from pre-split `obs` [M, O], `id` [M, N] and `action` [M, A]. */
function criticInput(obs: tf.Tensor2D, id: tf.Tensor2D, action: tf.Tensor2D): tf.Tensor2D {
  return tf.concat([obs, action, id], 1);
}

/** [obs | id] [M, O + N] -> obs [M, O] and id [M, N]. */
function splitId(x: tf.Tensor2D, spec: MultiAgentSpec): [tf.Tensor2D, tf.Tensor2D] {
  return tf.split(x, [spec.obsDim, spec.nAgents], 1) as [tf.Tensor2D, tf.Tensor2D];
}

/** The deterministic action tanh(pi(x)) with no gradient, [M, A]. */
function actionOf(networks: OmarNetworks, x: tf.Tensor2D, policy: tf.Tensor1D): tf.Tensor2D {
  return tf.tanh(mlpForward(networks.kernels, networks.layouts.policy, x, policy));
}

/** Q at `input` [M, in] of the tower `layout` in `critic`, with no gradient, [M]. */
function qOf(networks: OmarNetworks, layout: MlpLayout, input: tf.Tensor2D, critic: tf.Tensor1D) {
  return tf.reshape(mlpForward(networks.kernels, layout, input, critic), [-1]) as tf.Tensor1D;
}

/**
 * The critic loss as a function of the critic vector, for the batch, the state's targets and
 * live actor, and the draws: (critic) -> [L_Q, L_TD, gap_1 + gap_2].
 */
export function criticObjective(
  networks: OmarNetworks,
  state: TrainingState,
  batch: BatchTensors,
  noise: OmarNoise,
): (critic: tf.Tensor1D) => tf.Tensor1D {
  const { spec, config, layouts, kernels } = networks;
  const rows = batch.batchSize * spec.nAgents;
  const c = config.numSampledActions;
  // The TD target y from the target actor and the target twins, [R].
  const [nextObs, nextId] = splitId(batch.nextObsWithId, spec);
  const nextAction = actionOf(networks, batch.nextObsWithId, state.target.policy);
  const nextInput = criticInput(nextObs, nextId, nextAction);
  const perRow = (values: tf.Tensor1D) =>
    tf.reshape(repeatRows(tf.reshape(values, [-1, 1]), spec.nAgents), [-1]) as tf.Tensor1D;
  const y = tdTarget(
    perRow(batch.reward),
    perRow(batch.mask),
    qOf(networks, layouts.q1, nextInput, state.target.critic),
    qOf(networks, layouts.q2, nextInput, state.target.critic),
    config.gamma,
  );
  // The CQL actions, all at the current obs: uniform, noisy pi(o'), noisy pi(o), [R * C, A].
  const [obs, id] = splitId(batch.obsWithId, spec);
  const [cqlObs, cqlId] = [repeatRows(obs, c), repeatRows(id, c)];
  const shape: [number, number] = [rows * c, spec.actDim];
  const [epsCurrent, epsNext] = [tf.tensor2d(noise.current, shape), tf.tensor2d(noise.next, shape)];
  const noisy = (x: tf.Tensor2D, epsilon: tf.Tensor2D) => {
    const action = repeatRows(actionOf(networks, x, state.live.policy), c);
    return tf.clipByValue(tf.add(action, epsilon), -1, 1) as tf.Tensor2D;
  };
  // One input for each tower: the data rows, then the three CQL sources.
  const input = tf.concat([
    batch.qInput,
    criticInput(cqlObs, cqlId, tf.tensor2d(noise.uniform, shape)),
    criticInput(cqlObs, cqlId, noisy(batch.nextObsWithId, epsNext)),
    criticInput(cqlObs, cqlId, noisy(batch.obsWithId, epsCurrent)),
  ], 0);
  const { cqlSampleNoiseLevel: level, cqlDensityCorrection: mode } = config;
  const corrections = {
    random: uniformLogDensity(spec.actDim),
    next: tf.reshape(noiseCorrection(epsNext, level, mode), [rows, c]) as tf.Tensor2D,
    current: tf.reshape(noiseCorrection(epsCurrent, level, mode), [rows, c]) as tf.Tensor2D,
  };
  const tower = (layout: MlpLayout, critic: tf.Tensor1D) => {
    const q = mlp(kernels, layout, input, critic, true); // [R + 3 R C, 1]
    const [data, random, next, current] = tf.split(q, [rows, rows * c, rows * c, rows * c], 0);
    const perSample = (part: tf.Tensor) => tf.reshape(part, [rows, c]) as tf.Tensor2D;
    const qData = tf.reshape(data, [rows]) as tf.Tensor1D;
    const sampled = {
      random: perSample(random),
      next: perSample(next),
      current: perSample(current),
    };
    return { qData, gap: conservativeGap(qData, sampled, corrections, config.lseTemp) };
  };
  return (critic) => {
    const one = tower(layouts.q1, critic);
    const two = tower(layouts.q2, critic);
    const td = tdLoss(one.qData, two.qData, y);
    const cql = tf.add(one.gap, two.gap) as tf.Scalar;
    return tf.stack([criticLoss(td, cql, config.cqlAlpha), td, cql]) as tf.Tensor1D;
  };
}

/**
 * The actor's target, with no gradient: the CEM search under Q1 of `critic` (the updated
 * critic), and whether its action beats pi(o) of `policy` (ties go to pi(o)), [R].
 */
export function rectification(
  networks: OmarNetworks,
  batch: BatchTensors,
  policy: tf.Tensor1D,
  critic: tf.Tensor1D,
  cemNoise: Float32Array[],
): { searched: tf.Tensor2D; searchedQ: tf.Tensor1D; searchWins: tf.Tensor1D } {
  const { spec, config, layouts } = networks;
  const rows = batch.batchSize * spec.nAgents;
  const s = config.omarNumSamples;
  const [obs, id] = splitId(batch.obsWithId, spec);
  const [cemObs, cemId] = [repeatRows(obs, s), repeatRows(id, s)];
  const q1Of = (actions: tf.Tensor2D) =>
    tf.reshape(qOf(networks, layouts.q1, criticInput(cemObs, cemId, actions), critic), [rows, s]);
  const search = cemSearch(
    q1Of as (actions: tf.Tensor2D) => tf.Tensor2D,
    cemNoise.map((z) => tf.tensor3d(z, [rows, s, spec.actDim])),
    { mu: config.omarMu, sigma: config.omarSigma, elites: config.omarNumElites },
  );
  const policyAction = actionOf(networks, batch.obsWithId, policy);
  const policyQ = qOf(networks, layouts.q1, criticInput(obs, id, policyAction), critic);
  return {
    searched: search.action,
    searchedQ: search.q,
    searchWins: tf.cast(tf.greater(search.q, policyQ), "float32") as tf.Tensor1D,
  };
}

/** The actor loss as a function of the policy vector, Q1 from `critic`. */
export function actorObjective(
  networks: OmarNetworks,
  batch: BatchTensors,
  critic: tf.Tensor1D,
  target: { searched: tf.Tensor2D; searchWins: tf.Tensor1D },
): (policy: tf.Tensor1D) => tf.Scalar {
  const { spec, config, layouts, kernels } = networks;
  const [obs, id] = splitId(batch.obsWithId, spec);
  return (policy) => {
    const action = tf.tanh(mlp(kernels, layouts.policy, batch.obsWithId, policy, true));
    // The critic is held: only its input gradient is needed (constantParams).
    const input = criticInput(obs, id, action);
    const q = tf.reshape(mlp(kernels, layouts.q1, input, critic, false, true), [-1]);
    const { omarCoe, actionPenalty } = config;
    return actorLoss(
      action,
      q as tf.Tensor1D,
      target.searched,
      target.searchWins,
      omarCoe,
      actionPenalty,
    );
  };
}

/**
 * One OMAR step with the given draws: the critic step, the actor step under the new critic,
 * the soft updates of both targets. Losses: [L_pi, L_TD, gap_1 + gap_2, the fraction of rows
 * whose searched action beat pi(o)].
 */
export function omarUpdate(
  networks: OmarNetworks,
  state: TrainingState,
  batch: BatchTensors,
  noise: OmarNoise,
): { state: TrainingState; losses: tf.Tensor1D } {
  return tidyObject(() => {
    const { config, kernels } = networks;
    // 1. Critic: L_TD + alpha * (gap_1 + gap_2); the value is [L_Q, L_TD, gaps].
    const critic = tf.valueAndGrads((vector: tf.Tensor) =>
      criticObjective(networks, state, batch, noise)(vector as tf.Tensor1D)
    )([state.live.critic], tf.tensor1d([1, 0, 0]));
    const afterCritic = applyGradients(kernels, state, [
      ["critic", critic.grads[0] as tf.Tensor1D, config.qLr],
    ], config);
    // 2. Actor, rectified towards the CEM search under the updated critic.
    const newCritic = afterCritic.live.critic;
    const target = rectification(networks, batch, state.live.policy, newCritic, noise.cem);
    const actor = tf.valueAndGrads((vector: tf.Tensor) =>
      actorObjective(networks, batch, newCritic, target)(vector as tf.Tensor1D)
    )([state.live.policy]);
    const afterActor = applyGradients(kernels, afterCritic, [
      ["policy", actor.grads[0] as tf.Tensor1D, config.policyLr],
    ], config);
    // 3. Soft target updates of both.
    const [, td, cql] = tf.unstack(critic.value);
    return {
      state: softUpdateTargets(kernels, afterActor, ["policy", "critic"], config.tau),
      losses: tf.stack([actor.value, td, cql, tf.mean(target.searchWins)]) as tf.Tensor1D,
    };
  });
}

/** OMAR for the trainer. */
export const omar: AlgorithmDefinition<OmarConfig> = {
  names: ["omar"],
  summary: "OMAR (ICML 2022): CQL twin critics, actor rectified towards a CEM search",
  actionKinds: ["continuous"],
  schema: omarConfigSchema,
  hasAlpha: () => false,
  build(spec, config, kernels): Model {
    const layouts = omarLayouts(spec, config);
    const networks: OmarNetworks = { spec, config, layouts, kernels };
    return {
      groups: [
        {
          name: "policy",
          layouts: [layouts.policy],
          size: layouts.policy.size,
          target: true,
          learningRate: config.policyLr,
          initialise: (params, rng) => initialisePolicy(layouts.policy, params, rng),
        },
        {
          name: "critic",
          layouts: [layouts.q1, layouts.q2],
          size: layouts.q1.size + layouts.q2.size,
          target: true,
          learningRate: config.qLr,
        },
      ],
      lossNames: ["policy", "q", "cql", "searchWins"],
      policy: { group: "policy", layout: layouts.policy, output: { kind: "tanh" } },
      step: (state, batch, context) =>
        omarUpdate(
          networks,
          state,
          batch,
          drawNoise(context.rng, batch.batchSize * spec.nAgents, spec.actDim, config),
        ),
    };
  },
};
