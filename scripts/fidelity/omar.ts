/**
 * Fidelity check of OMAR (`core/algorithms/omar.ts`) against the authors' PyTorch code
 * (github:ling-pan/OMAR, `algorithms/maddpg.py`, `MATD3.update` + `update_all_targets`, the
 * HalfCheetah branch): the same weights, batches and random draws go through three of our steps
 * and three of the reference's (run by `omar_reference.py`, which imports the reference from
 * the reference clone at run time), and the losses of each step and the weights after the last (live
 * and target) are compared.
 *
 * `deno run -A scripts/fidelity/omar.ts [--mirror DIR] [--python python3]`
 *
 * One agent (the reference has per-agent networks; ours are shared, so only one agent maps
 * one to one): our agent-id input rows start at zero and their gradients are masked, so both
 * sides compute the same function. The reference's input BatchNorm is replaced by the identity
 * (we have none). Run twice: `pdf` (the reference code as is) and `log-pdf` (the reference with
 * its Gaussian density replaced by its log, our default).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { selectBackend } from "../../core/backend/mod.ts";
import type { MultiAgentSpec } from "../../core/dataset.ts";
import { tf } from "../../core/tf.ts";
import type { Kernels } from "../../core/kernels/mod.ts";
import { Learner } from "../../core/learn/learner.ts";
import type { TrainingState } from "../../core/learn/algorithm.ts";
import { disposeBatch, uploadBatch } from "../../core/learn/batch_tensors.ts";
import { syntheticTransitions } from "../../core/learn/synthetic.ts";
import type { MlpLayout } from "../../core/nn/dense.ts";
import {
  drawNoise,
  type OmarConfig,
  omarLayouts,
  type OmarNetworks,
  omarUpdate,
} from "../../core/algorithms/omar.ts";
import { referenceRepository } from "./reference.ts";

type Layer = { weight: number[][]; bias: number[] };

const spec: MultiAgentSpec = {
  nAgents: 1,
  obsDim: 5,
  stateDim: 2,
  actionKind: "continuous",
  actDim: 3,
};
const STEPS = 3;

/** Our layers of `layout` as [in][out] + [out], the input row `skip` (the id) left out. */
function unpack(vector: Float32Array, layout: MlpLayout, skip: number): Layer[] {
  return layout.layers.map((layer, l) => {
    const rows = [...Array(layer.inputs).keys()].filter((i) => l > 0 || i !== skip);
    return {
      weight: rows.map((i) =>
        Array.from(
          vector.subarray(
            layer.weightOffset + i * layer.outputs,
            layer.weightOffset + (i + 1) * layer.outputs,
          ),
        )
      ),
      bias: Array.from(vector.subarray(layer.biasOffset, layer.biasOffset + layer.outputs)),
    };
  });
}

/** 1 everywhere but the first layer's input row `row` of each layout. */
function idMask(size: number, layouts: MlpLayout[], row: number): Float32Array {
  const mask = new Float32Array(size).fill(1);
  for (const layout of layouts) {
    const first = layout.layers[0];
    mask.fill(
      0,
      first.weightOffset + row * first.outputs,
      first.weightOffset + (row + 1) * first.outputs,
    );
  }
  return mask;
}

