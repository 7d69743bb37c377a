/**
 * The behaviour learner's replay buffer: every transition of the run in order (it never
 * overwrites, so that the buffer up to a checkpoint is that checkpoint's `medium-replay` data),
 * as flat typed arrays that a checkpoint stores as they are.
 *
 * @module
 */
import { ValidationError } from "../errors.ts";
import type { Rng } from "../rng.ts";

/** The arrays of a buffer, for checkpoints. */
export interface ReplayArrays {
  state: Float32Array; // [N, S]
  action: Float32Array; // [N, A]
  reward: Float32Array; // [N]
  /** 1 where the transition ends in a true terminal state. */
  terminal: Uint8Array; // [N]
  nextState: Float32Array; // [N, S]
}

/** A sampled batch, as typed arrays. */
export interface ReplaySample {
  state: Float32Array;
  action: Float32Array;
  reward: Float32Array;
  mask: Float32Array; // 1 - terminal
  nextState: Float32Array;
}

/** A fixed-capacity, append-only buffer of transitions. */
export class ReplayBuffer {
  readonly arrays: ReplayArrays;
  #size = 0;

  constructor(
    readonly capacity: number,
    readonly stateDim: number,
    readonly actionDim: number,
  ) {
    this.arrays = {
      state: new Float32Array(capacity * stateDim),
      action: new Float32Array(capacity * actionDim),
      reward: new Float32Array(capacity),
      terminal: new Uint8Array(capacity),
      nextState: new Float32Array(capacity * stateDim),
    };
  }

  /** A buffer holding the first `size` transitions of `arrays` (from a checkpoint). */
  static restore(
    arrays: ReplayArrays,
    size: number,
    capacity: number,
    stateDim: number,
    actionDim: number,
  ): ReplayBuffer {
    const buffer = new ReplayBuffer(capacity, stateDim, actionDim);
    const expect = (name: keyof ReplayArrays, width: number) => {
      if (arrays[name].length !== size * width) {
        throw new ValidationError(
          `replay buffer: ${name} holds ${arrays[name].length} values, expected ${size} x ${width}`,
        );
      }
      buffer.arrays[name].set(arrays[name] as never);
    };
    expect("state", stateDim);
    expect("action", actionDim);
    expect("reward", 1);
    expect("terminal", 1);
    expect("nextState", stateDim);
    buffer.#size = size;
    return buffer;
  }

  /** Number of transitions stored. */
  get size(): number {
    return this.#size;
  }

  /** Appends one transition. */
  add(
    state: Float32Array,
    action: Float32Array,
    reward: number,
    terminal: boolean,
    nextState: Float32Array,
  ): void {
    if (this.#size >= this.capacity) {
      throw new RangeError(`replay buffer is full (${this.capacity} transitions)`);
    }
    const i = this.#size++;
    const { arrays, stateDim, actionDim } = this;
    arrays.state.set(state, i * stateDim);
    arrays.action.set(action, i * actionDim);
    arrays.reward[i] = reward;
    arrays.terminal[i] = terminal ? 1 : 0;
    arrays.nextState.set(nextState, i * stateDim);
  }

  /** The first `size` transitions' arrays (views, for checkpoints). */
  stored(): ReplayArrays {
    const n = this.#size, { arrays, stateDim, actionDim } = this;
    return {
      state: arrays.state.subarray(0, n * stateDim),
      action: arrays.action.subarray(0, n * actionDim),
      reward: arrays.reward.subarray(0, n),
      terminal: arrays.terminal.subarray(0, n),
      nextState: arrays.nextState.subarray(0, n * stateDim),
    };
  }

  /** `batch` transitions drawn uniformly with replacement (indices from `rng`). */
  sample(batch: number, rng: Rng): ReplaySample {
    if (this.#size === 0) throw new RangeError("cannot sample an empty replay buffer");
    const { arrays, stateDim: S, actionDim: A } = this;
    const out: ReplaySample = {
      state: new Float32Array(batch * S),
      action: new Float32Array(batch * A),
      reward: new Float32Array(batch),
      mask: new Float32Array(batch),
      nextState: new Float32Array(batch * S),
    };
    for (let b = 0; b < batch; b++) {
      const i = rng.int(0, this.#size - 1);
      out.state.set(arrays.state.subarray(i * S, (i + 1) * S), b * S);
      out.action.set(arrays.action.subarray(i * A, (i + 1) * A), b * A);
      out.reward[b] = arrays.reward[i];
      out.mask[b] = 1 - arrays.terminal[i];
      out.nextState.set(arrays.nextState.subarray(i * S, (i + 1) * S), b * S);
    }
    return out;
  }
}
