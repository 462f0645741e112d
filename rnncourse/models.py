"""Torch models of the course: a recurrent module with a linear readout.

Inputs are time-major, ``(T, B, D)``, as everywhere in the course. The recurrent
module is one of torch's own (``nn.RNN``, ``nn.LSTM``, ``nn.GRU``); the cells the
course builds from scratch (chapters 11-12) plug into the same wrapper.
Introduced in chapter 6 (consequences and diagnosis).
"""

from __future__ import annotations

import torch
from torch import nn

from .validation import check_choice, check_int_seed, check_positive

KINDS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
READOUTS = ("last", "all")


class SequenceModel(nn.Module):
    """A recurrent module followed by a linear head.

    rnn: a time-major recurrent module returning ``(outputs, state)``;
    head: ``nn.Linear(H, O)``. readout "last": ``(T, B, D) -> (B, O)`` from
    h_T; "all": ``(T, B, D) -> (T, B, O)``, one output per step.
    Introduced in chapter 6 (consequences and diagnosis).
    """

    def __init__(self, rnn: nn.Module, head: nn.Linear,
                 readout: str = "last") -> None:
        super().__init__()
        self.rnn, self.head = rnn, head
        self.readout = check_choice("readout", readout, READOUTS)

    def forward(self, xs: torch.Tensor) -> torch.Tensor:
        if xs.dim() != 3:
            raise ValueError(f"xs must have shape (T, B, D); got "
                             f"{tuple(xs.shape)}")
        hs, _ = self.rnn(xs)  # hs: (T, B, H), the state after each step
        return self.head(hs[-1] if self.readout == "last" else hs)


def make_model(kind: str, D: int, H: int, O: int, readout: str = "last",
               nonlinearity: str = "tanh", seed: int = 0) -> SequenceModel:
    """A one-layer ``nn.RNN``/``nn.LSTM``/``nn.GRU`` of H units with a head.

    kind: "rnn", "lstm" or "gru"; nonlinearity ("tanh" or "relu") is used
    by "rnn" only. Weights are torch's defaults, drawn from ``seed``.
    Introduced in chapter 6 (consequences and diagnosis).
    """
    kind = check_choice("kind", kind, tuple(KINDS))
    D, H, O = (check_positive(n, v, integer=True)
               for n, v in (("D", D), ("H", H), ("O", O)))
    check_choice("readout", readout, READOUTS)
    nonlinearity = check_choice("nonlinearity", nonlinearity,
                                ("tanh", "relu"))
    if kind != "rnn" and nonlinearity != "tanh":
        raise ValueError(f"nonlinearity applies to kind 'rnn' only; got "
                         f"{nonlinearity!r} with kind {kind!r}")
    with torch.random.fork_rng(devices=[]):  # leave the caller's stream be
        torch.manual_seed(check_int_seed("seed", seed))
        extra = {"nonlinearity": nonlinearity} if kind == "rnn" else {}
        rnn = KINDS[kind](D, H, **extra)
        head = nn.Linear(H, O)
    return SequenceModel(rnn, head, readout)
