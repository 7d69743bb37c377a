/**
 * What every registered algorithm must do for the trainer, whatever its losses: train on each
 * action kind it covers with finite losses and a flat tensor count, resume from a checkpoint
 * bit for bit, export a policy that acts, and refuse a kind it does not cover.
 */
import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { selectBackend } from "../../../core/backend/mod.ts";
import { tf } from "../../../core/tf.ts";
import type { MultiAgentSpec } from "../../../core/dataset.ts";
import { ValidationError } from "../../../core/errors.ts";
import { ALGORITHM_NAMES, algorithmOf, Learner, loadPolicy } from "../../../core/learn/mod.ts";
import { syntheticTransitions } from "../../../core/learn/synthetic.ts";

const specs: Record<"continuous" | "discrete", MultiAgentSpec> = {
  continuous: { nAgents: 2, obsDim: 3, stateDim: 2, actionKind: "continuous", actDim: 2 },
  discrete: { nAgents: 3, obsDim: 2, stateDim: 2, actionKind: "discrete", actDim: 1, nActions: 4 },
};
const small = { hiddenSize: 8, batchSize: 8, seed: 5 };

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

for (const name of ALGORITHM_NAMES) {
  const kinds = algorithmOf(name).actionKinds;
  for (const kind of kinds) {
    Deno.test(`${name} (${kind}) resumes bit for bit, keeps its tensor count and exports a policy`, async () => {
      await selectBackend({ backend: "cpu" });
      const spec = specs[kind];
      const data = syntheticTransitions(spec, 64, 2);
      const config = { ...small, algorithm: name };
      const straight = Learner.create(spec, config);
      straight.fit(data, 3);
      const halfway = await straight.checkpoint();
      const counted = tf.memory().numTensors;
      straight.fit(data, 3);
      assertEquals(tf.memory().numTensors, counted, "tensors leaked across steps");
      const losses = (await straight.losses())!;
      for (const [loss, value] of Object.entries(losses)) {
        assert(Number.isFinite(value), `${name} ${loss} is ${value}`);
      }
      const resumed = Learner.fromCheckpoint(halfway);
      resumed.fit(data, 3);
      assert(
        sameBytes(await straight.checkpoint(), await resumed.checkpoint()),
        `${name}: a resumed run differs from one that never stopped`,
      );
      const exported = await straight.exportPolicy();
      const policy = loadPolicy(exported.weights);
      const obs = data.obs.subarray(0, 2 * spec.nAgents * spec.obsDim);
      const avail = kind === "discrete" ? data.avail!.subarray(0, 2 * spec.nAgents * 4) : undefined;
      const actions = await policy.act(obs, avail);
      assertEquals(actions.length, 2 * spec.nAgents * (kind === "continuous" ? spec.actDim : 1));
      if (kind === "continuous") {
        assert(Array.from(actions).every((a) => a >= -1 && a <= 1), "actions leave [-1, 1]");
      } else {
        Array.from(actions).forEach((a, row) =>
          assertEquals(avail![row * 4 + a], 1, "unavailable")
        );
      }
      [straight, resumed, policy].forEach((x) => x.dispose());
    });
  }
  const refused = (["continuous", "discrete"] as const).filter((k) => !kinds.includes(k));
  for (const kind of refused) {
    Deno.test(`${name} refuses ${kind} data, naming itself`, () => {
      assertThrows(
        () => Learner.create(specs[kind], { ...small, algorithm: name }),
        ValidationError,
        name,
      );
    });
  }
}
