import { assert, assertEquals, assertThrows } from "../../../assert.ts";
import { Collective, teamMemory, TeamStopped } from "../../../../core/learn/parallel/collective.ts";

type Seen = { seen?: { sums: number[][]; max: number }[]; error?: string };

function rank(memory: ReturnType<typeof teamMemory>, r: number, script: string) {
  const worker = new Worker(new URL("./collective_worker.ts", import.meta.url), { type: "module" });
  const answer = new Promise<Seen>((resolve) => worker.onmessage = (e) => resolve(e.data));
  worker.postMessage({ memory, rank: r, script });
  return { answer, worker };
}

Deno.test("three ranks get the same sums, added in rank order, and the largest value", async () => {
  const memory = teamMemory(3, 16);
  const ranks = [0, 1, 2].map((r) => rank(memory, r, "reduce"));
  const answers = await Promise.all(ranks.map((r) => r.answer));
  ranks.forEach((r) => r.worker.terminate());
  for (const answer of answers) assert(answer.seen, answer.error);
  for (let round = 0; round < 50; round++) {
    const f = Math.fround;
    // ((v0 + v1) + v2) in float32, element by element.
    const v = (r: number, i: number) => f(0.1 * (r + 1) + i + round);
    const expected = [0, 1, 2, 3, 4].map((i) => f(f(v(0, i) + v(1, i)) + v(2, i)));
    for (const answer of answers) {
      const { sums, max } = answer.seen![round];
      assertEquals(sums[0], expected, `round ${round}`);
      assertEquals(sums[1], [3]);
      assertEquals(max, 20 + round);
    }
  }
});

Deno.test("stopping a team wakes a rank waiting at the barrier with the reason", async () => {
  const memory = teamMemory(2, 4);
  const team = new Collective(memory, 0);
  const other = rank(memory, 1, "wait");
  // The helper waits for rank 0, which never arrives: it stops the team instead.
  setTimeout(() => team.stop("rank 0 is done"), 50);
  const answer = await other.answer;
  other.worker.terminate();
  assertEquals(answer.error, "stopped: rank 0 is done");
  assertThrows(() => team.barrier(), TeamStopped, "rank 0 is done");
  assertEquals(team.stopReason, "rank 0 is done");
});

Deno.test("a sum larger than the team's capacity is refused", () => {
  const team = new Collective(teamMemory(1, 4), 0);
  assertThrows(() => team.sum([new Float32Array(5)]), RangeError, "exceeds");
  assertThrows(() => new Collective(teamMemory(2, 4), 2), RangeError, "outside a team of 2");
});
