/**
 * The long layout (README, "Dataset formats"), shared by the CSV and the long Parquet importers:
 * one row per time step and agent, columns `episode,t,agent,obs_0..,state_0..,action_0..,reward,
 * done,truncated[,avail_0..]`. Actions are continuous in [-1, 1] unless `avail_*` columns are
 * present: then `action_0` is a discrete action index and `avail_k` says whether action k was
 * available. An importer loads its rows into a DuckDB table with declared column types and a
 * `line` column numbering them as its users count (CSV: file lines; Parquet: rows from 0);
 * {@link readLongTable} orders them by (episode, t, agent) and builds the canonical arrays.
 *
 * @module
 */
import type { CanonicalDataset, MultiAgentSpec } from "../../core/dataset.ts";
import type { DuckEngine } from "../engine.ts";
import { DatasetError } from "../errors.ts";
import type { SourceNaming } from "../validate.ts";

/** The layout a header describes. */
export interface LongLayout {
  obsDim: number;
  stateDim: number;
  actDim: number;
  /** Number of `avail_*` columns (0: continuous actions). */
  nActions: number;
}

const REQUIRED = ["episode", "t", "agent", "reward", "done", "truncated"];
const VECTORS = ["obs", "state", "action", "avail"] as const;

/**
 * Reads the layout from the column names; throws naming the offending column (`where`: the row
 * that holds the names, when the input has one).
 */
export function longLayout(names: string[], file: string, where?: string): LongLayout {
  const fail = (field: string | undefined, problem: string): never => {
    throw new DatasetError("invalid_dataset", problem, { file, field, row: where });
  };
  const seen = new Set<string>();
  const widths: Record<string, number[]> = { obs: [], state: [], action: [], avail: [] };
  for (const name of names) {
    if (seen.has(name)) fail(name, `expected each column once, got "${name}" twice`);
    seen.add(name);
    const vector = name.match(/^(obs|state|action|avail)_(\d+)$/);
    if (vector !== null) widths[vector[1]].push(Number(vector[2]));
    else if (!REQUIRED.includes(name)) {
      fail(
        name,
        `unexpected column "${name}"; expected ${
          REQUIRED.join(", ")
        }, obs_k, state_k, action_k and optionally avail_k`,
      );
    }
  }
  for (const name of REQUIRED) if (!seen.has(name)) fail(name, `expected a column "${name}"`);
  const width = (prefix: (typeof VECTORS)[number]) => {
    const indices = widths[prefix].sort((a, b) => a - b);
    indices.forEach((index, i) => {
      if (index !== i) {
        fail(
          `${prefix}_${i}`,
          `expected columns ${prefix}_0..${prefix}_${
            indices.length - 1
          } without gaps, ${prefix}_${i} is missing`,
        );
      }
    });
    return indices.length;
  };
  const layout = {
    obsDim: width("obs"),
    stateDim: width("state"),
    actDim: width("action"),
    nActions: width("avail"),
  };
  for (const prefix of ["obs", "state", "action"] as const) {
    if (widths[prefix].length === 0) {
      fail(`${prefix}_0`, `expected at least one column ${prefix}_0`);
    }
  }
  if (layout.nActions > 0 && layout.actDim !== 1) {
    fail(
      "action_1",
      `expected a single action_0 column (a discrete index) when avail_* columns are present, got ${layout.actDim}`,
    );
  }
  return layout;
}

/** The columns of the long layout for a spec, in the order exports write them. */
export function longColumnNames(spec: MultiAgentSpec, withAvail: boolean): string[] {
  const names = ["episode", "t", "agent"];
  const vector = (prefix: string, width: number) => {
    for (let k = 0; k < width; k++) names.push(`${prefix}_${k}`);
  };
  vector("obs", spec.obsDim);
  vector("state", spec.stateDim);
  vector("action", spec.actDim);
  names.push("reward", "done", "truncated");
  if (withAvail) vector("avail", spec.nActions!);
  return names;
}

/** Whether a long-layout column holds integers (ids, flags, masks) rather than real numbers. */
export function isIntegerColumn(name: string): boolean {
  return ["episode", "t", "agent", "done", "truncated"].includes(name) || name.startsWith("avail_");
}

/** The type DuckDB reads a column as: integers for ids, flags and masks, else DOUBLE. */
export function sqlType(name: string): "INTEGER" | "DOUBLE" {
  return isIntegerColumn(name) ? "INTEGER" : "DOUBLE";
}

/** How an input names its rows and a missing value. */
export interface LongSource {
  file: string;
  /** The description of the row numbered `line`, e.g. `line 7` or `row 6`. */
  row: (line: number) => string;
  /** What a missing value is called: `an empty field`, `null`. */
  missing: string;
}

/**
 * Builds the canonical dataset from `table`, a DuckDB table with a `line` column and the
 * `names` columns of `layout` in the types {@link sqlType} names, and returns it with the
 * naming that points validation messages at the input's columns and rows.
 */
export function readLongTable(
  engine: DuckEngine,
  table: string,
  names: string[],
  layout: LongLayout,
  source: LongSource,
): { dataset: CanonicalDataset; naming: SourceNaming } {
  // Every name matched a fixed pattern in longLayout, so no user text reaches the SQL.
  const firstNull = names.map((name) => `min(line) FILTER (WHERE "${name}" IS NULL) AS "${name}"`);
  const [nulls] = engine.query(`SELECT ${firstNull.join(", ")} FROM ${table}`);
  for (const name of names) {
    if (nulls[name] !== null) {
      throw new DatasetError("invalid_dataset", `expected a value, got ${source.missing}`, {
        file: source.file,
        field: name,
        row: source.row(Number(nulls[name])),
      });
    }
  }
  const { rows, columns } = engine.queryColumns(
    `SELECT * FROM ${table} ORDER BY episode, t, agent`,
  );
  const dataset = toCanonical(columns, rows, layout, source);
  return { dataset, naming: namingFor(source, columns.line, dataset.spec.nAgents) };
}

