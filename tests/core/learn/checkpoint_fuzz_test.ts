import fc from "fast-check";
import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { selectBackend } from "../../../core/backend/mod.ts";
import { decodeSafetensors, encodeSafetensors } from "../../../core/checkpoint/mod.ts";
import type { MultiAgentSpec } from "../../../core/dataset.ts";
import { tf } from "../../../core/tf.ts";
import { CheckpointError, decodeCheckpoint, Learner } from "../../../core/learn/mod.ts";
import { decodeOrRefuse, FUZZ_SEED, fuzzRuns, mutatedBytes } from "../../fuzz.ts";

/** Cases per property: decodes are cheap; a resume builds a model, so fewer. */
export const LEARNER_CHECKPOINT_FUZZ_CASES = { mutated: 3000, metadataEdits: 3000, resumes: 1000 };

const CODES = ["invalid_checkpoint"];

const spec: MultiAgentSpec = {
  nAgents: 2,
  obsDim: 3,
  stateDim: 4,
  actionKind: "continuous",
  actDim: 2,
};
const tiny = { hiddenSize: 4, mixerHiddenSize: 4, batchSize: 4, seed: 3 };

async function validCheckpoints(): Promise<Uint8Array[]> {
  await selectBackend({ backend: "cpu" });
  const files: Uint8Array[] = [];
  for (const algorithm of ["omiga", "bc"]) {
    const learner = Learner.create(spec, { ...tiny, algorithm });
    files.push(await learner.checkpoint());
    learner.dispose();
  }
  return files;
}

/** JSON texts that are wrong wherever a metadata value is expected. */
const hostileJson = fc.constantFrom(
  "",
  "not json",
  "null",
  "true",
  "-1",
  "1.5",
  "1e999",
  "[]",
  "{}",
  '"x"',
  "[1,2,3,4]",
  '{"__proto__":{"x":1}}',
  "9".repeat(30),
);

/** Values that are wrong for a field inside a metadata JSON object. */
const hostileValue = fc.constantFrom<unknown>(
  null,
  -1,
  0,
  0.5,
  2 ** 31,
  2 ** 53,
  1e308,
  "",
  "discrete",
  "continuous",
  [],
  [0, 0, 0, 0],
  [1e308, 0, 0, 0],
  {},
  "omar",
  "cql-ma-discrete",
);

const KEYS = ["format", "version", "iteration", "rng", "config", "spec", "adam_steps"];

/** A checkpoint with one metadata entry or tensor edited, re-encoded as valid safetensors. */
function editCheckpoint(file: Uint8Array) {
  return fc.tuple(
    fc.constantFrom(...KEYS),
    fc.integer({ min: 0, max: 4 }),
    hostileJson,
    hostileValue,
    fc.nat(),
  ).map(([key, kind, text, value, pick]) => {
    const { tensors, metadata } = decodeSafetensors(file);
    const names = Object.keys(tensors);
    const name = names[pick % names.length];
    if (kind === 0) metadata[key] = text;
    else if (kind === 1) delete metadata[key];
    else if (kind === 2) {
      // One field of a JSON entry set to a wrong value (or an entry's one new field).
      const parsed = (() => {
        try {
          return JSON.parse(metadata[key]); // format and version are plain strings
        } catch {
          return undefined;
        }
      })();
      if (typeof parsed === "object" && parsed !== null) {
        const fields = [...Object.keys(parsed), "extra"];
        parsed[fields[pick % fields.length]] = value;
        metadata[key] = JSON.stringify(parsed);
      } else metadata[key] = JSON.stringify(value);
    } else if (kind === 3) delete tensors[name];
    else {
      const data = tensors[name].data;
      tensors[name] = pick % 2 === 0
        ? { data: new Int32Array(data.length), shape: [data.length] }
        : { data: data.slice(0, pick % (data.length + 1)), shape: [pick % (data.length + 1)] };
    }
    return encodeSafetensors({ tensors, metadata });
  });
}

function decodes(bytes: Uint8Array) {
  return decodeOrRefuse(() => decodeCheckpoint(bytes), CheckpointError, CODES);
}

