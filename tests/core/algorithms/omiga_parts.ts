/**
 * OMIGA's pieces inside a learner, for tests that check its forward pass, losses and
 * gradients directly.
 */
import type { Learner } from "../../../core/learn/learner.ts";
import {
  type OmigaConfig,
  omigaLayouts,
  OmigaNetworks,
  type OmigaParameters,
} from "../../../core/algorithms/omiga.ts";

export function omigaParts(learner: Learner) {
  const config = learner.config as unknown as OmigaConfig;
  const layouts = omigaLayouts(learner.spec, config);
  const networks = new OmigaNetworks(learner.spec, config, layouts, learner.kernels);
  const { live, target } = learner.state;
  const parameters: OmigaParameters = {
    policy: live.policy,
    critic: live.critic,
    value: live.value,
  };
  return {
    networks,
    layouts,
    config,
    live: parameters,
    targets: { critic: target.critic, value: target.value },
  };
}
