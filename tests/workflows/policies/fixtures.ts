/**
 * Registered policies without training: random weights for a continuous and a discrete spec,
 * written where the registry keeps files and registered under a name.
 *
 * @module
 */
import { join } from "node:path";
import type { MultiAgentSpec } from "../../../core/dataset.ts";
import { encodePolicy, type PolicyExport } from "../../../core/learn/policy_export.ts";
import type { PolicyOutput } from "../../../core/learn/algorithm.ts";
import { mlpLayout } from "../../../core/nn/dense.ts";
import { Rng } from "../../../core/rng.ts";
import { policyFolder, type WorkflowStore } from "../../../workflows/mod.ts";

export const CONTINUOUS: MultiAgentSpec = {
  nAgents: 3,
  obsDim: 5,
  stateDim: 4,
  actionKind: "continuous",
  actDim: 2,
};
export const DISCRETE: MultiAgentSpec = {
  nAgents: 2,
  obsDim: 4,
  stateDim: 4,
  actionKind: "discrete",
  actDim: 1,
  nActions: 5,
};

/** A random policy for `spec` (tanh-Gaussian mean or argmax), hidden width `hidden`. */
export function randomPolicy(spec: MultiAgentSpec, seed: number, hidden = 32): PolicyExport {
  const discrete = spec.actionKind === "discrete";
  const out = discrete ? spec.nActions! : 2 * spec.actDim;
  const layout = mlpLayout("policy", [spec.obsDim + spec.nAgents, hidden, hidden, out]);
  const params = Rng.fromSeed(seed).fillNormal(new Float32Array(layout.size)) as Float32Array;
  for (let i = 0; i < params.length; i++) params[i] *= 0.5;
  const output: PolicyOutput = discrete
    ? { kind: "categorical_argmax" }
    : { kind: "tanh_gaussian_mean", meanLimit: null };
  return encodePolicy(spec, layout, params, output, "omiga");
}

/** Writes `exported` into the registry folder of `runId` and registers it under `name`. */
export async function registerPolicy(
  store: WorkflowStore,
  name: string,
  runId: string,
  exported: PolicyExport,
  score = 1,
) {
  const folder = policyFolder(name, runId);
  await Deno.mkdir(join(store.home, folder), { recursive: true });
  const files = {
    policy: join(folder, "policy.safetensors"),
    architecture: join(folder, "policy.json"),
  };
  await Deno.writeFile(join(store.home, files.policy), exported.weights);
  await Deno.writeTextFile(
    join(store.home, files.architecture),
    JSON.stringify(exported.architecture),
  );
  return store.policies.register({
    name,
    runId,
    metrics: { score },
    lineage: {
      runId,
      scheduleId: null,
      datasetId: "d",
      datasetName: "fixture",
      datasetContentHash: "0".repeat(64),
      algorithm: "omiga",
      config: {},
      backend: "cpu",
      codeVersion: "0.1.0",
    },
    files,
    evaluationHash: "fixture",
    tolerance: 1e9,
  });
}

/** `copies` random observations [B][nAgents][obsDim] (and all-but-one available masks). */
export function randomBatch(spec: MultiAgentSpec, copies: number, seed: number) {
  const rng = Rng.fromSeed(seed);
  const observations = Array.from(
    { length: copies },
    () =>
      Array.from(
        { length: spec.nAgents },
        () => Array.from(rng.fillNormal(new Float32Array(spec.obsDim)) as Float32Array),
      ),
  );
  const availActions = spec.actionKind !== "discrete"
    ? undefined
    : observations.map((copy, b) =>
      copy.map((_, i) =>
        Array.from({ length: spec.nActions! }, (_, a) => (a === (b + i) % spec.nActions! ? 0 : 1))
      )
    );
  return { observations, ...(availActions ? { availActions } : {}) };
}
