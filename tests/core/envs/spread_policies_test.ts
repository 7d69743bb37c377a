/**
 * What makes spread's scripted behaviour a fair test of offline learning: its actions are
 * squashed like a learned policy's, never at the bounds, and its noise only costs return.
 */
import { assert, assertClose } from "../../assert.ts";
import {
  envFactory,
  generateDataset,
  makeEnv,
  playEpisodes,
  RandomPolicy,
  SpreadExpertPolicy,
  SpreadMediumPolicy,
  TIERS,
} from "../../../core/envs/mod.ts";
import { EXPERT_NOISE, MEDIUM_NOISE } from "../../../core/envs/policies/spread.ts";
import type { Policy } from "../../../core/policy.ts";

const spreadSpec = makeEnv("spread", 1).spec;

async function meanReturn(env: string, policy: Policy, episodes: number): Promise<number> {
  const { returns } = await playEpisodes(envFactory(env), policy, { episodes, seeds: [31] });
  return returns.reduce((a, b) => a + b, 0) / returns.length;
}

for (const tier of TIERS) {
  Deno.test(`spread ${tier}: no generated action is exactly +-1`, async () => {
    const { dataset } = await generateDataset({
      env: "spread",
      tier,
      episodes: 40,
      seed: 2,
      referenceEpisodes: 4,
    });
    let largest = 0;
    for (const a of dataset.action) largest = Math.max(largest, Math.abs(a));
    assert(largest < 1, `an action of ${largest}`);
    // The dataset's pre-activations stay where a Gaussian fit can reach them.
    assert(Math.atanh(largest) <= 8.01, `atanh ${Math.atanh(largest)}`);
  });
}

Deno.test("spread random: actions are strictly inside (-1, 1) and centred", async () => {
  const actions = await new RandomPolicy(spreadSpec, 4).act(new Float32Array(3_000 * 14));
  let sum = 0;
  for (const a of actions) {
    assert(a > -1 && a < 1, `action ${a}`);
    sum += a;
  }
  assertClose(sum / actions.length, 0, 0.03, "mean random action");
});

for (const [level, noise] of [["medium", MEDIUM_NOISE], ["expert", EXPERT_NOISE]] as const) {
  const make = (std: number) =>
    level === "medium"
      ? new SpreadMediumPolicy(spreadSpec, 7, std)
      : new SpreadExpertPolicy(spreadSpec, 7, std);

  Deno.test(`spread ${level}: noise only costs return (same 200 episodes)`, async () => {
    const [clean, noisy, noisier] = await Promise.all(
      [0, noise, 2 * noise].map((std) => meanReturn("spread", make(std), 200)),
    );
    assert(clean >= noisy, `noise-free ${clean} < noisy ${noisy}`);
    assert(noisy > noisier, `twice the noise ${noisier} >= ${noisy}`);
  });

  Deno.test(`spread ${level}: the noise is Gaussian around the rule before the squash`, () => {
    const obs = makeEnv("spread", 500).reset(3).obs;
    const rule = make(0).actNow(obs), noisy = make(noise).actNow(obs);
    let sum = 0, squares = 0;
    for (let k = 0; k < rule.length; k++) {
      const gap = Math.atanh(noisy[k]) - Math.atanh(rule[k]);
      sum += gap;
      squares += gap * gap;
    }
    const mean = sum / rule.length;
    assertClose(mean, 0, 0.05, "mean noise in u");
    assertClose(Math.sqrt(squares / rule.length - mean * mean), noise, 0.05, "noise std in u");
  });
}

Deno.test("spread: the expert's decisions, not its noise, beat medium's", async () => {
  const medium = await meanReturn("spread", new SpreadMediumPolicy(spreadSpec, 7, 0), 200);
  const expert = await meanReturn("spread", new SpreadExpertPolicy(spreadSpec, 7, 0), 200);
  const random = await meanReturn("spread", new RandomPolicy(spreadSpec, 7), 200);
  const normalised = (medium - random) / (expert - random);
  assert(normalised > 0.25 && normalised < 0.75, `noise-free medium at ${normalised}`);
});
