/**
 * Importer for OMIGA's HDF5 files (the public multi-agent MuJoCo datasets): datasets `s`
 * [N, agents, state_dim], `o` [N, agents, obs_dim], `a` [N, agents, act_dim], `r` [N, 1] and
 * `d` [N, 1] (rank 1 accepted for `r` and `d`), read through h5wasm in slices.
 *
 * The public loader's semantics, reproduced exactly: row t is a transition start iff d[t] = 0
 * and t < N - 1; its next fields are row t + 1 and its mask is 1 - d[t + 1]. So a row with
 * d = 1 holds the observation reached at the end of an episode; it is never a transition start
 * and its action and reward are unused. Those files mark time-limit ends as terminal too (d = 1):
 * the mask is 0 there as well, exactly as the public loader trains on them.
 *
 * Canonical mapping: every row with d = 0 becomes one canonical row; a maximal run of such rows
 * is one episode (t = 0, 1, ...). The row before a d = 1 row gets done = 1 (mask 0). The file's
 * last row, when d = 0, gets truncated = 1 (no next row: not a start). A d = 1 row's own
 * observation is not kept: canonical terminal transitions have zero next fields where the public
 * loader has that observation, which every OMIGA loss multiplies by the mask 0, so training is
 * identical. A d = 1 row with no d = 0 row before it in its episode (the first row, or two
 * terminal rows in a row) contributes no transition and is skipped, with a note.
 *
 * @module
 */
import h5wasm, { Dataset as H5Dataset, type File as H5File } from "h5wasm/node";
import type { CanonicalDataset } from "../../core/dataset.ts";
import { DatasetError } from "../errors.ts";
import { saveDataset } from "../store.ts";
import type { SourceNaming } from "../validate.ts";
import { validateCanonical } from "../validate.ts";
import { importedInfo, type ImportOptions, type ImportResult, requireFile } from "./options.ts";

const SLICE_ROWS = 65_536;
const HDF5_FIELD: Record<string, string> = {
  obs: "o",
  state: "s",
  action: "a",
  reward: "r",
  done: "d",
  truncated: "d",
  episode: "d",
  t: "d",
};
// h5wasm type classes (HDF5 H5T_class_t).
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_ENUM = 8;

/** A canonical dataset read from an OMIGA HDF5 file, with its row mapping. */
export interface OmigaHdf5Dataset {
  dataset: CanonicalDataset;
  /** `sourceRow[i]`: the file row of canonical row i. */
  sourceRow: Int32Array;
  naming: SourceNaming;
  notes: string[];
}

/**
 * Reads and validates an OMIGA HDF5 file into the canonical layout (see the module doc for the
 * mapping). Throws a {@link DatasetError} naming the file, the HDF5 dataset and the row.
 */
export async function readOmigaHdf5(path: string): Promise<OmigaHdf5Dataset> {
  await requireFile(path);
  if (!(await hasHdf5Signature(path))) {
    throw new DatasetError("invalid_dataset", "expected an HDF5 file (no HDF5 signature found)", {
      file: path,
    });
  }
  await h5wasm.ready;
  let file: H5File;
  try {
    file = new h5wasm.File(path, "r");
  } catch (error) {
    throw new DatasetError("invalid_dataset", `expected an HDF5 file: ${String(error)}`, {
      file: path,
    });
  }
  try {
    return readOpenFile(file, path);
  } finally {
    file.close();
  }
}

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]; // "\x89HDF\r\n\x1a\n"

/** Whether the file carries the HDF5 superblock signature (at 0, 512, 1024, 2048, ...). */
async function hasHdf5Signature(path: string): Promise<boolean> {
  const file = await Deno.open(path, { read: true });
  try {
    const size = (await file.stat()).size;
    const bytes = new Uint8Array(SIGNATURE.length);
    for (let offset = 0; offset + bytes.length <= size; offset = offset === 0 ? 512 : offset * 2) {
      await file.seek(offset, Deno.SeekMode.Start);
      const read = await file.read(bytes);
      if (read === bytes.length && SIGNATURE.every((b, i) => bytes[i] === b)) return true;
    }
    return false;
  } finally {
    file.close();
  }
}

