/**
 * A dataset in the public MaMuJoCo HDF5 layout (written here with halfcheetah-6x1's shapes)
 * imported under its task, trained a few iterations and evaluated in MuJoCo end to end; the
 * same file under another task is refused at import, naming both, with nothing stored.
 */
import h5wasm from "h5wasm/node";
import { join } from "node:path";
import { assert, assertEquals, assertRejects } from "../../assert.ts";
import { builtInSpec } from "../../../core/envs/mod.ts";
import { Rng } from "../../../core/rng.ts";
import { DatasetError } from "../../../data/errors.ts";
import { importDataset, listDatasets } from "../../../data/mod.ts";
import { defaultRegistry, Engine, WorkflowStore } from "../../../workflows/mod.ts";
import type { TrainEvaluateReport } from "../../../workflows/train_evaluate/mod.ts";
import { TEST_ENGINE } from "../test_engine.ts";

const ROWS = 400;
const AGENTS = 6;
const WIDTH = 23;

async function writePublicLayout(path: string): Promise<void> {
  const rng = Rng.fromSeed(9);
  const normal = (n: number) => rng.fillNormal(new Float64Array(n)) as Float64Array;
  const done = new Float32Array(ROWS);
  done[199] = 1; // two episodes' worth of rows
  await h5wasm.ready;
  const file = new h5wasm.File(path, "w");
  const put = (name: string, data: Float32Array | Float64Array, shape: number[]) =>
    file.create_dataset({ name, data, shape, dtype: data instanceof Float64Array ? "<d" : "<f" });
  put("s", normal(ROWS * AGENTS * WIDTH), [ROWS, AGENTS, WIDTH]);
  put("o", normal(ROWS * AGENTS * WIDTH), [ROWS, AGENTS, WIDTH]);
  put("a", rng.fillUniform(new Float32Array(ROWS * AGENTS), -1, 1) as Float32Array, [
    ROWS,
    AGENTS,
    1,
  ]);
  put("r", rng.fillNormal(new Float32Array(ROWS)) as Float32Array, [ROWS, 1]);
  put("d", done, [ROWS, 1]);
  file.close();
}

Deno.test({
  name: "a MaMuJoCo HDF5 file trains and evaluates in MuJoCo; under another task it is refused",
  sanitizeResources: false,
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "omiga-mujoco-" });
    const path = join(home, "halfcheetah-6x1-medium.hdf5");
    await writePublicLayout(path);

    await assertRejects(
      () =>
        importDataset(path, { home, env: "hopper-3x1", expectedSpec: builtInSpec("hopper-3x1") }),
      DatasetError,
      "hopper-3x1 has nAgents 3",
    );
    assertEquals((await listDatasets({ home })).length, 0, "a refused import stores nothing");

    const { manifest } = await importDataset(path, {
      home,
      env: "halfcheetah-6x1",
      tier: "medium",
      expectedSpec: builtInSpec("halfcheetah-6x1"),
    });
    assertEquals(manifest.spec.obsDim, WIDTH);

    using store = WorkflowStore.open({ home });
    const engine = new Engine(store, defaultRegistry(), TEST_ENGINE);
    const { run } = engine.submit("train-evaluate", {
      dataset: manifest.id,
      iterations: 10,
      hiddenSize: 16,
      batchSize: 16,
      evalEpisodes: 2,
      checkpointEvery: 10,
      backend: "cpu",
    });
    const finished = await engine.execute(run.id);
    assertEquals(finished.state, "succeeded", finished.error ?? "");
    const report = finished.output as unknown as TrainEvaluateReport;
    assertEquals(report.policy?.episodes, 2);
    assert(Number.isFinite(report.policy?.teamReturn), "evaluated in MuJoCo");
    assert(report.summary.includes("omiga return"), report.summary);
    // Without --alpha, a MuJoCo dataset trains at the paper's 10, and the summary says why.
    assertEquals([report.alpha, report.config?.hiddenSize], [10, 16]);
    assert(report.summary.replace(/ +/g, " ").includes("alpha 10 (the default for mujoco"));
    await Deno.remove(home, { recursive: true });
  },
});
