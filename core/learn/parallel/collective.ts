/**
 * Collectives over shared memory for a team of threads that train one run together
 * (`team.ts`): a barrier, the largest of one number per rank, and the element-wise sum of one
 * vector per rank. Each rank is a Worker (rank 0 the trainer itself); they meet in a
 * `SharedArrayBuffer` and wait with `Atomics.wait`/`notify` after a short spin.
 *
 * Sums add the ranks' vectors in rank order, ((v0 + v1) + v2) ..., on every rank, so every rank
 * gets the same bits and a run repeats itself exactly at a fixed thread count
 * (docs/threads.md).
 *
 * Two sets of slots alternate from one collective to the next: a rank writes the set of call
 * k + 2 only after the barrier of call k + 1, which no rank passes before every rank has read
 * call k's values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Collective, teamMemory } from "./collective.ts";
 * const solo = new Collective(teamMemory(1, 4), 0);
 * assert.equal(solo.max(3), 3);
 * assert.deepEqual(Array.from(solo.sum([new Float32Array([1, 2])])[0]), [1, 2]);
 * ```
 *
 * @module
 */

/** The shared memory of a team: created once by rank 0, posted to every other rank. */
export interface TeamMemory {
  /** Ranks in the team. */
  size: number;
  /** Floats one rank may contribute to one sum. */
  capacity: number;
  /** Int32 words: generation, arrivals, stop flag, heartbeat; then a UTF-8 message. */
  control: SharedArrayBuffer;
  /** Two slot sets of `size` numbers (float64), then two of `size * capacity` float32 values. */
  data: SharedArrayBuffer;
}

const GENERATION = 0;
const ARRIVED = 1;
const STOPPED = 2;
const HEARTBEAT = 3;
const MESSAGE_LENGTH = 4;
const MESSAGE_OFFSET = 32; // bytes
const MESSAGE_BYTES = 4096;

/** Spinning before sleeping: a balanced partner usually arrives within this. */
const SPIN_MS = 0.2;
/** How long one sleep lasts before the stop flag and the heartbeat are read again. */
const WAIT_SLICE_MS = 1000;
/**
 * A helper that has seen no sign of rank 0 for this long stops: the trainer was killed without
 * stopping its team (a Worker terminated past its grace), and nothing else would end it.
 */
export const HEARTBEAT_TIMEOUT_S = 300;

/** Raised in every rank once the team stops: by rank 0 when done, or after a rank failed. */
export class TeamStopped extends Error {
  override name = "TeamStopped";
}

/** The shared memory for `size` ranks contributing up to `capacity` floats to a sum. */
export function teamMemory(size: number, capacity: number): TeamMemory {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`team size ${size}`);
  return {
    size,
    capacity,
    control: new SharedArrayBuffer(MESSAGE_OFFSET + MESSAGE_BYTES),
    data: new SharedArrayBuffer(2 * size * 8 + 2 * size * capacity * 4),
  };
}

/**
 * Stops the team on `memory`, from any thread that holds it (a rank, or the thread that
 * terminated a trainer: its helpers would otherwise sleep until {@link HEARTBEAT_TIMEOUT_S}):
 * every rank waiting or arriving later raises {@link TeamStopped} with `message`. The first
 * message stays; stopping a stopped team only wakes it.
 */
export function stopTeam(memory: TeamMemory, message = "the team was stopped"): void {
  const control = new Int32Array(memory.control, 0, MESSAGE_OFFSET / 4);
  if (Atomics.compareExchange(control, STOPPED, 0, 1) === 0) {
    const bytes = new TextEncoder().encode(message).subarray(0, MESSAGE_BYTES);
    new Uint8Array(memory.control, MESSAGE_OFFSET, MESSAGE_BYTES).set(bytes);
    Atomics.store(control, MESSAGE_LENGTH, bytes.length);
  }
  Atomics.add(control, GENERATION, 0);
  Atomics.notify(control, GENERATION);
}

/** One rank's end of a team's collectives. */
export class Collective {
  readonly rank: number;
  readonly size: number;
  readonly #memory: TeamMemory;
  readonly #control: Int32Array;
  readonly #scalars: Float64Array;
  readonly #vectors: Float32Array;
  #calls = 0;

  constructor(memory: TeamMemory, rank: number) {
    if (!Number.isInteger(rank) || rank < 0 || rank >= memory.size) {
      throw new RangeError(`rank ${rank} outside a team of ${memory.size}`);
    }
    this.#memory = memory;
    this.rank = rank;
    this.size = memory.size;
    this.#control = new Int32Array(memory.control, 0, MESSAGE_OFFSET / 4);
    this.#scalars = new Float64Array(memory.data, 0, 2 * memory.size);
    this.#vectors = new Float32Array(memory.data, 2 * memory.size * 8);
    if (rank === 0) this.beat();
  }

