"""One CQLTrainer step of aviralkumar2907/CQL (d4rl/rlkit/torch/sac/cql.py), imported at run time
from a clone of the reference, on the fixture written by cql_ma_fixture.ts (same initial weights, targets, batch
and noise); prints the largest absolute differences of the losses and of every weight after the step.

    deno run -A scripts/fidelity/cql_ma_fixture.ts /tmp/cql.json [--warm] [--lagrange]
    python3 scripts/fidelity/cql_ma_reference.py /tmp/cql.json

Harness choices (none changes the trainer's arithmetic):
- the rlkit modules the trainer's file imports for training loops (gtimer, loggers) are stubbed;
- the Gaussian noise of every reparameterised sample and the uniform CQL actions come from the
  fixture, in the trainer's order (its unused second pi(s) sample gets zeros);
- the two Q optimisers' steps are deferred until after the policy's backward pass, with the
  gradients they were called with, so that the policy gradient runs through the pre-update critics
  (torch >= 1.5 raises the in-place error of CQL issue #5 otherwise; our step's documented choice).
"""

import json
import os
import sys
import tempfile
import types

import numpy as np
import torch

from reference_tools import extract

# A git directory of the reference: git clone --bare https://github.com/aviralkumar2907/CQL /tmp/cql.git
MIRROR = os.environ.get("OMIGA_REFERENCE_CQL_MA")
if MIRROR is None:
    sys.exit("set OMIGA_REFERENCE_CQL_MA to a git directory of github.com/aviralkumar2907/CQL "
             "(git clone --bare https://github.com/aviralkumar2907/CQL /tmp/cql.git)")


def import_reference():
    folder = tempfile.mkdtemp(prefix="cql_reference_")
    extract(MIRROR, folder, "d4rl/rlkit")
    sys.path.insert(0, os.path.join(folder, "d4rl"))
    for name, cls in [
        ("rlkit.core.batch_rl_algorithm", "BatchRLAlgorithm"),
        ("rlkit.core.online_rl_algorithm", "OnlineRLAlgorithm"),
    ]:
        module = types.ModuleType(name)
        setattr(module, cls, type(cls, (), {}))
        sys.modules[name] = module
    import rlkit.torch.distributions as distributions
    from rlkit.torch.networks import FlattenMlp
    from rlkit.torch.sac.cql import CQLTrainer
    from rlkit.torch.sac.policies import TanhGaussianPolicy

    return distributions, FlattenMlp, CQLTrainer, TanhGaussianPolicy


def layers(vector, widths):
    """Our flat layout: per layer an [in, out] row-major weight, then the bias."""
    out, offset = [], 0
    for inputs, outputs in zip(widths[:-1], widths[1:]):
        w = np.asarray(vector[offset : offset + inputs * outputs], dtype=np.float32)
        offset += inputs * outputs
        b = np.asarray(vector[offset : offset + outputs], dtype=np.float32)
        offset += outputs
        out.append((w.reshape(inputs, outputs), b))
    assert offset == len(vector), (offset, len(vector))
    return out


def q_rows(obs_dim, act_dim, n_agents):
    """Our Q input is [obs | action | id]; rlkit's is cat([obs | id], action)."""
    obs = list(range(obs_dim))
    action = list(range(obs_dim, obs_dim + act_dim))
    ids = list(range(obs_dim + act_dim, obs_dim + act_dim + n_agents))
    return obs + ids + action


def load_q(module, vector, widths, rows):
    linears = list(module.fcs) + [module.last_fc]
    for (w, b), linear in zip(layers(vector, widths), linears):
        if linear is linears[0]:
            w = w[rows]
        linear.weight.data.copy_(torch.from_numpy(w.T.copy()))
        linear.bias.data.copy_(torch.from_numpy(b))


def value_of(tensor, grad):
    return (tensor.grad if grad else tensor).detach().numpy()


def flat_q(module, widths, rows, grad=False):
    linears = list(module.fcs) + [module.last_fc]
    pieces = []
    for l, linear in enumerate(linears):
        w = value_of(linear.weight, grad).T
        if l == 0:
            back = np.empty_like(w)
            back[rows] = w
            w = back
        pieces += [w.reshape(-1), value_of(linear.bias, grad)]
    return np.concatenate(pieces)


