"""A residual connection across time: the state is carried forward and added to.

The residual cell computes, with the course's layout (outputs, inputs),

    z_t = W_h h_{t-1} + W_x x_t + b,   h_t = h_{t-1} + kappa f(z_t),

so its step Jacobian is ``dh_t/dh_{t-1} = I + kappa diag(f'(z_t)) W_h``:
the identity term passes a gradient back unchanged however small the
second term is. ``kappa`` (``scale``) is the residual branch's weight; the
state is not squashed, so ``||h_t||`` can grow with t. Plugs into
``cells.Recurrent`` like ``cells.ElmanCell``.
Introduced in chapter 9 (skip connections and normalisation).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from .cells import ElmanCell, Recurrent
from .validation import check_positive


class ResidualCell(ElmanCell):
    """One step h_t = h_{t-1} + scale * f(W_h h_{t-1} + W_x x_t + b).

    The Elman cell's weights and activation (``cells.ElmanCell``: the same
    draw for the same seed) with the state carried forward. scale > 0.
    Introduced in chapter 9 (skip connections and normalisation).
    """

    def __init__(self, D: int, H: int, activation: str = "tanh",
                 scale: float = 1.0, seed: int = 0) -> None:
        super().__init__(D, H, activation, seed)
        self.scale = check_positive("scale", scale)

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
