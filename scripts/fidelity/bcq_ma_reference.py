"""One continuous BCQ iteration of sfujim/BCQ (continuous_BCQ/BCQ.py), for scripts/fidelity/bcq_ma.ts.

Usage: python3 bcq_ma_reference.py <mirror git dir> <folder>

BCQ.py is extracted from a clone of the reference into a temporary folder at run time and imported from there
(nothing of it is kept in this project). The folder holds job.json and raw float32 files written
by bcq_ma.ts: the batch, our initial vectors (flat, per layer weight [in, out] row-major then bias)
and the step's normal draws, which stand in for torch.randn_like / torch.randn in the order BCQ.py
calls them. Writes out.json (the three losses) and out_<vector>.f32 after the iteration.
"""
import copy
import json
import os
import sys
import tempfile

import numpy as np
import torch

from reference_tools import extract


def load(folder, name, shape):
    return torch.from_numpy(np.fromfile(os.path.join(folder, name + ".f32"), dtype=np.float32).reshape(shape))


class Reader:
    """Reads consecutive [in, out] weights and [out] biases from one of our flat vectors."""

    def __init__(self, vector):
        self.vector = vector
        self.at = 0

    def layer(self, inputs, outputs):
        w = self.vector[self.at:self.at + inputs * outputs].reshape(inputs, outputs)
        self.at += inputs * outputs
        b = self.vector[self.at:self.at + outputs]
        self.at += outputs
        return w, b

    def done(self):
        assert self.at == self.vector.numel(), (self.at, self.vector.numel())


def set_linear(linear, w, b):
    with torch.no_grad():
        linear.weight.copy_(w.T)
        linear.bias.copy_(b)


def linear_pieces(linear):
    return [linear.weight.detach().T.reshape(-1), linear.bias.detach()]


def load_sequential(reader, linears):
    for linear in linears:
        w, b = reader.layer(linear.in_features, linear.out_features)
        set_linear(linear, w, b)


def main():
    mirror, folder = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as scratch:
        extract(mirror, scratch, "continuous_BCQ/BCQ.py")
        sys.path.insert(0, os.path.join(scratch, "continuous_BCQ"))
        import BCQ  # noqa: E402  (the reference, from a clone of the reference)

    job = json.load(open(os.path.join(folder, "job.json")))
    B, S, A, n = job["batch"], job["state_dim"], job["action_dim"], job["target_samples"]
    L = 2 * A
    torch.manual_seed(0)
    policy = BCQ.BCQ(S, A, 1.0, "cpu")
    assert n == 10, "BCQ.py repeats next states 10 times"

    vae, actor, critic = (load(folder, name, (-1,)) for name in ("vae", "actor", "critic"))
    reader = Reader(vae)
    v = policy.vae
    load_sequential(reader, [v.e1, v.e2])
    w, b = reader.layer(v.mean.in_features, 2 * L)  # our [mean | log-std] head
    set_linear(v.mean, w[:, :L], b[:L])
    set_linear(v.log_std, w[:, L:], b[L:])
    load_sequential(reader, [v.d1, v.d2, v.d3])
    reader.done()
    reader = Reader(actor)
    load_sequential(reader, [policy.actor.l1, policy.actor.l2, policy.actor.l3])
    reader.done()
    c = policy.critic
    reader = Reader(critic)
    load_sequential(reader, [c.l1, c.l2, c.l3, c.l4, c.l5, c.l6])
    reader.done()
    # Targets start equal to the live networks (BCQ.py deep-copies them at construction).
    with torch.no_grad():
        for live, target in ((policy.actor, policy.actor_target), (policy.critic, policy.critic_target)):
            for p, q in zip(live.parameters(), target.parameters()):
                q.copy_(p)

    draws = [load(folder, "eps", (B, L)), load(folder, "target_latent", (B * n, L)),
             load(folder, "actor_latent", (B, L))]

    def next_draw(shape):
        draw = draws.pop(0)
        assert tuple(draw.shape) == tuple(shape), (draw.shape, shape)
        return draw.clone()

    torch.randn_like = lambda t, **_: next_draw(t.shape)
    torch.randn = lambda shape, **_: next_draw(shape)
    losses = []
    backward = torch.Tensor.backward

    def recording_backward(self, *args, **kwargs):
        losses.append(self.item())
        return backward(self, *args, **kwargs)

    torch.Tensor.backward = recording_backward

    class Buffer:
        def sample(self, batch_size):
            assert batch_size == B
            return (load(folder, "state", (B, S)), load(folder, "action", (B, A)),
                    load(folder, "next_state", (B, S)), load(folder, "reward", (B, 1)),
                    load(folder, "not_done", (B, 1)))

    policy.train(Buffer(), iterations=1, batch_size=B)
    assert not draws and len(losses) == 3

    def flat(linears):
        return torch.cat([piece for linear in linears for piece in linear_pieces(linear)]).numpy()

    def vae_flat():
        head = torch.cat([v.mean.weight, v.log_std.weight], 0).detach().T.reshape(-1)
        bias = torch.cat([v.mean.bias, v.log_std.bias], 0).detach()
        return np.concatenate([flat([v.e1, v.e2]), head.numpy(), bias.numpy(), flat([v.d1, v.d2, v.d3])])

    def actor_flat(a):
        return flat([a.l1, a.l2, a.l3])

    def critic_flat(q):
        return flat([q.l1, q.l2, q.l3, q.l4, q.l5, q.l6])

    outputs = {
        "vae": vae_flat(),
        "actor": actor_flat(policy.actor),
        "critic": critic_flat(policy.critic),
        "actor_target": actor_flat(policy.actor_target),
        "critic_target": critic_flat(policy.critic_target),
    }
    for name, values in outputs.items():
        values.astype(np.float32).tofile(os.path.join(folder, f"out_{name}.f32"))
    with open(os.path.join(folder, "out.json"), "w") as f:
        json.dump({"losses": {"vae": losses[0], "critic": losses[1], "actor": losses[2]}}, f)


if __name__ == "__main__":
    main()
