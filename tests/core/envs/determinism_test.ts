import { assert, assertEquals } from "../../assert.ts";
import { evaluate, generateDataset, makeEnv, scriptedPolicy } from "../../../core/envs/mod.ts";
import type { CanonicalDataset } from "../../../core/dataset.ts";

function bytesOf(dataset: CanonicalDataset): Uint8Array[] {
  const fields = [
    dataset.episode,
    dataset.t,
    dataset.obs,
    dataset.state,
    dataset.action,
    dataset.reward,
    dataset.done,
    dataset.truncated,
    ...(dataset.avail ? [dataset.avail] : []),
  ];
  return fields.map((f) => new Uint8Array(f.buffer, f.byteOffset, f.byteLength));
}

for (const env of ["spread", "skirmish"]) {
  for (const tier of ["medium", "medium-replay", "medium-expert"]) {
    Deno.test(`${env} ${tier}: the same seed gives the same trajectory bytes`, async () => {
      const make = (seed: number) =>
        generateDataset({ env, tier, episodes: 12, seed, referenceEpisodes: 4 });
      const a = await make(3), b = await make(3), c = await make(4);
      assertEquals(bytesOf(a.dataset), bytesOf(b.dataset));
      assertEquals(a.info, b.info);
      assert(
        bytesOf(a.dataset)[2].some((v, k) => v !== bytesOf(c.dataset)[2][k]),
        "another seed should give other observations",
      );
    });
  }
}

Deno.test("an episode depends on its seed, not on how episodes are batched", async () => {
  const policy = scriptedPolicy(makeEnv("skirmish", 1), "expert", 0);
  const options = { episodes: 9, seeds: [5, 6] };
  const together = await evaluate(policy, "skirmish", {
    ...options,
    reference: { random: 0, expert: 1 },
  });
  const batched = await evaluate(policy, "skirmish", {
    ...options,
    maxBatch: 4,
    reference: { random: 0, expert: 1 },
  });
  assertEquals(batched.returns, together.returns);
  assertEquals(batched.lengths, together.lengths);
});

Deno.test("reset with the same seeds restarts the same episodes", () => {
  const env = makeEnv("spread", 3);
  const first = env.reset(11).obs.slice();
  env.step(new Float32Array(3 * 3 * 2).fill(0.5));
  assertEquals(env.reset(11).obs.slice(), first);
  assert(env.reset(12).obs.some((v, k) => v !== first[k]));
});

Deno.test("dataset episodes never start where evaluation episodes of the same seed start", async () => {
  const { dataset, info } = await generateDataset({
    env: "spread",
    tier: "random",
    episodes: 5,
    seed: 0,
    referenceEpisodes: 4,
  });
  assertEquals(info.generator, {
    seed: 0,
    episodes: 5,
    referenceEpisodes: 4,
    referenceSeed: 20_240_601,
  });
  const evaluationStarts = makeEnv("spread", 5).reset(0).obs; // evaluate's episodes of seed 0
  const rowWidth = 3 * 14;
  for (let e = 0; e < 5; e++) {
    const datasetStart = dataset.obs.subarray(e * 25 * rowWidth, e * 25 * rowWidth + rowWidth);
    const evaluationStart = evaluationStarts.subarray(e * rowWidth, (e + 1) * rowWidth);
    assert(datasetStart.some((v, k) => v !== evaluationStart[k]), `episode ${e}`);
  }
});
