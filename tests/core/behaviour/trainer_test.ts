/**
 * The behaviour trainer on hopper-3x1 with tiny networks: a run resumed from a mid-run
 * checkpoint ends with the same bytes as an uninterrupted one; its training episodes replay in
 * the simulator to the logged returns; the full state read back from the agents' observations
 * is the task's own observation; the medium choice follows the third-to-half band.
 */
import { assert, assertClose, assertEquals, assertRejects, assertThrows } from "../../assert.ts";
import { decodeSafetensors, encodeSafetensors } from "../../../core/checkpoint/mod.ts";
import { tf } from "../../../core/tf.ts";
import { kernelsFor } from "../../../core/kernels/mod.ts";
import {
  BehaviourFileError,
  BehaviourRun,
  decodeBehaviourPolicy,
  encodeBehaviourPolicy,
  parseBehaviourSettings,
  type SnapshotRecord,
} from "../../../core/behaviour/trainer.ts";
import { chooseMedium, concatTiers, replayTraining } from "../../../core/behaviour/tiers.ts";
import { fullStateOf, MujocoEnv } from "../../../core/envs/mujoco/env.ts";
import { loadMujoco } from "../../../core/envs/mujoco/engine.ts";
import { MUJOCO_TASKS } from "../../../core/envs/mujoco/tasks.ts";
import { summariseReturns } from "../../../core/envs/episodes.ts";

await tf.setBackend("cpu");
await loadMujoco();

const SETTINGS = parseBehaviourSettings({
  env: "hopper-3x1",
  steps: 400,
  warmupSteps: 150,
  seed: 5,
  sac: { hiddenSize: 16, batchSize: 16 },
  snapshotEvery: 150,
  snapshotEpisodes: 2,
  checkpointEvery: 150,
});

Deno.test("a resumed behaviour run ends exactly as an uninterrupted one", async () => {
  const whole = await BehaviourRun.open(SETTINGS, kernelsFor());
  const checkpoints: Uint8Array[] = [];
  await whole.train({ onCheckpoint: (bytes) => Promise.resolve(void checkpoints.push(bytes)) });
  assert(checkpoints.length >= 2, `several checkpoints (${checkpoints.length})`);
  assert(whole.snapshots.length >= 2, "several snapshots");
  const end = whole.checkpoint();
  whole.dispose();

  const resumed = await BehaviourRun.open(SETTINGS, kernelsFor(), checkpoints[0]);
  assert(resumed.step < SETTINGS.steps, "the first checkpoint is mid-run");
  await resumed.train();
  assertEquals(resumed.checkpoint(), end, "same final state, byte for byte");
  resumed.dispose();
});

Deno.test("a checkpoint of other settings is refused, naming them", async () => {
  const run = await BehaviourRun.open(SETTINGS, kernelsFor());
  const bytes = run.checkpoint();
  run.dispose();
  let message = "";
  try {
    await BehaviourRun.open({ ...SETTINGS, seed: 6 }, kernelsFor(), bytes);
  } catch (error) {
    message = (error as Error).message;
  }
  assert(message.includes("other settings"), message);
});

Deno.test("training episodes replay to their logged returns; tiers concatenate", async () => {
  const run = await BehaviourRun.open(SETTINGS, kernelsFor());
  await run.train();
  const episodes = run.episodes.length;
  const replayed = await replayTraining(
    "hopper-3x1",
    SETTINGS.timeLimit,
    MUJOCO_TASKS["hopper-3x1"].partition,
    SETTINGS.seed,
    run.replay,
    run.episodes,
    episodes,
  );
  assertEquals(replayed.dataset.size, run.replay.size, "one row per stored transition");
  for (let e = 0; e < episodes; e++) {
    assertClose(replayed.returns[e], run.episodes[e].return, 1e-3, `episode ${e}`);
  }
  const both = concatTiers(replayed, replayed);
  assertEquals(both.dataset.size, 2 * replayed.dataset.size);
  assertEquals(both.dataset.episode[both.dataset.size - 1], 2 * episodes - 1);

  // A policy file round-trips; a truncated one is refused.
  const file = run.policyFile();
  const decoded = decodeBehaviourPolicy(encodeBehaviourPolicy(file));
  assertEquals(decoded.actor, file.actor);
  assertThrows(
    () => decodeBehaviourPolicy(encodeBehaviourPolicy(file).subarray(0, 100)),
    Error,
  );
  // Weights that do not fit the layout its settings describe are refused, naming both sizes.
  const misfit = encodeBehaviourPolicy({ ...file, sac: { ...file.sac, hiddenSize: 32 } });
  assertThrows(() => decodeBehaviourPolicy(misfit), Error, "its layout needs");
  run.dispose();
});

