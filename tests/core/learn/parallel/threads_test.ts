import { assert, assertClose, assertEquals, assertRejects } from "../../../assert.ts";
import { selectBackend } from "../../../../core/backend/mod.ts";
import { BackendError, ValidationError } from "../../../../core/errors.ts";
import type { MultiAgentSpec } from "../../../../core/dataset.ts";
import { Learner, openLearner, train } from "../../../../core/learn/mod.ts";
import { onTeamStart, Team } from "../../../../core/learn/parallel/team.ts";
import { syntheticTransitions } from "../../../../core/learn/synthetic.ts";
import { tf } from "../../../../core/tf.ts";

const continuous: MultiAgentSpec = {
  nAgents: 3,
  obsDim: 5,
  stateDim: 4,
  actionKind: "continuous",
  actDim: 2,
};
const discrete: MultiAgentSpec = {
  nAgents: 2,
  obsDim: 4,
  stateDim: 3,
  actionKind: "discrete",
  actDim: 1,
  nActions: 4,
};
const tiny = { hiddenSize: 16, mixerHiddenSize: 8, batchSize: 16, seed: 3, alpha: 0.5 };

/** Every state tensor's values after `steps` steps on `threads` threads. */
async function trained(
  spec: MultiAgentSpec,
  threads: number,
  steps: number,
  config: Record<string, unknown> = tiny,
) {
  const data = syntheticTransitions(spec, 300, 5);
  const learner = Learner.create(spec, config);
  try {
    await learner.useThreads(threads, data);
    learner.fit(data, steps);
    return {
      checkpoint: await learner.checkpoint(),
      policy: Array.from(await learner.state.live.policy.data()),
      losses: (await learner.losses())!,
    };
  } finally {
    learner.dispose();
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`${backend}: two threads repeat themselves bit for bit`, async () => {
    await selectBackend({ backend });
    const [a, b] = [await trained(continuous, 2, 8), await trained(continuous, 2, 8)];
    assert(sameBytes(a.checkpoint, b.checkpoint), "two 2-thread runs differ");
    assertEquals(a.losses, b.losses);
  });

  for (const spec of [continuous, discrete]) {
    Deno.test(`${backend}: two and three threads agree with one to float32 rounding (${spec.actionKind})`, async () => {
      await selectBackend({ backend });
      const one = await trained(spec, 1, 3);
      for (const threads of [2, 3]) {
        const many = await trained(spec, threads, 3);
        one.policy.forEach((w, i) => assertClose(many.policy[i], w, 1e-5, `weight ${i}`));
        for (const [name, value] of Object.entries(one.losses)) {
          assertClose(many.losses[name], value, 1e-4 * Math.max(1, Math.abs(value)), name);
        }
      }
    });
  }

  Deno.test(`${backend}: a team resumed from a checkpoint continues bit for bit`, async () => {
    await selectBackend({ backend });
    const data = syntheticTransitions(continuous, 300, 5);
    const unbroken = await trained(continuous, 2, 10);
    const first = Learner.create(continuous, tiny);
    await first.useThreads(2, data);
    first.fit(data, 4);
    const bytes = await first.checkpoint();
    first.dispose();
    const resumed = Learner.fromCheckpoint(bytes);
    await resumed.useThreads(2, data);
    resumed.fit(data, 6);
    const after = await resumed.checkpoint();
    resumed.dispose();
    assert(sameBytes(after, unbroken.checkpoint), "the resumed team drifted");
  });
}

Deno.test("threaded steps leave no tensors behind", async () => {
  await selectBackend({ backend: "wasm" });
  const data = syntheticTransitions(continuous, 300, 5);
  const learner = Learner.create(continuous, tiny);
  await learner.useThreads(2, data);
  learner.fit(data, 2);
  const before = tf.memory().numTensors;
  learner.fit(data, 5);
  assertEquals(tf.memory().numTensors, before);
  learner.dispose();
});

