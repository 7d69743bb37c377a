import h5wasm from "h5wasm/node";
import { join } from "node:path";
import { DatasetError } from "../../data/errors.ts";
import { importHdf5, readOmigaHdf5 } from "../../data/importers/hdf5.ts";
import { listDatasets, loadDataset } from "../../data/store.ts";
import { toTransitions } from "../../data/transitions.ts";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { snapshot, withTempDir } from "./fixtures.ts";

const N = 10;
const AGENTS = 2;
const OBS = 3;
const STATE = 2;
const ACT = 1;
// Orphan terminal row 0; episode rows 1-2 ending at terminal row 3; a second terminal row 4;
// rows 5-6 ending at terminal row 7; rows 8-9 reaching the end of the file with d = 0.
const D = [1, 0, 0, 1, 1, 0, 0, 1, 0, 0];

interface OmigaArrays {
  s: Float64Array;
  o: Float64Array;
  a: Float32Array;
  r: Float32Array;
  d: Float32Array;
}

function omigaArrays(): OmigaArrays {
  const fill = <T extends Float32Array | Float64Array>(out: T, scale: number) =>
    out.map((_, i) => ((i * 7) % 11) * scale - 1) as T;
  return {
    s: fill(new Float64Array(N * AGENTS * STATE), 0.25),
    o: fill(new Float64Array(N * AGENTS * OBS), 0.5),
    a: fill(new Float32Array(N * AGENTS * ACT), 0.125),
    r: new Float32Array(N).map((_, i) => i + 0.5),
    d: Float32Array.from(D),
  };
}

async function writeOmigaFile(
  path: string,
  arrays: OmigaArrays,
  shapes: Partial<Record<keyof OmigaArrays, number[]>> = {},
  skip: (keyof OmigaArrays)[] = [],
): Promise<void> {
  await h5wasm.ready;
  const file = new h5wasm.File(path, "w");
  const shape: Record<keyof OmigaArrays, number[]> = {
    s: [N, AGENTS, STATE],
    o: [N, AGENTS, OBS],
    a: [N, AGENTS, ACT],
    r: [N, 1],
    d: [N, 1],
    ...shapes,
  };
  for (const name of ["s", "o", "a", "r", "d"] as const) {
    if (skip.includes(name)) continue;
    const data = arrays[name];
    file.create_dataset({
      name,
      data,
      shape: shape[name],
      dtype: data instanceof Float64Array ? "<d" : "<f",
    });
  }
  file.close();
}

/** The public loader, transcribed: starts where d = 0 and t < N - 1; next is t + 1. */
function publicLoader(x: OmigaArrays) {
  const starts = [];
  for (let t = 0; t < N; t++) if (D[t] === 0 && t < N - 1) starts.push(t);
  const rows = (values: ArrayLike<number>, width: number, at: number[]) =>
    at.flatMap((t) => Array.from(values).slice(t * width, (t + 1) * width).map(Math.fround));
  return {
    o: rows(x.o, AGENTS * OBS, starts),
    s: rows(x.s, AGENTS * STATE, starts),
    a: rows(x.a, AGENTS * ACT, starts),
    r: rows(x.r, 1, starts),
    mask: starts.map((t) => 1 - x.d[t + 1]),
    oNext: rows(x.o, AGENTS * OBS, starts.map((t) => t + 1)),
    sNext: rows(x.s, AGENTS * STATE, starts.map((t) => t + 1)),
  };
}

