import type { SweepResults } from "../../../workflows/report/mod.ts";

/** A small sweep: 2 datasets x (omiga, omiga-local at alphas 1 and 10; bc) x 3 seeds. */
export function sweepFixture(): SweepResults {
  const datasets = ["spread-medium", "skirmish-medium"].map((name, d) => ({
    id: `ds${d}`,
    name,
    env: name.split("-")[0],
    tier: "medium",
    behaviourScore: 40 + 5 * d,
    returnHistogram: { edges: [0, 1, 2, 3, 4], counts: [3, 7, 5, 1] },
  }));
  const base: Record<string, number> = { omiga: 60, "omiga-local": 50, bc: 45 };
  const cells: SweepResults["cells"] = [];
  for (const dataset of datasets) {
    for (const algorithm of ["omiga", "omiga-local", "bc"]) {
      const alphas = algorithm === "bc" ? [null] : [1, 10];
      for (const alpha of alphas) {
        for (const seed of [0, 1, 2]) {
          const score = base[algorithm] + seed + (alpha === 1 ? -10 : 0);
          cells.push({
            dataset: dataset.id,
            algorithm,
            alpha,
            seed,
            score,
            teamReturn: score / 10,
            weightEss: alpha === null ? null : 1 - 0.1 / alpha - 0.01 * seed,
            curve: [0, 50, 100].map((iteration) => ({ iteration, score: score * iteration / 100 })),
          });
        }
      }
    }
  }
  return {
    sweepId: "sweep-test",
    preset: "smoke",
    createdAt: "2026-11-23T00:00:00Z",
    backend: "wasm",
    mainAlpha: 10,
    iterations: 100,
    datasets,
    cells,
  };
}