  /** The largest of every rank's `value`. */
  max(value: number): number {
    return this.reduce([], value).max;
  }

  /** The element-wise sums of every rank's `vectors`; see {@link Collective.reduce}. */
  sum(
    vectors: Float32Array<ArrayBufferLike>[],
    outputs?: Float32Array<ArrayBufferLike>[],
  ): Float32Array<ArrayBufferLike>[] {
    return this.reduce(vectors, -Infinity, outputs).sums;
  }

  /**
   * In one meeting, the element-wise sums of every rank's `vectors` (the same count and lengths
   * on every rank), added in rank order so that every rank gets the same bits, and the largest
   * of every rank's `value`. Sums go into `outputs` when given (one per vector, of its length),
   * else into new arrays.
   */
  reduce(
    vectors: Float32Array<ArrayBufferLike>[],
    value: number,
    outputs: Float32Array<ArrayBufferLike>[] = vectors.map((v) => new Float32Array(v.length)),
  ): { sums: Float32Array<ArrayBufferLike>[]; max: number } {
    const total = vectors.reduce((n, v) => n + v.length, 0);
    if (total > this.#memory.capacity) {
      throw new RangeError(`a sum of ${total} floats exceeds the team's ${this.#memory.capacity}`);
    }
    const { capacity } = this.#memory;
    const set = this.#slotSet();
    const slot = (rank: number) => (set * this.size + rank) * capacity;
    const scalars = set * this.size;
    this.#scalars[scalars + this.rank] = value;
    let offset = slot(this.rank);
    for (const vector of vectors) {
      this.#vectors.set(vector, offset);
      offset += vector.length;
    }
    this.#barrier();
    let max = -Infinity;
    for (let r = 0; r < this.size; r++) max = Math.max(max, this.#scalars[scalars + r]);
    const values = this.#vectors;
    let start = 0;
    vectors.forEach((vector, v) => {
      const out = outputs[v];
      const first = slot(0) + start;
      out.set(values.subarray(first, first + vector.length));
      for (let r = 1; r < this.size; r++) {
        const from = slot(r) + start;
        for (let i = 0; i < out.length; i++) out[i] += values[from + i];
      }
      start += vector.length;
    });
    return { sums: outputs, max };
  }

  /** Waits until every rank has arrived. */
  barrier(): void {
    this.#barrier();
  }

  /** Rank 0's sign of life, read by helpers that wait (see {@link HEARTBEAT_TIMEOUT_S}). */
  beat(): void {
    Atomics.store(this.#control, HEARTBEAT, Math.floor(Date.now() / 1000));
  }

  /** Stops the team: every rank waiting or arriving later raises {@link TeamStopped}. */
  stop(message = "the team was stopped"): void {
    stopTeam(this.#memory, message);
  }

  /** Why the team stopped, or undefined while it runs. */
  get stopReason(): string | undefined {
    if (Atomics.load(this.#control, STOPPED) === 0) return undefined;
    const length = Atomics.load(this.#control, MESSAGE_LENGTH);
    const bytes = new Uint8Array(this.#memory.control, MESSAGE_OFFSET, length).slice();
    return new TextDecoder().decode(bytes);
  }

  #slotSet(): number {
    return this.#calls & 1;
  }

  #barrier(): void {
    this.#checkStopped();
    const control = this.#control;
    if (this.rank === 0) this.beat();
    const generation = Atomics.load(control, GENERATION);
    this.#calls += 1;
    if (Atomics.add(control, ARRIVED, 1) === this.size - 1) {
      Atomics.store(control, ARRIVED, 0);
      Atomics.add(control, GENERATION, 1);
      Atomics.notify(control, GENERATION);
      return;
    }
    const spinUntil = performance.now() + SPIN_MS;
    while (Atomics.load(control, GENERATION) === generation) {
      if (performance.now() < spinUntil) continue;
      Atomics.wait(control, GENERATION, generation, WAIT_SLICE_MS);
      this.#checkStopped();
      if (this.rank === 0) this.beat();
      else if (Date.now() / 1000 - Atomics.load(control, HEARTBEAT) > HEARTBEAT_TIMEOUT_S) {
        this.stop(`rank 0 gave no sign of life for ${HEARTBEAT_TIMEOUT_S} s`);
      }
    }
    this.#checkStopped();
  }

  #checkStopped(): void {
    const reason = this.stopReason;
    if (reason !== undefined) throw new TeamStopped(reason);
  }
}