Deno.test("an OMIGA HDF5 file gives exactly the public loader's transitions", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "tiny.hdf5");
    const arrays = omigaArrays();
    await writeOmigaFile(path, arrays);
    const { dataset, sourceRow, notes } = await readOmigaHdf5(path);
    assertEquals(Array.from(sourceRow), [1, 2, 5, 6, 8, 9]);
    assertEquals(Array.from(dataset.episode), [0, 0, 1, 1, 2, 2]);
    assertEquals(Array.from(dataset.t), [0, 1, 0, 1, 0, 1]);
    assertEquals(Array.from(dataset.done), [0, 1, 0, 1, 0, 0]);
    assertEquals(Array.from(dataset.truncated), [0, 0, 0, 0, 0, 1]);
    assertEquals(notes.length, 2);

    const expected = publicLoader(arrays);
    const tr = toTransitions(dataset);
    assertEquals(tr.size, expected.mask.length);
    assertEquals(Array.from(tr.obs), expected.o);
    assertEquals(Array.from(tr.state), expected.s);
    assertEquals(Array.from(tr.action), expected.a);
    assertEquals(Array.from(tr.reward), expected.r);
    assertEquals(Array.from(tr.mask), expected.mask);
    const obsWidth = AGENTS * OBS;
    const stateWidth = AGENTS * STATE;
    for (let m = 0; m < tr.size; m++) {
      const nextObs = Array.from(tr.nextObs.subarray(m * obsWidth, (m + 1) * obsWidth));
      const nextState = Array.from(tr.nextState.subarray(m * stateWidth, (m + 1) * stateWidth));
      if (expected.mask[m] === 1) {
        assertEquals(nextObs, expected.oNext.slice(m * obsWidth, (m + 1) * obsWidth));
        assertEquals(nextState, expected.sNext.slice(m * stateWidth, (m + 1) * stateWidth));
      } else {
        // Documented difference: mask-0 next fields are zero (multiplied by the mask anyway).
        assert(nextObs.every((v) => v === 0) && nextState.every((v) => v === 0));
      }
    }
  });
});

Deno.test("an imported HDF5 file round-trips through the store", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "tiny.hdf5");
    await writeOmigaFile(path, omigaArrays());
    const { manifest } = await importHdf5(path, { home: join(dir, "home"), env: "mamujoco" });
    assertEquals(manifest.name, "tiny");
    assertEquals(manifest.source, "hdf5");
    assertEquals([manifest.rows, manifest.episodes, manifest.transitions], [6, 3, 5]);
    const { dataset } = await loadDataset(manifest.id, { home: join(dir, "home") });
    const direct = (await readOmigaHdf5(path)).dataset;
    assertEquals(Array.from(dataset.obs), Array.from(direct.obs));
    assertEquals(Array.from(dataset.done), Array.from(direct.done));
  });
});

Deno.test("bad HDF5 files fail naming file, field and row, and leave the store unchanged", async () => {
  await withTempDir(async (dir) => {
    const home = join(dir, "home");
    const good = join(dir, "good.hdf5");
    await writeOmigaFile(good, omigaArrays());
    await importHdf5(good, { home });
    const before = await snapshot(home);
    const cases: [
      string,
      (x: OmigaArrays) => void,
      Parameters<typeof writeOmigaFile>[2],
      (keyof OmigaArrays)[],
      string,
    ][] = [
      [
        "wrong rank",
        () => {},
        { s: [N, AGENTS * STATE] },
        [],
        "field s: expected shape [N, agents, state_dim], got [10, 4] (rank 2)",
      ],
      [
        "NaN reward",
        (x) => (x.r[5] = NaN),
        {},
        [],
        "field r, row 5: expected a finite number, got NaN",
      ],
      [
        "action out of range",
        (x) => (x.a[2 * 6 + 1] = 1.5),
        {},
        [],
        "field a[agent 1, 0], row 6: expected in [-1, 1]",
      ],
      [
        "Inf observation",
        (x) => (x.o[8 * 6 + 2] = -Infinity),
        {},
        [],
        "field o[agent 0, 2], row 8: expected a finite number",
      ],
      ["missing dataset", () => {}, {}, ["d"], 'field d: expected an HDF5 dataset "d"'],
      ["flag not binary", (x) => (x.d[2] = 2), {}, [], "field d, row 2: expected 0 or 1, got 2"],
    ];
    for (const [what, change, shapes, skip, text] of cases) {
      const arrays = omigaArrays();
      change(arrays);
      const path = join(dir, `${what.replaceAll(" ", "-")}.hdf5`);
      await writeOmigaFile(path, arrays, shapes, skip);
      const error = await assertRejects(() => importHdf5(path, { home }), DatasetError, text);
      assert(error.message.startsWith(path), `${what}: the message names the file`);
      assertEquals(await snapshot(home), before, `${what}: the store is unchanged`);
    }
    await assertRejects(
      () => importHdf5(join(dir, "absent.hdf5"), { home }),
      DatasetError,
      "no such file",
    );
    await Deno.writeTextFile(join(dir, "text.hdf5"), "not hdf5");
    await assertRejects(
      () => importHdf5(join(dir, "text.hdf5"), { home }),
      DatasetError,
      "expected an HDF5 file",
    );
    assertEquals((await listDatasets({ home })).length, 1);
  });
});
