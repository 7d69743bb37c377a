/**
 * Dataset statistics, computed as SQL over the dataset's table in the DuckDB engine: episode and
 * transition counts, the distribution of episode returns (population std, quartiles by linear
 * interpolation, a histogram), episode lengths, the reward range and per-agent action moments.
 *
 * @module
 */
import { actionColumn, type DuckEngine, duckEngine } from "./engine.ts";
import type { StoreOptions } from "./home.ts";
import type { DatasetManifest } from "./manifest.ts";
import { loadDataset } from "./store.ts";

/** Summary of a numeric distribution. */
export interface Distribution {
  mean: number;
  std: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
}

/** Statistics of a stored dataset (what `datasets show` prints and the HTTP API returns). */
export interface DatasetStats {
  id: string;
  name: string;
  rows: number;
  episodes: number;
  transitions: number;
  terminalEpisodes: number;
  episodeReturn: Distribution;
  /** `counts[i]` episodes have a return in `[edges[i], edges[i + 1])` (last bin closed). */
  returnHistogram: { edges: number[]; counts: number[] };
  episodeLength: { mean: number; min: number; max: number };
  reward: { mean: number; min: number; max: number };
  /** Per agent, per action component: mean and population std (discrete: of the index). */
  actions: { agent: number; mean: number[]; std: number[] }[];
}

/** Options of {@link datasetStats}. */
export interface StatsOptions extends StoreOptions {
  /** Number of histogram bins (default 10). */
  bins?: number;
}

/** The SQL of per-episode returns over a dataset table (a generated identifier). */
export function episodeReturnsSql(table: string): string {
  return `SELECT episode, sum(reward::DOUBLE) AS ret, count(*)::INTEGER AS len,
      min(row)::INTEGER AS first_row, max(done)::INTEGER AS terminal
    FROM ${table} GROUP BY episode`;
}

/**
 * Computes a stored dataset's statistics in DuckDB.
 *
 * @example
 * ```ts ignore
 * const stats = await datasetStats("spread-expert-0123456789ab");
 * console.log(stats.episodes, stats.episodeReturn.mean);
 * ```
 */
export async function datasetStats(
  idOrName: string,
  options: StatsOptions = {},
): Promise<DatasetStats> {
  const { manifest, dataset } = await loadDataset(idOrName, options);
  const engine = await duckEngine();
  const table = engine.datasetTable(manifest, dataset);
  return statsOfTable(engine, table, manifest, options.bins ?? 10);
}

function statsOfTable(
  engine: DuckEngine,
  table: string,
  manifest: DatasetManifest,
  bins: number,
): DatasetStats {
  const returns = episodeReturnsSql(table);
  const [summary] = engine.query(
    `WITH e AS (${returns}) SELECT
      count(*)::INTEGER AS episodes,
      coalesce(sum(terminal), 0)::INTEGER AS terminal_episodes,
      avg(ret) AS mean, coalesce(stddev_pop(ret), 0) AS std, min(ret) AS min,
      quantile_cont(ret, 0.25) AS q1, quantile_cont(ret, 0.5) AS median,
      quantile_cont(ret, 0.75) AS q3, max(ret) AS max,
      avg(len)::DOUBLE AS len_mean, min(len)::INTEGER AS len_min, max(len)::INTEGER AS len_max
    FROM e`,
  );
  // Every row but an episode's last starts a transition; the last does when it is terminal
  // (validation keeps done on last rows only).
  const [rows] = engine.query(
    `SELECT count(*)::INTEGER AS rows, avg(reward::DOUBLE) AS reward_mean,
      min(reward)::DOUBLE AS reward_min, max(reward)::DOUBLE AS reward_max,
      (SELECT coalesce(sum(len - 1 + terminal), 0)::INTEGER FROM (${returns})) AS transitions
    FROM ${table}`,
  );
  const num = (value: unknown) => (value === null || value === undefined ? NaN : Number(value));
  const min = num(summary.min);
  const max = num(summary.max);
  const counts = new Array<number>(bins).fill(0);
  const width = (max - min) / bins;
  if (summary.episodes as number > 0) {
    const histogram = engine.query(
      `WITH e AS (${returns})
       SELECT least(CASE WHEN ?::DOUBLE > 0 THEN floor((ret - ?::DOUBLE) / ?::DOUBLE) ELSE 0 END,
                    ?::INTEGER - 1)::INTEGER AS bin,
              count(*)::INTEGER AS n
       FROM e GROUP BY bin ORDER BY bin`,
      width,
      min,
      width,
      bins,
    );
    for (const { bin, n } of histogram) counts[bin as number] = n as number;
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : min + i * width));
  const { spec } = manifest;
  const moments = [];
  for (let agent = 0; agent < spec.nAgents; agent++) {
    for (let k = 0; k < spec.actDim; k++) {
      const column = actionColumn(agent, k);
      moments.push(`avg(${column}::DOUBLE) AS m_${agent}_${k}`);
      moments.push(`coalesce(stddev_pop(${column}::DOUBLE), 0) AS s_${agent}_${k}`);
    }
  }
  const [actionRow] = engine.query(`SELECT ${moments.join(", ")} FROM ${table}`);
  const actions = Array.from({ length: spec.nAgents }, (_, agent) => ({
    agent,
    mean: Array.from({ length: spec.actDim }, (_, k) => num(actionRow[`m_${agent}_${k}`])),
    std: Array.from({ length: spec.actDim }, (_, k) => num(actionRow[`s_${agent}_${k}`])),
  }));
  return {
    id: manifest.id,
    name: manifest.name,
    rows: num(rows.rows),
    episodes: num(summary.episodes),
    transitions: num(rows.transitions),
    terminalEpisodes: num(summary.terminal_episodes),
    episodeReturn: {
      mean: num(summary.mean),
      std: num(summary.std),
      min,
      q1: num(summary.q1),
      median: num(summary.median),
      q3: num(summary.q3),
      max,
    },
    returnHistogram: { edges, counts },
    episodeLength: {
      mean: num(summary.len_mean),
      min: num(summary.len_min),
      max: num(summary.len_max),
    },
    reward: {
      mean: num(rows.reward_mean),
      min: num(rows.reward_min),
      max: num(rows.reward_max),
    },
    actions,
  };
}
