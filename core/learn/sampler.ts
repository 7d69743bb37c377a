/**
 * Seeded batch sampling from {@link TransitionArrays}: B transition indices uniform with
 * replacement from the trainer's {@link Rng}, gathered on the CPU straight into the row layouts
 * the networks read (agent id appended, agents stacked as rows), so each step uploads a few
 * contiguous typed arrays once.
 *
 * @module
 */
import type { MultiAgentSpec, TransitionArrays } from "../dataset.ts";
import { ValidationError } from "../errors.ts";
import type { Rng } from "../rng.ts";

/** One training batch as typed arrays. R = B * nAgents rows, agent-major within a transition. */
export interface TrainingBatch {
  batchSize: number;
  /** [R, obsDim + nAgents]: observation, then the one-hot agent id. */
  obsWithId: Float32Array;
  /** [R, obsDim + nAgents] at the next step. */
  nextObsWithId: Float32Array;
  /** Continuous: [R, obsDim + actDim + nAgents], the Q network's input. */
  obsActionWithId?: Float32Array;
  /** Continuous: [R, actDim] dataset actions in [-1, 1]. */
  action?: Float32Array;
  /** Discrete: [R, nActions] one-hot dataset actions. */
  actionOneHot?: Float32Array;
  /** Discrete: [R, nActions] 1 where an action is available (all 1 when the data has no mask). */
  avail?: Float32Array;
  /** Discrete: [R, nActions] at the next step. */
  nextAvail?: Float32Array;
  /**
   * The dataset's next action (SARSA-style targets), when the data has it: continuous
   * [R, actDim], discrete one-hot [R, nActions]; zero on terminal rows.
   */
  nextAction?: Float32Array;
  /** [B, nAgents * stateDim]: all agents' states concatenated. */
  state: Float32Array;
  /** [B, nAgents * stateDim] at the next step. */
  nextState: Float32Array;
  reward: Float32Array; // [B]
  mask: Float32Array; // [B]
}

/** Checks that `data` is consistent with itself and has at least one transition. */
export function validateTransitions(data: TransitionArrays): void {
  const { spec, size } = data;
  const where = "training transitions";
  const problem = (text: string) => new ValidationError(`${where}: ${text}`);
  if (!Number.isInteger(size) || size < 1) throw problem(`size must be >= 1, got ${size}`);
  for (const key of ["nAgents", "obsDim", "stateDim", "actDim"] as const) {
    if (!Number.isInteger(spec[key]) || spec[key] < 1) {
      throw problem(`spec.${key} must be a positive integer, got ${spec[key]}`);
    }
  }
  const { nAgents, obsDim, stateDim, actDim } = spec;
  const expect = (name: string, length: number, wanted: number) => {
    if (length !== wanted) throw problem(`${name} has ${length} values, expected ${wanted}`);
  };
  expect("obs", data.obs.length, size * nAgents * obsDim);
  expect("nextObs", data.nextObs.length, size * nAgents * obsDim);
  expect("state", data.state.length, size * nAgents * stateDim);
  expect("nextState", data.nextState.length, size * nAgents * stateDim);
  expect("reward", data.reward.length, size);
  expect("mask", data.mask.length, size);
  expect("action", data.action.length, size * nAgents * actDim);
  if (spec.actionKind === "discrete") {
    const n = spec.nActions;
    if (actDim !== 1) throw problem(`discrete actions need actDim 1, got ${actDim}`);
    if (!Number.isInteger(n) || n! < 2) throw problem(`spec.nActions must be >= 2, got ${n}`);
    for (let i = 0; i < data.action.length; i++) {
      const a = data.action[i];
      if (!Number.isInteger(a) || a < 0 || a >= n!) {
        throw problem(
          `action at row ${Math.floor(i / nAgents)}, agent ${i % nAgents} is ${a}, ` +
            `expected an integer in [0, ${n! - 1}]`,
        );
      }
    }
  }
}

/** Draws batches of transitions. */
export class BatchSampler {
  readonly #data: TransitionArrays;
  readonly #spec: MultiAgentSpec;
  readonly #batchSize: number;

  constructor(data: TransitionArrays, batchSize: number) {
    validateTransitions(data);
    this.#data = data;
    this.#spec = data.spec;
    this.#batchSize = batchSize;
  }

