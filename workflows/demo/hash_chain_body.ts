/**
 * The body of the `hash-chain` demo's `chain` step: a deterministic, CPU-bound loop (rounds of
 * a 32-bit integer hash) that checkpoints its counter and state, reports progress, and stops
 * when its signal aborts. It exercises exactly what training does (a Worker, checkpoints,
 * resume, cancellation), so a resumed chain must end with the same digest as an uninterrupted
 * one.
 *
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic } from "../checkpoint.ts";
import type { StepContext } from "../step.ts";

/** The file the chain leaves in its run's artifact folder: iteration and state, 8 bytes. */
export const CHAIN_ARTIFACT = "chain.bin";

/** The chain's parameters. */
export interface HashChainInput {
  start: number;
  iterations: number;
  roundsPerIteration: number;
  checkpointEvery: number;
  /** The artifact's file name (default {@link CHAIN_ARTIFACT}; one per chain of a fan-out). */
  artifact?: string;
}

/** What the chain produces. */
export interface HashChainOutput {
  digest: string;
  iterations: number;
  /** The iteration it resumed from (0 when it started fresh). */
  resumedFrom: number;
}

/** One iteration: `rounds` rounds of the murmur3 finaliser over a 32-bit state. */
export function hashRounds(state: number, rounds: number): number {
  let h = state >>> 0;
  for (let i = 0; i < rounds; i++) {
    h = (h + i) >>> 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** The digest of a finished chain, computed in one go (the reference for tests). */
export function chainDigest(input: Omit<HashChainInput, "checkpointEvery">): string {
  let state = input.start >>> 0;
  for (let i = 0; i < input.iterations; i++) state = hashRounds(state, input.roundsPerIteration);
  return state.toString(16).padStart(8, "0");
}

/** The chain's checkpoint and artifact bytes: iteration then state, u32 little-endian. */
export function encode(iteration: number, state: number): Uint8Array {
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, iteration, true);
  view.setUint32(4, state, true);
  return bytes;
}

function decode(bytes: Uint8Array): { iteration: number; state: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { iteration: view.getUint32(0, true), state: view.getUint32(4, true) };
}

/**
 * Runs the chain from its last checkpoint (or from `start`).
 *
 * @example
 * ```ts ignore
 * const output = await hashChain({ start: 1, iterations: 10, roundsPerIteration: 100,
 *   checkpointEvery: 5 }, ctx);
 * ```
 */
export async function hashChain(
  input: HashChainInput,
  ctx: StepContext,
): Promise<HashChainOutput> {
  const saved = await ctx.checkpoint.load();
  let { iteration, state } = saved ? decode(saved) : { iteration: 0, state: input.start >>> 0 };
  const resumedFrom = iteration;
  if (saved) ctx.log(`resuming at iteration ${iteration}/${input.iterations}`);
  while (iteration < input.iterations) {
    ctx.signal.throwIfAborted();
    state = hashRounds(state, input.roundsPerIteration);
    iteration++;
    if (iteration % input.checkpointEvery === 0 || iteration === input.iterations) {
      await ctx.checkpoint.save(encode(iteration, state));
      ctx.progress({ unit: "iteration", done: iteration, total: input.iterations });
    }
  }
  // The chain's "trained artifact": written atomically into the run's folder.
  const artifact = join(ctx.artifactsDir, input.artifact ?? CHAIN_ARTIFACT);
  await writeFileAtomic(artifact, encode(iteration, state));
  return { digest: state.toString(16).padStart(8, "0"), iterations: iteration, resumedFrom };
}
