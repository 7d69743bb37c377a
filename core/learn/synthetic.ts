/**
 * Synthetic training transitions for tests and benchmarks: seeded random values of the right
 * shapes (no learnable structure).
 *
 * @module
 */
import type { MultiAgentSpec, TransitionArrays } from "../dataset.ts";
import { Rng } from "../rng.ts";

/** Random transitions of shape `spec`, `size` rows, from `seed`. */
export function syntheticTransitions(
  spec: MultiAgentSpec,
  size: number,
  seed = 1,
): TransitionArrays {
  const rng = Rng.fromSeed(seed);
  const { nAgents, obsDim, stateDim, actDim } = spec;
  const normal = (n: number) => rng.fillNormal(new Float32Array(n)) as Float32Array;
  const discrete = spec.actionKind === "discrete";
  const nActions = spec.nActions ?? 0;
  const action = discrete
    ? Int32Array.from({ length: size * nAgents }, () => rng.int(0, nActions - 1))
    : rng.fillUniform(new Float32Array(size * nAgents * actDim), -1, 1) as Float32Array;
  const avail = discrete ? new Uint8Array(size * nAgents * nActions) : undefined;
  if (avail) {
    for (let i = 0; i < size * nAgents; i++) {
      for (let a = 0; a < nActions; a++) avail[i * nActions + a] = rng.float() < 0.7 ? 1 : 0;
      avail[i * nActions + (action[i] as number)] = 1;
    }
  }
  return {
    spec,
    size,
    obs: normal(size * nAgents * obsDim),
    state: normal(size * nAgents * stateDim),
    action,
    reward: normal(size),
    mask: Float32Array.from({ length: size }, () => (rng.float() < 0.95 ? 1 : 0)),
    nextObs: normal(size * nAgents * obsDim),
    nextState: normal(size * nAgents * stateDim),
    avail,
    nextAvail: avail,
    // Drawn last, so that the fields above do not depend on it.
    nextAction: discrete
      ? Int32Array.from({ length: size * nAgents }, () => rng.int(0, nActions - 1))
      : rng.fillUniform(new Float32Array(size * nAgents * actDim), -1, 1) as Float32Array,
  };
}
