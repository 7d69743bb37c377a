import { toTransitions } from "../../data/transitions.ts";
import { assert, assertEquals } from "../assert.ts";
import { makeDataset } from "./fixtures.ts";

function rowOf(values: ArrayLike<number>, row: number, width: number): number[] {
  return Array.from(values).slice(row * width, (row + 1) * width);
}

Deno.test("next fields come from the next row of the same episode; a done row has mask 0 and zero next fields", () => {
  const dataset = makeDataset([{ length: 3, end: "done" }, { length: 2, end: "done" }]);
  const { spec } = dataset;
  const obsWidth = spec.nAgents * spec.obsDim;
  const stateWidth = spec.nAgents * spec.stateDim;
  const tr = toTransitions(dataset);
  assertEquals(tr.size, 5);
  assertEquals(Array.from(tr.mask), [1, 1, 0, 1, 0]);
  for (const [m, row] of [[0, 0], [1, 1], [3, 3]]) {
    assertEquals(rowOf(tr.nextObs, m, obsWidth), rowOf(dataset.obs, row + 1, obsWidth));
    assertEquals(rowOf(tr.nextState, m, stateWidth), rowOf(dataset.state, row + 1, stateWidth));
  }
  for (const m of [2, 4]) {
    assert(rowOf(tr.nextObs, m, obsWidth).every((v) => v === 0), "terminal next obs is zero");
    assert(rowOf(tr.nextState, m, stateWidth).every((v) => v === 0), "terminal next state is zero");
  }
  assertEquals(Array.from(tr.reward), Array.from(dataset.reward));
  assertEquals(Array.from(tr.obs), Array.from(dataset.obs));
  assertEquals(Array.from(tr.action), Array.from(dataset.action));
});

Deno.test("a truncated row, and an episode's last row without a flag, start no transition", () => {
  const dataset = makeDataset([
    { length: 3, end: "truncated" },
    { length: 2, end: "done" },
    { length: 2, end: "open" },
  ]);
  const tr = toTransitions(dataset);
  // Starts: rows 0, 1 (episode 0), 3, 4 (episode 1, 4 terminal), 5 (episode 2); not 2 or 6.
  assertEquals(tr.size, 5);
  assertEquals(Array.from(tr.mask), [1, 1, 1, 0, 1]);
  assertEquals(Array.from(tr.reward), [0, 1, 3, 4, 5].map((i) => dataset.reward[i]));
  const width = dataset.spec.nAgents * dataset.spec.obsDim;
  assertEquals(rowOf(tr.nextObs, 1, width), rowOf(dataset.obs, 2, width));
  assertEquals(rowOf(tr.nextObs, 4, width), rowOf(dataset.obs, 6, width));
});

Deno.test("discrete datasets carry avail and next avail", () => {
  const dataset = makeDataset([{ length: 2, end: "done" }], { discrete: true });
  const tr = toTransitions(dataset);
  assert(tr.action instanceof Int32Array);
  const width = dataset.spec.nAgents * 4;
  assertEquals(rowOf(tr.avail!, 0, width), rowOf(dataset.avail!, 0, width));
  assertEquals(rowOf(tr.nextAvail!, 0, width), rowOf(dataset.avail!, 1, width));
  assert(rowOf(tr.nextAvail!, 1, width).every((v) => v === 0));
});
