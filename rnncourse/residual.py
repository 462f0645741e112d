"""A residual connection across time: the state is carried forward and added to.

The residual cell computes, with the course's layout (outputs, inputs),

    z_t = W_h h_{t-1} + W_x x_t + b,   h_t = h_{t-1} + alpha f(z_t),

so its step Jacobian is ``dh_t/dh_{t-1} = I + alpha diag(f'(z_t)) W_h``:
the identity term passes a gradient back unchanged however small the
second term is. ``alpha`` (``scale``) is the residual branch's weight; the
state is not squashed, so ``||h_t||`` can grow with t. Plugs into
``cells.Recurrent`` like ``cells.ElmanCell``.
Introduced in chapter 9 (skip connections and normalisation).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from .cells import Recurrent, make_activation
from .validation import check_int_seed, check_positive


class ResidualCell(nn.Module):
    """One step h_t = h_{t-1} + scale * f(W_h h_{t-1} + W_x x_t + b).

    W_x: ``nn.Linear(D, H)``, its bias is b; W_h: ``nn.Linear(H, H,
    bias=False)``; weights start U[-1/sqrt(H), 1/sqrt(H)] as in
    ``cells.ElmanCell`` (the same draw for the same seed). scale > 0.
    Introduced in chapter 9 (skip connections and normalisation).
    """

    def __init__(self, D: int, H: int, activation: str = "tanh",
                 scale: float = 1.0, seed: int = 0) -> None:
        super().__init__()
        D, H = (check_positive(n, v, integer=True)
                for n, v in (("D", D), ("H", H)))
        self.scale = check_positive("scale", scale)
        self.D, self.H = D, H
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(check_int_seed("seed", seed))
            self.W_x = nn.Linear(D, H)
            self.W_h = nn.Linear(H, H, bias=False)
            bound = 1.0 / H ** 0.5
            for p in self.parameters():
                nn.init.uniform_(p, -bound, bound)
        self.f = make_activation(activation, H)

    def forward(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """x: (B, D), h: (B, H) -> the next state (B, H)."""
        return h + self.scale * self.f(self.W_h(h) + self.W_x(x))


def state_gradients(rnn: Recurrent, xs: torch.Tensor,
                    loss_fn: Callable[[torch.Tensor], torch.Tensor]
                    ) -> np.ndarray:
    """||dL/dh_t|| for t = 1..T, where L = loss_fn(h_T).

    rnn: a ``cells.Recurrent``; xs: (T, B, D); loss_fn maps the last state
    (B, H) to a scalar. Total derivatives, normed over batch and units, as
    ``diagnostics.state_gradient_norms`` gives them for torch's modules.
    Returns (T,); entry t - 1 is h_t's.
    Introduced in chapter 9 (skip connections and normalisation).
    """
    if not isinstance(rnn, Recurrent):
        raise TypeError(f"rnn must be a cells.Recurrent; got "
                        f"{type(rnn).__name__}")
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable; got "
                        f"{type(loss_fn).__name__}")
    hs = rnn.states(xs)[1:]
    loss = loss_fn(hs[-1])
    if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
        raise ValueError("loss_fn must return a scalar tensor")
    if not loss.requires_grad:  # the loss does not depend on the states
        return np.zeros(len(hs))
    grads = torch.autograd.grad(loss, hs, allow_unused=True,
                                materialize_grads=True)
    return np.array([g.double().norm().item() for g in grads])


def state_norms(rnn: Recurrent, xs: torch.Tensor) -> np.ndarray:
    """Mean over the batch of ||h_t|| for t = 0..T. xs: (T, B, D) -> (T + 1,).

    Introduced in chapter 9 (skip connections and normalisation).
    """
    if not isinstance(rnn, Recurrent):
        raise TypeError(f"rnn must be a cells.Recurrent; got "
                        f"{type(rnn).__name__}")
    with torch.no_grad():
        hs = torch.stack(rnn.states(xs))
    return hs.double().norm(dim=2).mean(dim=1).numpy()
