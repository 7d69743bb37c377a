/**
 * The parameters of `sweep`: a preset (`smoke`, `paper-small`, `paper`) and any piece of it
 * overridden. One zod schema serves the CLI flags, the HTTP API and the engine; parsing fills
 * every field from the preset, so a stored run holds its complete plan and resumes with the same
 * steps even if a preset changes later.
 *
 * @module
 */
import { z } from "zod";
import { BACKEND_NAMES } from "../../core/backend/mod.ts";
import { SIMULATOR_NAMES, TIERS } from "../../core/envs/mod.ts";
import { ALGORITHM_NAMES } from "../../core/learn/mod.ts";
import { SWEEP_PRESET_NAMES, SWEEP_PRESETS, type SweepPlan } from "./presets.ts";

const count = (max: number) => z.number().int().min(1).max(max);

/** A list from JSON, or from one comma-separated flag (`--alphas 1,10,100`). */
function listOf<T extends z.ZodType>(item: T) {
  return z.preprocess(
    (value) =>
      typeof value === "string"
        ? value.split(",").map((part) => part.trim()).filter((part) => part !== "")
        : value,
    z.array(item).min(1).max(64),
  ).optional();
}

/** A built-in dataset of a sweep: `<env>-<tier>`, e.g. `spread-medium-replay`. */
export const DATASET_KEY = new RegExp(`^(${SIMULATOR_NAMES.join("|")})-(${TIERS.join("|")})$`);

/** `sweep` parameters: a preset and optional overrides of any of its fields. */
export const sweepParams = z.object({
  preset: z.enum(SWEEP_PRESET_NAMES).default("smoke"),
  /** Built-in datasets as `<env>-<tier>` (generated and stored by the sweep). */
  datasets: listOf(
    z.string().regex(
      DATASET_KEY,
      `must be <env>-<tier> (env: ${SIMULATOR_NAMES.join(", ")}; the MuJoCo tasks have ` +
        `no scripted tiers to generate a sweep's datasets from)`,
    ),
  ),
  /** Episodes generated per dataset. */
  episodes: count(1_000_000).optional(),
  datasetSeed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  algorithms: listOf(z.enum(ALGORITHM_NAMES)),
  /** Regularisation temperatures (bc has none and runs once per seed). */
  alphas: listOf(z.coerce.number().positive().max(1e6)),
  /** The alpha of the main table and the learning curves; one of `alphas`. */
  mainAlpha: z.number().positive().max(1e6).optional(),
  /** Training seeds 0 .. seeds-1. */
  seeds: count(100).optional(),
  iterations: count(10_000_000).optional(),
  /** Evaluate every this many iterations for the learning curves. */
  evalEvery: count(10_000_000).optional(),
  evalEpisodes: count(100_000).optional(),
  evalSeeds: count(100).optional(),
  checkpointEvery: count(10_000_000).optional(),
  batchSize: count(1 << 16).optional(),
  hiddenSize: count(4096).optional(),
  backend: z.enum(["auto", ...BACKEND_NAMES]).optional(),
}).strict().overwrite((params) => resolveSweep(params)).superRefine((params, ctx) => {
  const plan = resolveSweep(params);
  if (!plan.alphas.includes(plan.mainAlpha)) {
    ctx.addIssue({
      code: "custom",
      path: ["mainAlpha"],
      message: `must be one of the alphas (${plan.alphas.join(", ")})`,
    });
  }
  if (plan.evalEvery > plan.iterations) {
    ctx.addIssue({ code: "custom", path: ["evalEvery"], message: "must not exceed iterations" });
  }
  const lists: [string, unknown[]][] = [
    ["datasets", plan.datasets],
    ["algorithms", plan.algorithms],
    ["alphas", plan.alphas],
  ];
  for (const [field, list] of lists) {
    if (new Set(list).size !== list.length) {
      ctx.addIssue({ code: "custom", path: [field], message: "lists an entry twice" });
    }
  }
});

export type SweepParams = z.output<typeof sweepParams>;

/**
 * The complete plan of a sweep: the preset's values with the given fields put over them.
 * Idempotent (a complete plan resolves to itself).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveSweep } from "./params.ts";
 * const plan = resolveSweep({ preset: "smoke", seeds: 2 });
 * assert.ok(plan.seeds === 2 && plan.algorithms.includes("omiga"));
 * ```
 */
export function resolveSweep(params: Partial<SweepPlan>): SweepPlan {
  const preset = SWEEP_PRESETS[params.preset ?? "smoke"];
  const given = Object.fromEntries(
    Object.entries(params).filter(([, value]) => value !== undefined),
  ) as Partial<SweepPlan>;
  const plan: SweepPlan = {
    ...preset,
    ...given,
    preset: preset.preset,
    datasets: [...(given.datasets ?? preset.datasets)],
    algorithms: [...(given.algorithms ?? preset.algorithms)],
    alphas: [...(given.alphas ?? preset.alphas)],
  };
  if (params.mainAlpha === undefined && !plan.alphas.includes(plan.mainAlpha)) {
    plan.mainAlpha = plan.alphas.includes(10) ? 10 : plan.alphas[0];
  }
  return plan;
}