function readOpenFile(file: H5File, path: string): OmigaHdf5Dataset {
  const fail = (field: string, problem: string, row?: number): never => {
    throw new DatasetError("invalid_dataset", problem, {
      file: path,
      field,
      row: row === undefined ? undefined : `row ${row}`,
    });
  };
  const dataset = (name: string, rank: string): H5Dataset => {
    const entity = file.get(name);
    if (!(entity instanceof H5Dataset)) {
      return fail(name, `expected an HDF5 dataset "${name}" of shape ${rank}`);
    }
    return entity;
  };
  const s = dataset("s", "[N, agents, state_dim]");
  const o = dataset("o", "[N, agents, obs_dim]");
  const a = dataset("a", "[N, agents, act_dim]");
  const r = dataset("r", "[N, 1]");
  const d = dataset("d", "[N, 1]");
  const shapeOf = (name: string, set: H5Dataset, expected: string, ranks: number[]) => {
    const shape = set.shape ?? [];
    if (!ranks.includes(shape.length) || (shape.length === 2 && shape[1] !== 1)) {
      fail(name, `expected shape ${expected}, got [${shape.join(", ")}] (rank ${shape.length})`);
    }
    return shape;
  };
  const sShape = shapeOf("s", s, "[N, agents, state_dim]", [3]);
  const oShape = shapeOf("o", o, "[N, agents, obs_dim]", [3]);
  const aShape = shapeOf("a", a, "[N, agents, act_dim]", [3]);
  const n = sShape[0];
  for (const [name, set] of [["o", o], ["a", a], ["r", r], ["d", d]] as const) {
    const shape = name === "r" || name === "d"
      ? shapeOf(name, set, "[N, 1] or [N]", [1, 2])
      : set.shape!;
    if (shape[0] !== n) fail(name, `expected ${n} rows like "s", got ${shape[0]}`);
  }
  if (oShape[1] !== sShape[1] || aShape[1] !== sShape[1]) {
    fail(
      "o",
      `expected the same number of agents in s, o and a, got ${sShape[1]}, ${oShape[1]}, ${
        aShape[1]
      }`,
    );
  }
  for (const [name, set] of [["s", s], ["o", o], ["a", a], ["r", r]] as const) {
    if (set.metadata.type !== H5T_FLOAT) {
      fail(name, `expected floating-point values, got HDF5 type ${set.dtype}`);
    }
  }
  if (![H5T_INTEGER, H5T_FLOAT, H5T_ENUM].includes(d.metadata.type)) {
    fail("d", `expected 0/1 flags (integer, float or boolean), got HDF5 type ${d.dtype}`);
  }
  const spec = {
    nAgents: sShape[1],
    obsDim: oShape[2],
    stateDim: sShape[2],
    actionKind: "continuous" as const,
    actDim: aShape[2],
  };

  // Row mapping from the flags alone.
  const flags = d.value as ArrayLike<number | bigint | boolean>;
  const terminal = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const flag = Number(flags[i]);
    if (flag !== 0 && flag !== 1) fail("d", `expected 0 or 1, got ${flag}`, i);
    terminal[i] = flag;
  }
  const notes: string[] = [];
  let kept = 0;
  for (let i = 0; i < n; i++) if (terminal[i] === 0) kept++;
  const sourceRow = new Int32Array(kept);
  const canonical: CanonicalDataset = {
    spec,
    size: kept,
    episode: new Int32Array(kept),
    t: new Int32Array(kept),
    obs: new Float32Array(kept * spec.nAgents * spec.obsDim),
    state: new Float32Array(kept * spec.nAgents * spec.stateDim),
    action: new Float32Array(kept * spec.nAgents * spec.actDim),
    reward: new Float32Array(kept),
    done: new Uint8Array(kept),
    truncated: new Uint8Array(kept),
  };
  let row = 0;
  let episode = 0;
  let step = 0;
  let orphans = 0;
  for (let i = 0; i < n; i++) {
    if (terminal[i] === 1) {
      if (step > 0) {
        canonical.done[row - 1] = 1;
        episode++;
        step = 0;
      } else orphans++;
      continue;
    }
    sourceRow[row] = i;
    canonical.episode[row] = episode;
    canonical.t[row] = step++;
    row++;
  }
  if (kept > 0 && terminal[n - 1] === 0) canonical.truncated[kept - 1] = 1;
  if (orphans > 0) {
    notes.push(
      `${orphans} row(s) with d = 1 directly after another episode end were skipped: they start no transition`,
    );
  }
  if (terminal[n - 1] === 0 && n > 0) {
    notes.push(
      `the last row (${
        n - 1
      }) has d = 0 and no next row: kept, marked truncated, not a transition start`,
    );
  }

  // Copy the kept rows, slice by slice, as runs of consecutive file rows.
  const copy = (set: H5Dataset, out: Float32Array, width: number) => {
    let next = 0; // canonical row
    for (let start = 0; start < n; start += SLICE_ROWS) {
      const end = Math.min(n, start + SLICE_ROWS);
      const values = set.slice([[start, end]]) as Float32Array | Float64Array;
      while (next < kept && sourceRow[next] < end) {
        let last = next;
        while (
          last + 1 < kept && sourceRow[last + 1] === sourceRow[last] + 1 &&
          sourceRow[last + 1] < end
        ) {
          last++;
        }
        const from = (sourceRow[next] - start) * width;
        out.set(values.subarray(from, from + (last - next + 1) * width), next * width);
        next = last + 1;
      }
    }
  };
  copy(o, canonical.obs as Float32Array, spec.nAgents * spec.obsDim);
  copy(s, canonical.state as Float32Array, spec.nAgents * spec.stateDim);
  copy(a, canonical.action as Float32Array, spec.nAgents * spec.actDim);
  copy(r, canonical.reward, 1);

  const naming: SourceNaming = {
    file: path,
    field: (field, agent, k) =>
      `${HDF5_FIELD[field] ?? field}${
        agent === undefined ? "" : `[agent ${agent}${k === undefined ? "" : `, ${k}`}]`
      }`,
    row: (i) => `row ${sourceRow[i]}`,
  };
  validateCanonical(canonical, naming);
  return { dataset: canonical, sourceRow, naming, notes };
}

/**
 * Imports an OMIGA HDF5 file into the store.
 *
 * @example
 * ```ts ignore
 * const { manifest } = await importHdf5("halfcheetah-6x1-expert.hdf5", { env: "mamujoco" });
 * ```
 */
export async function importHdf5(
  path: string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const { dataset, naming, notes } = await readOmigaHdf5(path);
  const manifest = await saveDataset(dataset, importedInfo(path, options, "hdf5"), {
    home: options.home,
    expectedSpec: options.expectedSpec,
    naming,
  });
  return { manifest, notes };
}
