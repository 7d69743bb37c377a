/**
 * Validation of a {@link CanonicalDataset}: shapes, dtypes, NaN/Inf, action ranges, availability
 * masks, flags and episode contiguity. Every importer and the store run it, so a dataset on disk
 * is always valid. Importers pass a {@link SourceNaming} so that messages point at their own
 * file, field names and rows.
 *
 * @module
 */
import type { CanonicalDataset, MultiAgentSpec } from "../core/dataset.ts";
import { DatasetError } from "./errors.ts";

/** How an importer names the fields and rows of its own input in error messages. */
export interface SourceNaming {
  /** The file (or dataset) being validated. */
  file?: string;
  /** The input's name of a canonical field (`obs` -> `o` for OMIGA HDF5). */
  field?: (canonical: string, agent?: number, component?: number) => string;
  /** The input's description of a canonical row (and agent). */
  row?: (row: number, agent?: number) => string;
}

/** Counts found while validating. */
export interface ValidationSummary {
  rows: number;
  episodes: number;
}

/**
 * Checks every invariant of the canonical layout and throws a {@link DatasetError}
 * (`invalid_dataset`) naming the file, field, row and what was expected at the first violation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateCanonical } from "./validate.ts";
 * const spec = { nAgents: 1, obsDim: 1, stateDim: 1, actionKind: "continuous", actDim: 1 } as const;
 * const summary = validateCanonical({
 *   spec, size: 2, episode: new Int32Array([0, 0]), t: new Int32Array([0, 1]),
 *   obs: new Float32Array(2), state: new Float32Array(2), action: new Float32Array([0.5, -1]),
 *   reward: new Float32Array([1, 2]), done: new Uint8Array([0, 1]), truncated: new Uint8Array(2),
 * });
 * assert.ok(summary.episodes === 1);
 * ```
 */
export function validateCanonical(
  dataset: CanonicalDataset,
  naming: SourceNaming = {},
): ValidationSummary {
  const fail = (
    field: string,
    row: number | undefined,
    problem: string,
    agent?: number,
    k?: number,
  ) => {
    throw new DatasetError("invalid_dataset", problem, {
      file: naming.file,
      field: naming.field?.(field, agent, k) ?? field,
      row: row === undefined ? undefined : (naming.row?.(row, agent) ??
        (agent === undefined ? `row ${row}` : `row ${row}, agent ${agent}`)),
    });
  };
  const { spec, size } = dataset;
  checkSpec(spec, (problem) => fail("spec", undefined, problem));
  if (size === 0) fail("size", undefined, "expected at least one row, got none");
  if (!Number.isInteger(size) || size < 0) {
    fail("size", undefined, `expected a row count, got ${size}`);
  }
  const a = spec.nAgents;
  const checkArray = (field: string, array: unknown, kind: string, width: number) => {
    const ctor = { i32: Int32Array, f32: Float32Array, u8: Uint8Array }[kind]!;
    if (!(array instanceof ctor)) {
      fail(field, undefined, `expected ${ctor.name}, got ${describeType(array)}`);
    }
    const length = (array as ArrayLike<number>).length;
    if (length !== size * width) {
      const shape = width === 1 ? `[${size}]` : `[${size}, ${a}, ${width / a}]`;
      fail(
        field,
        undefined,
        `expected shape ${shape} (${size * width} values), got ${length} values`,
      );
    }
  };
  checkArray("episode", dataset.episode, "i32", 1);
  checkArray("t", dataset.t, "i32", 1);
  checkArray("obs", dataset.obs, "f32", a * spec.obsDim);
  checkArray("state", dataset.state, "f32", a * spec.stateDim);
  checkArray(
    "action",
    dataset.action,
    spec.actionKind === "discrete" ? "i32" : "f32",
    a * spec.actDim,
  );
  checkArray("reward", dataset.reward, "f32", 1);
  checkArray("done", dataset.done, "u8", 1);
  checkArray("truncated", dataset.truncated, "u8", 1);
  if (dataset.avail !== undefined) {
    if (spec.actionKind !== "discrete") {
      fail("avail", undefined, "expected no avail for continuous actions");
    }
    checkArray("avail", dataset.avail, "u8", a * spec.nActions!);
  }

  const finite = (field: string, values: Float32Array, width: number) => {
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) {
        const row = Math.floor(i / width);
        const agent = width === 1 ? undefined : Math.floor((i % width) / (width / a));
        const k = width === 1 ? undefined : (i % width) % (width / a);
        fail(field, row, `expected a finite number, got ${values[i]}`, agent, k);
      }
    }
  };
  finite("obs", dataset.obs, a * spec.obsDim);
  finite("state", dataset.state, a * spec.stateDim);
  finite("reward", dataset.reward, 1);
  checkActions(dataset, fail);
  for (const field of ["done", "truncated"] as const) {
    const flags = dataset[field];
    for (let i = 0; i < size; i++) {
      if (flags[i] > 1) fail(field, i, `expected 0 or 1, got ${flags[i]}`);
    }
  }
  return { rows: size, episodes: checkEpisodes(dataset, fail) };
}

