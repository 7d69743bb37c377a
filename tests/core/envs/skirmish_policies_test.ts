/**
 * What makes skirmish's medium behaviour a fair test of offline learning: it mixes the expert's
 * decisions with a reckless rule's, so that no single rule is the data's and a learner that
 * weighs decisions by their value has something to tell apart.
 */
import { assert, assertClose } from "../../assert.ts";
import {
  envFactory,
  generateDataset,
  makeEnv,
  playEpisodes,
  SkirmishExpertPolicy,
  SkirmishMediumPolicy,
} from "../../../core/envs/mod.ts";
import {
  MEDIUM_EXPERT_SHARE,
  SkirmishRecklessPolicy,
} from "../../../core/envs/policies/skirmish.ts";
import type { Policy } from "../../../core/policy.ts";

Deno.test("skirmish medium: where its two rules disagree, it takes each about half the time", async () => {
  const { dataset } = await generateDataset({
    env: "skirmish",
    tier: "medium",
    episodes: 60,
    seed: 3,
    referenceEpisodes: 4,
  });
  const spec = dataset.spec;
  const expert = new SkirmishExpertPolicy(spec).actNow(dataset.obs, dataset.avail);
  const reckless = new SkirmishRecklessPolicy(spec).actNow(dataset.obs, dataset.avail);
  let disagree = 0, tookExpert = 0, tookReckless = 0;
  for (let k = 0; k < expert.length; k++) {
    const action = dataset.action[k];
    assert(action === expert[k] || action === reckless[k], `row ${k}: a third action ${action}`);
    if (expert[k] === reckless[k]) continue;
    disagree++;
    if (action === expert[k]) tookExpert++;
    else tookReckless++;
  }
  // Many decisions where the rules differ, and no rule is the data's there: a greedy policy
  // that picks one action per state matches about half of them whichever it picks.
  assert(disagree / expert.length > 0.3, `rules disagree on ${disagree} of ${expert.length}`);
  assertClose(tookExpert / disagree, MEDIUM_EXPERT_SHARE, 0.05, "share of expert decisions");
  assertClose(tookReckless / disagree, 1 - MEDIUM_EXPERT_SHARE, 0.05, "share of reckless ones");
});

Deno.test("skirmish: the reckless rule loses where the expert wins, medium in between", async () => {
  const spec = makeEnv("skirmish", 1).spec;
  const outcome = async (policy: Policy) => {
    const { won, returns } = await playEpisodes(envFactory("skirmish"), policy, {
      episodes: 100,
      seeds: [31],
    });
    return {
      wins: won.reduce((a, b) => a + b, 0) / won.length,
      mean: returns.reduce((a, b) => a + b, 0) / returns.length,
    };
  };
  const reckless = await outcome(new SkirmishRecklessPolicy(spec));
  const expert = await outcome(new SkirmishExpertPolicy(spec));
  const medium = await outcome(new SkirmishMediumPolicy(spec, 5));
  assert(reckless.wins < 0.05 && expert.wins > 0.9, `${reckless.wins}, ${expert.wins}`);
  assert(reckless.mean < medium.mean && medium.mean < expert.mean, JSON.stringify(medium));
});
