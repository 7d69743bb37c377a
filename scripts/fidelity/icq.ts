/**
 * One-step fidelity check of ICQ (`core/algorithms/icq.ts`) against the authors' PyTorch code:
 * the same weights and batch go through our losses and through the reference's (run by
 * `icq_reference.py`, which imports the reference from a clone of the reference at run time), and the losses
 * and gradients are compared.
 *
 * `deno run -A scripts/fidelity/icq.ts [--mirror DIR] [--python python3]`
 *
 * Discrete: OffPGLearner.train_critic (critic loss and critic + mixer gradients at our weights)
 * and OffPGLearner.train (actor loss and gradient, on the critic as the reference's own update
 * left it, with the reference's epsilon 0.5), an MLP agent standing in for the GRU. Continuous:
 * icq.py's compute_loss_q / compute_loss_pi on one agent, with the state equal to the
 * observation and our extra input rows (state copy, agent id) set to zero.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { selectBackend } from "../../core/backend/mod.ts";
import type { MultiAgentSpec } from "../../core/dataset.ts";
import { tf } from "../../core/tf.ts";
import { Learner } from "../../core/learn/learner.ts";
import type { TrainingBatch } from "../../core/learn/sampler.ts";
import { uploadBatch } from "../../core/learn/batch_tensors.ts";
import { syntheticTransitions } from "../../core/learn/synthetic.ts";
import type { DenseLayer } from "../../core/nn/dense.ts";
import { type IcqConfig, icqLayouts, IcqNetworks } from "../../core/algorithms/icq.ts";
import { referenceRepository } from "./reference.ts";

type Layer = { weight: number[][]; bias: number[] };

/** Our layer as [in][out] + [out], restricted to `rows` and `columns`. */
function unpack(
  vector: Float32Array,
  layer: DenseLayer,
  rows?: number[],
  columns?: number[],
): Layer {
  const r = rows ?? [...Array(layer.inputs).keys()];
  const c = columns ?? [...Array(layer.outputs).keys()];
  return {
    weight: r.map((i) => c.map((j) => vector[layer.weightOffset + i * layer.outputs + j])),
    bias: c.map((j) => vector[layer.biasOffset + j]),
  };
}

