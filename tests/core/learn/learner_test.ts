import { assert, assertEquals, assertRejects, assertThrows } from "../../assert.ts";
import { selectBackend } from "../../../core/backend/mod.ts";
import { tf } from "../../../core/tf.ts";
import type { MultiAgentSpec } from "../../../core/dataset.ts";
import { ValidationError } from "../../../core/errors.ts";
import { decodeSafetensors, encodeSafetensors } from "../../../core/checkpoint/mod.ts";
import {
  CheckpointError,
  decodeCheckpoint,
  encodeCheckpoint,
  Learner,
  train,
} from "../../../core/learn/mod.ts";
import { syntheticTransitions } from "../../../core/learn/synthetic.ts";

const spec: MultiAgentSpec = {
  nAgents: 3,
  obsDim: 5,
  stateDim: 4,
  actionKind: "continuous",
  actDim: 2,
};
const tiny = { hiddenSize: 16, mixerHiddenSize: 8, batchSize: 16, seed: 3 };
const rows = 200;
const data = syntheticTransitions(spec, rows, 11);

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

Deno.test("the same seed gives the same weights; another seed does not", async () => {
  await selectBackend({ backend: "cpu" });
  const run = async (seed: number) => {
    const learner = Learner.create(spec, { ...tiny, seed });
    learner.fit(data, 5);
    const bytes = await learner.checkpoint();
    learner.dispose();
    return bytes;
  };
  const [a, b, c] = [await run(1), await run(1), await run(2)];
  assert(sameBytes(a, b), "two runs from seed 1 differ");
  assert(!sameBytes(a, c), "seeds 1 and 2 gave the same weights");
});

Deno.test("the weights' effective sample size: 1 for bc and a huge alpha, below 1 for a tiny one", async () => {
  await selectBackend({ backend: "cpu" });
  const essAfter = async (config: Record<string, unknown>) => {
    const learner = Learner.create(spec, { ...tiny, ...config });
    learner.fit(data, 3);
    const losses = (await learner.losses())!;
    learner.dispose();
    return losses.weightEss;
  };
  assertEquals(await essAfter({ algorithm: "bc" }), 1);
  const huge = await essAfter({ alpha: 1e6 });
  assert(Math.abs(huge - 1) < 1e-4, `alpha 1e6: weights nearly equal, got ESS ${huge}`);
  const tinyAlpha = await essAfter({ alpha: 1e-3 });
  assert(tinyAlpha < 0.9, `alpha 1e-3: the weights differ, got ESS ${tinyAlpha}`);
});

Deno.test("the tensor count after step 10 equals the count after step 100", async () => {
  for (const backend of ["cpu", "wasm"] as const) {
    await selectBackend({ backend });
    const discrete: MultiAgentSpec = { ...spec, actionKind: "discrete", actDim: 1, nActions: 4 };
    for (
      const [shape, transitions] of [[spec, data], [
        discrete,
        syntheticTransitions(discrete, 50),
      ]] as const
    ) {
      const learner = Learner.create(shape, tiny);
      learner.fit(transitions, 10);
      const after10 = tf.memory().numTensors;
      learner.fit(transitions, 90);
      assertEquals(tf.memory().numTensors, after10, `${backend} ${shape.actionKind}`);
      learner.dispose();
    }
  }
  await selectBackend({ backend: "cpu" });
});

async function resumeInWorker(
  backend: "cpu" | "wasm",
  checkpoint: Uint8Array,
  iterations: number,
): Promise<Uint8Array> {
  const worker = new Worker(new URL("./resume_worker.ts", import.meta.url).href, {
    type: "module",
  });
  try {
    const reply = new Promise<{ checkpoint: Uint8Array }>((resolve, reject) => {
      worker.onmessage = (event) => resolve(event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(event.message));
      };
    });
    worker.postMessage({ backend, spec, rows, config: tiny, iterations, checkpoint });
    return (await reply).checkpoint;
  } finally {
    worker.terminate();
  }
}

