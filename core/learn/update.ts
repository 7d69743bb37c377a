/**
 * The pieces of an update step that every algorithm shares: a clipped Adam step per group in
 * the order the algorithm gives, and the soft target updates.
 *
 * @module
 */
import type { tf } from "../tf.ts";
import type { Kernels } from "../kernels/mod.ts";
import type { AdamSettings } from "../nn/adam.ts";
import type { BaseConfig, TrainingState } from "./algorithm.ts";

/** Adam's settings for a group's learning rate under `config`. */
export function adamSettings(config: BaseConfig, learningRate: number): AdamSettings {
  return {
    learningRate,
    beta1: config.adamBeta1,
    beta2: config.adamBeta2,
    epsilon: config.adamEps,
    clipNorm: config.gradClip,
  };
}

/**
 * The state after one Adam step of each `[group, gradient, learningRate]`, applied in the order
 * given; groups not named keep their tensors.
 */
export function applyGradients(
  kernels: Kernels,
  state: TrainingState,
  updates: [group: string, gradient: tf.Tensor1D, learningRate: number][],
  config: BaseConfig,
): TrainingState {
  const live = { ...state.live };
  const adam = { ...state.adam };
  for (const [group, gradient, learningRate] of updates) {
    const next = kernels.adamStep(
      live[group],
      gradient,
      adam[group],
      adamSettings(config, learningRate),
    );
    live[group] = next.params;
    adam[group] = next.state;
  }
  return { ...state, live, adam };
}

/** target <- (1 - tau) target + tau live, for the named groups. */
export function softUpdateTargets(
  kernels: Kernels,
  state: TrainingState,
  groups: string[],
  tau: number,
): TrainingState {
  const target = { ...state.target };
  for (const group of groups) {
    target[group] = kernels.softUpdate(state.target[group], state.live[group], tau);
  }
  return { ...state, target };
}
