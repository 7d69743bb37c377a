/**
 * A helper thread of a training team (`team.ts`): it starts the trainer's tensor backend,
 * rebuilds the learner from the trainer's checkpoint bytes, joins the team's collectives and
 * then steps on its share of every batch until the team stops.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { selectBackend } from "../../backend/mod.ts";
import type { BackendName } from "../../backend/mod.ts";
import { Learner } from "../learner.ts";
import { Collective, TeamStopped } from "./collective.ts";
import type { HelperMessage, JoinMessage } from "./team.ts";

function send(message: HelperMessage): void {
  self.postMessage(message);
}

self.onmessage = async (event: MessageEvent<JoinMessage>) => {
  const { memory, rank, backend, checkpoint, data } = event.data;
  const collective = new Collective(memory, rank);
  let learner: Learner;
  try {
    await selectBackend({ backend: backend as BackendName });
    learner = Learner.fromCheckpoint(checkpoint);
    learner.joinTeam(collective, data);
  } catch (error) {
    send({ type: "failed", message: error instanceof Error ? error.message : String(error) });
    return;
  }
  send({ type: "ready" });
  // Let the ready message leave before the loop holds the thread.
  await new Promise((resolve) => setTimeout(resolve, 0));
  try {
    for (;;) learner.step(data);
  } catch (error) {
    if (!(error instanceof TeamStopped)) {
      const message = error instanceof Error ? error.message : String(error);
      collective.stop(`training thread ${rank} failed: ${message}`);
    }
  } finally {
    learner.dispose();
  }
  send({ type: "stopped" });
  self.close();
};
