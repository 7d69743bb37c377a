/**
 * The ONNX export runs in ONNX Runtime (its WebAssembly build, loaded from the npm package) and
 * gives the actions of `LoadedPolicy.act`: within 1e-5 for continuous rules, the same indices
 * for discrete ones under masks that forbid some actions.
 */
import * as ort from "onnxruntime-web";
import { assert, assertClose, assertEquals, assertThrows } from "../../assert.ts";
import { selectBackend } from "../../../core/backend/mod.ts";
import type { MultiAgentSpec } from "../../../core/dataset.ts";
import { OmigaError } from "../../../core/errors.ts";
import type { PolicyOutput } from "../../../core/learn/algorithm.ts";
import { Learner, loadPolicy, type PolicyExport } from "../../../core/learn/mod.ts";
import { encodePolicy } from "../../../core/learn/policy_export.ts";
import { encodePolicyOnnx, onnxUnsupportedReason } from "../../../core/learn/policy_onnx.ts";
import { syntheticTransitions } from "../../../core/learn/synthetic.ts";
import { mlpLayout } from "../../../core/nn/dense.ts";
import { Rng } from "../../../core/rng.ts";

await selectBackend({ backend: "cpu" });

// The wasm files ship beside the package's entry point; one thread keeps it off Workers.
ort.env.wasm.wasmPaths = new URL(".", import.meta.resolve("onnxruntime-web")).href;
ort.env.wasm.numThreads = 1;

/** Runs `model` on `obs` [B, N, O] (and `avail` [B, N, A]) in ONNX Runtime: its `actions`. */
async function runOnnx(
  model: Uint8Array,
  spec: MultiAgentSpec,
  obs: Float32Array,
  avail?: Uint8Array,
): Promise<Float32Array | Int32Array> {
  const session = await ort.InferenceSession.create(model);
  try {
    const copies = obs.length / (spec.nAgents * spec.obsDim);
    const feeds: Record<string, ort.Tensor> = {
      obs: new ort.Tensor("float32", obs, [copies, spec.nAgents, spec.obsDim]),
    };
    if (avail !== undefined) {
      feeds.avail = new ort.Tensor("uint8", avail, [copies, spec.nAgents, spec.nActions!]);
    }
    const { actions } = await session.run(feeds);
    return actions.data as Float32Array | Int32Array;
  } finally {
    await session.release();
  }
}

/** A policy of random weights (large enough that a mean limit of 0.5 clips some means). */
function randomPolicy(spec: MultiAgentSpec, output: PolicyOutput, seed: number): PolicyExport {
  const outputs = spec.actionKind === "discrete"
    ? spec.nActions!
    : spec.actDim * (output.kind === "tanh_gaussian_mean" ? 2 : 1);
  const layout = mlpLayout("policy", [spec.obsDim + spec.nAgents, 16, 16, outputs]);
  const params = Rng.fromSeed(seed).fillNormal(new Float32Array(layout.size)) as Float32Array;
  return encodePolicy(spec, layout, params, output, "random");
}

/** Masks with at least one available action per row, and some rows' actions forbidden. */
function randomAvail(rng: Rng, rows: number, nActions: number): Uint8Array {
  const avail = new Uint8Array(rows * nActions);
  for (let row = 0; row < rows; row++) {
    const keep = rng.int(0, nActions - 1);
    for (let a = 0; a < nActions; a++) {
      avail[row * nActions + a] = a === keep || rng.float() < 0.4 ? 1 : 0;
    }
  }
  return avail;
}

async function assertContinuousMatches(exported: PolicyExport, copies: number, seed: number) {
  const { spec } = exported.architecture;
  const obs = Rng.fromSeed(seed).fillNormal(
    new Float32Array(copies * spec.nAgents * spec.obsDim),
  ) as Float32Array;
  const policy = loadPolicy(exported.weights, exported.architecture);
  const expected = await policy.act(obs);
  policy.dispose();
  const actual = await runOnnx(encodePolicyOnnx(exported), spec, obs);
  assert(actual instanceof Float32Array);
  assertEquals(actual.length, copies * spec.nAgents * spec.actDim);
  for (let i = 0; i < actual.length; i++) assertClose(actual[i], expected[i], 1e-5, `value ${i}`);
  return expected;
}

