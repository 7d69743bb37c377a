/**
 * Cadences that follow a run's budget. A workflow's defaults (or a preset) pair a budget
 * (`iterations`, `steps`) with cadences measured in it (`evalEvery`, `checkpointEvery`,
 * `snapshotEvery`, ...). When a user gives the budget and not a cadence, the cadence follows the
 * budget, so that `--iterations 100` alone never conflicts with a default made for 600:
 *
 * - a **share** of the budget (an evaluation or snapshot cadence, a warm-up) keeps its
 *   proportion, so a learning curve keeps its number of points;
 * - a **bound** (a checkpoint cadence: how much work a kill may lose) keeps its value, cut to
 *   the budget.
 *
 * A cadence the user gave is kept as given; a conflict is then theirs to resolve, and the
 * schemas' messages say which flag to pass.
 *
 * @module
 */

/** How a cadence follows its budget (see the module doc). */
export type CadenceKind = "share" | "bound";

/**
 * The default `cadence` (made for `defaultBudget`) for a run of `budget`; 0 (never) stays 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { followBudget } from "./cadence.ts";
 * assert.equal(followBudget("share", 200, 600, 100), 33); // 3 evaluations, as at 600
 * assert.equal(followBudget("share", 200, 600, 6_000), 2_000);
 * assert.equal(followBudget("bound", 200, 2_000, 100), 100);
 * assert.equal(followBudget("bound", 200, 2_000, 100_000), 200);
 * assert.equal(followBudget("share", 0, 2_000, 100), 0);
 * ```
 */
export function followBudget(
  kind: CadenceKind,
  cadence: number,
  defaultBudget: number,
  budget: number,
): number {
  if (cadence === 0) return 0;
  const followed = kind === "share" ? Math.round((cadence * budget) / defaultBudget) : cadence;
  return Math.max(1, Math.min(budget, followed));
}

/**
 * `given` with each cadence of `kinds` that it leaves out filled from `defaults`, following
 * `given[budget]` (or the default budget when that is left out too).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withCadences } from "./cadence.ts";
 * const defaults = { iterations: 600, evalEvery: 200, checkpointEvery: 200 };
 * const kinds = { evalEvery: "share", checkpointEvery: "bound" } as const;
 * assert.deepEqual(
 *   withCadences({ iterations: 100 }, defaults, "iterations", kinds),
 *   { iterations: 100, evalEvery: 33, checkpointEvery: 100 },
 * );
 * assert.deepEqual(
 *   withCadences({ iterations: 100, evalEvery: 50 }, defaults, "iterations", kinds),
 *   { iterations: 100, evalEvery: 50, checkpointEvery: 100 },
 * );
 * ```
 */
export function withCadences<
  T extends Partial<Record<B | C, number | undefined>>,
  B extends string,
  C extends string,
>(
  given: T,
  defaults: Readonly<Record<NoInfer<B | C>, number>>,
  budget: B,
  kinds: Readonly<Record<C, CadenceKind>>,
): T & Record<C, number> {
  // A budget that is not a count is the schema's to refuse; the cadences then keep their defaults.
  const asGiven = given[budget];
  const runBudget = Number.isInteger(asGiven) && asGiven! > 0 ? asGiven! : defaults[budget];
  const filled: Record<string, unknown> = { ...given };
  for (const [cadence, kind] of Object.entries(kinds) as [C, CadenceKind][]) {
    filled[cadence] ??= followBudget(kind, defaults[cadence], defaults[budget], runBudget);
  }
  return filled as T & Record<C, number>;
}
