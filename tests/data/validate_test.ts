import type { CanonicalDataset } from "../../core/dataset.ts";
import { DatasetError } from "../../data/errors.ts";
import { validateCanonical } from "../../data/validate.ts";
import { assertEquals, assertThrows } from "../assert.ts";
import { makeDataset } from "./fixtures.ts";

function broken(change: (d: CanonicalDataset) => void, discrete = false): CanonicalDataset {
  const dataset = makeDataset([{ length: 4, end: "done" }, { length: 3, end: "truncated" }], {
    discrete,
  });
  change(dataset);
  return dataset;
}

Deno.test("a valid dataset passes and reports its episodes", () => {
  assertEquals(validateCanonical(broken(() => {})), { rows: 7, episodes: 2 });
  assertEquals(validateCanonical(broken(() => {}, true)), { rows: 7, episodes: 2 });
});

Deno.test("each violation is a DatasetError naming the field, the row and what was expected", () => {
  const cases: [string, (d: CanonicalDataset) => void, string, boolean?][] = [
    ["wrong shape", (d) => (d.obs = new Float32Array(5)), "field obs: expected shape [7, 2, 3]"],
    [
      "wrong dtype",
      (d) => (d.reward = new Float64Array(7) as never),
      "expected Float32Array, got Float64Array",
    ],
    [
      "NaN reward",
      (d) => (d.reward[5] = NaN),
      "field reward, row 5: expected a finite number, got NaN",
    ],
    [
      "Inf obs",
      (d) => (d.obs[2 * 6 + 4] = Infinity),
      "field obs, row 2, agent 1: expected a finite number",
    ],
    [
      "action out of range",
      (d) => (d.action[3] = 1.5),
      "field action, row 0, agent 1: expected in [-1, 1]",
    ],
    ["episode jumps", (d) => (d.t[2] = 3), "field t, row 2: expected t = 2"],
    ["rows after a done row", (d) => {
      d.done[1] = 1;
    }, "field episode, row 2: expected a new episode after row 1"],
    ["episode reappears", (d) => {
      d.episode.set([0, 0, 0, 0, 1, 1, 0]);
      d.t.set([0, 1, 2, 3, 0, 1, 0]);
      d.truncated.fill(0);
      d.done[5] = 1;
    }, "field episode, row 6: expected the rows of episode 0 to be contiguous"],
    ["flag not 0/1", (d) => (d.done[0] = 2), "field done, row 0: expected 0 or 1, got 2"],
    [
      "discrete index out of range",
      (d) => (d.action[2] = 4),
      "field action, row 1, agent 0: expected a discrete action index in [0, 3]",
      true,
    ],
    [
      "unavailable discrete action",
      (d) => {
        d.avail![(2 * 2 + 1) * 4 + (d.action[2 * 2 + 1] as number)] = 0;
      },
      "field avail, row 2, agent 1: expected the taken action",
      true,
    ],
  ];
  for (const [what, change, text, discrete] of cases) {
    const error = assertThrows(
      () => validateCanonical(broken(change, discrete)),
      DatasetError,
      text,
    );
    assertEquals(error.code, "invalid_dataset", what);
  }
});

Deno.test("an empty dataset is refused", () => {
  const empty = makeDataset([]);
  assertThrows(() => validateCanonical(empty), DatasetError, "expected at least one row");
});

Deno.test("importers' naming puts their file, field and row names in the message", () => {
  const dataset = broken((d) => (d.reward[3] = NaN));
  assertThrows(
    () =>
      validateCanonical(dataset, {
        file: "x.h5",
        field: (f) => (f === "reward" ? "r" : f),
        row: (i) => `row ${i + 10}`,
      }),
    DatasetError,
    "x.h5: field r, row 13: expected a finite number, got NaN",
  );
});
