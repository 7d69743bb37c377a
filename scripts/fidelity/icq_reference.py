"""One ICQ step of the authors' PyTorch code (github.com/YiqinYang/ICQ), for scripts/fidelity/icq.ts.

Usage: python3 icq_reference.py <mirror git dir> <input.json> <output.json>

The reference files are extracted from a clone of the reference into a temporary folder at run time and imported
from there (nothing of them is kept in this project). Discrete: OffPGLearner.train_critic then
OffPGLearner.train (ICQ-MA) with an MLP agent registered in place of the GRU. Continuous:
ICQ.compute_loss_q and ICQ.compute_loss_pi (ICQ_softmax/ICQ/icq.py) on a single agent.
"""
import collections
import json
import sys
import tempfile
import types

import torch
import torch.nn as nn

from reference_tools import extract, grad_of, set_linear, weights_of


def discrete(job):
    from controllers.basic_controller import BasicMAC
    from learners.offpg_learner import OffPGLearner
    from modules.agents import REGISTRY as agents

    class MlpAgent(nn.Module):
        """The stand-in for the GRU agent: [o | id] -> h -> h -> logits."""

        def __init__(self, input_shape, args):
            super().__init__()
            self.fc1 = nn.Linear(input_shape, args.rnn_hidden_dim)
            self.fc2 = nn.Linear(args.rnn_hidden_dim, args.rnn_hidden_dim)
            self.fc3 = nn.Linear(args.rnn_hidden_dim, args.n_actions)

        def init_hidden(self):
            return self.fc1.weight.new(1, 1).zero_()

        def forward(self, inputs, hidden):
            x = torch.relu(self.fc1(inputs))
            return self.fc3(torch.relu(self.fc2(x))), hidden

    agents["mlp_fidelity"] = MlpAgent
    d = job["dims"]
    args = types.SimpleNamespace(
        n_agents=d["nAgents"], n_actions=d["nActions"], state_shape=d["state"],
        mixing_embed_dim=d["embed"], rnn_hidden_dim=d["policyHidden"], lr=5e-4, critic_lr=1e-4,
        optim_alpha=0.99, optim_eps=1e-5, grad_norm_clip=20, gamma=0.99, td_lambda=0.8,
        target_update_interval=600, learner_log_interval=1, agent="mlp_fidelity",
        agent_output_type="pi_logits", mask_before_softmax=False, action_selector="multinomial",
        epsilon_start=0.5, epsilon_finish=0.05, epsilon_anneal_time=500000,
        obs_last_action=False, obs_agent_id=True, test_greedy=False,
    )
    scheme = {"state": {"vshape": d["state"]}, "obs": {"vshape": d["obs"]},
              "actions_onehot": {"vshape": (d["nActions"],)}}
    stats = {}
    logger = types.SimpleNamespace(
        log_stat=lambda key, value, t: stats.__setitem__(key, float(value)),
        console_logger=types.SimpleNamespace(info=lambda *a: None),
    )
    mac = BasicMAC(scheme, None, args)
    learner = OffPGLearner(mac, scheme, logger, args)
    for critic, mixer, w in [
        (learner.critic, learner.mixer, job["critic"]),
        (learner.target_critic, learner.target_mixer, job["criticTarget"]),
    ]:
        set_linear(critic.fc1, w["fc1"])
        set_linear(critic.fc2, w["fc2"])
        set_linear(critic.fc3, w["fc3"])
        set_linear(critic.fc_v, w["fc_v"])
        set_linear(mixer.hyper_w_1, w["hyper_w_1"])
        set_linear(mixer.hyper_w_final, w["hyper_w_final"])
    for name in ["fc1", "fc2", "fc3"]:
        set_linear(getattr(mac.agent, name), job["policy"][name])
    b = job["batch"]
    batch = {key: torch.tensor(value, dtype=torch.float32) for key, value in b.items()}
    batch["actions"] = batch["actions"].long()
    batch["batch_size"] = len(b["reward"])
    batch["max_seq_length"] = 2
    log = collections.defaultdict(list)
    learner.train_critic(batch, log=log, t_env=0)
    critic_grads = {name: grad_of(getattr(learner.critic, name)) for name in ["fc1", "fc2", "fc3", "fc_v"]}
    critic_grads["hyper_w_1"] = grad_of(learner.mixer.hyper_w_1)
    critic_grads["hyper_w_final"] = grad_of(learner.mixer.hyper_w_final)
    updated = {name: weights_of(getattr(learner.critic, name)) for name in ["fc1", "fc2", "fc3", "fc_v"]}
    updated["hyper_w_1"] = weights_of(learner.mixer.hyper_w_1)
    updated["hyper_w_final"] = weights_of(learner.mixer.hyper_w_final)
    learner.log_stats_t = -10 ** 12  # make train() log its loss
    learner.train(batch, 0, None)
    return {
        "criticLoss": float(log["critic_loss"][0]),
        "criticGradNorm": float(log["critic_grad_norm"][0]),
        "criticGrads": critic_grads,
        "updatedCritic": updated,
        "epsilon": float(mac.action_selector.epsilon),
        "policyLoss": stats["coma_loss"],
        "policyGradNorm": stats["agent_grad_norm"],
        "policyGrads": {name: grad_of(getattr(mac.agent, name)) for name in ["fc1", "fc2", "fc3"]},
    }


