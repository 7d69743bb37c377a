/**
 * The MJCF models of the MuJoCo tasks compile in MuJoCo 3 (`mujoco-js`) to gym's v2 models:
 * sizes, bodies, masses, actuators, timestep and the initial body positions, pinned to the values
 * the original files give (`docs/mujoco.md`, "Models", tells how they were compared).
 */
import loadMujoco from "mujoco-js";
import type { MainModule, MjModel } from "mujoco-js";
import { assert, assertClose, assertEquals } from "../../assert.ts";
import { ANT_MJCF, HALF_CHEETAH_MJCF, HOPPER_MJCF } from "../../../core/envs/mujoco/models.ts";

let engine: Promise<MainModule> | undefined;
const mujoco = () => engine ??= loadMujoco();

const JOINT = 3; // mjOBJ_JOINT
const DEG = Math.PI / 180;

/** Compiles `xml`, hands the model and the engine to `check`, frees the model. */
async function withModel(
  name: string,
  xml: string,
  check: (model: MjModel, mj: MainModule) => void,
): Promise<void> {
  const mj = await mujoco();
  const fs = (mj as unknown as { FS: { writeFile(path: string, text: string): void } }).FS;
  fs.writeFile(`/models-test-${name}.xml`, xml);
  const model = mj.MjModel.loadFromXML(`/models-test-${name}.xml`);
  try {
    check(model, mj);
  } finally {
    model.delete();
  }
}

/** The name stored at `adr` in the model's name table ("" for an unnamed object). */
function nameAt(model: MjModel, adr: number): string {
  const bytes: Int8Array = model.names;
  let end = adr;
  while (bytes[end] !== 0) end++;
  return new TextDecoder().decode(Uint8Array.from(bytes.subarray(adr, end)));
}

function bodyNames(model: MjModel): string[] {
  return Array.from(model.name_bodyadr as Int32Array, (adr) => nameAt(model, adr));
}

function sum(values: Float64Array): number {
  return values.reduce((s, x) => s + x, 0);
}

/** Body positions after `mj_forward` at qpos0, one [x, y, z] per body. */
function initialXpos(model: MjModel, mj: MainModule): number[][] {
  const data = new mj.MjData(model);
  try {
    mj.mj_forward(model, data);
    const xpos: Float64Array = data.xpos;
    return Array.from(
      { length: model.nbody },
      (_, b) => Array.from(xpos.subarray(3 * b, 3 * b + 3)),
    );
  } finally {
    data.delete();
  }
}

function assertXpos(actual: number[], expected: number[], what: string): void {
  expected.forEach((x, k) => assertClose(actual[k], x, 1e-12, `${what}[${k}]`));
}

/** Per actuator: [joint name, first gear entry, ctrl low, ctrl high, ctrllimited]. */
function actuators(model: MjModel, mj: MainModule): [string, number, number, number, number][] {
  return Array.from({ length: model.nu }, (_, i) => [
    mj.mj_id2name(model, JOINT, model.actuator_trnid[2 * i]),
    model.actuator_gear[6 * i],
    model.actuator_ctrlrange[2 * i],
    model.actuator_ctrlrange[2 * i + 1],
    model.actuator_ctrllimited[i],
  ]);
}

function jointRange(model: MjModel, mj: MainModule, joint: string): [number, number] {
  const j = mj.mj_name2id(model, JOINT, joint);
  assert(j >= 0, `no joint ${joint}`);
  return [model.jnt_range[2 * j], model.jnt_range[2 * j + 1]];
}

function assertRange(actual: [number, number], degrees: [number, number], what: string): void {
  assertClose(actual[0], degrees[0] * DEG, 1e-15, `${what} low`);
  assertClose(actual[1], degrees[1] * DEG, 1e-15, `${what} high`);
}

Deno.test("hopper model: gym's hopper in local coordinates", async () => {
  await withModel("hopper", HOPPER_MJCF, (model, mj) => {
    assertEquals([model.nq, model.nv, model.nu], [6, 6, 3]);
    assertEquals(bodyNames(model), ["world", "torso", "thigh", "leg", "foot"]);
    assertEquals(model.opt.timestep, 0.002);
    assertEquals(model.opt.integrator, 1); // RK4
    assertEquals(Array.from(model.qpos0 as Float64Array), [0, 1.25, 0, 0, 0, 0]);
    // density 1000 x capsule volume (pi r^2 l + 4/3 pi r^3): torso, thigh, leg, foot
    const capsules = [[0.05, 0.4], [0.05, 0.45], [0.04, 0.5], [0.06, 0.39]];
    capsules.forEach(([r, l], k) => {
      const mass = 1000 * Math.PI * (r * r * l + (4 / 3) * r ** 3);
      assertClose(model.body_mass[k + 1], mass, 1e-12, `body ${k + 1} mass`);
    });
    assertClose(sum(model.body_mass), 15.820013405927003, 1e-12, "total mass");
    assertEquals(actuators(model, mj), [
      ["thigh_joint", 200, -1, 1, 1],
      ["leg_joint", 200, -1, 1, 1],
      ["foot_joint", 200, -1, 1, 1],
    ]);
    assertRange(jointRange(model, mj, "thigh_joint"), [-150, 0], "thigh_joint");
    assertRange(jointRange(model, mj, "leg_joint"), [-150, 0], "leg_joint");
    assertRange(jointRange(model, mj, "foot_joint"), [-45, 45], "foot_joint");
    assertEquals(Array.from(model.dof_damping as Float64Array), [0, 0, 0, 1, 1, 1]);
    assertEquals(Array.from(model.dof_armature as Float64Array), [0, 0, 0, 1, 1, 1]);
    assertEquals(Array.from((model.geom_friction as Float64Array).subarray(12, 15)), [
      2,
      0.005,
      0.0001,
    ]);
    const xpos = initialXpos(model, mj);
    assertXpos(xpos[1], [0, 0, 1.25], "torso");
    assertXpos(xpos[2], [0, 0, 1.05], "thigh");
    assertXpos(xpos[3], [0, 0, 0.35], "leg");
    assertXpos(xpos[4], [0.13, 0, 0], "foot");
  });
});

