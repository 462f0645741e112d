"""Truncated backpropagation through time in torch: detach the carried state.

Chapter 4 truncated BPTT inside the numpy backward loop. In torch the forward
pass decides: ``h.detach()`` returns the same numbers cut from the graph, so
no gradient flows back past it. :class:`Truncated` unrolls a cell as
``rnncourse.cells.Recurrent`` does and passes on a detached copy of the
state after steps k, 2k, ...: the gradient of a loss on the last state
reaches back at most k steps when k divides T (the form practitioners use,
with k1 = k2 = k in the notation of chapter 4).
Introduced in chapter 7 (taming exploding gradients).
"""

from __future__ import annotations

import torch
from torch import nn

from .cells import Recurrent
from .validation import check_positive


class Truncated(Recurrent):
    """A :class:`~rnncourse.cells.Recurrent` whose state is detached every k steps.

    Forward values equal the untruncated ones; only the gradients differ.
    A drop-in for ``nn.RNN`` in ``models.SequenceModel``: ``(T, B, D) ->
    (hs (T, B, H), h_T (1, B, H))``.
    Introduced in chapter 7 (taming exploding gradients).
    """

    def __init__(self, cell: nn.Module, k: int) -> None:
        super().__init__(cell)
        self.k = check_positive("k", k, integer=True)

    def states(self, xs: torch.Tensor,
               h0: torch.Tensor | None = None) -> list[torch.Tensor]:
        """[h_0, ..., h_T], each (B, H); the step after h_k, h_2k, ...

        receives a detached copy, so gradients stop there.
        """
        xs, h = self._check(xs, h0)
        hs = [h]
        for t, x in enumerate(xs, start=1):
            hs.append(self.cell(x, h))
            h = hs[-1].detach() if t % self.k == 0 else hs[-1]
        return hs