async function assertDiscreteMatches(exported: PolicyExport, copies: number, seed: number) {
  const { spec } = exported.architecture;
  const rng = Rng.fromSeed(seed);
  const rows = copies * spec.nAgents;
  const obs = rng.fillNormal(new Float32Array(rows * spec.obsDim)) as Float32Array;
  const avail = randomAvail(rng, rows, spec.nActions!);
  const policy = loadPolicy(exported.weights, exported.architecture);
  const masked = await policy.act(obs, avail);
  const unmasked = await policy.act(obs);
  policy.dispose();
  const actual = await runOnnx(encodePolicyOnnx(exported), spec, obs, avail);
  assert(actual instanceof Int32Array);
  assertEquals(Array.from(actual), Array.from(masked));
  const changed = masked.filter((action, row) => action !== unmasked[row]).length;
  assert(changed > 0, "the masks should move some rows off their favourite action");
  const none = await runOnnx(encodePolicyOnnx(exported), spec, obs, new Uint8Array(avail).fill(1));
  assertEquals(Array.from(none), Array.from(unmasked), "all ones is no mask");
}

const continuous: MultiAgentSpec = {
  nAgents: 3,
  obsDim: 4,
  stateDim: 2,
  actionKind: "continuous",
  actDim: 2,
};
const discrete: MultiAgentSpec = {
  nAgents: 3,
  obsDim: 4,
  stateDim: 2,
  actionKind: "discrete",
  actDim: 1,
  nActions: 5,
};

Deno.test("ONNX Runtime gives act's continuous actions for every continuous rule", async () => {
  const rules: PolicyOutput[] = [
    { kind: "tanh_gaussian_mean", meanLimit: 0.5 },
    { kind: "tanh_gaussian_mean", meanLimit: null },
    { kind: "tanh" },
  ];
  for (const [i, rule] of rules.entries()) {
    const actions = await assertContinuousMatches(randomPolicy(continuous, rule, i), 64, 10 + i);
    if (rule.kind === "tanh_gaussian_mean" && rule.meanLimit !== null) {
      const limit = Math.tanh(0.5);
      const clipped = actions.filter((a) => Math.abs(Math.abs(a) - limit) < 1e-6).length;
      assert(clipped > 0, "the fixture should clip some means");
    }
  }
});

Deno.test("ONNX Runtime gives act's discrete actions under masks that forbid some", async () => {
  await assertDiscreteMatches(randomPolicy(discrete, { kind: "categorical_argmax" }, 3), 200, 4);
});

Deno.test("trained policies run in ONNX Runtime as they act: continuous, and discrete with masks", async () => {
  for (const spec of [continuous, discrete]) {
    const learner = Learner.create(spec, { hiddenSize: 8, batchSize: 8, seed: 2 });
    learner.fit(syntheticTransitions(spec, 30), 3);
    const exported = await learner.exportPolicy();
    learner.dispose();
    if (spec.actionKind === "continuous") await assertContinuousMatches(exported, 32, 5);
    else await assertDiscreteMatches(exported, 200, 6);
  }
});

Deno.test("a bcq_candidates policy has no ONNX form, and says why", () => {
  const output: PolicyOutput = {
    kind: "bcq_candidates",
    candidates: 10,
    latentDim: 4,
    latentClip: 0.5,
    phi: 0.05,
    maxAction: 1,
    seed: 0,
  };
  const reason = onnxUnsupportedReason({ spec: continuous, output });
  assert(reason?.includes("latents"), reason);
  const exported = randomPolicy(continuous, { kind: "tanh" }, 0);
  exported.architecture = { ...exported.architecture, output };
  assertThrows(() => encodePolicyOnnx(exported), OmigaError, "no ONNX export");
});
