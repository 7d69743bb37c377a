/**
 * The `train` step body called directly with an in-memory context: it writes into a cell
 * subfolder when asked, and a restart after its final checkpoint (the process died before the
 * engine recorded the output) still yields the policy without training or evaluating again.
 */
import { join } from "node:path";
import { assert, assertEquals } from "../../assert.ts";
import type { StepContext, StepProgress } from "../../../workflows/mod.ts";
import { generateAndStore } from "../../../workflows/ingest.ts";
import { trainOmiga } from "../../../workflows/train_evaluate/train_step.ts";
import type { TrainInput } from "../../../workflows/train_evaluate/mod.ts";

function memoryContext(home: string, artifactsDir: string, checkpoints: Uint8Array[]) {
  const progress: StepProgress[] = [];
  const ctx: StepContext = {
    runId: "run",
    stepId: "cell/x",
    attempt: 1,
    signal: new AbortController().signal,
    home,
    artifactsDir,
    store: { home: home, url: "sqlite", artifacts: home },
    cores: 1,
    checkpoint: {
      save: (bytes) => Promise.resolve(checkpoints.push(bytes.slice())),
      load: () => Promise.resolve(checkpoints.at(-1)),
    },
    progress: (p) => void progress.push(p),
    log: () => {},
    annotate: () => {},
  };
  return { ctx, progress };
}

Deno.test({
  name: "a train step restarted after its final checkpoint returns the policy without retraining",
  sanitizeResources: false,
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "omiga-train-step-" });
    const manifest = await generateAndStore(
      { env: "spread", tier: "medium", episodes: 4, seed: 0, referenceEpisodes: 4 },
      { home },
    );
    const artifactsDir = join(home, "runs", "run");
    const input: TrainInput = {
      datasetId: manifest.id,
      config: { algorithm: "omiga", seed: 0, hiddenSize: 8, batchSize: 8 },
      iterations: 20,
      checkpointEvery: 10,
      backend: "cpu",
      evalEvery: 10,
      evaluation: { env: "spread", envConfig: manifest.envConfig ?? {}, episodes: 1, seeds: [7] },
      folder: "cells/a/s0",
    };
    const checkpoints: Uint8Array[] = [];
    const first = await trainOmiga(input, memoryContext(home, artifactsDir, checkpoints).ctx);
    assertEquals(first.policyFile, join("cells/a/s0", "policy.safetensors"));
    assertEquals(first.curve.map((p) => p.iteration), [10, 20]);
    const policy = await Deno.readFile(join(artifactsDir, first.policyFile));
    assertEquals(first.onnxFile, join("cells/a/s0", "policy.onnx"));
    const onnx = await Deno.readFile(join(artifactsDir, first.onnxFile!));
    assert(onnx.length > 0, "policy.onnx beside policy.safetensors");

    const again = memoryContext(home, artifactsDir, checkpoints);
    const second = await trainOmiga(input, again.ctx);
    assertEquals(second.iterations, 20);
    assertEquals(second.curve, first.curve);
    // The losses (OMIGA's weight ESS among them) come back from the checkpoint, not from a step.
    assert(first.losses.weightEss > 0, "the first pass reports the weight ESS");
    assertEquals(second.losses, first.losses);
    assert(
      !again.progress.some((p) => p.message === "evaluated"),
      "no evaluation is repeated",
    );
    assertEquals(await Deno.readFile(join(artifactsDir, second.policyFile)), policy);
    assertEquals(await Deno.readFile(join(artifactsDir, second.onnxFile!)), onnx);
    await Deno.remove(home, { recursive: true });
  },
});
