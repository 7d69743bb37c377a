/**
 * Small canonical datasets and temporary stores for the data-layer tests.
 *
 * @module
 */
import type { CanonicalDataset, DatasetInfo, MultiAgentSpec } from "../../core/dataset.ts";
import { Rng } from "../../core/rng.ts";

/** Episode lengths and how each ends. */
export interface EpisodePlan {
  length: number;
  end: "done" | "truncated" | "open";
}

/**
 * A seeded dataset with the given episodes. Rewards are small integers plus a seeded fraction so
 * that returns differ; continuous actions lie in [-1, 1]; discrete actions are always available.
 */
export function makeDataset(
  episodes: EpisodePlan[],
  { nAgents = 2, obsDim = 3, stateDim = 4, discrete = false, seed = 1, firstEpisode = 0 } = {},
): CanonicalDataset {
  const rng = Rng.fromSeed(seed);
  const spec: MultiAgentSpec = discrete
    ? { nAgents, obsDim, stateDim, actionKind: "discrete", actDim: 1, nActions: 4 }
    : { nAgents, obsDim, stateDim, actionKind: "continuous", actDim: 2 };
  const size = episodes.reduce((sum, e) => sum + e.length, 0);
  const dataset: CanonicalDataset = {
    spec,
    size,
    episode: new Int32Array(size),
    t: new Int32Array(size),
    obs: rng.fillNormal(new Float32Array(size * nAgents * obsDim)) as Float32Array,
    state: rng.fillNormal(new Float32Array(size * nAgents * stateDim)) as Float32Array,
    action: discrete
      ? new Int32Array(size * nAgents)
      : rng.fillUniform(new Float32Array(size * nAgents * spec.actDim), -1, 1) as Float32Array,
    avail: discrete ? new Uint8Array(size * nAgents * 4) : undefined,
    reward: new Float32Array(size),
    done: new Uint8Array(size),
    truncated: new Uint8Array(size),
  };
  if (discrete) {
    for (let i = 0; i < size * nAgents; i++) {
      dataset.action[i] = rng.int(0, 3);
      for (let k = 0; k < 4; k++) {
        dataset.avail![i * 4 + k] = k === dataset.action[i] ? 1 : rng.int(0, 1);
      }
    }
  }
  let row = 0;
  episodes.forEach((plan, e) => {
    for (let t = 0; t < plan.length; t++, row++) {
      dataset.episode[row] = firstEpisode + e;
      dataset.t[row] = t;
      dataset.reward[row] = Math.fround(rng.int(-2, 5) + rng.float());
    }
    if (plan.end === "done") dataset.done[row - 1] = 1;
    if (plan.end === "truncated") dataset.truncated[row - 1] = 1;
  });
  return dataset;
}

/** A producer's info for a test dataset. */
export function makeInfo(name: string, extra: Partial<DatasetInfo> = {}): DatasetInfo {
  return { name, env: "test-env", envConfig: { size: 3 }, source: "generate", ...extra };
}

/** Runs `body` with a fresh temporary directory, removed afterwards. */
export async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "omiga-data-test-" });
  try {
    return await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Every entry (names, recursively, with sizes) under a directory: a snapshot of a store. */
export async function snapshot(dir: string): Promise<string[]> {
  const entries: string[] = [];
  const walk = async (path: string, prefix: string) => {
    let listing: Deno.DirEntry[];
    try {
      listing = await Array.fromAsync(Deno.readDir(path));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw error;
    }
    for (const entry of listing) {
      const full = `${path}/${entry.name}`;
      if (entry.isDirectory) {
        entries.push(`${prefix}${entry.name}/`);
        await walk(full, `${prefix}${entry.name}/`);
      } else entries.push(`${prefix}${entry.name} ${(await Deno.stat(full)).size}`);
    }
  };
  await walk(dir, "");
  return entries.sort();
}

/** A plain copy of every array of a dataset, for deep comparisons. */
export function arraysOf(dataset: CanonicalDataset): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (
    const key of [
      "episode",
      "t",
      "obs",
      "state",
      "action",
      "avail",
      "reward",
      "done",
      "truncated",
    ] as const
  ) {
    const values = dataset[key];
    if (values !== undefined) out[key] = Array.from(values);
  }
  return out;
}
