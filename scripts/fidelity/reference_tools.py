"""Shared pieces of the fidelity scripts (scripts/fidelity/*_reference.py): bringing a reference
implementation's files out of a git directory of its public repository into a temporary folder at
run time (nothing of them is kept in this project), and moving our dense layers' weights
(`[in, out]`, y = x W + b) in and out of `torch.nn.Linear` (`[out, in]`)."""
import io
import subprocess
import tarfile

import torch


def extract(repository, folder, *paths):
    """Writes `paths` of `repository`'s HEAD (a git directory) under `folder`."""
    archive = subprocess.run(
        ["git", "--git-dir", repository, "archive", "HEAD", *paths],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder)


def set_linear(linear, layer):
    """layer: {weight: [in][out], bias: [out]} (ours, y = x W + b)."""
    with torch.no_grad():
        linear.weight.copy_(torch.tensor(layer["weight"], dtype=torch.float32).T)
        linear.bias.copy_(torch.tensor(layer["bias"], dtype=torch.float32))


def weights_of(linear):
    """A linear layer's weights in our layout."""
    return {"weight": linear.weight.detach().T.tolist(), "bias": linear.bias.detach().tolist()}


def grad_of(linear):
    """A linear layer's gradients in our layout."""
    return {"weight": linear.weight.grad.T.tolist(), "bias": linear.bias.grad.tolist()}