def continuous(job, folder):
    torch.cuda.set_device = lambda *a, **k: None  # the reference pins GPU 0 at import
    for name in ["gym", "d4rl"]:
        sys.modules[name] = types.ModuleType(name)
    board = types.ModuleType("torch.utils.tensorboard")
    board.SummaryWriter = object
    sys.modules["torch.utils.tensorboard"] = board
    sys.path.insert(0, f"{folder}/ICQ_softmax")
    sys.path.insert(0, f"{folder}/ICQ_softmax/ICQ")
    import core
    from icq import ICQ

    d = job["dims"]
    hidden = [d["hidden"], d["hidden"]]
    q1 = core.MLPQFunction(d["obs"], d["act"], hidden, nn.ReLU)
    q1_target = core.MLPQFunction(d["obs"], d["act"], hidden, nn.ReLU)
    pi = core.awacMLPActor(d["obs"], d["act"], [d["policyHidden"]] * 4, nn.ReLU, 1.0)
    for net, w in [(q1, job["critic"]), (q1_target, job["criticTarget"])]:
        for index, layer in zip([0, 2, 4], w["q"]):
            set_linear(net.q[index], layer)
    for index, layer in zip([0, 2, 4, 6], job["policy"]["net"]):
        set_linear(pi.net[index], layer)
    set_linear(pi.mu_layer, job["policy"]["mu"])
    with torch.no_grad():
        pi.log_std_logits.copy_(torch.tensor(job["policy"]["theta"]))
    me = types.SimpleNamespace(
        ac=types.SimpleNamespace(q1=q1, q2=q1, pi=pi),
        ac_targ=types.SimpleNamespace(q1=q1_target),
        alpha=d["alpha"], beta=d["beta"], gamma=0.99,
    )
    data = {key: torch.tensor(value, dtype=torch.float32) for key, value in job["batch"].items()}
    loss_q = ICQ.compute_loss_q(me, data)["loss_q"]
    loss_q.backward()
    critic_grads = [grad_of(q1.q[index]) for index in [0, 2, 4]]
    q1.zero_grad()
    loss_pi = ICQ.compute_loss_pi(me, data)["loss_pi"]
    loss_pi.backward()
    return {
        "criticLoss": float(loss_q.detach()),
        "criticGrads": critic_grads,
        "policyLoss": float(loss_pi.detach()),
        "policyGrads": {
            "net": [grad_of(pi.net[index]) for index in [0, 2, 4, 6]],
            "mu": grad_of(pi.mu_layer),
            "theta": pi.log_std_logits.grad.tolist(),
        },
    }


def main():
    mirror, source, target = sys.argv[1:4]
    with open(source) as f:
        job = json.load(f)
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as folder:
        extract(mirror, folder, "ICQ-MA/src", "ICQ_softmax")
        sys.path.insert(0, f"{folder}/ICQ-MA/src")
        result = discrete(job) if job["kind"] == "discrete" else continuous(job, folder)
    with open(target, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
