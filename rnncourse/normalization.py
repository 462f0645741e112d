"""Layer normalisation inside a recurrent cell (Ba, Kiros and Hinton, 2016).

Batch normalisation (chapter 2) standardises each unit over the batch;
layer normalisation standardises each example over its H units, so it
works the same for one sequence or many and at every step. The cell
normalises the summed inputs of a step, then applies f:

    z_t = W_h h_{t-1} + W_x x_t,
    h_t = f(g * (z_t - mu_t) / sigma_t + b),

with mu_t, sigma_t the mean and standard deviation of z_t over its H
units (sigma_t = sqrt(var + eps)), g the learned gain and b the learned
bias, both (H,). Ba et al. write a_t for z_t. Multiplying W_h and W_x by
c > 0 leaves h_t unchanged (exactly only for eps = 0).
Introduced in chapter 9 (skip connections and normalisation).
"""

from __future__ import annotations

import torch
from torch import nn

from .cells import make_activation
from .validation import check_int_seed, check_positive

EPS = 1e-5  # as torch.nn.LayerNorm


def layer_norm(z: torch.Tensor, g: torch.Tensor, b: torch.Tensor,
               eps: float = EPS) -> torch.Tensor:
    """g * (z - mean) / sqrt(var + eps) + b, over the last axis of z.

    z: (B, H); g, b: (H,). The variance divides by H (not H - 1), as
    ``torch.nn.LayerNorm`` does. Unchecked (a teaching block).
    Introduced in chapter 9 (skip connections and normalisation).
    """
    mu = z.mean(dim=-1, keepdim=True)
    var = ((z - mu) ** 2).mean(dim=-1, keepdim=True)
    return g * (z - mu) / torch.sqrt(var + eps) + b


class LayerNormCell(nn.Module):
    """One step h_t = f(LN(W_h h_{t-1} + W_x x_t; g, b)) of Ba et al.

    W_x: ``nn.Linear(D, H, bias=False)``; W_h: ``nn.Linear(H, H,
    bias=False)``, drawn as in ``cells.ElmanCell`` (U[-1/sqrt(H),
    1/sqrt(H)]); the gain g starts at 1 and the bias b at 0, as in Ba et al.
    Introduced in chapter 9 (skip connections and normalisation).
    """

    def __init__(self, D: int, H: int, activation: str = "tanh",
                 seed: int = 0) -> None:
        super().__init__()
        D, H = (check_positive(n, v, integer=True)
                for n, v in (("D", D), ("H", H)))
        self.D, self.H = D, H
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(check_int_seed("seed", seed))
            self.W_x = nn.Linear(D, H, bias=False)
            self.W_h = nn.Linear(H, H, bias=False)
            bound = 1.0 / H ** 0.5
            for p in self.parameters():
                nn.init.uniform_(p, -bound, bound)
        self.g = nn.Parameter(torch.ones(H))
        self.b = nn.Parameter(torch.zeros(H))
        self.f = make_activation(activation, H)

    def forward(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """x: (B, D), h: (B, H) -> the next state (B, H)."""
        z = self.W_h(h) + self.W_x(x)
        return self.f(layer_norm(z, self.g, self.b))
