import { assert } from "../../assert.ts";
import { generateDataset, tierReturns } from "../../../core/envs/mod.ts";
import type { ReturnSummary } from "../../../core/dataset.ts";

function ordered(lower: ReturnSummary, upper: ReturnSummary, what: string): void {
  assert(
    lower.ci95[1] < upper.ci95[0],
    `${what}: 95% intervals overlap: [${lower.ci95}] vs [${upper.ci95}]`,
  );
}

// The numbers over 200 episodes per tier: cheap enough to check in full.
for (const env of ["spread", "skirmish"]) {
  Deno.test(`${env}: random < medium < expert with disjoint 95% intervals (200 episodes)`, async () => {
    const tiers = await tierReturns(env, undefined, 200);
    ordered(tiers.random!, tiers.medium!, `${env} random vs medium`);
    ordered(tiers.medium!, tiers.expert!, `${env} medium vs expert`);
    // Room for offline learning: medium is far from expert, and far from random.
    const span = tiers.expert!.mean - tiers.random!.mean;
    const medium = (tiers.medium!.mean - tiers.random!.mean) / span;
    assert(medium > 0.25 && medium < 0.75, `${env}: medium normalised ${100 * medium}`);
  });
}

Deno.test("skirmish win rates: expert >= 80%, medium 20-60%, random < 5% (200 episodes)", async () => {
  const tiers = await tierReturns("skirmish", undefined, 200);
  assert(tiers.expert!.winRate! >= 0.8, `expert wins ${tiers.expert!.winRate}`);
  assert(
    tiers.medium!.winRate! >= 0.2 && tiers.medium!.winRate! <= 0.6,
    `medium ${tiers.medium!.winRate}`,
  );
  assert(tiers.random!.winRate! < 0.05, `random wins ${tiers.random!.winRate}`);
});

Deno.test("a smaller sample of other seeds keeps the tier order", async () => {
  // The generator's own behaviour data (other seeds than the reference episodes).
  for (const env of ["spread", "skirmish"]) {
    const summaries: Record<string, ReturnSummary & { winRate?: number }> = {};
    for (const tier of ["random", "medium", "expert"]) {
      const { info } = await generateDataset({
        env,
        tier,
        episodes: 80,
        seed: 77,
        referenceEpisodes: 200,
      });
      const { mean, std } = info.behaviourReturn!;
      const half = 1.96 * std / Math.sqrt(80);
      summaries[tier] = { episodes: 80, mean, std, ci95: [mean - half, mean + half] };
      summaries[tier].winRate = info.behaviourWinRate;
    }
    ordered(summaries.random, summaries.medium, `${env} random vs medium`);
    ordered(summaries.medium, summaries.expert, `${env} medium vs expert`);
    if (env === "skirmish") {
      assert(summaries.expert.winRate! >= 0.8 && summaries.random.winRate! < 0.05);
    }
  }
});

Deno.test("the manifest carries the tier numbers and reference returns", async () => {
  const { info } = await generateDataset({
    env: "skirmish",
    tier: "medium-expert",
    episodes: 20,
    seed: 1,
  });
  const tiers = info.tierReturns!;
  assert(tiers.random!.episodes === 200 && tiers.expert!.episodes === 200);
  assert(
    info.reference!.random === tiers.random!.mean && info.reference!.expert === tiers.expert!.mean,
  );
  assert(tiers.expert!.winRate! >= 0.8 && tiers.random!.winRate! < 0.05);
  assert(info.source === "generate" && info.tier === "medium-expert" && info.env === "skirmish");
  assert(info.envConfig.nAllies === 5 && info.envConfig.nEnemies === 6);
  assert(typeof info.behaviourWinRate === "number");
});

Deno.test("mixture tiers sit between their components", async () => {
  const mean = async (tier: string) =>
    (await generateDataset({ env: "spread", tier, episodes: 200, seed: 5, referenceEpisodes: 200 }))
      .info.behaviourReturn!.mean;
  const [random, medium, expert, replay, mixed] = await Promise.all(
    ["random", "medium", "expert", "medium-replay", "medium-expert"].map(mean),
  );
  assert(
    random < replay && replay < medium,
    `medium-replay ${replay} not in (${random}, ${medium})`,
  );
  assert(medium < mixed && mixed < expert, `medium-expert ${mixed} not in (${medium}, ${expert})`);
});
