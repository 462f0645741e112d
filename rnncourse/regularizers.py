"""The regulariser of Pascanu, Mikolov and Bengio (2013) that keeps gradients flowing.

With v_k = dL/dh_k the total gradient of the loss at the state h_k and
J_k = dh_k/dh_{k-1} the Jacobian of one step, the backpropagated norm
shrinks at step k by the ratio ``||v_k J_k|| / ||v_k||``. The penalty pushes
every ratio towards 1::

    Omega = sum_k (||v_{k+1} J_{k+1}|| / ||v_{k+1}|| - 1)^2,  k = 0..T-1.

As in the paper, v is treated as a constant, and so is the state h_k that
J_{k+1} is evaluated at: Omega acts on the parameters through the
Jacobians only (the paper's "immediate" partial derivatives). The ratios
of all steps come from one vector-Jacobian product: the cell is run once
more on the detached states, all T steps side by side as one batch, which
needs a cell that treats the rows of a batch independently (every cell of
the course does). The model is a ``models.SequenceModel`` whose ``rnn`` is
a ``cells.Recurrent``. Omega is averaged over the batch.
Introduced in chapter 7 (taming exploding gradients).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from .cells import Recurrent
from .models import SequenceModel
from .validation import check_positive

TINY = 1e-30  # keeps norms of zero vectors differentiable


def state_gradients(model: SequenceModel, xs: torch.Tensor,
                    targets: torch.Tensor, loss_fn: Callable
                    ) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """The states [h_0, ..., h_T] and the gradients [v_1, ..., v_T].

    xs: (T, B, D); each h_t and v_t = dL/dh_t is (B, H); v is detached.
    Introduced in chapter 7 (taming exploding gradients).
    """
    _check_model(model)
    _check_loss_fn(loss_fn)
    hs = model.rnn.states(xs)
    last = model.readout == "last"
    outputs = model.head(hs[-1] if last else torch.stack(hs[1:]))
    vs = torch.autograd.grad(loss_fn(outputs, targets), hs[1:])
    return hs, [v.detach() for v in vs]


def norm_ratios(cell: nn.Module, xs: torch.Tensor,
                hs: list[torch.Tensor], vs: list[torch.Tensor],
                create_graph: bool = False) -> torch.Tensor:
    """(T, B) ``||v_{k+1} J_{k+1}|| / ||v_{k+1}||``, h_k held constant.

    xs: (T, B, D); hs: T + 1 states (B, H); vs: T gradients (B, H).
    Introduced in chapter 7 (taming exploding gradients).
    """
    T, B, D = _check_ratio_args(cell, xs, hs, vs)
    h_prev = torch.stack(hs[:-1]).detach().reshape(T * B, -1)
    h_prev.requires_grad_(True)
    v = torch.stack(vs).reshape(T * B, -1)
    u = v / v.norm(dim=1, keepdim=True).clamp_min(TINY)  # unit rows
    h_next = cell(xs.reshape(T * B, D), h_prev)
    (uJ,) = torch.autograd.grad(h_next, h_prev, grad_outputs=u,
                                create_graph=create_graph)
    return torch.sqrt(uJ.square().sum(dim=1) + TINY).reshape(T, B)


def omega(model: SequenceModel, xs: torch.Tensor, targets: torch.Tensor,
          loss_fn: Callable) -> torch.Tensor:
    """Omega = sum_k (ratio_k - 1)^2, averaged over the batch (a scalar).

    Differentiable with respect to the cell's parameters.
    Introduced in chapter 7 (taming exploding gradients).
    """
    hs, vs = state_gradients(model, xs, targets, loss_fn)
    ratios = norm_ratios(model.rnn.cell, xs, hs, vs, create_graph=True)
    return (ratios - 1).square().sum(dim=0).mean()


def pascanu_penalty(strength: float, loss_fn: Callable) -> Callable:
    """``penalty(model, xs, targets) = strength * Omega`` for ``train``.

    Introduced in chapter 7 (taming exploding gradients).
    """
    strength = check_positive("strength", strength)
    _check_loss_fn(loss_fn)

    def penalty(model: SequenceModel, xs: torch.Tensor,
                targets: torch.Tensor) -> torch.Tensor:
        return strength * omega(model, xs, targets, loss_fn)

    return penalty


def _check_ratio_args(cell: object, xs: object, hs: object,
                      vs: object) -> tuple[int, int, int]:
    """Check norm_ratios' arguments; return (T, B, D)."""
    if not isinstance(cell, nn.Module):
        raise TypeError(f"cell must be a torch.nn.Module; got "
                        f"{type(cell).__name__}")
    if not isinstance(xs, torch.Tensor) or xs.dim() != 3:
        got = tuple(xs.shape) if isinstance(xs, torch.Tensor) else \
            type(xs).__name__
        raise ValueError(f"xs must be a tensor of shape (T, B, D); got {got}")
    T = xs.shape[0]
    for name, seq, n in (("hs", hs, T + 1), ("vs", vs, T)):
        if not isinstance(seq, (list, tuple)) or len(seq) != n:
            got = len(seq) if isinstance(seq, (list, tuple)) else \
                type(seq).__name__
            raise ValueError(f"{name} must be a list of {n} tensors (B, H); "
                             f"got {got}")
    return tuple(xs.shape)


def _check_loss_fn(loss_fn: object) -> None:
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be a function (outputs, targets) -> "
                        f"tensor; got {type(loss_fn).__name__}")


def _check_model(model: object) -> None:
    if not isinstance(model, SequenceModel) or \
            not isinstance(model.rnn, Recurrent):
        raise TypeError("model must be a models.SequenceModel whose rnn is a "
                        "cells.Recurrent (it needs every state h_t); got "
                        f"{type(model).__name__}")
