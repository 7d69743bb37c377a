import { unzipSync } from "fflate";
import { join } from "node:path";
import type { CanonicalDataset } from "../../core/dataset.ts";
import { exportDataset } from "../../data/export.ts";
import { saveDataset } from "../../data/store.ts";
import { assert, assertEquals } from "../assert.ts";
import { arraysOf, makeDataset, makeInfo, withTempDir } from "./fixtures.ts";

/** An array read back from a `.npy` file. */
interface NpyArray {
  dtype: string;
  shape: number[];
  values: number[];
}

/** A minimal `.npy` reader (format 1.0 and 2.0, C order, little-endian i4, f4 and u1). */
function readNpy(bytes: Uint8Array): NpyArray {
  assertEquals(Array.from(bytes.subarray(0, 6)), [0x93, ...new TextEncoder().encode("NUMPY")]);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLength));
  assertEquals((start + headerLength) % 64, 0, "data aligned to 64 bytes");
  const dtype = header.match(/'descr': '([^']+)'/)![1];
  assert(header.includes("'fortran_order': False"), header);
  const shape = header.match(/'shape': \(([^)]*)\)/)![1].split(",").filter((s) => s.trim() !== "")
    .map(Number);
  const data = bytes.slice(start + headerLength).buffer;
  const Ctor = { "<i4": Int32Array, "<f4": Float32Array, "|u1": Uint8Array }[dtype]!;
  const values = Array.from(new Ctor(data));
  assertEquals(values.length, shape.reduce((a, b) => a * b, 1), `${dtype} ${shape}`);
  return { dtype, shape, values };
}

function expectedArrays(dataset: CanonicalDataset): Record<string, NpyArray> {
  const { spec, size } = dataset;
  const arrays = arraysOf(dataset);
  const perAgent = (dim: number) => [size, spec.nAgents, dim];
  const shapes: Record<string, [string, number[]]> = {
    episode: ["<i4", [size]],
    t: ["<i4", [size]],
    obs: ["<f4", perAgent(spec.obsDim)],
    state: ["<f4", perAgent(spec.stateDim)],
    action: [spec.actionKind === "discrete" ? "<i4" : "<f4", perAgent(spec.actDim)],
    reward: ["<f4", [size]],
    done: ["|u1", [size]],
    truncated: ["|u1", [size]],
  };
  if (dataset.avail !== undefined) shapes.avail = ["|u1", perAgent(spec.nActions!)];
  return Object.fromEntries(
    Object.entries(shapes).map((
      [name, [dtype, shape]],
    ) => [name, { dtype, shape, values: arrays[name] }]),
  );
}

async function exported(dir: string, discrete: boolean) {
  const home = join(dir, "home");
  const dataset = makeDataset([{ length: 5, end: "done" }, { length: 3, end: "open" }], {
    discrete,
    nAgents: 3,
  });
  const saved = await saveDataset(dataset, makeInfo(`npz-${discrete}`), { home });
  const path = join(dir, `out-${discrete}.npz`);
  await exportDataset(saved.id, path, undefined, { home });
  return { dataset, path };
}

Deno.test("npz export holds one .npy array per field, read back by a minimal .npy reader", async () => {
  await withTempDir(async (dir) => {
    for (const discrete of [false, true]) {
      const { dataset, path } = await exported(dir, discrete);
      const members = unzipSync(await Deno.readFile(path));
      const arrays = Object.fromEntries(
        Object.entries(members).map((
          [name, bytes],
        ) => [name.replace(/\.npy$/, ""), readNpy(bytes)]),
      );
      assertEquals(Object.keys(members).every((name) => name.endsWith(".npy")), true);
      assertEquals(arrays, expectedArrays(dataset));
    }
  });
});

const numpy = await new Deno.Command("python3", {
  args: ["-c", "import numpy"],
  stdout: "null",
  stderr: "null",
}).output().then((result) => result.success, () => false);

Deno.test({
  name: "numpy.load reads the exported .npz with the same dtypes, shapes and values",
  ignore: !numpy, // needs python3 with numpy
  fn: async () => {
    await withTempDir(async (dir) => {
      for (const discrete of [false, true]) {
        const { dataset, path } = await exported(dir, discrete);
        const script = [
          "import json, sys, numpy",
          "d = numpy.load(sys.argv[1])",
          "print(json.dumps({k: {'dtype': d[k].dtype.str, 'shape': list(d[k].shape),",
          "  'values': d[k].ravel().tolist()} for k in d.files}))",
        ].join("\n");
        const result = await new Deno.Command("python3", { args: ["-c", script, path] }).output();
        const err = new TextDecoder().decode(result.stderr);
        assert(result.success, err);
        const loaded = JSON.parse(new TextDecoder().decode(result.stdout));
        assertEquals(loaded, expectedArrays(dataset));
      }
    });
  },
});
