import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { cli } from "./run_cli.ts";
import { loadDataset } from "../../data/mod.ts";

Deno.test("generate stores a built-in dataset with its behaviour and reference returns", async () => {
  const home = join(await Deno.makeTempDir(), "home");
  try {
    const result = await cli(
      "generate",
      "--env",
      "spread",
      "--tier",
      "medium",
      "--episodes",
      "12",
      "--seed",
      "4",
      "--reference-episodes",
      "20",
      "--home",
      home,
      "--json",
    );
    assertEquals(result.code, 0, result.err);
    const manifest = JSON.parse(result.out);
    assertEquals(manifest.name, "spread-medium-12ep-s4");
    assertEquals([manifest.env, manifest.tier, manifest.episodes, manifest.rows], [
      "spread",
      "medium",
      12,
      12 * 25,
    ]);
    assert(manifest.reference.expert > manifest.behaviourReturn.mean, "expert beats medium");
    assert(manifest.behaviourReturn.mean > manifest.reference.random, "medium beats random");
    const stored = await loadDataset(manifest.id, { home });
    assertEquals(stored.dataset.size, 12 * 25);
  } finally {
    await Deno.remove(join(home, ".."), { recursive: true });
  }
});

Deno.test("generate rejects an unknown environment or tier by name", async () => {
  const home = await Deno.makeTempDir();
  try {
    const env = await cli("generate", "--env", "pong", "--tier", "medium", "--home", home);
    assertEquals(env.code, 2);
    assert(env.err.includes('unknown environment "pong"'), env.err);
    const tier = await cli("generate", "--env", "spread", "--tier", "great", "--home", home);
    assertEquals(tier.code, 2);
    assert(tier.err.includes("great"), tier.err);
    const episodes = await cli(
      "generate",
      "--env",
      "spread",
      "--tier",
      "medium",
      "--episodes",
      "x",
    );
    assertEquals(episodes.code, 2);
    assert(episodes.err.includes("--episodes"), episodes.err);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
