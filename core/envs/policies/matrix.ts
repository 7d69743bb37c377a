/**
 * Scripted `matrix` policies. The observation is constant, so a scripted controller's knowledge
 * is the payoff table it was built with.
 *
 * - expert: every agent plays its part of the best joint action (ties: the first in the table).
 * - medium: every agent plays the action that is best against uniformly random partners (what
 *   independent learners converge to; on the default game it picks the safe, worse action).
 *
 * @module
 */
import type { MultiAgentSpec } from "../../dataset.ts";
import type { Policy } from "../../policy.ts";
import type { MatrixConfig } from "../matrix.ts";

/** Always plays one fixed action per agent. */
export class FixedJointActionPolicy implements Policy {
  readonly spec: MultiAgentSpec;
  readonly joint: Int32Array;

  constructor(spec: MultiAgentSpec, joint: ArrayLike<number>) {
    this.spec = spec;
    this.joint = Int32Array.from(joint);
  }

  act(obs: Float32Array): Promise<Int32Array> {
    const rows = obs.length / this.spec.obsDim, n = this.spec.nAgents;
    const out = new Int32Array(rows);
    for (let r = 0; r < rows; r++) out[r] = this.joint[r % n];
    return Promise.resolve(out);
  }
}

/** The joint action with the highest payoff (first in table order on ties). */
export function bestJointAction(config: MatrixConfig): number[] {
  let best = 0;
  for (let k = 1; k < config.payoff.length; k++) {
    if (config.payoff[k] > config.payoff[best]) best = k;
  }
  return decodeJoint(config, best);
}

/** Every agent's best response to uniformly random partners. */
export function independentBestResponses(config: MatrixConfig): number[] {
  const { nAgents, nActions, payoff } = config;
  const joint: number[] = [];
  for (let i = 0; i < nAgents; i++) {
    const value = new Float64Array(nActions);
    for (let k = 0; k < payoff.length; k++) value[decodeJoint(config, k)[i]] += payoff[k];
    let best = 0;
    for (let a = 1; a < nActions; a++) if (value[a] > value[best]) best = a;
    joint.push(best);
  }
  return joint;
}

function decodeJoint(config: MatrixConfig, index: number): number[] {
  const joint = new Array<number>(config.nAgents);
  for (let i = config.nAgents - 1; i >= 0; i--) {
    joint[i] = index % config.nActions;
    index = Math.floor(index / config.nActions);
  }
  return joint;
}
