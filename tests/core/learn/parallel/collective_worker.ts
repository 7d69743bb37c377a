/**
 * A rank of the collective tests: joins the team posted to it and runs the script named in
 * the message, then reports what it saw.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { Collective, TeamStopped } from "../../../../core/learn/parallel/collective.ts";
import type { TeamMemory } from "../../../../core/learn/parallel/collective.ts";

self.onmessage = (event: MessageEvent<{ memory: TeamMemory; rank: number; script: string }>) => {
  const { memory, rank, script } = event.data;
  const team = new Collective(memory, rank);
  try {
    if (script === "reduce") {
      const seen: { sums: number[][]; max: number }[] = [];
      for (let round = 0; round < 50; round++) {
        const vector = Float32Array.from({ length: 5 }, (_, i) => 0.1 * (rank + 1) + i + round);
        const { sums, max } = team.reduce([vector, new Float32Array([rank])], rank * 10 + round);
        seen.push({ sums: sums.map((s) => Array.from(s)), max });
      }
      self.postMessage({ seen });
    } else if (script === "wait") {
      team.barrier(); // the test's rank 0 stops the team instead of arriving
      self.postMessage({ error: "the barrier returned" });
    }
  } catch (error) {
    self.postMessage({
      error: error instanceof TeamStopped ? `stopped: ${error.message}` : String(error),
    });
  }
};
