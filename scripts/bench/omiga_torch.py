"""The PyTorch yardstick of `deno task bench train --torch`: one OMIGA training step as
docs/algorithms.md ("OMIGA") states it (the same networks, losses, three Adam optimisers with
gradient-norm clipping and soft target updates), timed on random batches of a bench shape at a
given thread count. Prints one JSON line: {"itersPerSecond": ..., "torch": version}.

Usage: python3 omiga_torch.py --shape reference|discrete --threads N [--steps N] [--windows N]
"""

import argparse
import copy
import json
import time

import torch
from torch import nn

SHAPES = {
    "reference": dict(agents=3, obs=14, state=14, discrete=False, act=1),
    "discrete": dict(agents=5, obs=55, state=120, discrete=True, act=12),
}


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class Step:
    def __init__(self, shape, batch=128, hidden=256, alpha=10.0):
        self.n, self.obs, self.discrete = shape["agents"], shape["obs"], shape["discrete"]
        self.act, self.batch, self.alpha = shape["act"], batch, alpha
        local = self.obs + self.n
        head = self.act if self.discrete else 2 * self.act
        q_in = local if self.discrete else local + self.act
        self.policy = mlp([local, hidden, hidden, head])
        self.q = mlp([q_in, hidden, hidden, self.act if self.discrete else 1])
        self.v = mlp([local, hidden, hidden, 1])
        self.mixer = mlp([self.n * shape["state"], 64, self.n + 1])
        self.q_target, self.v_target = copy.deepcopy(self.q), copy.deepcopy(self.v)
        self.mixer_target = copy.deepcopy(self.mixer)
        critic = list(self.q.parameters()) + list(self.mixer.parameters())
        self.optimisers = [
            (torch.optim.Adam(self.policy.parameters(), 5e-4), list(self.policy.parameters())),
            (torch.optim.Adam(critic, 5e-4), critic),
            (torch.optim.Adam(self.v.parameters(), 5e-4), list(self.v.parameters())),
        ]
        self.state_width = self.n * shape["state"]

    def mixing(self, net, state):
        out = net(state)
        return out[:, : self.n].abs(), out[:, self.n :]

    def random_batch(self, g):
        b, n = self.batch, self.n
        rows = b * n
        ids = torch.eye(n).repeat(b, 1)
        obs = torch.cat([torch.randn(rows, self.obs, generator=g), ids], 1)
        next_obs = torch.cat([torch.randn(rows, self.obs, generator=g), ids], 1)
        if self.discrete:
            action = torch.nn.functional.one_hot(
                torch.randint(0, self.act, (rows,), generator=g), self.act
            ).float()
            q_input = obs
        else:
            action = torch.rand(rows, self.act, generator=g) * 2 - 1
            q_input = torch.cat([obs[:, : self.obs], action, ids], 1)
        state = torch.randn(b, self.state_width, generator=g)
        next_state = torch.randn(b, self.state_width, generator=g)
        return obs, next_obs, q_input, action, state, next_state, torch.randn(b, 1, generator=g)

    def taken(self, out, action):
        return (out * action).sum(1, keepdim=True) if self.discrete else out

    def log_prob(self, out, action):
        if self.discrete:
            return (torch.log_softmax(out, 1) * action).sum(1, keepdim=True)
        mean = out[:, : self.act].clamp(-9, 9)
        log_std = out[:, self.act :].clamp(-5, 2)
        a = action.clamp(-1 + 1e-7, 1 - 1e-7)
        u = torch.atanh(a)
        normal = torch.distributions.Normal(mean, log_std.exp())
        return (normal.log_prob(u) - torch.log(1 - a.pow(2) + 1e-6)).sum(1, keepdim=True)

    def __call__(self, batch):
        obs, next_obs, q_input, action, state, next_state, reward = batch
        b, n = self.batch, self.n
        with torch.no_grad():
            w_next, b_next = self.mixing(self.mixer_target, next_state)
            v_next = self.v_target(next_obs).view(b, n)
            y = reward + 0.99 * ((w_next * v_next).sum(1, keepdim=True) + b_next)
            q_target = self.taken(self.q_target(q_input), action).view(b, n)
            w_target, _ = self.mixing(self.mixer_target, state)
        w, offset = self.mixing(self.mixer, state)
        q = self.taken(self.q(q_input), action).view(b, n)
        q_loss = ((w * q).sum(1, keepdim=True) + offset - y).pow(2).mean()
        v = self.v(obs).view(b, n)
        z = ((w_target * q_target - w_target * v) / self.alpha).clamp(-10, 10)
        m = torch.clamp(z.max(), min=-1).detach()
        v_loss = (torch.exp(z - m) + torch.exp(-m) * w_target * v / self.alpha).mean()
        weight = torch.exp(z).detach()
        policy_loss = -(weight * self.log_prob(self.policy(obs), action).view(b, n)).mean()
        for (optimiser, params), loss in zip(self.optimisers, [policy_loss, q_loss, v_loss]):
            optimiser.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(params, 1.0)
            optimiser.step()
        with torch.no_grad():
            for live, target in [(self.q, self.q_target), (self.v, self.v_target),
                                 (self.mixer, self.mixer_target)]:
                for p, t in zip(live.parameters(), target.parameters()):
                    t.mul_(0.995).add_(0.005 * p)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shape", default="reference", choices=sorted(SHAPES))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--windows", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    step = Step(SHAPES[args.shape])
    g = torch.Generator().manual_seed(0)
    batches = [step.random_batch(g) for _ in range(16)]
    for i in range(20):
        step(batches[i % 16])
    rates = []
    for _ in range(args.windows):
        start = time.perf_counter()
        for i in range(args.steps):
            step(batches[i % 16])
        rates.append(args.steps / (time.perf_counter() - start))
    rates.sort()
    median = rates[len(rates) // 2]
    print(json.dumps({"itersPerSecond": round(median, 2), "threads": args.threads,
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
