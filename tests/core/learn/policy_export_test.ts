import { assert, assertClose, assertEquals, assertRejects, assertThrows } from "../../assert.ts";
import { selectBackend } from "../../../core/backend/mod.ts";
import type { MultiAgentSpec } from "../../../core/dataset.ts";
import { OmigaError, ValidationError } from "../../../core/errors.ts";
import { decodeSafetensors } from "../../../core/checkpoint/mod.ts";
import { Learner, loadPolicy } from "../../../core/learn/mod.ts";
import { syntheticTransitions } from "../../../core/learn/synthetic.ts";
import { Rng } from "../../../core/rng.ts";

await selectBackend({ backend: "cpu" });

/** The policy output for one agent, from the exported tensors alone (any reader would do). */
function exportedForward(weights: Uint8Array, x: number[]): number[] {
  const { tensors, metadata } = decodeSafetensors(weights);
  const architecture = JSON.parse(metadata.architecture);
  let h = x;
  architecture.layers.forEach((names: { weight: string; bias: string }, l: number) => {
    const w = tensors[names.weight];
    const b = tensors[names.bias].data;
    const [inputs, outputs] = w.shape;
    h = Array.from({ length: outputs }, (_, j) => {
      let sum = b[j];
      for (let i = 0; i < inputs; i++) sum += h[i] * w.data[i * outputs + j];
      return l < architecture.layers.length - 1 ? Math.max(sum, 0) : sum;
    });
  });
  return h;
}

Deno.test("an exported continuous policy acts as tanh(mean) of its safetensors weights", async () => {
  const spec: MultiAgentSpec = {
    nAgents: 2,
    obsDim: 3,
    stateDim: 2,
    actionKind: "continuous",
    actDim: 2,
  };
  const learner = Learner.create(spec, { hiddenSize: 8, batchSize: 8, seed: 2 });
  learner.fit(syntheticTransitions(spec, 30), 3);
  const exported = await learner.exportPolicy();
  learner.dispose();
  assertEquals(exported.architecture.widths, [5, 8, 8, 4]);
  const policy = loadPolicy(exported.weights); // architecture read from the file's metadata
  const copies = 4;
  const obs = Rng.fromSeed(5).fillNormal(new Float32Array(copies * 2 * 3)) as Float32Array;
  const actions = await policy.act(obs);
  assertEquals(actions.length, copies * 2 * 2);
  for (let row = 0; row < copies * 2; row++) {
    const agent = row % 2;
    const x = [...obs.subarray(row * 3, row * 3 + 3), agent === 0 ? 1 : 0, agent === 1 ? 1 : 0];
    const out = exportedForward(exported.weights, x);
    for (let k = 0; k < 2; k++) {
      const expected = Math.tanh(Math.min(Math.max(out[k], -9), 9));
      assertClose(actions[row * 2 + k], expected, 1e-5, `row ${row} dim ${k}`);
    }
  }
  await assertRejects(() => policy.act(new Float32Array(5)), ValidationError, "obs");
  policy.dispose();
});

Deno.test("the architecture names the activation and every input column, enough to run it", async () => {
  const spec: MultiAgentSpec = {
    nAgents: 3,
    obsDim: 2,
    stateDim: 2,
    actionKind: "continuous",
    actDim: 1,
  };
  const learner = Learner.create(spec, { hiddenSize: 8, batchSize: 8, seed: 4 });
  learner.fit(syntheticTransitions(spec, 30), 2);
  const exported = await learner.exportPolicy();
  learner.dispose();
  const { activation, inputLayout } = exported.architecture;
  assertEquals(activation, "relu");
  assertEquals(inputLayout?.width, 5);
  assertEquals(inputLayout?.columns, ["obs_0", "obs_1", "agent_id_0", "agent_id_1", "agent_id_2"]);
  assertEquals(inputLayout?.normalisation, "none");
  const policy = loadPolicy(exported.weights, exported.architecture);
  const obs = Rng.fromSeed(8).fillNormal(new Float32Array(2 * 3 * 2)) as Float32Array;
  const actions = await policy.act(obs);
  // Each row's input built from the layout's parts alone (offsets, widths, encodings).
  for (let row = 0; row < 2 * 3; row++) {
    const x = new Array(inputLayout!.width).fill(0);
    for (const part of inputLayout!.parts) {
      if (part.encoding === "raw") {
        for (let k = 0; k < part.width; k++) x[part.offset + k] = obs[row * part.width + k];
      } else x[part.offset + (row % spec.nAgents)] = 1;
    }
    const [mean] = exportedForward(exported.weights, x);
    assertClose(actions[row], Math.tanh(Math.min(Math.max(mean, -9), 9)), 1e-5, `row ${row}`);
  }
  policy.dispose();
  assertThrows(
    () => loadPolicy(exported.weights, { ...exported.architecture, activation: "tanh" as never }),
    OmigaError,
    "activation",
  );
});

Deno.test("a discrete policy never picks an unavailable action", async () => {
  const spec: MultiAgentSpec = {
    nAgents: 3,
    obsDim: 4,
    stateDim: 2,
    actionKind: "discrete",
    actDim: 1,
    nActions: 5,
  };
  const learner = Learner.create(spec, { hiddenSize: 8, batchSize: 8, seed: 9 });
  learner.fit(syntheticTransitions(spec, 30), 3);
  const exported = await learner.exportPolicy();
  const policy = await learner.policy();
  learner.dispose();
  const rng = Rng.fromSeed(13);
  const copies = 200;
  const rowsCount = copies * 3;
  const obs = rng.fillNormal(new Float32Array(rowsCount * 4)) as Float32Array;
  const avail = new Uint8Array(rowsCount * 5);
  for (let row = 0; row < rowsCount; row++) {
    const keep = rng.int(0, 4); // at least one available per row
    for (let a = 0; a < 5; a++) avail[row * 5 + a] = a === keep || rng.float() < 0.4 ? 1 : 0;
  }
  const actions = await policy.act(obs, avail);
  assert(actions instanceof Int32Array);
  let maskedAway = 0;
  for (let row = 0; row < rowsCount; row++) {
    assertEquals(avail[row * 5 + actions[row]], 1, `row ${row} chose unavailable ${actions[row]}`);
    const x = [
      ...obs.subarray(row * 4, row * 4 + 4),
      ...[0, 1, 2].map((i) => (i === row % 3 ? 1 : 0)),
    ];
    const logits = exportedForward(exported.weights, x);
    const unmasked = logits.indexOf(Math.max(...logits));
    if (avail[row * 5 + unmasked] === 0) maskedAway++;
    else assertEquals(actions[row], unmasked, `row ${row}: the best available action`);
  }
  assert(maskedAway > 0, "the fixture should hide some rows' favourite action");
  const none = new Uint8Array(rowsCount * 5);
  await assertRejects(() => policy.act(obs, none), ValidationError, "no action is available");
  policy.dispose();
});
