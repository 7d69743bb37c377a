"""OMAR steps of the authors' PyTorch code (github.com/ling-pan/OMAR), for scripts/fidelity/omar.ts.

Usage: python3 omar_reference.py <mirror git dir> <input.json> <output.json>

The reference files (algorithms/, utils/) are extracted from a clone of the reference into a temporary folder at
run time and imported from there (nothing of them is kept in this project). One agent, the
HalfCheetah branch of MATD3.update (env_id 'HalfCheetah-v2'), then update_all_targets, per step.
Adaptations for a CPU and for a like-for-like comparison: .cuda() is the identity and
torch.cuda.FloatTensor a CPU tensor; the input BatchNorm of every network is the identity; the
random draws (uniform_, normal_, Normal.sample) return the draws given in the input; with
logPdf the Gaussian density of the CQL correction is replaced by its log.
"""
import json
import sys
import tempfile

import torch
import torch.nn as nn

from reference_tools import extract, set_linear, weights_of


POLICY = ["fc1", "fc2", "fc3"]
CRITIC = ["fc1", "fc2", "fc3", "fc4", "fc5", "fc6"]

# The draws the next update takes, in order.
QUEUE = {"uniform": [], "normal": [], "cem": []}


def patch_torch():
    torch.Tensor.cuda = lambda self, *args, **kwargs: self
    torch.cuda.FloatTensor = lambda *shape: torch.zeros(*shape)
    torch.distributions.Distribution.set_default_validate_args(False)

    def uniform_(self, low=0.0, high=1.0):
        with torch.no_grad():
            self.copy_(QUEUE["uniform"].pop(0).view_as(self))
        return self

    def normal_(self, mean=0.0, std=1.0):
        with torch.no_grad():
            self.copy_(QUEUE["normal"].pop(0).view_as(self))
        return self

    def sample(self, sample_shape=torch.Size()):
        z = QUEUE["cem"].pop(0)  # [R, S, A]
        drawn = self.loc.unsqueeze(1) + self.scale.unsqueeze(1) * z
        return drawn.detach().permute(1, 0, 2)  # (S, R, A) as torch's sample gives it

    torch.Tensor.uniform_ = uniform_
    torch.Tensor.normal_ = normal_
    torch.distributions.Normal.sample = sample


def main(mirror, source, destination):
    job = json.load(open(source))
    c = job["config"]
    with tempfile.TemporaryDirectory() as folder:
        extract(mirror, folder, "algorithms", "utils")
        sys.path.insert(0, folder)
        real_uniform, real_normal = torch.Tensor.uniform_, torch.Tensor.normal_
        patch_torch()
        from algorithms.maddpg import MATD3

        if c["logPdf"]:
            pdf = MATD3.calc_gaussian_pdf
            MATD3.calc_gaussian_pdf = lambda self, samples, mu=0: torch.log(pdf(self, samples, mu))
        # Construction initialises weights with the real draws (overwritten below).
        torch.Tensor.uniform_, patched_uniform = real_uniform, torch.Tensor.uniform_
        torch.Tensor.normal_, patched_normal = real_normal, torch.Tensor.normal_
        model = MATD3(
            agent_init_params=[{
                "num_in_pol": c["obsDim"],
                "num_out_pol": c["actDim"],
                "num_in_critic": c["obsDim"] + c["actDim"],
            }],
            alg_types=["MATD3"],
            gamma=c["gamma"],
            tau=c["tau"],
            lr=c["lr"],
            hidden_dim=c["hidden"],
            discrete_action=False,
            agent_max_actions=[1.0],
            cql=True,
            cql_alpha=c["cqlAlpha"],
            lse_temp=c["lseTemp"],
            num_sampled_actions=c["numSampledActions"],
            cql_sample_noise_level=c["noiseLevel"],
            omar=True,
            omar_coe=c["coe"],
            omar_mu=c["mu"],
            omar_sigma=c["sigma"],
            omar_num_samples=c["samples"],
            omar_num_elites=c["elites"],
            omar_iters=c["iters"],
            batch_size=c["batch"],
            env_id="HalfCheetah-v2",
        )
        torch.Tensor.uniform_, torch.Tensor.normal_ = patched_uniform, patched_normal
        agent = model.agents[0]
        for net in [agent.policy, agent.target_policy, agent.critic, agent.target_critic]:
            net.in_fn = nn.Identity()
        initial = job["initial"]
        for names, net, key in [
            (POLICY, agent.policy, "policy"),
            (POLICY, agent.target_policy, "policyTarget"),
            (CRITIC, agent.critic, "critic"),
            (CRITIC, agent.target_critic, "criticTarget"),
        ]:
            for name, layer in zip(names, initial[key]):
                set_linear(getattr(net, name), layer)

        captured = []
        backward = torch.Tensor.backward

        def recording_backward(self, *args, **kwargs):
            captured.append(self.item())
            return backward(self, *args, **kwargs)

        torch.Tensor.backward = recording_backward
        losses = []
        f32 = lambda values: torch.tensor(values, dtype=torch.float32)
        rows, a = c["batch"], c["actDim"]
        for step in job["steps"]:
            QUEUE["uniform"] = [f32(step["uniform"])]
            QUEUE["normal"] = [f32(step["current"]) / c["noiseLevel"], f32(step["next"]) / c["noiseLevel"]]
            QUEUE["cem"] = [f32(z).view(rows, c["samples"], a) for z in step["cem"]]
            sample = (
                None,
                [f32(step["obs"])],
                [f32(step["action"])],
                [f32(step["reward"])],
                None,
                [f32(step["nextObs"])],
                [f32(step["done"])],
            )
            captured.clear()
            model.update(sample, 0)
            model.update_all_targets()
            assert not any(QUEUE.values()), "some draws were not taken"
            losses.append(list(captured))
        final = {
            "policy": [weights_of(getattr(agent.policy, n)) for n in POLICY],
            "critic": [weights_of(getattr(agent.critic, n)) for n in CRITIC],
            "policyTarget": [weights_of(getattr(agent.target_policy, n)) for n in POLICY],
            "criticTarget": [weights_of(getattr(agent.target_critic, n)) for n in CRITIC],
        }
    json.dump({"losses": losses, "final": final}, open(destination, "w"))


if __name__ == "__main__":
    main(*sys.argv[1:4])