type Fail = (
  field: string,
  row: number | undefined,
  problem: string,
  agent?: number,
  k?: number,
) => never;

function checkSpec(spec: MultiAgentSpec, fail: (problem: string) => never): void {
  for (const key of ["nAgents", "obsDim", "stateDim", "actDim"] as const) {
    if (!Number.isInteger(spec[key]) || spec[key] < 1) {
      fail(`expected ${key} to be a positive integer, got ${spec[key]}`);
    }
  }
  if (spec.actionKind === "discrete") {
    if (spec.actDim !== 1) fail(`expected actDim 1 for discrete actions, got ${spec.actDim}`);
    if (!Number.isInteger(spec.nActions) || spec.nActions! < 1) {
      fail(`expected nActions to be a positive integer for discrete actions, got ${spec.nActions}`);
    }
  } else if (spec.actionKind !== "continuous") {
    fail(`expected actionKind "continuous" or "discrete", got ${JSON.stringify(spec.actionKind)}`);
  }
}

function checkActions(dataset: CanonicalDataset, fail: Fail): void {
  const { spec, action, avail } = dataset;
  const a = spec.nAgents;
  const width = a * spec.actDim;
  if (spec.actionKind === "continuous") {
    for (let i = 0; i < action.length; i++) {
      const value = action[i];
      if (!(value >= -1 && value <= 1)) {
        const row = Math.floor(i / width);
        const agent = Math.floor((i % width) / spec.actDim);
        const expected = Number.isFinite(value) ? "in [-1, 1]" : "a finite number in [-1, 1]";
        fail(
          "action",
          row,
          `expected ${expected} for continuous actions, got ${value}`,
          agent,
          i % spec.actDim,
        );
      }
    }
    return;
  }
  const nActions = spec.nActions!;
  for (let i = 0; i < action.length; i++) {
    const value = action[i];
    const row = Math.floor(i / a);
    const agent = i % a;
    if (!(value >= 0 && value < nActions)) {
      fail(
        "action",
        row,
        `expected a discrete action index in [0, ${nActions - 1}], got ${value}`,
        agent,
        0,
      );
    }
    if (avail !== undefined) {
      for (let k = 0; k < nActions; k++) {
        const flag = avail[i * nActions + k];
        if (flag > 1) fail("avail", row, `expected 0 or 1, got ${flag}`, agent, k);
      }
      if (avail[i * nActions + value] !== 1) {
        fail(
          "avail",
          row,
          `expected the taken action ${value} to be available, but avail[${value}] = 0`,
          agent,
          value,
        );
      }
    }
  }
}

function checkEpisodes(dataset: CanonicalDataset, fail: Fail): number {
  const { episode, t, done, truncated, size } = dataset;
  const seen = new Set<number>();
  for (let i = 0; i < size; i++) {
    const continues = i > 0 && episode[i] === episode[i - 1];
    if (continues) {
      if (done[i - 1] === 1 || truncated[i - 1] === 1) {
        fail(
          "episode",
          i,
          `expected a new episode after row ${i - 1} ended episode ${
            episode[i - 1]
          }, got more rows of it`,
        );
      }
      if (t[i] !== t[i - 1] + 1) {
        fail(
          "t",
          i,
          `expected t = ${t[i - 1] + 1} (episode ${episode[i]} continues), got ${
            t[i]
          }: the episode jumps`,
        );
      }
    } else {
      if (seen.has(episode[i])) {
        fail(
          "episode",
          i,
          `expected the rows of episode ${
            episode[i]
          } to be contiguous, but it reappears after other episodes`,
        );
      }
      seen.add(episode[i]);
      if (t[i] !== 0) {
        fail("t", i, `expected t = 0 at the start of episode ${episode[i]}, got ${t[i]}`);
      }
    }
  }
  return seen.size;
}

function describeType(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  return (value as object).constructor?.name ?? typeof value;
}