def load_policy(policy, vector, widths, act_dim):
    parsed = layers(vector, widths)
    for (w, b), linear in zip(parsed[:-1], policy.fcs):
        linear.weight.data.copy_(torch.from_numpy(w.T.copy()))
        linear.bias.data.copy_(torch.from_numpy(b))
    w, b = parsed[-1]
    for linear, columns in [(policy.last_fc, slice(0, act_dim)), (policy.last_fc_log_std, slice(act_dim, None))]:
        linear.weight.data.copy_(torch.from_numpy(w[:, columns].T.copy()))
        linear.bias.data.copy_(torch.from_numpy(b[columns].copy()))


def flat_policy(policy, act_dim, grad=False):
    pieces = []
    for linear in policy.fcs:
        pieces += [value_of(linear.weight, grad).T.reshape(-1), value_of(linear.bias, grad)]
    heads = [policy.last_fc, policy.last_fc_log_std]
    w = np.concatenate([value_of(head.weight, grad).T for head in heads], 1)
    b = np.concatenate([value_of(head.bias, grad) for head in heads])
    return np.concatenate(pieces + [w.reshape(-1), b])


def main(path):
    fixture = json.load(open(path))
    distributions, FlattenMlp, CQLTrainer, TanhGaussianPolicy = import_reference()
    spec = fixture["spec"]
    n, obs_dim, a = spec["nAgents"], spec["obsDim"], spec["actDim"]
    h, k = fixture["hiddenSize"], fixture["cqlSamples"]
    local = obs_dim + n
    policy_widths = [local, h, h, h, 2 * a]
    q_widths = [obs_dim + a + n, h, h, h, 1]
    rows = q_rows(obs_dim, a, n)
    batch = fixture["batch"]
    r = len(batch["reward"])

    policy = TanhGaussianPolicy(obs_dim=local, action_dim=a, hidden_sizes=[h, h, h])
    nets = {name: FlattenMlp(input_size=local + a, output_size=1, hidden_sizes=[h, h, h]) for name in ["q1", "q2", "t1", "t2"]}
    before = fixture["before"]
    load_policy(policy, before["live"]["policy"], policy_widths, a)
    load_q(nets["q1"], before["live"]["q1"], q_widths, rows)
    load_q(nets["q2"], before["live"]["q2"], q_widths, rows)
    load_q(nets["t1"], before["target"]["q1"], q_widths, rows)
    load_q(nets["t2"], before["target"]["q2"], q_widths, rows)
    env = types.SimpleNamespace(action_space=types.SimpleNamespace(shape=(a,)))
    config = fixture["config"]
    trainer = CQLTrainer(
        env=env,
        policy=policy,
        qf1=nets["q1"],
        qf2=nets["q2"],
        target_qf1=nets["t1"],
        target_qf2=nets["t2"],
        discount=config["gamma"],
        soft_target_tau=config["tau"],
        policy_lr=config["policyLr"],
        qf_lr=config["qLr"],
        policy_eval_start=fixture["policyEvalStart"],
        min_q_version=3,
        temp=1.0,
        min_q_weight=fixture["cqlWeight"],
        deterministic_backup=True,
        num_random=k,
        with_lagrange=fixture["withLagrange"],
        lagrange_thresh=fixture["lagrangeThreshold"],
    )

    # The fixture's noise, in the order the trainer samples.
    noise = fixture["noise"]
    t = lambda x, shape: torch.tensor(np.asarray(x, dtype=np.float32).reshape(shape))
    queue = [
        t(noise["fresh"], (r, a)),
        t(noise["next"], (r, a)),
        torch.zeros(r, a),  # new_curr_actions, never used
        t(noise["current"], (r * k, a)),
        t(noise["following"], (r * k, a)),
    ]

    class QueuedNormal(torch.distributions.Normal):
        def sample(self, sample_shape=torch.Size()):
            drawn = queue.pop(0)
            assert drawn.shape == self.loc.shape, (drawn.shape, self.loc.shape)
            return drawn

    distributions.Normal = QueuedNormal
    uniform = t(noise["uniform"], (r * k, a))
    real_uniform = torch.Tensor.uniform_

    def fixture_uniform(self, low=0.0, high=1.0, generator=None):
        assert self.shape == uniform.shape, self.shape
        return self.copy_(uniform)

    # Q steps deferred past the policy's backward pass, with their own gradients.
    deferred = []
    for optimiser, module in [(trainer.qf1_optimizer, nets["q1"]), (trainer.qf2_optimizer, nets["q2"])]:
        real = optimiser.step

        def later(real=real, module=module):
            grads = [p.grad.clone() for p in module.parameters()]
            deferred.append((real, list(module.parameters()), grads))

        optimiser.step = later
    policy_step = trainer.policy_optimizer.step

    def policy_then_q():
        policy_step()
        for real, params, grads in deferred:
            for p, g in zip(params, grads):
                p.grad = g
            real()

    trainer.policy_optimizer.step = policy_then_q
    # Soft updates read the stepped Qs: they run after the policy step in train_from_torch.

    torch_batch = {
        "observations": t(batch["obsWithId"], (r, local)),
        "next_observations": t(batch["nextObsWithId"], (r, local)),
        "actions": t(batch["action"], (r, a)),
        "rewards": t(batch["reward"], (r, 1)),
        "terminals": t(batch["terminal"], (r, 1)),
    }
    torch.Tensor.uniform_ = fixture_uniform
    try:
        trainer.train_from_torch(torch_batch)
    finally:
        torch.Tensor.uniform_ = real_uniform
    assert not queue, "every noise draw used"

    stats = trainer.eval_statistics
    reference = {
        "policy": stats["Policy Loss"],
        "q": ((stats["QF1 Loss"] - stats["min QF1 Loss"]) + (stats["QF2 Loss"] - stats["min QF2 Loss"])) / 2,
        "cql": (stats["min QF1 Loss"] + stats["min QF2 Loss"]) / 2,
        "alpha": stats["Alpha"],
    }
    if fixture["withLagrange"]:
        reference["alphaPrime"] = float(trainer.log_alpha_prime.exp().clamp(0, 1e6).item())
    # The logged 'Policy Loss' is recomputed without alpha, and never the warm start's: the loss
    # trained is alpha mean(log pi) - mean(Q) = Alpha * LogPisMean - (LogPisMean - PolicyLoss).
    if fixture["policyEvalStart"] > 1:
        del reference["policy"]
    else:
        reference["policy"] = stats["Alpha"] * stats["Log Pis Mean"] - (stats["Log Pis Mean"] - stats["Policy Loss"])
    ours = fixture["losses"]
    print("loss        ours            reference       |diff|")
    for name, value in reference.items():
        print(f"{name:11s} {ours[name]: .8e} {value: .8e} {abs(ours[name] - value):.2e}")

    after = fixture["after"]
    weights = {
        "policy": (flat_policy(policy, a), after["live"]["policy"]),
        "q1": (flat_q(nets["q1"], q_widths, rows), after["live"]["q1"]),
        "q2": (flat_q(nets["q2"], q_widths, rows), after["live"]["q2"]),
        "q1_target": (flat_q(nets["t1"], q_widths, rows), after["target"]["q1"]),
        "q2_target": (flat_q(nets["t2"], q_widths, rows), after["target"]["q2"]),
        "log_alpha": (trainer.log_alpha.detach().numpy(), after["live"]["alpha"]),
    }
    if fixture["withLagrange"]:
        weights["log_alpha_prime"] = (trainer.log_alpha_prime.detach().numpy(), after["live"]["alphaPrime"])
    print("weights          max|diff|   max|step|  (step = |after - before| in the reference)")
    worst = 0.0
    for name, (theirs, mine) in weights.items():
        mine = np.asarray(mine, dtype=np.float32)
        source = {"q1_target": ("target", "q1"), "q2_target": ("target", "q2"), "log_alpha": ("live", "alpha"), "log_alpha_prime": ("live", "alphaPrime")}.get(name, ("live", name))
        start = np.asarray(before[source[0]][source[1]], dtype=np.float32)
        gap = float(np.max(np.abs(theirs - mine)))
        worst = max(worst, gap)
        print(f"{name:16s} {gap:.2e}    {float(np.max(np.abs(theirs - start))):.2e}")
    print(f"largest weight difference {worst:.2e}")
    # Adam's first step is about lr * sign(g): compare the gradients themselves too.
    print("gradient         max|diff|   max|g|     relative")
    for name, theirs in [
        ("policy", flat_policy(policy, a, grad=True)),
        ("q1", flat_q(nets["q1"], q_widths, rows, grad=True)),
        ("q2", flat_q(nets["q2"], q_widths, rows, grad=True)),
    ]:
        mine = np.asarray(fixture["gradients"][name], dtype=np.float32)
        gap = float(np.max(np.abs(theirs - mine)))
        scale = float(np.max(np.abs(theirs)))
        print(f"{name:16s} {gap:.2e}    {scale:.2e}   {gap / scale:.2e}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/cql_ma_fixture.json")
