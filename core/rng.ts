/**
 * Seeded, serialisable randomness. Every random draw in omiga-flow (initialisation, batch
 * sampling, environment resets, behaviour policies, policy sampling) comes from an {@link Rng},
 * whose whole state is a few integers that a checkpoint stores, so a resumed run draws exactly
 * what an uninterrupted one would have.
 *
 * @module
 */
import { z } from "zod";
import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";
import type { JumpableRandomGenerator } from "pure-rand/types/JumpableRandomGenerator";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { uniformInt } from "pure-rand/distribution/uniformInt";

/** Four well-mixed, not-all-zero 32-bit state words from a seed (splitmix32 steps). */
function seedWords(seed: number): number[] {
  let x = seed | 0;
  const words: number[] = [];
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) | 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    words.push((z ^ (z >>> 16)) | 0);
  }
  return words.every((w) => w === 0) ? [1, 0, 0, 0] : words;
}

/** The serialised state of an {@link Rng}: JSON-safe. */
export interface RngState {
  algorithm: "xoroshiro128plus";
  words: number[];
}

/** An {@link RngState} read from untrusted JSON (a checkpoint's metadata). */
export const rngStateSchema: z.ZodType<RngState> = z.object({
  algorithm: z.literal("xoroshiro128plus"),
  words: z.array(z.number().int().min(-(2 ** 31)).max(2 ** 32 - 1)).length(4),
});

/**
 * A seeded xoroshiro128+ generator (pure-rand) with the draws the project needs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rng } from "./rng.ts";
 * const a = Rng.fromSeed(7);
 * const b = Rng.fromState(a.state());
 * assert.ok(a.float() === b.float());
 * ```
 */
export class Rng {
  #generator: JumpableRandomGenerator;

  private constructor(generator: JumpableRandomGenerator) {
    this.#generator = generator;
  }

  /**
   * A generator from an integer seed. The seed is spread over the 128-bit state with
   * splitmix32, so that nearby seeds (0, 1, 2, ...) give unrelated streams from the first draw.
   */
  static fromSeed(seed: number): Rng {
    if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
    return new Rng(xoroshiro128plusFromState(seedWords(seed)));
  }

  /** A generator restored from {@link Rng.state}. */
  static fromState(state: RngState): Rng {
    if (state.algorithm !== "xoroshiro128plus" || state.words.length !== 4) {
      throw new RangeError(`not an xoroshiro128plus state: ${JSON.stringify(state)}`);
    }
    return new Rng(xoroshiro128plusFromState(state.words));
  }

  /** The full state, for checkpoints. */
  state(): RngState {
    return { algorithm: "xoroshiro128plus", words: [...this.#generator.getState()] };
  }

  /** An independent copy at the same position. */
  clone(): Rng {
    return new Rng(this.#generator.clone());
  }

  /**
   * A child stream that does not overlap this one for 2^64 draws (xoroshiro's jump). This
   * generator advances too, so successive forks differ.
   */
  fork(): Rng {
    const child = this.#generator.clone();
    child.jump();
    this.#generator.jump();
    this.#generator.jump();
    return new Rng(child);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return uniformFloat64(this.#generator);
  }

  /** Uniform integer in [from, to], both included. */
  int(from: number, to: number): number {
    return uniformInt(this.#generator, from, to);
  }

  /** Standard normal (Box-Muller; two uniforms per draw, no cached spare, so state stays small). */
  normal(): number {
    const u = 1 - this.float(); // (0, 1]
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Fills `out` with uniform draws in [low, high). */
  fillUniform(out: Float32Array | Float64Array, low = 0, high = 1): typeof out {
    for (let i = 0; i < out.length; i++) out[i] = low + (high - low) * this.float();
    return out;
  }

  /** Fills `out` with normal draws. */
  fillNormal(out: Float32Array | Float64Array, mean = 0, std = 1): typeof out {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** Fills `out` with uniform integers in [0, bound). */
  fillIndices(out: Int32Array | Uint32Array, bound: number): typeof out {
    for (let i = 0; i < out.length; i++) out[i] = this.int(0, bound - 1);
    return out;
  }
}
