import { assert, assertClose, assertEquals } from "../../assert.ts";
import { generateDataset, skirmishDefaults, spreadDefaults } from "../../../core/envs/mod.ts";
import type { CanonicalDataset } from "../../../core/dataset.ts";

/** Episode start rows, checking contiguity and t = 0.. along the way. */
function episodesOf(dataset: CanonicalDataset): { start: number; length: number }[] {
  const out: { start: number; length: number }[] = [];
  for (let row = 0; row < dataset.size; row++) {
    if (row === 0 || dataset.episode[row] !== dataset.episode[row - 1]) {
      assertEquals(dataset.episode[row], out.length, `row ${row}: episodes numbered in order`);
      out.push({ start: row, length: 0 });
    }
    const current = out[out.length - 1];
    assertEquals(dataset.t[row], current.length, `row ${row}: t counts up from 0`);
    current.length++;
  }
  return out;
}

Deno.test("spread: every episode is 25 rows cut by the time limit, never terminal", async () => {
  const { dataset, info } = await generateDataset({
    env: "spread",
    tier: "expert",
    episodes: 30,
    seed: 2,
    referenceEpisodes: 10,
  });
  const episodes = episodesOf(dataset);
  assertEquals(episodes.length, 30);
  assertEquals(dataset.spec, {
    nAgents: 3,
    obsDim: 14,
    stateDim: 18,
    actionKind: "continuous",
    actDim: 2,
  });
  assert(dataset.action instanceof Float32Array && dataset.avail === undefined);
  assert(dataset.action.every((a) => a >= -1 && a <= 1));
  let total = 0;
  for (const { start, length } of episodes) {
    assertEquals(length, spreadDefaults.timeLimit);
    for (let k = 0; k < length; k++) {
      assertEquals(dataset.done[start + k], 0);
      assertEquals(dataset.truncated[start + k], k === length - 1 ? 1 : 0);
      total += dataset.reward[start + k];
    }
  }
  assertClose(total / 30, info.behaviourReturn!.mean, 1e-3, "mean return");
});

Deno.test("skirmish: an episode ends with done on elimination, truncated on the time limit", async () => {
  const { dataset, info } = await generateDataset({
    env: "skirmish",
    envConfig: { timeLimit: 36 }, // short enough that some fights are cut
    tier: "medium-replay",
    episodes: 60,
    seed: 4,
    referenceEpisodes: 10,
  });
  const { nAllies, nEnemies } = skirmishDefaults;
  const timeLimit = 36;
  const nActions = 6 + nEnemies;
  assert(dataset.action instanceof Int32Array);
  assertEquals(dataset.action.length, dataset.size * nAllies);
  assertEquals(dataset.avail!.length, dataset.size * nAllies * nActions);
  let terminals = 0, cuts = 0, wins = 0;
  for (const { start, length } of episodesOf(dataset)) {
    for (let k = 0; k < length - 1; k++) {
      assert(dataset.done[start + k] === 0 && dataset.truncated[start + k] === 0);
    }
    const last = start + length - 1;
    assertEquals(dataset.done[last] + dataset.truncated[last], 1, `episode at ${start} ends once`);
    if (dataset.truncated[last]) {
      cuts++;
      assertEquals(length, timeLimit);
    } else {
      terminals++;
      assert(length <= timeLimit);
      // The last state: one team has no living unit.
      const s = last * nAllies * dataset.spec.stateDim;
      let allies = 0, enemies = 0;
      for (let i = 0; i < nAllies; i++) allies += dataset.state[s + 4 * i] > 0 ? 1 : 0;
      for (let j = 0; j < nEnemies; j++) {
        enemies += dataset.state[s + 4 * nAllies + 3 * j] > 0 ? 1 : 0;
      }
      assert(allies > 0 && enemies > 0, "the state is the one the last action was taken from");
      if (dataset.reward[last] > 7) wins++; // the win bonus is 200 / 500 * 20 = 8
    }
  }
  assert(terminals > 0 && cuts > 0, `terminals ${terminals}, cuts ${cuts}`);
  assertClose(wins / 60, info.behaviourWinRate!, 1e-9, "wins counted from terminal rewards");
  // Every recorded action was available under the row's mask.
  for (let r = 0; r < dataset.size * nAllies; r++) {
    assertEquals(dataset.avail![r * nActions + dataset.action[r]], 1, `agent-row ${r}`);
  }
});

Deno.test("skirmish: a won episode returns 20, as in SMAC", async () => {
  const { dataset } = await generateDataset({
    env: "skirmish",
    tier: "expert",
    episodes: 20,
    seed: 8,
    referenceEpisodes: 10,
  });
  let won = 0;
  for (const { start, length } of episodesOf(dataset)) {
    let total = 0;
    for (let k = 0; k < length; k++) total += dataset.reward[start + k];
    if (dataset.done[start + length - 1] && dataset.reward[start + length - 1] > 7) {
      won++;
      assertClose(total, 20, 1e-4, "return of a won episode");
    } else assert(total < 20);
  }
  assert(won > 10, `the expert won ${won} of 20`);
});

Deno.test("matrix: every row is a one-step terminal episode", async () => {
  const { dataset } = await generateDataset({
    env: "matrix",
    tier: "random",
    episodes: 50,
    seed: 0,
    referenceEpisodes: 10,
  });
  assertEquals(dataset.size, 50);
  assert(dataset.done.every((d) => d === 1) && dataset.truncated.every((d) => d === 0));
  assert(dataset.t.every((t) => t === 0));
});

Deno.test("generation reports progress, dataset and reference episodes, up to the total", async () => {
  const seen: [number, number][] = [];
  await generateDataset({
    env: "skirmish",
    tier: "medium",
    episodes: 300, // more than one batch of copies
    seed: 0,
    referenceEpisodes: 7,
    onProgress: (done, total) => seen.push([done, total]),
  });
  assert(seen.length > 3, `only ${seen.length} progress reports`);
  assert(seen.every(([, total]) => total === 300 + 3 * 7));
  assert(seen.every(([done], k) => k === 0 || done >= seen[k - 1][0]), "progress never goes back");
  assertEquals(seen[seen.length - 1], [321, 321]);
  assert(seen.some(([done]) => done > 300 && done < 321), "reference episodes are reported too");
});
