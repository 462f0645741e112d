"""Gradient clipping by norm and by value, in numpy and in torch.

Clipping by norm is Algorithm 1 of Pascanu, Mikolov and Bengio (2013): when
the norm ``||g||`` of the whole gradient (every parameter's gradient taken
together as one vector) exceeds a threshold c, rescale it to norm c::

    g <- g * min(1, c / (||g|| + eps)),   eps = 1e-6 as in torch.

The direction is kept, and clipping twice changes nothing more (up to the
eps, a relative 1e-6/c). Clipping by value clamps every entry to [-c, c] on
its own, which can turn the direction. The functions equal
``torch.nn.utils.clip_grad_norm_`` and ``clip_grad_value_``, including on
the edge cases: a zero gradient stays zero; a gradient whose norm is Inf or
NaN comes out NaN (Inf entries) or scaled to 0 (finite entries) by norm
clipping, exactly as torch does, because no rescaling repairs it (the
training loop stops before clipping such a gradient); clipping by value
maps +-Inf to +-c and keeps NaN.
Introduced in chapter 7 (taming exploding gradients).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import torch

from .validation import check_array, check_positive

EPS = 1e-6  # torch's clip_grad_norm_ adds this to the norm


def global_norm(grads: Sequence[np.ndarray]) -> float:
    """The Euclidean norm of all the arrays of ``grads`` taken together."""
    return math.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64)))
                         for g in grads))


def clip_by_norm(grads: Sequence[np.ndarray], max_norm: float
                 ) -> tuple[list[np.ndarray], float]:
    """Rescale ``grads`` together so that their global norm is <= max_norm.

    grads: a list of arrays of any shapes (one per parameter). Returns new
    arrays (the input is untouched) and the norm before clipping.
    Introduced in chapter 7 (taming exploding gradients).
    """
    grads = _check_grads(grads)
    max_norm = check_positive("max_norm", max_norm)
    with np.errstate(invalid="ignore", over="ignore"):
        norm = global_norm(grads)
        scale = np.minimum(1.0, max_norm / (norm + EPS))  # keeps a NaN
        return [g * scale for g in grads], norm


def clip_by_value(grads: Sequence[np.ndarray], clip_value: float
                  ) -> list[np.ndarray]:
    """Clamp every entry of ``grads`` to [-clip_value, clip_value].

    Returns new arrays; the input is untouched.
    Introduced in chapter 7 (taming exploding gradients).
    """
    grads = _check_grads(grads)
    clip_value = check_positive("clip_value", clip_value)
    return [np.clip(g, -clip_value, clip_value) for g in grads]


def clip_grad_norm(parameters: Iterable[torch.Tensor],
                   max_norm: float) -> float:
    """Clip the ``.grad`` of ``parameters`` by their global norm, in place.

    Returns the norm before clipping, like ``clip_grad_norm_``.
    Introduced in chapter 7 (taming exploding gradients).
    """
    max_norm = check_positive("max_norm", max_norm)
    grads = _torch_grads(parameters)
    if not grads:
        return 0.0
    norm = torch.linalg.vector_norm(
        torch.stack([torch.linalg.vector_norm(g) for g in grads]))
    scale = torch.clamp(max_norm / (norm + EPS), max=1.0)
    for g in grads:
        g.mul_(scale)
    return float(norm)


def clip_grad_value(parameters: Iterable[torch.Tensor],
                    clip_value: float) -> None:
    """Clamp every entry of the ``.grad`` of ``parameters``, in place.

    Introduced in chapter 7 (taming exploding gradients).
    """
    clip_value = check_positive("clip_value", clip_value)
    for g in _torch_grads(parameters):
        g.clamp_(-clip_value, clip_value)


def angle(a: Sequence[np.ndarray], b: Sequence[np.ndarray]) -> float:
    """The angle in degrees between two gradients (lists of arrays).

    0 when they point the same way; NaN when either is zero or not finite.
    Introduced in chapter 7 (taming exploding gradients).
    """
    a, b = _check_grads(a, "a"), _check_grads(b, "b")
    if [x.shape for x in a] != [y.shape for y in b]:
        raise ValueError("a and b must hold arrays of the same shapes")
    with np.errstate(invalid="ignore", over="ignore"):
        dot = sum(float(np.sum(x.astype(np.float64) * y))
                  for x, y in zip(a, b))
        norms = global_norm(a) * global_norm(b)
    if norms == 0 or not math.isfinite(dot / norms):
        return math.nan
    return math.degrees(math.acos(min(1.0, max(-1.0, dot / norms))))


def _check_grads(grads: object, name: str = "grads") -> list[np.ndarray]:
    """grads as a list of float arrays; NaN and Inf allowed."""
    if isinstance(grads, np.ndarray):
        raise TypeError(f"{name} must be a list of arrays (one per parameter);"
                        " got one ndarray: wrap it in a list")
    if not isinstance(grads, (list, tuple)) or not grads:
        raise TypeError(f"{name} must be a non-empty list of arrays; got "
                        f"{type(grads).__name__}")
    return [check_array(f"{name}[{i}]", g, finite=False)
            for i, g in enumerate(grads)]


def _torch_grads(parameters: object) -> list[torch.Tensor]:
    """The existing ``.grad`` of each tensor in ``parameters``."""
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    if not isinstance(parameters, Iterable) or isinstance(
            parameters, (str, bytes, dict, np.ndarray)):
        raise TypeError(f"parameters must be an iterable of tensors; got "
                        f"{type(parameters).__name__}")
    parameters = list(parameters)
    wrong = [type(p).__name__ for p in parameters
             if not isinstance(p, torch.Tensor)]
    if wrong:
        raise TypeError(f"parameters must hold torch tensors only; got "
                        f"{wrong[0]}")
    return [p.grad for p in parameters if p.grad is not None]