Deno.test("the full state read back from an agent's observation is the task's observation", () => {
  const env = new MujocoEnv("halfcheetah-6x1", 2);
  const { obs } = env.reset(3);
  const task = MUJOCO_TASKS["halfcheetah-6x1"];
  for (let b = 0; b < 2; b++) {
    const { qpos, qvel } = env.physics(b);
    const expected = new Float64Array(task.singleObsDim);
    task.observe(qpos, qvel, expected);
    const got = fullStateOf(obs, env.spec, b, new Float32Array(task.singleObsDim));
    for (let k = 0; k < task.singleObsDim; k++) {
      assertClose(got[k], expected[k], 1e-5 * Math.max(1, Math.abs(expected[k])), `b${b} k${k}`);
    }
  }
  env.dispose();
});

Deno.test("medium is the snapshot nearest 0.4 of the expert's return within a third to a half", () => {
  const snap = (step: number, mean: number): SnapshotRecord => ({
    step,
    episodes: step / 100,
    evaluation: summariseReturns([mean, mean]),
  });
  // Random 0, expert 1000: 300 is below the band, 380 and 480 inside, 700 above.
  const inside = chooseMedium(
    [snap(100, 300), snap(200, 480), snap(300, 380), snap(400, 700), snap(500, 1000)],
    1000,
    0,
  );
  assertEquals(inside.snapshot.step, 300);
  assert(inside.inBand);
  // None inside: the nearest to the band, flagged.
  const outside = chooseMedium([snap(100, 100), snap(200, 600), snap(300, 1000)], 1000, 0);
  assertEquals(outside.snapshot.step, 200);
  assert(!outside.inBand);
  // The fraction is of the return above random's.
  const shifted = chooseMedium([snap(100, -100), snap(200, 300), snap(300, 900)], 900, -300);
  assertClose(shifted.fraction, 0.5, 1e-9);
  assertThrows(() => chooseMedium([snap(100, 5)], 10, 0), Error, "single snapshot");
});

Deno.test("a checkpoint or actor file with ill-typed metadata is refused, naming the entry", async () => {
  const run = await BehaviourRun.open(SETTINGS, kernelsFor());
  const bytes = run.checkpoint();
  const policy = encodeBehaviourPolicy(run.policyFile());
  run.dispose();
  const edited = (original: Uint8Array, metadata: Record<string, string>) => {
    const file = decodeSafetensors(original);
    return encodeSafetensors({
      tensors: Object.fromEntries(
        Object.entries(file.tensors).map(([name, t]) => [name, { data: t.data, shape: t.shape }]),
      ),
      metadata: { ...file.metadata, ...metadata },
    });
  };
  const cases: [Record<string, string>, string][] = [
    [{ step: "-3" }, "metadata.step"],
    [{ replay_size: '"many"' }, "metadata.replay_size"],
    [
      { episodes: '[{"episode": 0, "step": 5, "return": "high", "length": 5}]' },
      "metadata.episodes",
    ],
    [{ adam_steps: '{"actor": 1}' }, "metadata.adam_steps"],
    [{ rng: '{"algorithm": "mt19937", "words": [1, 2, 3, 4]}' }, "metadata.rng"],
    [{ snapshots: '[{"step": 1}]' }, "metadata.snapshots"],
    [{ losses: '{"actor": "low"}' }, "metadata.losses"],
  ];
  for (const [metadata, named] of cases) {
    await assertRejects(
      () => BehaviourRun.open(SETTINGS, kernelsFor(), edited(bytes, metadata)),
      BehaviourFileError,
      named,
    );
  }
  assertThrows(
    () => decodeBehaviourPolicy(edited(policy, { step: "1.5" })),
    BehaviourFileError,
    "metadata.step",
  );
});
