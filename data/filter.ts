/**
 * Derived datasets: a small filter grammar over episodes, evaluated as SQL in DuckDB, whose
 * result is stored as a new dataset with its lineage. User text never reaches SQL: the grammar
 * is parsed into an {@link EpisodeFilter}, each kind maps to a fixed SQL template, and numbers
 * are bound as parameters.
 *
 * Grammar (case-insensitive):
 * - `top N` / `top P%`: the N (or P percent, rounded up) episodes with the highest return
 * - `bottom N` / `bottom P%`: the lowest returns
 * - `first N` / `last N`: episodes in dataset order
 * - `return OP X`, `length OP N`: OP one of `>=`, `>`, `<=`, `<`
 *
 * Selected episodes keep their order, episode ids and rows.
 *
 * @module
 */
import type { CanonicalDataset, DatasetInfo } from "../core/dataset.ts";
import { duckEngine } from "./engine.ts";
import { DatasetError } from "./errors.ts";
import type { StoreOptions } from "./home.ts";
import type { DatasetManifest } from "./manifest.ts";
import { episodeReturnsSql } from "./stats.ts";
import { loadDataset, saveDataset } from "./store.ts";

/** A parsed episode filter. */
export type EpisodeFilter =
  | { kind: "top" | "bottom"; count: number; percent: boolean }
  | { kind: "first" | "last"; count: number }
  | { kind: "return" | "length"; op: ComparisonOp; value: number };

type ComparisonOp = ">=" | ">" | "<=" | "<";

const NUMBER = String.raw`([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)`;

/**
 * Parses the filter grammar; throws `invalid_input` naming the text and the accepted forms.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseEpisodeFilter } from "./filter.ts";
 * const filter = parseEpisodeFilter("top 30%");
 * assert.ok(filter.kind === "top" && filter.count === 30);
 * ```
 */
export function parseEpisodeFilter(text: string): EpisodeFilter {
  const source = text.trim().toLowerCase().replace(/\s+/g, " ");
  let match = source.match(new RegExp(`^(top|bottom) ${NUMBER}( ?%)?$`));
  if (match !== null) {
    const count = Number(match[2]);
    const percent = match[3] !== undefined;
    if (percent ? count > 0 && count <= 100 : Number.isInteger(count) && count > 0) {
      return { kind: match[1] as "top" | "bottom", count, percent };
    }
  }
  match = source.match(/^(first|last) (\d+)$/);
  if (match !== null && Number(match[2]) > 0) {
    return { kind: match[1] as "first" | "last", count: Number(match[2]) };
  }
  match = source.match(new RegExp(`^(return|length) ?(>=|>|<=|<) ?${NUMBER}$`));
  if (match !== null) {
    return {
      kind: match[1] as "return" | "length",
      op: match[2] as ComparisonOp,
      value: Number(match[3]),
    };
  }
  throw new DatasetError(
    "invalid_input",
    `cannot read the filter ${JSON.stringify(text)}; expected one of "top N", "top P%", ` +
      `"bottom N", "bottom P%", "first N", "last N", "return >= X", "length < N" ` +
      `(comparisons >=, >, <=, <)`,
  );
}

/** The canonical text of a filter (what lineage records). */
export function formatEpisodeFilter(filter: EpisodeFilter): string {
  switch (filter.kind) {
    case "top":
    case "bottom":
      return `${filter.kind} ${filter.count}${filter.percent ? "%" : ""}`;
    case "first":
    case "last":
      return `${filter.kind} ${filter.count}`;
    default:
      return `${filter.kind} ${filter.op} ${filter.value}`;
  }
}