/** Writes `values` (same restriction) back into a flat vector. */
function pack(
  vector: Float32Array,
  layer: DenseLayer,
  values: Layer,
  rows?: number[],
  columns?: number[],
): void {
  const r = rows ?? [...Array(layer.inputs).keys()];
  const c = columns ?? [...Array(layer.outputs).keys()];
  r.forEach((i, a) =>
    c.forEach((j, b) => (vector[layer.weightOffset + i * layer.outputs + j] = values.weight[a][b]))
  );
  c.forEach((j, b) => (vector[layer.biasOffset + j] = values.bias[b]));
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

async function reference(mirror: string, python: string, job: unknown) {
  const folder = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${folder}/in.json`, JSON.stringify(job));
    const script = new URL("./icq_reference.py", import.meta.url).pathname;
    const run = await new Deno.Command(python, {
      args: [
        "-W",
        "ignore::SyntaxWarning",
        script,
        mirror,
        `${folder}/in.json`,
        `${folder}/out.json`,
      ],
      stderr: "inherit",
    }).output();
    if (!run.success) throw new Error(`${python} ${script} failed`);
    return JSON.parse(await Deno.readTextFile(`${folder}/out.json`));
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>, indices: number[]) {
  let gap = 0;
  let scale = 0;
  for (const k of indices) {
    gap = Math.max(gap, Math.abs(a[k] - b[k]));
    scale = Math.max(scale, Math.abs(b[k]));
  }
  return { maxAbsDiff: gap, maxAbsReference: scale };
}

function layerIndices(layer: DenseLayer, rows?: number[], columns?: number[]): number[] {
  const r = rows ?? [...Array(layer.inputs).keys()];
  const c = columns ?? [...Array(layer.outputs).keys()];
  return [
    ...r.flatMap((i) => c.map((j) => layer.weightOffset + i * layer.outputs + j)),
    ...c.map((j) => layer.biasOffset + j),
  ];
}

async function discreteCheck(mirror: string, python: string) {
  const spec: MultiAgentSpec = {
    nAgents: 3,
    obsDim: 4,
    stateDim: 3,
    actionKind: "discrete",
    actDim: 1,
    nActions: 5,
  };
  const learner = Learner.create(spec, {
    algorithm: "icq",
    hiddenSize: 256, // offpg.py's critic width is fixed
    policyHiddenSize: 8,
    mixerEmbedSize: 4,
    batchSize: 8,
    seed: 5,
    criticLr: 1e-2,
    policyLr: 1e-2,
  });
  const data = syntheticTransitions(spec, 64, 3);
  data.mask.fill(1); // whole transitions: the reference's softmax then sees the same values
  learner.fit(data, 3); // live and target critics now differ
  const config = learner.config as unknown as IcqConfig;
  const layouts = icqLayouts(spec, config);
  const networks = new IcqNetworks(spec, config, layouts, learner.kernels);
  const batch = learner.sample(data);
  const { nAgents: n, obsDim, nActions } = spec;
  const A = nActions!;
  const E = config.mixerEmbedSize;
  const critic = new Float32Array(await learner.state.live.critic.data());
  const target = new Float32Array(await learner.state.target.critic.data());
  const policy = new Float32Array(await learner.state.live.policy.data());
  const [c0, c1, c2] = layouts.critic.layers;
  const [m0] = layouts.mixer.layers;
  const criticLayers = (v: Float32Array) => ({
    fc1: unpack(v, c0),
    fc2: unpack(v, c1),
    fc3: unpack(v, c2, undefined, range(0, A)),
    fc_v: unpack(v, c2, undefined, [A]),
    hyper_w_1: unpack(v, m0, undefined, range(0, E * n)),
    hyper_w_final: unpack(v, m0, undefined, range(E * n, E * n + E)),
  });
  const pLayers = layouts.policy.layers;
  const B = batch.batchSize;
  const S = n * spec.stateDim;
  const local = obsDim + n;
  const episodes = episodeArrays(batch, spec, B, S, local);
  const result = await reference(mirror, python, {
    kind: "discrete",
    dims: { nAgents: n, nActions: A, state: S, obs: obsDim, embed: E, policyHidden: 8 },
    critic: criticLayers(critic),
    criticTarget: criticLayers(target),
    policy: {
      fc1: unpack(policy, pLayers[0]),
      fc2: unpack(policy, pLayers[1]),
      fc3: unpack(policy, pLayers[2]),
    },
    batch: episodes,
  });
  const toFlat = (layers: Record<string, Layer>) => {
    const v = new Float32Array(critic.length);
    pack(v, c0, layers.fc1);
    pack(v, c1, layers.fc2);
    pack(v, c2, layers.fc3, undefined, range(0, A));
    pack(v, c2, layers.fc_v, undefined, [A]);
    pack(v, m0, layers.hyper_w_1, undefined, range(0, E * n));
    pack(v, m0, layers.hyper_w_final, undefined, range(E * n, E * n + E));
    return v;
  };
  const uploaded = uploadBatch(batch, spec);
  const ours = tf.tidy(() => {
    const y = networks.target(learner.state.target.critic, uploaded);
    const q = tf.valueAndGrads((c: tf.Tensor) =>
      networks.criticObjective(c as tf.Tensor1D, y, uploaded)
    )([
      learner.state.live.critic,
    ]);
    const updated = tf.tensor1d(toFlat(result.updatedCritic));
    const { all, k } = networks.critic(
      updated,
      uploaded.state,
      uploaded.obsWithId,
      uploaded.actionOneHot,
    );
    const p = tf.valueAndGrads((v: tf.Tensor) =>
      networks.discretePolicyObjective(v as tf.Tensor1D, all!, k, uploaded, result.epsilon)
    )([learner.state.live.policy]);
    return [q.value, q.grads[0], p.value, p.grads[0]];
  });
  const [lq, gq, lp, gp] = await Promise.all(ours.map((t) => t.data()));
  const criticGradRef = toFlat(result.criticGrads);
  const policyGradRef = new Float32Array(policy.length);
  pLayers.forEach((layer, l) => pack(policyGradRef, layer, result.policyGrads[`fc${l + 1}`]));
  const all = (size: number) => range(0, size);
  return {
    kind: "discrete",
    referenceClipped: result.criticGradNorm > 20 || result.policyGradNorm > 20,
    criticLoss: {
      ours: lq[0],
      reference: result.criticLoss,
      absDiff: Math.abs(lq[0] - result.criticLoss),
    },
    criticGradient: maxAbs(gq, criticGradRef, all(critic.length)),
    policyLoss: {
      ours: lp[0],
      reference: result.policyLoss,
      absDiff: Math.abs(lp[0] - result.policyLoss),
    },
    policyGradient: maxAbs(gp, policyGradRef, all(policy.length)),
  };
}

/** The batch as T = 2 episodes: t = 0 the transition, t = 1 its next step. */
function episodeArrays(
  batch: TrainingBatch,
  spec: MultiAgentSpec,
  B: number,
  S: number,
  local: number,
) {
  const { nAgents: n, obsDim } = spec;
  const A = spec.nActions!;
  const rows = (b: number, source: Float32Array) =>
    range(0, n).map((i) =>
      Array.from(source.subarray((b * n + i) * local, (b * n + i) * local + obsDim))
    );
  const index = (oneHot: Float32Array, row: number) => {
    const k = oneHot.subarray(row * A, (row + 1) * A).indexOf(1);
    return k < 0 ? 0 : k;
  };
  const avail = (source: Float32Array, b: number) =>
    range(0, n).map((i) => Array.from(source.subarray((b * n + i) * A, (b * n + i + 1) * A)));
  return {
    obs: range(0, B).map((b) => [rows(b, batch.obsWithId), rows(b, batch.nextObsWithId)]),
    state: range(0, B).map((b) => [
      Array.from(batch.state.subarray(b * S, (b + 1) * S)),
      Array.from(batch.nextState.subarray(b * S, (b + 1) * S)),
    ]),
    actions: range(0, B).map((b) => [
      range(0, n).map((i) => [index(batch.actionOneHot!, b * n + i)]),
      range(0, n).map((i) => [index(batch.nextAction!, b * n + i)]),
    ]),
    avail_actions: range(0, B).map((b) => [avail(batch.avail!, b), avail(batch.nextAvail!, b)]),
    reward: range(0, B).map((b) => [[batch.reward[b]], [0]]),
    terminated: range(0, B).map((b) => [[1 - batch.mask[b]], [0]]),
    filled: range(0, B).map(() => [[1], [1]]),
  };
}

async function continuousCheck(mirror: string, python: string) {
  const spec: MultiAgentSpec = {
    nAgents: 1,
    obsDim: 3,
    stateDim: 3,
    actionKind: "continuous",
    actDim: 2,
  };
  const beta = 2;
  const alpha = 2;
  const learner = Learner.create(spec, {
    algorithm: "icq",
    hiddenSize: 16,
    policyHiddenSize: 8,
    batchSize: 8,
    seed: 6,
    criticBeta: beta,
    policyBeta: beta,
    bootstrapAlpha: alpha,
  });
  const data = syntheticTransitions(spec, 64, 4);
  data.state.set(data.obs); // the reference's single agent has one input: s = o
  data.nextState.set(data.nextObs);
  data.mask.fill(1); // icq.py keeps no terminal transition
  learner.fit(data, 3);
  const config = learner.config as unknown as IcqConfig;
  const layouts = icqLayouts(spec, config);
  const networks = new IcqNetworks(spec, config, layouts, learner.kernels);
  const batch = learner.sample(data);
  const { obsDim, actDim } = spec;
  // Critic input [s | o | a | id]: zero the s and id rows; the reference's rows are [o | a].
  const [c0, c1, c2] = layouts.critic.layers;
  const kept = range(obsDim, 2 * obsDim + actDim);
  const zeroRows = (v: Float32Array, layer: DenseLayer, rows: number[]) =>
    rows.forEach((i) =>
      v.fill(
        0,
        layer.weightOffset + i * layer.outputs,
        layer.weightOffset + (i + 1) * layer.outputs,
      )
    );
  const critic = new Float32Array(await learner.state.live.critic.data());
  const target = new Float32Array(await learner.state.target.critic.data());
  for (const v of [critic, target]) zeroRows(v, c0, [...range(0, obsDim), 2 * obsDim + actDim]);
  const policy = new Float32Array(await learner.state.live.policy.data());
  const p = layouts.policy.layers;
  zeroRows(policy, p[0], [obsDim]);
  const theta = range(0, actDim).map((d) => 0.7 * d - 0.4);
  theta.forEach((value, d) => (policy[layouts.policy.size + d] = value));
  const qLayers = (v: Float32Array) => ({ q: [unpack(v, c0, kept), unpack(v, c1), unpack(v, c2)] });
  const B = batch.batchSize;
  const local = obsDim + 1;
  const obsOf = (source: Float32Array) =>
    range(0, B).map((b) => Array.from(source.subarray(b * local, b * local + obsDim)));
  const actOf = (source: Float32Array) =>
    range(0, B).map((b) => Array.from(source.subarray(b * actDim, (b + 1) * actDim)));
  const result = await reference(mirror, python, {
    kind: "continuous",
    dims: { obs: obsDim, act: actDim, hidden: 16, policyHidden: 8, alpha, beta },
    critic: qLayers(critic),
    criticTarget: qLayers(target),
    policy: {
      net: p.slice(0, 4).map((layer, l) =>
        unpack(policy, layer, l === 0 ? range(0, obsDim) : undefined)
      ),
      mu: unpack(policy, p[4]),
      theta,
    },
    batch: {
      obs: obsOf(batch.obsWithId),
      act: actOf(batch.action!),
      rew: Array.from(batch.reward),
      obs2: obsOf(batch.nextObsWithId),
      act2: actOf(batch.nextAction!),
      done: Array.from(batch.mask, (m) => 1 - m),
      timeout: Array.from(batch.mask, () => 0),
    },
  });
  const uploaded = uploadBatch(batch, spec);
  const ours = tf.tidy(() => {
    const live = tf.tensor1d(critic);
    const y = networks.target(tf.tensor1d(target), uploaded);
    const q = tf.valueAndGrads((c: tf.Tensor) =>
      networks.criticObjective(c as tf.Tensor1D, y, uploaded)
    )([live]);
    const { weight, k } = networks.continuousWeights(live, uploaded);
    const pi = tf.valueAndGrads((v: tf.Tensor) =>
      networks.continuousPolicyObjective(v as tf.Tensor1D, weight, k, uploaded)
    )([tf.tensor1d(policy)]);
    return [q.value, q.grads[0], pi.value, pi.grads[0]];
  });
  const [lq, gq, lp, gp] = await Promise.all(ours.map((t) => t.data()));
  const criticGradRef = new Float32Array(critic.length);
  pack(criticGradRef, c0, result.criticGrads[0], kept);
  pack(criticGradRef, c1, result.criticGrads[1]);
  pack(criticGradRef, c2, result.criticGrads[2]);
  const criticIndices = [...layerIndices(c0, kept), ...layerIndices(c1), ...layerIndices(c2)];
  const policyGradRef = new Float32Array(policy.length);
  p.slice(0, 4).forEach((layer, l) =>
    pack(policyGradRef, layer, result.policyGrads.net[l], l === 0 ? range(0, obsDim) : undefined)
  );
  pack(policyGradRef, p[4], result.policyGrads.mu);
  result.policyGrads.theta.forEach((
    g: number,
    d: number,
  ) => (policyGradRef[layouts.policy.size + d] = g));
  const policyIndices = [
    ...layerIndices(p[0], range(0, obsDim)),
    ...p.slice(1).flatMap((layer) => layerIndices(layer)),
    ...range(layouts.policy.size, layouts.policy.size + actDim),
  ];
  return {
    kind: "continuous",
    criticLoss: {
      ours: lq[0],
      reference: result.criticLoss,
      absDiff: Math.abs(lq[0] - result.criticLoss),
    },
    criticGradient: maxAbs(gq, criticGradRef, criticIndices),
    policyLoss: {
      ours: lp[0],
      reference: result.policyLoss,
      absDiff: Math.abs(lp[0] - result.policyLoss),
    },
    policyGradient: maxAbs(gp, policyGradRef, policyIndices),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { mirror: { type: "string" }, python: { type: "string" } },
  });
  const mirror = referenceRepository(values.mirror, "OMIGA_REFERENCE_ICQ", "YiqinYang/ICQ");
  const python = values.python ?? "python3";
  await selectBackend({ backend: "cpu" });
  const report = [await discreteCheck(mirror, python), await continuousCheck(mirror, python)];
  console.log(JSON.stringify(report, null, 2));
}