/** Resumes from `bytes`: a learner (disposed at once) or a CheckpointError, nothing else. */
function resumes(bytes: Uint8Array) {
  const learner = decodeOrRefuse(() => Learner.fromCheckpoint(bytes), CheckpointError, CODES);
  learner?.dispose();
}

Deno.test(`${LEARNER_CHECKPOINT_FUZZ_CASES.mutated} mutated or arbitrary learner checkpoints are decoded or refused with CheckpointError`, async () => {
  const files = await validCheckpoints();
  fc.assert(fc.property(mutatedBytes(files), (bytes) => void decodes(bytes)), {
    numRuns: fuzzRuns(LEARNER_CHECKPOINT_FUZZ_CASES.mutated),
    seed: FUZZ_SEED,
  });
});

Deno.test(`${LEARNER_CHECKPOINT_FUZZ_CASES.metadataEdits} learner checkpoints with an edited metadata entry or tensor are decoded or refused with CheckpointError`, async () => {
  const files = await validCheckpoints();
  fc.assert(
    fc.property(fc.oneof(...files.map(editCheckpoint)), (bytes) => void decodes(bytes)),
    { numRuns: fuzzRuns(LEARNER_CHECKPOINT_FUZZ_CASES.metadataEdits), seed: FUZZ_SEED },
  );
});

Deno.test(`${LEARNER_CHECKPOINT_FUZZ_CASES.resumes} resumes from edited learner checkpoints give a learner or a CheckpointError, and leak no tensors`, async () => {
  const files = await validCheckpoints();
  const before = tf.memory().numTensors;
  fc.assert(
    fc.property(fc.oneof(...files.map(editCheckpoint)), resumes),
    { numRuns: fuzzRuns(LEARNER_CHECKPOINT_FUZZ_CASES.resumes), seed: FUZZ_SEED },
  );
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("a checkpoint whose spec, rng, Adam steps or iteration is ill-typed is refused naming the entry", async () => {
  const [file] = await validCheckpoints();
  const edited = (key: string, text: string) => {
    const { tensors, metadata } = decodeSafetensors(file);
    metadata[key] = text;
    return encodeSafetensors({ tensors, metadata });
  };
  const spec = JSON.stringify({ ...JSON.parse(decodeSafetensors(file).metadata.spec), obsDim: -1 });
  const cases: [string, string, string][] = [
    ["spec", "null", "metadata.spec: (whole)"],
    ["spec", spec, "metadata.spec: obsDim"],
    ["rng", "null", "metadata.rng: (whole)"],
    ["rng", '{"algorithm":"xoroshiro128plus"}', "metadata.rng: words"],
    ["rng", '{"algorithm":"xoroshiro128plus","words":[1,2,3]}', "metadata.rng: words"],
    ["adam_steps", '{"policy":-1}', "metadata.adam_steps: policy"],
    ["config", '{"algorithm":"nope"}', 'metadata.config: unknown algorithm "nope"'],
    ["iteration", "", 'metadata.iteration "" is not a count'],
    ["iteration", "0x10", 'metadata.iteration "0x10" is not a count'],
  ];
  for (const [key, text, named] of cases) {
    assertThrows(() => decodeCheckpoint(edited(key, text)), CheckpointError, named);
  }
  // A discrete spec for an algorithm of continuous actions: refused on resume, not a crash.
  const discrete = JSON.stringify({
    ...JSON.parse(spec),
    obsDim: 3,
    actionKind: "discrete",
    actDim: 1,
    nActions: 3,
  });
  const error = assertThrows(
    () => Learner.fromCheckpoint(edited("spec", discrete)),
    CheckpointError,
    "",
  );
  assert(error.message.length > 0);
});

Deno.test("a resume refused for a missing tensor leaks none of the tensors made before it", async () => {
  const [file] = await validCheckpoints();
  const { tensors, metadata } = decodeSafetensors(file);
  const last = Object.keys(tensors).sort().at(-1)!;
  delete tensors[last];
  const before = tf.memory().numTensors;
  assertThrows(
    () => Learner.fromCheckpoint(encodeSafetensors({ tensors, metadata })),
    CheckpointError,
    `tensor "${last}" is missing`,
  );
  assertEquals(tf.memory().numTensors, before);
});