Deno.test("half cheetah model: gym's half_cheetah, total mass 14", async () => {
  await withModel("half_cheetah", HALF_CHEETAH_MJCF, (model, mj) => {
    assertEquals([model.nq, model.nv, model.nu], [9, 9, 6]);
    assertEquals(bodyNames(model), [
      "world",
      "torso",
      "bthigh",
      "bshin",
      "bfoot",
      "fthigh",
      "fshin",
      "ffoot",
    ]);
    assertEquals(model.opt.timestep, 0.01);
    assertEquals(model.opt.integrator, 0); // Euler
    assertClose(sum(model.body_mass), 14, 1e-12, "total mass");
    assertClose(model.body_mass[1], 6.25020920502092, 1e-12, "torso mass");
    assertClose(model.body_mass[7], 0.8845188284518829, 1e-12, "ffoot mass");
    const names = ["bthigh", "bshin", "bfoot", "fthigh", "fshin", "ffoot"];
    assertEquals(
      Array.from({ length: model.nu }, (_, i) => mj.mj_id2name(model, 19, i)), // mjOBJ_ACTUATOR
      names,
    );
    const gears = [120, 90, 60, 120, 60, 30];
    assertEquals(actuators(model, mj), names.map((n, i) => [n, gears[i], -1, 1, 1]));
    assertEquals(jointRange(model, mj, "bthigh"), [-0.52, 1.05]);
    assertEquals(jointRange(model, mj, "ffoot"), [-0.5, 0.5]);
    assertEquals(Array.from(model.jnt_stiffness as Float64Array), [
      0,
      0,
      0,
      240,
      180,
      120,
      180,
      120,
      60,
    ]);
    assertEquals(Array.from(model.dof_damping as Float64Array), [0, 0, 0, 6, 4.5, 3, 4.5, 3, 1.5]);
    assertEquals(Array.from(model.dof_armature as Float64Array), [
      0,
      0,
      0,
      0.1,
      0.1,
      0.1,
      0.1,
      0.1,
      0.1,
    ]);
    const xpos = initialXpos(model, mj);
    assertXpos(xpos[1], [0, 0, 0.7], "torso");
    assertXpos(xpos[4], [-0.62, 0, 0.31], "bfoot");
    assertXpos(xpos[7], [0.49, 0, 0.28], "ffoot");
  });
});

Deno.test("ant model: gym's ant, eight motors in gym's order", async () => {
  await withModel("ant", ANT_MJCF, (model, mj) => {
    assertEquals([model.nq, model.nv, model.nu], [15, 14, 8]);
    const legs = ["front_left_leg", "front_right_leg", "back_leg", "right_back_leg"];
    // each leg: its stub body, the hip body aux_k and an unnamed ankle body
    assertEquals(bodyNames(model), [
      "world",
      "torso",
      ...legs.flatMap((l, k) => [l, `aux_${k + 1}`, ""]),
    ]);
    assertEquals(model.opt.timestep, 0.01);
    assertEquals(model.opt.integrator, 1); // RK4
    assertClose(sum(model.body_mass), 0.9108800827073915, 1e-12, "total mass");
    assertClose(model.body_mass[1], (4 / 3) * Math.PI * 0.25 ** 3 * 5, 1e-15, "torso mass");
    assertEquals(
      Array.from(model.qpos0 as Float64Array),
      [0, 0, 0.75, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    );
    assertEquals(
      actuators(model, mj),
      [4, 1, 2, 3].flatMap((k) => [[`hip_${k}`, 150, -1, 1, 1], [`ankle_${k}`, 150, -1, 1, 1]]),
    );
    assertRange(jointRange(model, mj, "hip_1"), [-30, 30], "hip_1");
    assertRange(jointRange(model, mj, "ankle_1"), [30, 70], "ankle_1");
    assertRange(jointRange(model, mj, "ankle_2"), [-70, -30], "ankle_2");
    const legDofs = [1, 1, 1, 1, 1, 1, 1, 1];
    assertEquals(Array.from(model.dof_damping as Float64Array), [0, 0, 0, 0, 0, 0, ...legDofs]);
    assertEquals(Array.from(model.dof_armature as Float64Array), [0, 0, 0, 0, 0, 0, ...legDofs]);
    const xpos = initialXpos(model, mj);
    assertXpos(xpos[1], [0, 0, 0.75], "torso");
    assertXpos(xpos[3], [0.2, 0.2, 0.75], "aux_1");
    assertXpos(xpos[4], [0.4, 0.4, 0.75], "front left ankle");
    assertXpos(xpos[13], [0.4, -0.4, 0.75], "right back ankle");
  });
});