/** SQL selecting the filtered episodes of `table` (first_row, len, ret), in dataset order. */
function selectionSql(table: string, filter: EpisodeFilter): { sql: string; params: unknown[] } {
  const base = `WITH e AS (${episodeReturnsSql(table)}) SELECT first_row, len, ret FROM e`;
  const order = "ORDER BY first_row";
  switch (filter.kind) {
    case "top":
    case "bottom": {
      const direction = filter.kind === "top" ? "DESC" : "ASC";
      const limit = filter.percent ? "ceil(?::DOUBLE * count(*) OVER () / 100)" : "?::INTEGER";
      return {
        sql: `${base} QUALIFY row_number() OVER (ORDER BY ret ${direction}, first_row) <= ${limit}
          ${order}`,
        params: [filter.count],
      };
    }
    case "first":
    case "last": {
      const direction = filter.kind === "first" ? "ASC" : "DESC";
      return {
        sql: `${base} QUALIFY row_number() OVER (ORDER BY first_row ${direction}) <= ?::INTEGER
          ${order}`,
        params: [filter.count],
      };
    }
    default: {
      const column = filter.kind === "return" ? "ret" : "len";
      const op = ({ ">=": ">=", ">": ">", "<=": "<=", "<": "<" } as const)[filter.op];
      return { sql: `${base} WHERE ${column} ${op} ?::DOUBLE ${order}`, params: [filter.value] };
    }
  }
}

/** Options of {@link filterDataset}. */
export interface FilterOptions extends StoreOptions {
  /** Name of the derived dataset (default `<parent name> (<filter>)`). */
  name?: string;
}

/**
 * Stores the episodes of a dataset selected by a filter as a new dataset, with lineage
 * `[...parent lineage, { parent: parentId, filter }]`, and returns its manifest.
 *
 * @example
 * ```ts ignore
 * const best = await filterDataset("spread-medium-0123456789ab", "top 30%");
 * console.log(best.lineage); // [{ parent: "spread-medium-0123456789ab", filter: "top 30%" }]
 * ```
 */
export async function filterDataset(
  idOrName: string,
  filterText: string,
  options: FilterOptions = {},
): Promise<DatasetManifest> {
  const filter = parseEpisodeFilter(filterText);
  const { manifest, dataset } = await loadDataset(idOrName, options);
  const engine = await duckEngine();
  const table = engine.datasetTable(manifest, dataset);
  const { sql, params } = selectionSql(table, filter);
  const selected = engine.query(sql, ...params);
  const filterLabel = formatEpisodeFilter(filter);
  if (selected.length === 0) {
    throw new DatasetError("invalid_input", `the filter "${filterLabel}" selects no episodes`, {
      file: manifest.id,
    });
  }
  const ranges = selected.map((r) => [r.first_row as number, r.len as number] as const);
  const [returns] = engine.query(
    `SELECT avg(ret) AS mean, coalesce(stddev_pop(ret), 0) AS std FROM (${sql})`,
    ...params,
  );
  const info: DatasetInfo = {
    name: options.name ?? `${manifest.name} (${filterLabel})`,
    env: manifest.env,
    envConfig: manifest.envConfig,
    tier: manifest.tier,
    behaviourReturn: { mean: Number(returns.mean), std: Number(returns.std) },
    reference: manifest.reference,
    source: "filter",
    lineage: [...(manifest.lineage ?? []), { parent: manifest.id, filter: filterLabel }],
  };
  return await saveDataset(selectRows(dataset, ranges), info, options);
}

/** A dataset made of the row ranges `[first, first + length)` of another, in order. */
export function selectRows(
  dataset: CanonicalDataset,
  ranges: readonly (readonly [number, number])[],
): CanonicalDataset {
  const { spec } = dataset;
  const size = ranges.reduce((sum, [, length]) => sum + length, 0);
  const a = spec.nAgents;
  const pick = <T extends Int32Array | Float32Array | Uint8Array>(from: T, width: number): T => {
    const out = new (from.constructor as new (n: number) => T)(size * width);
    let at = 0;
    for (const [first, length] of ranges) {
      out.set(from.subarray(first * width, (first + length) * width), at);
      at += length * width;
    }
    return out;
  };
  return {
    spec,
    size,
    episode: pick(dataset.episode, 1),
    t: pick(dataset.t, 1),
    obs: pick(dataset.obs, a * spec.obsDim),
    state: pick(dataset.state, a * spec.stateDim),
    action: pick(dataset.action, a * spec.actDim),
    avail: dataset.avail === undefined ? undefined : pick(dataset.avail, a * spec.nActions!),
    reward: pick(dataset.reward, 1),
    done: pick(dataset.done, 1),
    truncated: pick(dataset.truncated, 1),
  };
}