  /** Draws B indices from `rng` (uniform, with replacement) and gathers them. */
  sample(rng: Rng): TrainingBatch {
    return this.gather(this.sampleIndices(rng));
  }

  /** Draws B transition indices from `rng` (uniform, with replacement). */
  sampleIndices(rng: Rng): Int32Array {
    const indices = new Int32Array(this.#batchSize);
    rng.fillIndices(indices, this.#data.size);
    return indices;
  }

  /** Gathers the given transition indices into a batch. */
  gather(indices: Int32Array): TrainingBatch {
    const data = this.#data;
    const { nAgents: n, obsDim, stateDim, actDim, actionKind } = this.#spec;
    const batchSize = indices.length;
    const rows = batchSize * n;
    const localWidth = obsDim + n;
    const obsWithId = new Float32Array(rows * localWidth);
    const nextObsWithId = new Float32Array(rows * localWidth);
    const continuous = actionKind === "continuous";
    const qWidth = obsDim + actDim + n;
    const obsActionWithId = continuous ? new Float32Array(rows * qWidth) : undefined;
    const action = continuous ? new Float32Array(rows * actDim) : undefined;
    const nActions = this.#spec.nActions ?? 0;
    const actionOneHot = continuous ? undefined : new Float32Array(rows * nActions);
    const avail = continuous ? undefined : new Float32Array(rows * nActions);
    const nextAvail = continuous ? undefined : new Float32Array(rows * nActions);
    const nextActionSource = data.nextAction;
    const nextAction = nextActionSource === undefined
      ? undefined
      : new Float32Array(rows * (continuous ? actDim : nActions));
    const stateWidth = n * stateDim;
    const state = new Float32Array(batchSize * stateWidth);
    const nextState = new Float32Array(batchSize * stateWidth);
    const reward = new Float32Array(batchSize);
    const mask = new Float32Array(batchSize);
    for (let b = 0; b < batchSize; b++) {
      const index = indices[b];
      reward[b] = data.reward[index];
      mask[b] = data.mask[index];
      state.set(data.state.subarray(index * stateWidth, (index + 1) * stateWidth), b * stateWidth);
      nextState.set(
        data.nextState.subarray(index * stateWidth, (index + 1) * stateWidth),
        b * stateWidth,
      );
      for (let i = 0; i < n; i++) {
        const row = b * n + i;
        const source = (index * n + i) * obsDim;
        const obs = data.obs.subarray(source, source + obsDim);
        obsWithId.set(obs, row * localWidth);
        obsWithId[row * localWidth + obsDim + i] = 1;
        nextObsWithId.set(data.nextObs.subarray(source, source + obsDim), row * localWidth);
        nextObsWithId[row * localWidth + obsDim + i] = 1;
        const actionSource = (index * n + i) * actDim;
        if (nextActionSource !== undefined) {
          if (continuous) {
            nextAction!.set(
              nextActionSource.subarray(actionSource, actionSource + actDim),
              row * actDim,
            );
          } else if (data.mask[index] !== 0) {
            nextAction![row * nActions + nextActionSource[actionSource]] = 1;
          }
        }
        if (continuous) {
          const act = data.action.subarray(actionSource, actionSource + actDim);
          action!.set(act, row * actDim);
          obsActionWithId!.set(obs, row * qWidth);
          obsActionWithId!.set(act, row * qWidth + obsDim);
          obsActionWithId![row * qWidth + obsDim + actDim + i] = 1;
        } else {
          actionOneHot![row * nActions + data.action[actionSource]] = 1;
          const maskSource = (index * n + i) * nActions;
          for (let a = 0; a < nActions; a++) {
            avail![row * nActions + a] = data.avail ? data.avail[maskSource + a] : 1;
            nextAvail![row * nActions + a] = data.nextAvail ? data.nextAvail[maskSource + a] : 1;
          }
        }
      }
    }
    return {
      batchSize,
      obsWithId,
      nextObsWithId,
      obsActionWithId,
      action,
      actionOneHot,
      avail,
      nextAvail,
      nextAction,
      state,
      nextState,
      reward,
      mask,
    };
  }
}
