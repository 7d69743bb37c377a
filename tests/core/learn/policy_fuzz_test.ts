import fc from "fast-check";
import { assertEquals, assertThrows } from "../../assert.ts";
import { selectBackend } from "../../../core/backend/mod.ts";
import { decodeSafetensors, encodeSafetensors } from "../../../core/checkpoint/mod.ts";
import type { MultiAgentSpec } from "../../../core/dataset.ts";
import { OmigaError } from "../../../core/errors.ts";
import {
  Learner,
  type LoadedPolicy,
  loadPolicy,
  type PolicyArchitecture,
  PolicyError,
} from "../../../core/learn/mod.ts";
import { tf } from "../../../core/tf.ts";
import {
  decodeOrRefuse,
  decodeOrRefuseAsync,
  FUZZ_SEED,
  fuzzRuns,
  mutatedBytes,
} from "../../fuzz.ts";

/** Cases per property; a policy that loads also acts once (a few ms). */
export const POLICY_FUZZ_CASES = { mutatedWeights: 2000, architectureEdits: 2500 };

const LOAD_CODES = ["invalid_safetensors", "invalid_policy"];

await selectBackend({ backend: "cpu" });

const continuous: MultiAgentSpec = {
  nAgents: 2,
  obsDim: 3,
  stateDim: 2,
  actionKind: "continuous",
  actDim: 2,
};
const discrete: MultiAgentSpec = { ...continuous, actionKind: "discrete", actDim: 1, nActions: 3 };

async function exported(spec: MultiAgentSpec, algorithm: string) {
  const learner = Learner.create(spec, { algorithm, hiddenSize: 4, batchSize: 4, seed: 1 });
  const policy = await learner.exportPolicy();
  learner.dispose();
  return policy;
}

const policies = [
  await exported(continuous, "omiga"),
  await exported(discrete, "bc"),
  await exported(continuous, "bcq-ma"),
  await exported(continuous, "omar"),
];

/** Acts once with the policy's own spec: actions of the right length, or a typed refusal. */
async function actsOnce(policy: LoadedPolicy): Promise<void> {
  try {
    const { nAgents, obsDim } = policy.spec;
    const obs = new Float32Array(nAgents * obsDim).fill(0.5);
    const actions = await decodeOrRefuseAsync(() => policy.act(obs), OmigaError, [
      "invalid_input",
      "invalid_policy",
    ]);
    if (actions !== undefined) {
      const width = policy.spec.actionKind === "continuous" ? policy.spec.actDim : 1;
      assertEquals(actions.length, nAgents * width);
    }
  } finally {
    policy.dispose();
  }
}

async function loadsOrRefuses(weights: Uint8Array, architecture?: PolicyArchitecture) {
  const policy = decodeOrRefuse(
    () => loadPolicy(weights, architecture),
    OmigaError,
    LOAD_CODES,
  );
  if (policy !== undefined) await actsOnce(policy);
}

Deno.test(`${POLICY_FUZZ_CASES.mutatedWeights} mutated or arbitrary policy files load and act, or are refused with a typed error`, async () => {
  const before = tf.memory().numTensors;
  await fc.assert(
    fc.asyncProperty(
      mutatedBytes(policies.map((p) => p.weights)),
      (bytes) => loadsOrRefuses(bytes),
    ),
    { numRuns: fuzzRuns(POLICY_FUZZ_CASES.mutatedWeights), seed: FUZZ_SEED },
  );
  assertEquals(tf.memory().numTensors, before);
});

/** Values that are wrong wherever an architecture field is expected. */
const hostile = fc.constantFrom<unknown>(
  undefined,
  null,
  0,
  -1,
  1.5,
  2 ** 31,
  1e308,
  "",
  "x",
  "relu",
  "tanh",
  "discrete",
  [],
  [0],
  [5, 4],
  [65536, 65536, 65536],
  [5, 1e6, 4],
  {},
  { kind: "tanh" },
  { kind: "categorical_argmax" },
  { kind: "tanh_gaussian_mean", meanLimit: null },
  { kind: "bcq_candidates" },
  [{ weight: "policy.0.weight", bias: "policy.0.bias" }],
  [{ name: "q1", widths: [5, 1], layers: [] }],
);

/** Every path to a value in `value` (objects and arrays), for an edit to pick one. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== "object" || value === null) return [prefix];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [
    prefix,
    ...keys.flatMap((key) => paths((value as Record<string, unknown>)[key], [...prefix, key])),
  ];
}

/** `architecture` with the value at one path replaced (undefined: removed). */
function edit(architecture: PolicyArchitecture, pick: number, value: unknown): unknown {
  const copy = structuredClone(architecture) as unknown as Record<string, unknown>;
  const all = paths(copy).filter((path) => path.length > 0 && path[0] !== "inputLayout");
  const path = all[pick % all.length];
  let parent = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (value === undefined && !Array.isArray(parent)) delete parent[last];
  else parent[last] = value;
  return copy;
}

Deno.test(`${POLICY_FUZZ_CASES.architectureEdits} policies with an edited architecture (given or stored) load and act, or are refused with a typed error`, async () => {
  const before = tf.memory().numTensors;
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...policies),
      fc.nat(),
      hostile,
      fc.boolean(),
      async (policy, pick, value, stored) => {
        const architecture = edit(policy.architecture, pick, value) as PolicyArchitecture;
        if (!stored) return await loadsOrRefuses(policy.weights, architecture);
        const { tensors } = decodeSafetensors(policy.weights);
        const metadata = { architecture: JSON.stringify(architecture) ?? "" };
        await loadsOrRefuses(encodeSafetensors({ tensors, metadata }));
      },
    ),
    { numRuns: fuzzRuns(POLICY_FUZZ_CASES.architectureEdits), seed: FUZZ_SEED },
  );
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("policy architectures that used to crash the loader are refused with PolicyError", () => {
  const [policy] = policies;
  const { tensors } = decodeSafetensors(policy.weights);
  const stored = (text: string) => encodeSafetensors({ tensors, metadata: { architecture: text } });
  const given = (change: Record<string, unknown>) => () =>
    loadPolicy(policy.weights, { ...policy.architecture, ...change } as PolicyArchitecture);
  assertThrows(() => loadPolicy(stored("{")), PolicyError, "metadata.architecture is not JSON");
  assertThrows(() => loadPolicy(stored("null")), PolicyError, "(whole)");
  assertThrows(given({ widths: "x" }), PolicyError, "widths");
  assertThrows(given({ layers: null }), PolicyError, "layers");
  assertThrows(given({ layers: [] }), PolicyError, "one name pair per layer");
  assertThrows(given({ spec: null }), PolicyError, "spec");
  assertThrows(given({ output: { kind: "softmax" } }), PolicyError, "output");
  assertThrows(given({ output: { kind: "categorical_argmax" } }), PolicyError, "discrete");
  assertThrows(given({ widths: [5, 8, 8, 3] }), PolicyError, "policy maps 5->3");
  // Widths far beyond the file: refused before anything of that size is allocated.
  const huge = [5, 65536, 65536, 65536, 4];
  const layers = huge.slice(1).map((_, l) => ({ weight: `w${l}`, bias: `b${l}` }));
  assertThrows(given({ widths: huge, layers }), PolicyError, 'weight "w0" is missing');
});
