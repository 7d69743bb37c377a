/// <reference lib="deno.worker" />
/**
 * A fresh module instance for the resume test: selects a backend, rebuilds the same synthetic
 * data and continues training from the checkpoint it is sent, then posts the final checkpoint.
 */
import { selectBackend } from "../../../core/backend/mod.ts";
import type { MultiAgentSpec } from "../../../core/dataset.ts";
import type { TrainConfigInput } from "../../../core/learn/config.ts";
import { train } from "../../../core/learn/train.ts";
import { syntheticTransitions } from "../../../core/learn/synthetic.ts";

interface ResumeRequest {
  backend: "cpu" | "wasm";
  spec: MultiAgentSpec;
  rows: number;
  config: TrainConfigInput;
  iterations: number;
  checkpoint: Uint8Array;
}

self.onmessage = async (event: MessageEvent<ResumeRequest>) => {
  const request = event.data;
  await selectBackend({ backend: request.backend });
  const data = syntheticTransitions(request.spec, request.rows, 11);
  const result = await train(data, request.config, {
    iterations: request.iterations,
    resumeFrom: request.checkpoint,
  });
  self.postMessage({ checkpoint: result.checkpoint, iteration: result.iteration });
};
