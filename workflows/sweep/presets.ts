/**
 * The sweep presets. The algorithm's own settings keep the paper's defaults (lr 5e-4, batch 128,
 * hidden 256) unless a preset needs smaller networks to fit its time budget; each preset says what
 * it buys.
 *
 * Alpha: each preset's main alpha is its environments' default ({@link DEFAULT_ALPHA}): 0.1 on
 * the built-in environments, not the paper's 10, for their reward scale (see BUILT_IN_ALPHA's
 * comment), the alpha-sensitivity cells keeping 10; the paper's 10 on MuJoCo.
 *
 * @module
 */
import type { BackendName } from "../../core/backend/mod.ts";
import { ALGORITHM_NAMES, type AlgorithmName } from "../../core/learn/mod.ts";
import { DEFAULT_ALPHA, PAPER_ALPHA } from "../train_evaluate/params.ts";

/** The main alpha of the presets on the built-in environments, and of those on MuJoCo. */
const BUILT_IN_ALPHA = DEFAULT_ALPHA["built-in"];
const MUJOCO_ALPHA = DEFAULT_ALPHA.mujoco;

/** Everything a sweep needs to know, complete. */
export interface SweepPlan {
  preset: SweepPresetName;
  datasets: string[];
  episodes: number;
  datasetSeed: number;
  algorithms: AlgorithmName[];
  alphas: number[];
  mainAlpha: number;
  seeds: number;
  iterations: number;
  evalEvery: number;
  evalEpisodes: number;
  evalSeeds: number;
  checkpointEvery: number;
  /** Absent: the algorithm's default (the paper's). */
  batchSize?: number;
  hiddenSize?: number;
  backend: "auto" | BackendName;
  /** Threads per cell's training step; absent: the cell's share of the cores. */
  threads?: number;
}

const ALGORITHMS: AlgorithmName[] = ["omiga", "omiga-local", "bc"];
/** The multi-agent MuJoCo datasets of the paper's comparison (stored by `behaviour` runs). */
const MAMUJOCO_DATASETS = ["halfcheetah-6x1", "hopper-3x1"].flatMap((task) =>
  ["medium", "medium-replay", "medium-expert"].map((tier) => `${task}-${tier}`)
);
/**
 * The algorithms whose steps run at tens of iterations per second on 2 cores; BCQ-MA, CQL-MA and
 * OMAR sample and score many candidate actions per step and run at 1-2 (RESULTS.md, "Algorithm
 * step times").
 */
const FAST_ALGORITHMS: AlgorithmName[] = ["omiga", "omiga-local", "bc", "icq"];
const FOUR_DATASETS = [
  "spread-medium",
  "spread-medium-replay",
  "skirmish-medium",
  "skirmish-medium-replay",
];

/** Every algorithm, OMIGA's ablations and the baselines (docs/algorithms.md). */
const EVERY_ALGORITHM: AlgorithmName[] = [...ALGORITHM_NAMES];

/** The presets' names. */
export const SWEEP_PRESET_NAMES = [
  "smoke",
  "paper-small",
  "paper",
  "compare-smoke",
  "compare",
  "mamujoco-small",
  "mamujoco",
] as const;

/** A preset's name. */
export type SweepPresetName = typeof SWEEP_PRESET_NAMES[number];

