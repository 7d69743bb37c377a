/**
 * Importer for the CSV long layout (README, "Dataset formats"): one line per transition and
 * agent, columns `episode,t,agent,obs_0..,state_0..,action_0..,reward,done,truncated[,avail_0..]`,
 * comma-separated with a header line. Parsed by DuckDB's CSV reader with declared column types;
 * rows are ordered by (episode, t, agent). Actions are continuous in [-1, 1] unless `avail_*`
 * columns are present: then `action_0` is a discrete action index and `avail_k` says whether
 * action k was available.
 *
 * @module
 */
import type { CanonicalDataset } from "../../core/dataset.ts";
import { duckEngine } from "../engine.ts";
import { DatasetError } from "../errors.ts";
import { saveDataset } from "../store.ts";
import type { SourceNaming } from "../validate.ts";
import { importedInfo, type ImportOptions, type ImportResult, requireFile } from "./options.ts";

/** The layout a CSV header describes. */
export interface CsvLayout {
  obsDim: number;
  stateDim: number;
  actDim: number;
  /** Number of `avail_*` columns (0: continuous actions). */
  nActions: number;
}

const REQUIRED = ["episode", "t", "agent", "reward", "done", "truncated"];
const VECTORS = ["obs", "state", "action", "avail"] as const;

/** Reads the layout from a header line; throws naming the offending column. */
export function csvLayout(header: string, file: string, delimiter = ","): CsvLayout {
  const names = headerNames(header, delimiter);
  const fail = (field: string | undefined, problem: string): never => {
    throw new DatasetError("invalid_dataset", problem, { file, field, row: "line 1 (header)" });
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

/** The column names of a header line (BOM, spaces and quotes removed). */
function headerNames(header: string, delimiter: string): string[] {
  return header.replace(/^\uFEFF/, "").trim().split(delimiter).map((name) =>
    name.trim().replace(/^"(.*)"$/, "$1")
  );
}

/** The type DuckDB reads a column as: integers for ids, flags and masks, else DOUBLE. */
function sqlType(name: string): string {
  return ["episode", "t", "agent", "done", "truncated"].includes(name) || name.startsWith("avail_")
    ? "INTEGER"
    : "DOUBLE";
}

async function readHeader(path: string): Promise<string> {
  const file = await Deno.open(path, { read: true });
  try {
    const buffer = new Uint8Array(1 << 16);
    const read = await file.read(buffer);
    const text = new TextDecoder().decode(buffer.subarray(0, read ?? 0));
    return text.split(/\r?\n/, 1)[0];
  } finally {
    file.close();
  }
}

/** The field delimiter of a delimited text file: a tab for `.tsv`, else a comma. */
export function delimiterOf(path: string): "," | "\t" {
  return path.toLowerCase().endsWith(".tsv") ? "\t" : ",";
}

/**
 * Reads and validates a CSV file in the long layout into the canonical form (tab-separated when
 * the name ends in `.tsv`).
 */
export async function readCsvDataset(
  path: string,
): Promise<{ dataset: CanonicalDataset; naming: SourceNaming }> {
  await requireFile(path);
  const delimiter = delimiterOf(path);
  const header = await readHeader(path);
  const layout = csvLayout(header, path, delimiter);
  // Every name matched a fixed pattern in csvLayout and the file is registered under a generated
  // name, so no user text reaches the SQL.
  const order = headerNames(header, delimiter);
  const declared = order.map((name) => `'${name}': '${sqlType(name)}'`).join(", ");
  const engine = await duckEngine();
  const registered = engine.registerLocalFile(path, "csv");
  const table = engine.temporaryName("csv");
  try {
    engine.query(
      `CREATE TABLE ${table} AS SELECT (row_number() OVER () + 1)::INTEGER AS line, *
         FROM read_csv('${registered}', header = true, auto_detect = false, delim = '${delimiter}',
                       quote = '"', columns = {${declared}})`,
    );
  } catch (error) {
    engine.dropFile(registered);
    throw new DatasetError(
      "invalid_dataset",
      `cannot read it as the CSV long layout: ${(error as Error).message}`,
      { file: path },
    );
  }
  try {
    engine.dropFile(registered);
    const firstNull = order.map((name) =>
      `min(line) FILTER (WHERE "${name}" IS NULL) AS "${name}"`
    );
    const [nulls] = engine.query(`SELECT ${firstNull.join(", ")} FROM ${table}`);
    for (const name of order) {
      if (nulls[name] !== null) {
        throw new DatasetError("invalid_dataset", "expected a value, got an empty field", {
          file: path,
          field: name,
          row: `line ${nulls[name]}`,
        });
      }
    }
    const { rows, columns } = engine.queryColumns(
      `SELECT * FROM ${table} ORDER BY episode, t, agent`,
    );
    const dataset = toCanonical(columns, rows, layout, path);
    return { dataset, naming: namingFor(path, columns.line, dataset.spec.nAgents) };
  } finally {
    engine.dropTable(table);
  }
}

function toCanonical(
  columns: Record<string, ArrayLike<number>>,
  lines: number,
  layout: CsvLayout,
  path: string,
): CanonicalDataset {
  const line = columns.line;
  const agentColumn = columns.agent;
  const fail = (field: string, i: number, problem: string): never => {
    throw new DatasetError("invalid_dataset", problem, {
      file: path,
      field,
      row: `line ${line[i]}`,
    });
  };
  let nAgents = 0;
  for (let i = 0; i < lines; i++) {
    if (agentColumn[i] < 0) fail("agent", i, `expected an agent index >= 0, got ${agentColumn[i]}`);
    nAgents = Math.max(nAgents, agentColumn[i] + 1);
  }
  if (lines === 0) {
    throw new DatasetError("invalid_dataset", "expected at least one data line", { file: path });
  }
  if (lines % nAgents !== 0) {
    throw new DatasetError(
      "invalid_dataset",
      `expected ${nAgents} lines (agents 0..${
        nAgents - 1
      }) per (episode, t), got ${lines} lines in all`,
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
          } of episode ${episode[i]}, t ${t[i]}: each (episode, t) needs one line per agent 0..${
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

function namingFor(path: string, line: ArrayLike<number>, nAgents: number): SourceNaming {
  return {
    file: path,
    field: (field, _agent, k) =>
      VECTORS.includes(field as (typeof VECTORS)[number]) && k !== undefined
        ? `${field}_${k}`
        : field,
    row: (row, agent) =>
      agent === undefined
        ? `line ${line[row * nAgents]}`
        : `line ${line[row * nAgents + agent]} (agent ${agent})`,
  };
}

/**
 * Imports a CSV file in the long layout into the store.
 *
 * @example
 * ```ts ignore
 * const { manifest } = await importCsv("episodes.csv", { name: "my-data", env: "spread" });
 * ```
 */
export async function importCsv(path: string, options: ImportOptions = {}): Promise<ImportResult> {
  const { dataset, naming } = await readCsvDataset(path);
  const manifest = await saveDataset(dataset, importedInfo(path, options, "csv"), {
    home: options.home,
    expectedSpec: options.expectedSpec,
    naming,
  });
  return { manifest, notes: [] };
}
