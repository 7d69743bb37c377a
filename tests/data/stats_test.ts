import { datasetStats } from "../../data/stats.ts";
import { saveDataset } from "../../data/store.ts";
import { assertClose, assertEquals } from "../assert.ts";
import { makeDataset, makeInfo, withTempDir } from "./fixtures.ts";

function quantile(sorted: number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

Deno.test("stats computed in DuckDB equal the values computed directly", async () => {
  await withTempDir(async (home) => {
    const plans = [3, 7, 2, 9, 5, 4, 6, 8].map((length, i) => ({
      length,
      end: i % 3 === 0 ? "truncated" as const : "done" as const,
    }));
    const dataset = makeDataset(plans, { nAgents: 3, seed: 21 });
    const manifest = await saveDataset(dataset, makeInfo("stats"), { home });
    const stats = await datasetStats(manifest.id, { home, bins: 4 });

    const returns: number[] = [];
    let row = 0;
    for (const plan of plans) {
      let sum = 0;
      for (let t = 0; t < plan.length; t++) sum += dataset.reward[row++];
      returns.push(sum);
    }
    const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    const std = Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / returns.length);
    const sorted = [...returns].sort((a, b) => a - b);
    const [min, max] = [sorted[0], sorted.at(-1)!];
    assertEquals([stats.rows, stats.episodes, stats.terminalEpisodes], [44, 8, 5]);
    assertEquals(stats.transitions, 44 - 3); // the three truncated rows start no transition
    const expected = {
      mean,
      std,
      min,
      q1: quantile(sorted, 0.25),
      median: quantile(sorted, 0.5),
      q3: quantile(sorted, 0.75),
      max,
    };
    for (const [key, value] of Object.entries(expected)) {
      assertClose(stats.episodeReturn[key as keyof typeof expected], value, 1e-9, key);
    }
    const width = (max - min) / 4;
    const counts = [0, 0, 0, 0];
    for (const r of returns) counts[Math.min(3, Math.floor((r - min) / width))]++;
    assertEquals(stats.returnHistogram.counts, counts);
    assertEquals(stats.returnHistogram.edges.length, 5);
    assertClose(stats.returnHistogram.edges[4], max, 1e-12, "last edge");
    assertEquals([stats.episodeLength.min, stats.episodeLength.max], [2, 9]);
    assertClose(stats.episodeLength.mean, 44 / 8, 1e-12, "mean length");
    const rewards = Array.from(dataset.reward);
    assertClose(stats.reward.min, Math.min(...rewards), 1e-7, "reward min");
    assertClose(stats.reward.max, Math.max(...rewards), 1e-7, "reward max");
    assertClose(
      stats.reward.mean,
      rewards.reduce((a, b) => a + b, 0) / rewards.length,
      1e-9,
      "reward mean",
    );
    const { nAgents, actDim } = dataset.spec;
    for (let agent = 0; agent < nAgents; agent++) {
      for (let k = 0; k < actDim; k++) {
        const values = [];
        for (let i = 0; i < dataset.size; i++) {
          values.push(dataset.action[(i * nAgents + agent) * actDim + k]);
        }
        const m = values.reduce((a, b) => a + b, 0) / values.length;
        const s = Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / values.length);
        assertClose(stats.actions[agent].mean[k], m, 1e-9, `agent ${agent} mean ${k}`);
        assertClose(stats.actions[agent].std[k], s, 1e-9, `agent ${agent} std ${k}`);
      }
    }
  });
});