/** The presets by name. */
export const SWEEP_PRESETS: Readonly<Record<SweepPresetName, Readonly<SweepPlan>>> = {
  /**
   * A first look in a few minutes on 2 cores: 2 datasets x 3 algorithms x alphas {0.1, 10} x 3
   * seeds (30 cells) with 32-unit networks and 600 iterations. Its scores show the machinery
   * works, not what OMIGA can reach: networks this small do not fit spread's controller.
   */
  smoke: {
    preset: "smoke",
    datasets: ["spread-medium", "skirmish-medium"],
    episodes: 60,
    datasetSeed: 0,
    algorithms: ALGORITHMS,
    alphas: [BUILT_IN_ALPHA, PAPER_ALPHA],
    mainAlpha: BUILT_IN_ALPHA,
    seeds: 3,
    iterations: 600,
    evalEvery: 200,
    evalEpisodes: 5,
    evalSeeds: 1,
    checkpointEvery: 200,
    batchSize: 64,
    hiddenSize: 32,
    backend: "auto",
  },
  /**
   * Minutes on 2 cores (its cells run one per core; RESULTS.md, "Sweep times"): the four datasets
   * x 3 algorithms x alphas {0.1, 10} x 3 seeds (60 cells) with the paper's networks and batch and
   * 600 iterations: a look at every algorithm and the report, far too few for the critics to
   * separate OMIGA from BC (that takes a few thousand; RESULTS.md). Smaller networks would be
   * faster but do not fit spread's controller.
   */
  "paper-small": {
    preset: "paper-small",
    datasets: FOUR_DATASETS,
    episodes: 200,
    datasetSeed: 0,
    algorithms: ALGORITHMS,
    alphas: [BUILT_IN_ALPHA, PAPER_ALPHA],
    mainAlpha: BUILT_IN_ALPHA,
    seeds: 3,
    iterations: 600,
    evalEvery: 200,
    evalEpisodes: 20,
    evalSeeds: 1,
    checkpointEvery: 200,
    backend: "auto",
  },
  /**
   * The full comparison for a bigger machine (a GPU backend): the paper's networks and batch,
   * 5 seeds, 200k iterations per cell (the paper trains 1M).
   */
  paper: {
    preset: "paper",
    datasets: FOUR_DATASETS,
    episodes: 1_000,
    datasetSeed: 0,
    algorithms: ALGORITHMS,
    alphas: [BUILT_IN_ALPHA, 1, PAPER_ALPHA],
    mainAlpha: BUILT_IN_ALPHA,
    seeds: 5,
    iterations: 200_000,
    evalEvery: 10_000,
    evalEpisodes: 32,
    evalSeeds: 3,
    checkpointEvery: 2_000,
    backend: "auto",
  },
  /**
   * The paper's comparison at a glance: every algorithm (OMIGA, its ablations and the baselines)
   * on the smoke datasets at the main alpha, 2 seeds, 32-unit networks (the baselines' own extra
   * networks keep their reference widths) and 600 iterations. An algorithm that does not cover a
   * dataset's action kind gets no cells there.
   */
  "compare-smoke": {
    preset: "compare-smoke",
    datasets: ["spread-medium", "skirmish-medium"],
    episodes: 60,
    datasetSeed: 0,
    algorithms: EVERY_ALGORITHM,
    alphas: [BUILT_IN_ALPHA],
    mainAlpha: BUILT_IN_ALPHA,
    seeds: 2,
    iterations: 600,
    evalEvery: 200,
    evalEpisodes: 5,
    evalSeeds: 1,
    checkpointEvery: 200,
    batchSize: 64,
    hiddenSize: 32,
    backend: "auto",
  },
  /**
   * The paper's comparison on the four built-in datasets: every algorithm at the main alpha, the
   * algorithms' own networks and batches, 3 seeds, 5,000 iterations (enough for OMIGA to separate
   * from BC on spread; RESULTS.md). Hours on 2 cores: for a bigger machine or a night.
   */
  compare: {
    preset: "compare",
    datasets: FOUR_DATASETS,
    episodes: 200,
    datasetSeed: 0,
    algorithms: EVERY_ALGORITHM,
    alphas: [BUILT_IN_ALPHA],
    mainAlpha: BUILT_IN_ALPHA,
    seeds: 3,
    iterations: 5_000,
    evalEvery: 1_000,
    evalEpisodes: 20,
    evalSeeds: 1,
    checkpointEvery: 500,
    backend: "auto",
  },
  /**
   * The paper's comparison on multi-agent MuJoCo, on the tiers `behaviour` runs stored
   * (halfcheetah-6x1 and hopper-3x1 x medium, medium-replay, medium-expert): every algorithm,
   * 3 seeds, the authors' networks and batch, alpha 10 (these tasks have the paper's reward
   * scale) and 1 and 100 beside it for the trade-off, 100,000 iterations. For a bigger machine.
   */
  mamujoco: {
    preset: "mamujoco",
    datasets: MAMUJOCO_DATASETS,
    episodes: 1,
    datasetSeed: 0,
    algorithms: EVERY_ALGORITHM,
    alphas: [1, MUJOCO_ALPHA, 100],
    mainAlpha: MUJOCO_ALPHA,
    seeds: 3,
    iterations: 100_000,
    evalEvery: 10_000,
    evalEpisodes: 10,
    evalSeeds: 1,
    checkpointEvery: 2_000,
    backend: "auto",
  },
  /**
   * The same comparison in about an hour on 2 cores (cells in parallel, one per core): the six
   * datasets x OMIGA, omiga-local, BC and ICQ (the baselines that run at tens of iterations per
   * second here) x 2 seeds at alpha 10, 2,000 iterations each, learning curves every 500. A
   * look at the comparison, not its verdict: at this budget the critics have not learned
   * advantages large next to alpha 10, so OMIGA's weights are nearly uniform (RESULTS.md).
   */
  "mamujoco-small": {
    preset: "mamujoco-small",
    datasets: MAMUJOCO_DATASETS,
    episodes: 1,
    datasetSeed: 0,
    algorithms: FAST_ALGORITHMS,
    alphas: [MUJOCO_ALPHA],
    mainAlpha: MUJOCO_ALPHA,
    seeds: 2,
    iterations: 2_000,
    evalEvery: 500,
    evalEpisodes: 5,
    evalSeeds: 1,
    checkpointEvery: 500,
    backend: "auto",
  },
};
