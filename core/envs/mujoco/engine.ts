/**
 * The MuJoCo physics engine (the official WebAssembly build, `mujoco-js`), loaded once per
 * process on first use: loading takes about 0.4 s and 100 MB, so nothing pays for it until a
 * MuJoCo task is asked for (`prepareEnv` in `../registry.ts`). A model is compiled once per
 * task from its MJCF text and shared by every copy; each copy has its own `MjData`, freed by
 * its environment's `dispose`.
 *
 * @module
 */
import type { MainModule, MjData, MjModel } from "mujoco-js";

let loading: Promise<MainModule> | undefined;
let loaded: MainModule | undefined;
const models = new Map<string, MjModel>();

/** Loads the engine (once); later calls return the same module. */
export function loadMujoco(): Promise<MainModule> {
  loading ??= import("mujoco-js").then(async ({ default: factory }) => {
    loaded = await factory();
    return loaded;
  });
  return loading;
}

/** The engine, if {@link loadMujoco} has finished. */
export function loadedMujoco(): MainModule | undefined {
  return loaded;
}

/**
 * The compiled model of `name` from `mjcf` (compiled once per process and kept: models are
 * small and shared by every copy). The engine must be loaded.
 */
export function mujocoModel(mujoco: MainModule, name: string, mjcf: string): MjModel {
  let model = models.get(name);
  if (model === undefined) {
    const fs = (mujoco as unknown as { FS: { writeFile(path: string, text: string): void } }).FS;
    const path = `/omiga-${name}.xml`;
    fs.writeFile(path, mjcf);
    model = mujoco.MjModel.loadFromXML(path);
    models.set(name, model);
  }
  return model;
}

export type { MainModule, MjData, MjModel };
