/**
 * Sweep parameters: presets filled in at parse time, overrides from JSON or comma-separated
 * flags, cells and their step ids, and bad input named by field.
 */
import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { ValidationError } from "../../../core/errors.ts";
import { parseParams } from "../../../workflows/mod.ts";
import {
  cellStepId,
  resolveSweep,
  SWEEP_PRESETS,
  sweepCells,
  sweepWorkflow,
} from "../../../workflows/sweep/mod.ts";

Deno.test("parsing fills every field from the preset, so a stored run holds its whole plan", () => {
  const params = parseParams(sweepWorkflow, { preset: "paper-small", seeds: 4 });
  assertEquals(params, { ...SWEEP_PRESETS["paper-small"], seeds: 4 });
  // A complete plan parses to itself (a stored run's params re-submitted).
  assertEquals(parseParams(sweepWorkflow, params), params);
  assertEquals(parseParams(sweepWorkflow, {}).preset, "smoke");
});

Deno.test("lists come as JSON arrays or as one comma-separated flag value", () => {
  const fromFlags = parseParams(sweepWorkflow, {
    datasets: "spread-medium-replay, skirmish-medium",
    algorithms: "omiga,bc",
    alphas: "0.5,10",
  });
  const fromJson = parseParams(sweepWorkflow, {
    datasets: ["spread-medium-replay", "skirmish-medium"],
    algorithms: ["omiga", "bc"],
    alphas: [0.5, 10],
  });
  assertEquals(fromFlags, fromJson);
  assertEquals(fromFlags.alphas, [0.5, 10]);
});

Deno.test("the main alpha defaults to 10 when listed, else to the first alpha", () => {
  assertEquals(parseParams(sweepWorkflow, { alphas: "1,10,100" }).mainAlpha, 10);
  assertEquals(parseParams(sweepWorkflow, { alphas: "3,30" }).mainAlpha, 3);
});

Deno.test("the smoke preset's cells: bc once per seed, ids deterministic and unique", () => {
  const plan = resolveSweep({ preset: "smoke" });
  const cells = sweepCells(plan);
  assertEquals(cells.length, plan.datasets.length * (2 * plan.alphas.length + 1) * plan.seeds);
  assert(plan.seeds >= 3, "at least three seeds");
  const ids = cells.map(cellStepId);
  assertEquals(new Set(ids).size, ids.length);
  assertEquals(ids.slice(0, 5), [
    "cell/spread-medium/omiga/a0.1/s0",
    "cell/spread-medium/omiga/a10/s0",
    "cell/spread-medium/omiga-local/a0.1/s0",
    "cell/spread-medium/omiga-local/a10/s0",
    "cell/spread-medium/bc/s0",
  ]);
  const steps = sweepWorkflow.stepsFor(parseParams(sweepWorkflow, {})).map((s) => s.id);
  assertEquals(steps.length, plan.datasets.length + cells.length + 1);
  assertEquals(steps.at(-1), "report");
});

Deno.test("bad sweep parameters are refused naming the field", () => {
  for (
    const [params, field] of [
      [{ preset: "huge" }, "preset"],
      [{ datasets: "spread-hard" }, "datasets"],
      [{ datasets: "spread-medium,spread-medium" }, "datasets"],
      [{ algorithms: "omiga,cql" }, "algorithms"],
      [{ alphas: "1,-2" }, "alphas"],
      [{ alphas: "1,10", mainAlpha: 100 }, "mainAlpha"],
      [{ iterations: 10, evalEvery: 20 }, "evalEvery"],
      [{ seeds: 0 }, "seeds"],
      [{ learningRate: 1 }, "learningRate"],
    ] as const
  ) {
    const error = assertThrows(() => parseParams(sweepWorkflow, params), ValidationError);
    assert(
      (error as Error).message.includes(field),
      `${JSON.stringify(params)}: "${(error as Error).message}" should name ${field}`,
    );
  }
});

Deno.test("the MuJoCo presets name the behaviour tiers of two tasks, at alpha 10", () => {
  const small = resolveSweep({ preset: "mamujoco-small" });
  assertEquals(small.datasets.length, 6);
  assert(small.datasets.includes("halfcheetah-6x1-medium-replay"));
  assertEquals(small.mainAlpha, 10);
  // 6 datasets x (omiga, omiga-local, bc, icq) x 2 seeds.
  assertEquals(sweepCells(small).length, 6 * 4 * 2);
  const full = resolveSweep({ preset: "mamujoco" });
  // Every algorithm covers continuous actions: 3 alphas for omiga and omiga-local, one run for
  // each of the other five, per dataset and seed.
  assertEquals(sweepCells(full).length, 6 * (2 * 3 + 5) * 3);
  assertThrows(
    () => parseParams(sweepWorkflow, { datasets: "hopper-3x1-mediocre" }),
    ValidationError,
    "stored by a behaviour run",
  );
});