Deno.test("threads are refused where a step cannot be shared, with the reason", async () => {
  await selectBackend({ backend: "cpu" });
  const data = syntheticTransitions(continuous, 300, 5);
  const refusals: [Record<string, unknown>, number, string][] = [
    [{ algorithm: "cql-ma", batchSize: 16, seed: 1 }, 2, "cql-ma trains on one thread only"],
    [{ ...tiny, gradients: "tape" }, 2, "with gradients = tape"],
    [tiny, 17, "must not exceed the batch size (16)"],
  ];
  for (const [config, threads, text] of refusals) {
    const learner = Learner.create(continuous, config);
    await assertRejects(() => learner.useThreads(threads, data), ValidationError, text);
    learner.dispose();
  }
  const learner = Learner.create(continuous, tiny);
  await learner.useThreads(2, data);
  const other = syntheticTransitions(continuous, 300, 6);
  try {
    let error: unknown;
    try {
      learner.step(other);
    } catch (e) {
      error = e;
    }
    assert(error instanceof ValidationError && /the team's data only/.test(error.message));
  } finally {
    learner.dispose();
  }
});

Deno.test("a helper that cannot start its backend fails the team's start, naming it", async () => {
  await selectBackend({ backend: "cpu" });
  const data = syntheticTransitions(continuous, 50, 5);
  const learner = Learner.create(continuous, tiny);
  const checkpoint = await learner.checkpoint();
  learner.dispose();
  await assertRejects(
    () => Team.start({ threads: 2, backend: "nonexistent", checkpoint, data, capacity: 16 }),
    BackendError,
    "training thread 1",
  );
});

Deno.test("train: maxThreads where the algorithm can share its step, one thread where not", async () => {
  await selectBackend({ backend: "cpu" });
  const data = syntheticTransitions(continuous, 300, 5);
  const omiga = await train(data, tiny, { iterations: 3, maxThreads: 2 });
  assertEquals(omiga.threads, 2);
  const cql = await train(data, { algorithm: "cql-ma", batchSize: 16, seed: 1 }, {
    iterations: 1,
    maxThreads: 2,
  });
  assertEquals(cql.threads, 1);
  await assertRejects(
    () =>
      train(data, { algorithm: "cql-ma", batchSize: 16, seed: 1 }, { iterations: 1, threads: 2 }),
    ValidationError,
    "one thread only",
  );
});

Deno.test("train resumed from a checkpoint that holds every iteration starts no team", async () => {
  await selectBackend({ backend: "wasm" });
  const data = syntheticTransitions(continuous, 300, 5);
  const done = await train(data, tiny, { iterations: 4, threads: 2 });
  let teams = 0;
  const unsubscribe = onTeamStart(() => teams++);
  try {
    const again = await train(data, tiny, {
      iterations: 4,
      threads: 2,
      resumeFrom: done.checkpoint,
    });
    assertEquals([teams, again.threads, again.iteration], [0, 2, 4]);
    assert(sameBytes(again.checkpoint, done.checkpoint), "a learner with nothing to do changed");
    await train(data, tiny, { iterations: 5, threads: 2, resumeFrom: done.checkpoint });
    assertEquals(teams, 1, "a learner with an iteration left trains on its team");
  } finally {
    unsubscribe();
  }
});

Deno.test("train in segments on one learner keeps its team, bit for bit with one call", async () => {
  await selectBackend({ backend: "wasm" });
  const data = syntheticTransitions(continuous, 300, 5);
  const whole = await train(data, tiny, { iterations: 9, threads: 2 });
  const learner = openLearner(data, tiny);
  try {
    const first = await train(data, tiny, { iterations: 3, threads: 2, learner });
    assertEquals([first.threads, learner.threads], [2, 2]);
    const team = learner.team;
    await train(data, tiny, { iterations: 6, learner });
    const last = await train(data, tiny, { iterations: 9, learner });
    assert(learner.team === team, "a later segment started another team");
    assertEquals(last.threads, 2);
    assert(sameBytes(last.checkpoint, whole.checkpoint), "segments drifted from one call");
    await assertRejects(
      () => train(data, tiny, { iterations: 10, threads: 3, learner }),
      ValidationError,
      "trains on 2 threads",
    );
    await assertRejects(
      () => train(data, tiny, { iterations: 10, learner, resumeFrom: last.checkpoint }),
      ValidationError,
      "not both",
    );
    await assertRejects(
      () => train(data, { ...tiny, alpha: 3 }, { iterations: 10, learner }),
      ValidationError,
      "alpha",
    );
  } finally {
    learner.dispose();
  }
});
