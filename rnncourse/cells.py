"""Recurrent cells written out in torch, one step at a time.

``torch.nn.RNN`` runs its whole recurrence inside one fused operation and
offers only tanh and ReLU. The course's remedies change the step itself (a
learned PReLU slope, a chosen ``W_h``, a skip path, a normalisation), so
each is a *cell* that computes one step, and :class:`Recurrent` unrolls any
cell over time with an explicit loop, keeping every state ``h_t`` in the
autograd graph. ``Recurrent`` is a drop-in for ``nn.RNN`` inside
``models.SequenceModel``: ``(T, B, D) -> ((T, B, H), (1, B, H))``.

The Elman cell computes, with the course's layout (outputs, inputs),

    z_t = W_h h_{t-1} + W_x x_t + b,   h_t = f(z_t),

and with the same weights equals ``nn.RNN`` (``W_x`` = ``weight_ih_l0``,
``W_h`` = ``weight_hh_l0``, ``b`` = ``bias_ih_l0 + bias_hh_l0``).
Introduced in chapter 8 (initialisation and activations).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .validation import check_array, check_choice, check_int_seed, check_positive

ACTIVATIONS = ("tanh", "relu", "leaky_relu", "prelu")
LEAKY_SLOPE = 0.01  # torch's default negative slope for Leaky ReLU
PRELU_START = 0.25  # He et al.'s starting slope for a learned PReLU


def make_activation(name: str, H: int) -> nn.Module:
    """The activation module f for a cell of H units.

    "prelu" learns one negative slope per unit, starting at 0.25.
    Introduced in chapter 8 (initialisation and activations).
    """
    name = check_choice("activation", name, ACTIVATIONS)
    if name == "tanh":
        return nn.Tanh()
    if name == "relu":
        return nn.ReLU()
    if name == "leaky_relu":
        return nn.LeakyReLU(LEAKY_SLOPE)
    return nn.PReLU(num_parameters=H, init=PRELU_START)


class ElmanCell(nn.Module):
    """One step h_t = f(W_h h_{t-1} + W_x x_t + b) of a vanilla RNN.

    W_x: ``nn.Linear(D, H)``, its bias is b; W_h: ``nn.Linear(H, H,
    bias=False)``. Weights start as ``nn.RNN``'s do, U[-1/sqrt(H),
    1/sqrt(H)], drawn from ``seed``.
    Introduced in chapter 8 (initialisation and activations).
    """

    def __init__(self, D: int, H: int, activation: str = "tanh",
                 seed: int = 0) -> None:
        super().__init__()
        D, H = (check_positive(n, v, integer=True)
                for n, v in (("D", D), ("H", H)))
        seed = check_int_seed("seed", seed)
        self.D, self.H = D, H
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.W_x = nn.Linear(D, H)
            self.W_h = nn.Linear(H, H, bias=False)
            bound = 1.0 / H ** 0.5
            for p in self.parameters():
                nn.init.uniform_(p, -bound, bound)
        self.f = make_activation(activation, H)

    def forward(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """x: (B, D), h: (B, H) -> the next state (B, H)."""
        return self.f(self.W_h(h) + self.W_x(x))


class Recurrent(nn.Module):
    """Any cell ``cell(x (B, D), h (B, H)) -> (B, H)`` unrolled over time.

    The cell must have integer attributes ``D`` and ``H``. forward is a
    drop-in for ``nn.RNN``: ``(T, B, D) -> (hs (T, B, H), h_T (1, B, H))``.
    Introduced in chapter 8 (initialisation and activations).
    """

    def __init__(self, cell: nn.Module) -> None:
        super().__init__()
        if not isinstance(cell, nn.Module):
            raise TypeError(f"cell must be a torch.nn.Module; got "
                            f"{type(cell).__name__}")
        if not all(isinstance(getattr(cell, n, None), int) for n in "DH"):
            raise ValueError("cell must have integer attributes D and H "
                             "(its input and state sizes)")
        self.cell = cell

    def states(self, xs: torch.Tensor,
               h0: torch.Tensor | None = None) -> list[torch.Tensor]:
        """[h_0, h_1, ..., h_T], each (B, H), all in the autograd graph.

        xs: (T, B, D); h0: (B, H), zeros when None.
        """
        xs, h = self._check(xs, h0)
        hs = [h]
        for x in xs:
            hs.append(self.cell(x, hs[-1]))
        return hs

    def forward(self, xs: torch.Tensor, h0: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:
        """xs: (T, B, D) -> (hs (T, B, H), h_T (1, B, H))."""
        hs = self.states(xs, h0)[1:]
        return torch.stack(hs), hs[-1].unsqueeze(0)

    def _check(self, xs: object, h0: object) -> tuple[torch.Tensor, torch.Tensor]:
        D, H = self.cell.D, self.cell.H
        if not isinstance(xs, torch.Tensor) or xs.dim() != 3 or \
                xs.shape[2] != D or xs.shape[0] < 1:
            got = tuple(xs.shape) if isinstance(xs, torch.Tensor) else \
                type(xs).__name__
            raise ValueError(f"xs must be a tensor of shape (T, B, {D}) "
                             f"with T >= 1; got {got}")
        if h0 is None:
            return xs, xs.new_zeros(xs.shape[1], H)
        if not isinstance(h0, torch.Tensor) or \
                tuple(h0.shape) != (xs.shape[1], H):
            got = tuple(h0.shape) if isinstance(h0, torch.Tensor) else \
                type(h0).__name__
            raise ValueError(f"h0 must have shape (B, H) = "
                             f"({xs.shape[1]}, {H}); got {got}")
        return xs, h0


def set_recurrent_weight(cell: ElmanCell, W_h: np.ndarray) -> ElmanCell:
    """Copy an (H, H) numpy matrix (``rnncourse.init``) into ``cell.W_h``.

    Returns the cell, changed in place.
    Introduced in chapter 8 (initialisation and activations).
    """
    if not isinstance(cell, ElmanCell):
        raise TypeError(f"cell must be an ElmanCell; got "
                        f"{type(cell).__name__}")
    W_h = check_array("W_h", W_h, shape=(cell.H, cell.H))
    with torch.no_grad():
        cell.W_h.weight.copy_(torch.as_tensor(W_h))
    return cell


def from_torch_rnn(rnn: nn.RNN) -> ElmanCell:
    """An ElmanCell with the weights of a one-layer, time-major ``nn.RNN``.

    Introduced in chapter 8 (initialisation and activations).
    """
    if not isinstance(rnn, nn.RNN) or rnn.num_layers != 1 or \
            rnn.bidirectional or rnn.batch_first or not rnn.bias:
        raise ValueError("rnn must be a one-layer, one-direction, "
                         "time-major nn.RNN with biases")
    cell = ElmanCell(rnn.input_size, rnn.hidden_size, rnn.nonlinearity)
    cell = cell.to(rnn.weight_ih_l0.dtype)
    with torch.no_grad():
        cell.W_x.weight.copy_(rnn.weight_ih_l0)
        cell.W_x.bias.copy_(rnn.bias_ih_l0 + rnn.bias_hh_l0)
        cell.W_h.weight.copy_(rnn.weight_hh_l0)
    return cell
