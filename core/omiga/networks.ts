/**
 * OMIGA's networks (DESIGN.md section 5) as layouts in three flat parameter vectors, one per
 * optimiser: `policy` (pi), `critic` (Q followed by the mixer: they share an optimiser and a
 * soft-updated target) and `value` (V). Parameters are shared across agents; every agent's input
 * has its one-hot agent id appended.
 *
 * - pi: [obs | id] -> hidden -> hidden -> continuous [mu | log-std] (2 act) or discrete logits.
 * - Q:  continuous [obs | action | id] -> hidden -> hidden -> 1; discrete [obs | id] -> n_actions.
 * - V:  [obs | id] -> hidden -> hidden -> 1.
 * - mixer: all agents' states concatenated -> mixer hidden -> ReLU -> [w (n_agents) | b (1)],
 *   w = |.|. Absent in `omiga-local`, where w = 1 and b = 0.
 *
 * @module
 */
import type { MultiAgentSpec } from "../dataset.ts";
import type { Rng } from "../rng.ts";
import type { OmigaAlgorithm } from "./config.ts";
import { initialiseMlp, type MlpLayout, mlpLayout } from "./dense.ts";

/** Everything needed to rebuild the networks: the data's shapes and the widths. */
export interface OmigaArchitecture {
  spec: MultiAgentSpec;
  algorithm: OmigaAlgorithm;
  hiddenSize: number;
  mixerHiddenSize: number;
}

/** Where each network sits in the three flat vectors. */
export interface OmigaLayouts {
  policy: MlpLayout;
  q: MlpLayout;
  /** After `q` in the critic vector; absent for `omiga-local`. */
  mixer?: MlpLayout;
  value: MlpLayout;
  sizes: { policy: number; critic: number; value: number };
}

/** Number of discrete actions or continuous action dimensions the policy outputs per agent. */
export function actionWidth(spec: MultiAgentSpec): number {
  return spec.actionKind === "discrete" ? spec.nActions! : spec.actDim;
}

/** The layouts for an architecture. */
export function omigaLayouts(architecture: OmigaArchitecture): OmigaLayouts {
  const { spec, hiddenSize: h, mixerHiddenSize } = architecture;
  const { nAgents, obsDim, stateDim, actDim } = spec;
  const discrete = spec.actionKind === "discrete";
  const localInput = obsDim + nAgents;
  const policy = mlpLayout("policy", [localInput, h, h, discrete ? spec.nActions! : 2 * actDim]);
  const q = discrete
    ? mlpLayout("q", [localInput, h, h, spec.nActions!])
    : mlpLayout("q", [obsDim + actDim + nAgents, h, h, 1]);
  const mixer = architecture.algorithm === "omiga-local"
    ? undefined
    : mlpLayout("mixer", [nAgents * stateDim, mixerHiddenSize, nAgents + 1], q.size);
  const value = mlpLayout("value", [localInput, h, h, 1]);
  return {
    policy,
    q,
    mixer,
    value,
    sizes: { policy: policy.size, critic: q.size + (mixer?.size ?? 0), value: value.size },
  };
}

/** Initial parameters, drawn from `rng` in a fixed order: policy, Q, mixer, V. */
export function initialParameters(
  layouts: OmigaLayouts,
  rng: Rng,
): { policy: Float32Array; critic: Float32Array; value: Float32Array } {
  const policy = new Float32Array(layouts.sizes.policy);
  const critic = new Float32Array(layouts.sizes.critic);
  const value = new Float32Array(layouts.sizes.value);
  initialiseMlp(layouts.policy, policy, rng);
  initialiseMlp(layouts.q, critic, rng);
  if (layouts.mixer) initialiseMlp(layouts.mixer, critic, rng);
  initialiseMlp(layouts.value, value, rng);
  return { policy, critic, value };
}
