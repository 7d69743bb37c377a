import { DatasetError } from "../../data/errors.ts";
import { filterDataset, parseEpisodeFilter } from "../../data/filter.ts";
import { loadDataset, saveDataset } from "../../data/store.ts";
import { assertEquals, assertRejects, assertThrows } from "../assert.ts";
import { makeDataset, makeInfo, withTempDir } from "./fixtures.ts";

function episodeReturns(dataset: ReturnType<typeof makeDataset>): Map<number, number> {
  const returns = new Map<number, number>();
  for (let i = 0; i < dataset.size; i++) {
    returns.set(dataset.episode[i], (returns.get(dataset.episode[i]) ?? 0) + dataset.reward[i]);
  }
  return returns;
}

Deno.test("filters select episodes as SQL and store the result with its lineage", async () => {
  await withTempDir(async (home) => {
    const plans = Array.from(
      { length: 10 },
      (_, i) => ({ length: 3 + (i % 4), end: "done" as const }),
    );
    const dataset = makeDataset(plans, { seed: 5 });
    const parent = await saveDataset(
      dataset,
      makeInfo("parent", { reference: { random: 0, expert: 9 } }),
      { home },
    );
    const returns = episodeReturns(dataset);
    const byReturn = [...returns.entries()].sort((a, b) => b[1] - a[1]).map(([e]) => e);

    const top = await filterDataset(parent.id, "Top 30 %", { home });
    const { dataset: topData } = await loadDataset(top.id, { home });
    assertEquals([...new Set(topData.episode)], byReturn.slice(0, 3).sort((a, b) => a - b));
    assertEquals(top.lineage, [{ parent: parent.id, filter: "top 30%" }]);
    assertEquals([top.source, top.env, top.name], ["filter", "test-env", "parent (top 30%)"]);
    assertEquals(top.reference, { random: 0, expert: 9 });
    const kept = byReturn.slice(0, 3).map((e) => returns.get(e)!);
    const mean = kept.reduce((a, b) => a + b, 0) / 3;
    assertEquals(Math.abs(top.behaviourReturn!.mean - mean) < 1e-9, true);

    const first = await filterDataset(top.id, "first 2", { home, name: "best two" });
    const { dataset: firstData } = await loadDataset(first.id, { home });
    assertEquals([...new Set(firstData.episode)], [...new Set(topData.episode)].slice(0, 2));
    assertEquals(first.lineage, [{ parent: parent.id, filter: "top 30%" }, {
      parent: top.id,
      filter: "first 2",
    }]);
    assertEquals(first.name, "best two");

    const threshold = [...returns.values()].sort((a, b) => a - b)[5];
    const above = await filterDataset(parent.id, `return >= ${threshold}`, { home });
    const expected = [...returns.entries()].filter(([, r]) => r >= threshold).map(([e]) => e);
    assertEquals([...new Set((await loadDataset(above.id, { home })).dataset.episode)], expected);

    const short = await filterDataset(parent.id, "length < 4", { home });
    assertEquals(short.rows, 3 * 3);
    const last = await filterDataset(parent.id, "bottom 1", { home });
    assertEquals([...new Set((await loadDataset(last.id, { home })).dataset.episode)], [
      byReturn.at(-1),
    ]);
    // Rows of a kept episode are copied unchanged.
    const rowsOf = (d: typeof dataset, e: number) =>
      Array.from(d.obs).filter((_, i) =>
        d.episode[Math.floor(i / (d.spec.nAgents * d.spec.obsDim))] === e
      );
    assertEquals(rowsOf(topData, byReturn[0]), rowsOf(dataset, byReturn[0]));
  });
});

Deno.test("filter text outside the grammar is refused without reaching SQL", async () => {
  for (
    const text of [
      "top 0%",
      "top 101%",
      "first -1",
      "first 2.5",
      "top 30%; DROP TABLE x",
      "return >= 1 OR 1=1",
      "episodes where 1",
      "",
    ]
  ) {
    const error = assertThrows(
      () => parseEpisodeFilter(text),
      DatasetError,
      "cannot read the filter",
    );
    assertEquals(error.code, "invalid_input");
  }
  await withTempDir(async (home) => {
    const parent = await saveDataset(makeDataset([{ length: 2, end: "done" }]), makeInfo("p"), {
      home,
    });
    await assertRejects(
      () => filterDataset(parent.id, "return > 1e9", { home }),
      DatasetError,
      "selects no episodes",
    );
  });
});