function toCanonical(
  columns: Record<string, ArrayLike<number>>,
  lines: number,
  layout: LongLayout,
  source: LongSource,
): CanonicalDataset {
  const path = source.file;
  const line = columns.line;
  const agentColumn = columns.agent;
  const fail = (field: string, i: number, problem: string): never => {
    throw new DatasetError("invalid_dataset", problem, {
      file: path,
      field,
      row: source.row(line[i]),
    });
  };
  let nAgents = 0;
  for (let i = 0; i < lines; i++) {
    if (agentColumn[i] < 0) fail("agent", i, `expected an agent index >= 0, got ${agentColumn[i]}`);
    nAgents = Math.max(nAgents, agentColumn[i] + 1);
  }
  if (lines === 0) {
    throw new DatasetError("invalid_dataset", "expected at least one data row", { file: path });
  }
  if (lines % nAgents !== 0) {
    throw new DatasetError(
      "invalid_dataset",
      `expected ${nAgents} rows (agents 0..${
        nAgents - 1
      }) per (episode, t), got ${lines} rows in all`,
      { file: path, field: "agent" },
    );
  }
  const size = lines / nAgents;
  const discrete = layout.nActions > 0;
  const spec = {
    nAgents,
    obsDim: layout.obsDim,
    stateDim: layout.stateDim,
    actionKind: discrete ? "discrete" as const : "continuous" as const,
    actDim: layout.actDim,
    ...(discrete ? { nActions: layout.nActions } : {}),
  };
  const dataset: CanonicalDataset = {
    spec,
    size,
    episode: new Int32Array(size),
    t: new Int32Array(size),
    obs: new Float32Array(size * nAgents * layout.obsDim),
    state: new Float32Array(size * nAgents * layout.stateDim),
    action: discrete
      ? new Int32Array(size * nAgents)
      : new Float32Array(size * nAgents * layout.actDim),
    avail: discrete ? new Uint8Array(size * nAgents * layout.nActions) : undefined,
    reward: new Float32Array(size),
    done: new Uint8Array(size),
    truncated: new Uint8Array(size),
  };
  const { episode, t, reward, done, truncated } = columns;
  for (let row = 0; row < size; row++) {
    const first = row * nAgents;
    for (let agent = 0; agent < nAgents; agent++) {
      const i = first + agent;
      if (episode[i] !== episode[first] || t[i] !== t[first] || agentColumn[i] !== agent) {
        fail(
          "agent",
          i,
          `expected agent ${agent} of episode ${episode[first]}, t ${t[first]}, got agent ${
            agentColumn[i]
          } of episode ${episode[i]}, t ${t[i]}: each (episode, t) needs one row per agent 0..${
            nAgents - 1
          }`,
        );
      }
      for (const name of ["reward", "done", "truncated"]) {
        const values = columns[name];
        if (
          !Object.is(values[i], values[first]) &&
          !(Number.isNaN(values[i]) && Number.isNaN(values[first]))
        ) {
          fail(
            name,
            i,
            `expected the same ${name} for every agent of episode ${episode[i]}, t ${
              t[i]
            } (it is the team's), got ${values[i]} and ${values[first]}`,
          );
        }
      }
    }
    dataset.episode[row] = episode[first];
    dataset.t[row] = t[first];
    dataset.reward[row] = reward[first];
    dataset.done[row] = done[first] as number;
    dataset.truncated[row] = truncated[first] as number;
    if (done[first] < 0 || done[first] > 1) {
      fail("done", first, `expected 0 or 1, got ${done[first]}`);
    }
    if (truncated[first] < 0 || truncated[first] > 1) {
      fail("truncated", first, `expected 0 or 1, got ${truncated[first]}`);
    }
  }
  const fill = (prefix: string, width: number, out: Float32Array | Int32Array | Uint8Array) => {
    for (let k = 0; k < width; k++) {
      const values = columns[`${prefix}_${k}`];
      for (let i = 0; i < lines; i++) {
        const value = values[i];
        if (out instanceof Int32Array && !Number.isInteger(value)) {
          fail(`${prefix}_${k}`, i, `expected an integer action index, got ${value}`);
        }
        if (out instanceof Uint8Array && value !== 0 && value !== 1) {
          fail(`${prefix}_${k}`, i, `expected 0 or 1, got ${value}`);
        }
        out[i * width + k] = value;
      }
    }
  };
  fill("obs", layout.obsDim, dataset.obs);
  fill("state", layout.stateDim, dataset.state);
  fill("action", layout.actDim, dataset.action);
  if (discrete) fill("avail", layout.nActions, dataset.avail!);
  return dataset;
}

function namingFor(source: LongSource, line: ArrayLike<number>, nAgents: number): SourceNaming {
  return {
    file: source.file,
    field: (field, _agent, k) =>
      VECTORS.includes(field as (typeof VECTORS)[number]) && k !== undefined
        ? `${field}_${k}`
        : field,
    row: (row, agent) =>
      agent === undefined
        ? source.row(line[row * nAgents])
        : `${source.row(line[row * nAgents + agent])} (agent ${agent})`,
  };
}