async function reference(mirror: string, python: string, job: unknown) {
  const folder = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${folder}/in.json`, JSON.stringify(job));
    const script = new URL("./omar_reference.py", import.meta.url).pathname;
    const run = await new Deno.Command(python, {
      args: ["-W", "ignore", script, mirror, `${folder}/in.json`, `${folder}/out.json`],
      stderr: "inherit",
    }).output();
    if (!run.success) throw new Error(`${python} ${script} failed`);
    return JSON.parse(await Deno.readTextFile(`${folder}/out.json`));
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}

function maxGap(a: Layer[], b: Layer[]): number {
  let gap = 0;
  a.forEach((layer, l) => {
    layer.bias.forEach((v, j) => (gap = Math.max(gap, Math.abs(v - b[l].bias[j]))));
    layer.weight.forEach((row, i) =>
      row.forEach((v, j) => (gap = Math.max(gap, Math.abs(v - b[l].weight[i][j]))))
    );
  });
  return gap;
}

async function check(mirror: string, python: string, mode: "pdf" | "log-pdf") {
  const learner = Learner.create(spec, {
    algorithm: "omar",
    hiddenSize: 16,
    batchSize: 8,
    seed: 3,
    cqlDensityCorrection: mode,
  });
  const config = learner.config as unknown as OmarConfig;
  const layouts = omarLayouts(spec, config);
  const { obsDim, actDim } = spec;
  // Zero the id rows (live = target at the start), and mask their gradients.
  const policyMask = idMask(layouts.policy.size, [layouts.policy], obsDim);
  const criticMask = idMask(
    layouts.q1.size + layouts.q2.size,
    [layouts.q1, layouts.q2],
    obsDim + actDim,
  );
  const masked = (vector: tf.Tensor1D, mask: Float32Array) =>
    tf.tensor1d(vector.dataSync().map((v, k) => v * mask[k]));
  let state: TrainingState = {
    live: {
      policy: masked(learner.state.live.policy, policyMask),
      critic: masked(learner.state.live.critic, criticMask),
    },
    target: {
      policy: masked(learner.state.target.policy, policyMask),
      critic: masked(learner.state.target.critic, criticMask),
    },
    adam: learner.state.adam,
  };
  const masks = new Map([[policyMask.length, tf.tensor1d(policyMask)], [
    criticMask.length,
    tf.tensor1d(criticMask),
  ]]);
  const kernels: Kernels = {
    ...learner.kernels,
    // Inside omarUpdate's tidy: the masked gradient is freed with the step's other values.
    adamStep: (params, gradient, adam, settings) =>
      learner.kernels.adamStep(params, tf.mul(gradient, masks.get(gradient.size)!), adam, settings),
  };
  const networks: OmarNetworks = { spec, config, layouts, kernels };
  const weights = (s: TrainingState) => ({
    policy: unpack(s.live.policy.dataSync() as Float32Array, layouts.policy, obsDim),
    critic: [layouts.q1, layouts.q2].flatMap((layout) =>
      unpack(s.live.critic.dataSync() as Float32Array, layout, obsDim + actDim)
    ),
    policyTarget: unpack(s.target.policy.dataSync() as Float32Array, layouts.policy, obsDim),
    criticTarget: [layouts.q1, layouts.q2].flatMap((layout) =>
      unpack(s.target.critic.dataSync() as Float32Array, layout, obsDim + actDim)
    ),
  });
  const initial = weights(state);
  const data = syntheticTransitions(spec, 64, 2);
  const steps = [];
  const ours: number[][] = [];
  for (let step = 0; step < STEPS; step++) {
    const batch = learner.sample(data);
    const rows = batch.batchSize;
    const noise = drawNoise(learner.rng, rows, actDim, config);
    const uploaded = uploadBatch(batch, spec);
    const result = omarUpdate(networks, state, uploaded, noise);
    disposeBatch(uploaded);
    const [policy, td, cql] = Array.from(result.losses.dataSync());
    ours.push([td + config.cqlAlpha * cql, policy]);
    state = result.state;
    const columns = (values: Float32Array, width: number, take: number) =>
      Array.from(
        { length: rows },
        (_, r) => Array.from(values.subarray(r * width, r * width + take)),
      );
    steps.push({
      obs: columns(batch.obsWithId, obsDim + 1, obsDim),
      nextObs: columns(batch.nextObsWithId, obsDim + 1, obsDim),
      action: columns(batch.action!, actDim, actDim),
      reward: Array.from(batch.reward),
      done: Array.from(batch.mask, (m) => 1 - m),
      uniform: Array.from(noise.uniform),
      current: Array.from(noise.current),
      next: Array.from(noise.next),
      cem: noise.cem.map((z) => Array.from(z)),
    });
  }
  const final = weights(state);
  const theirs = await reference(mirror, python, {
    config: {
      obsDim,
      actDim,
      hidden: config.hiddenSize,
      batch: config.batchSize,
      gamma: config.gamma,
      tau: config.tau,
      lr: config.policyLr,
      cqlAlpha: config.cqlAlpha,
      lseTemp: config.lseTemp,
      numSampledActions: config.numSampledActions,
      noiseLevel: config.cqlSampleNoiseLevel,
      coe: config.omarCoe,
      mu: config.omarMu,
      sigma: config.omarSigma,
      samples: config.omarNumSamples,
      elites: config.omarNumElites,
      iters: config.omarIters,
      logPdf: mode === "log-pdf",
    },
    initial,
    steps,
  });
  const lossGap = Math.max(
    ...ours.flatMap((pair, s) => pair.map((v, k) => Math.abs(v - theirs.losses[s][k]))),
  );
  const report: Record<string, number | string> = { mode, lossGap };
  for (const name of ["policy", "critic", "policyTarget", "criticTarget"] as const) {
    report[name] = maxGap(final[name], theirs.final[name]);
  }
  report.losses = JSON.stringify({ ours, theirs: theirs.losses });
  learner.dispose();
  return report;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { mirror: { type: "string" }, python: { type: "string" } },
  });
  const mirror = referenceRepository(values.mirror, "OMIGA_REFERENCE_OMAR", "ling-pan/OMAR");
  const python = values.python ?? "python3";
  await selectBackend({ backend: "cpu" });
  for (const mode of ["pdf", "log-pdf"] as const) {
    console.log(await check(mirror, python, mode));
  }
}