Deno.test("resume: K steps, checkpoint, K more in a fresh worker equals 2K steps, byte for byte", async () => {
  const k = 12;
  for (const backend of ["cpu", "wasm"] as const) {
    await selectBackend({ backend });
    const whole = await train(data, tiny, { iterations: 2 * k });
    const half = await train(data, tiny, { iterations: k });
    assertEquals(decodeCheckpoint(half.checkpoint).iteration, k);
    assert(!sameBytes(half.checkpoint, whole.checkpoint), "K and 2K steps should differ");
    const resumedHere = await train(data, tiny, { iterations: 2 * k, resumeFrom: half.checkpoint });
    assert(sameBytes(resumedHere.checkpoint, whole.checkpoint), `${backend}: in-process resume`);
    const resumedThere = await resumeInWorker(backend, half.checkpoint, 2 * k);
    assert(sameBytes(resumedThere, whole.checkpoint), `${backend}: resume in a fresh worker`);
  }
  await selectBackend({ backend: "cpu" });
});

Deno.test("train reports progress and checkpoints, and stops cleanly when aborted", async () => {
  await selectBackend({ backend: "cpu" });
  const progress: number[] = [];
  const checkpoints: number[] = [];
  const controller = new AbortController();
  const result = await train(data, tiny, {
    iterations: 100,
    progressEvery: 5,
    checkpointEvery: 10,
    onProgress: ({ iteration, losses }) => {
      assert(Number.isFinite(losses.policy + losses.q + losses.v), "finite losses");
      progress.push(iteration);
      if (iteration === 25) controller.abort();
    },
    onCheckpoint: (bytes, iteration) => {
      assertEquals(decodeCheckpoint(bytes).iteration, iteration);
      checkpoints.push(iteration);
    },
    signal: controller.signal,
  });
  assertEquals(progress, [5, 10, 15, 20, 25]);
  assertEquals(checkpoints, [10, 20]);
  assertEquals(result.status, "aborted");
  assertEquals(result.iteration, 25);
  assertEquals(decodeCheckpoint(result.checkpoint).iteration, 25);
});

Deno.test("resuming with a different config is refused with a clear error", async () => {
  await selectBackend({ backend: "cpu" });
  const half = await train(data, tiny, { iterations: 2 });
  await assertRejects(
    () => train(data, { ...tiny, alpha: 3 }, { iterations: 4, resumeFrom: half.checkpoint }),
    ValidationError,
    "alpha",
  );
});

Deno.test("a checkpoint keeps the last step's losses: a resumed learner reports them before it steps", async () => {
  await selectBackend({ backend: "cpu" });
  const fresh = Learner.create(data.spec, tiny);
  assertEquals(decodeCheckpoint(await fresh.checkpoint()).losses, undefined);
  fresh.fit(data, 3);
  const losses = (await fresh.losses())!;
  const bytes = await fresh.checkpoint();
  fresh.dispose();
  assertEquals(decodeCheckpoint(bytes).losses, losses);
  const resumed = Learner.fromCheckpoint(bytes);
  assertEquals(await resumed.losses(), losses);
  resumed.step(data);
  assert((await resumed.losses())!.q !== losses.q, "a step replaces the restored losses");
  resumed.dispose();
  // Resumed at its last iteration, train takes no step and still reports the losses.
  const done = await train(data, tiny, { iterations: 3, resumeFrom: bytes });
  assertEquals(done.losses, losses);
});

Deno.test("a checkpoint's losses keep NaN and infinities; ill-typed ones are refused", async () => {
  await selectBackend({ backend: "cpu" });
  const learner = Learner.create(data.spec, tiny);
  const bytes = await learner.checkpoint();
  learner.dispose();
  const content = decodeCheckpoint(
    encodeCheckpoint({
      ...decodeCheckpoint(bytes),
      losses: { q: Number.NaN, v: Infinity, policy: -Infinity, weightEss: 0.25 },
    }),
  );
  assert(Number.isNaN(content.losses!.q), "NaN");
  assertEquals([content.losses!.v, content.losses!.policy, content.losses!.weightEss], [
    Infinity,
    -Infinity,
    0.25,
  ]);
  const file = decodeSafetensors(bytes);
  const bad = encodeSafetensors({
    tensors: Object.fromEntries(
      Object.entries(file.tensors).map(([name, t]) => [name, { data: t.data, shape: t.shape }]),
    ),
    metadata: { ...file.metadata, losses: JSON.stringify({ q: "lots" }) },
  });
  assertThrows(() => decodeCheckpoint(bad), CheckpointError, "metadata.losses");
});
