"""A one-unit recurrent network whose loss has a cliff, after Pascanu et al. (2013).

The model has one state and two parameters, and no input::

    h_t = w f(h_{t-1}) + b,   t = 1, ..., T,   from a fixed h_0;
    L(w, b) = (h_T - y)^2.

With f the sigmoid and w > 4 the map has two stable fixed points; a small change of b
moves h_0 from one basin to the other, and h_T (so L) jumps: a wall in the loss, where
the gradient is huge. With f the identity the model is the linear recurrence
h_T = w^T h_0 + ..., whose gradient grows like T w^(T-1). The functions broadcast over
arrays of w and b, so a whole line or grid of parameters is one call.
numpy only. Introduced in chapter 5 (vanishing and exploding gradients).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import get_activation
from .validation import check_array, check_positive, check_real


def _params(w: object, b: object) -> tuple[np.ndarray, np.ndarray]:
    """w and b as float arrays (any shapes that broadcast), checked finite."""
    w, b = check_array("w", w), check_array("b", b)
    try:
        np.broadcast(w, b)
    except ValueError:
        raise ValueError(f"w and b must broadcast together; got shapes "
                         f"{w.shape} and {b.shape}") from None
    return w, b


def one_unit_states(w: np.ndarray, b: np.ndarray, T: int, h0: float = 0.5,
                    activation: str = "sigmoid") -> np.ndarray:
    """The states h_0, ..., h_T of h_t = w f(h_{t-1}) + b.

    w, b: numbers or arrays that broadcast to a shape P. Returns ``(T + 1, *P)``.
    A state beyond float64 becomes inf (no warning).
    Introduced in chapter 5 (vanishing and exploding gradients).
    """
    w, b = _params(w, b)
    T = check_positive("T", T, integer=True)
    f = get_activation(activation).f
    hs = [np.full(np.broadcast(w, b).shape, check_real("h0", h0))]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(T):
            hs.append(w * f(hs[-1]) + b)
    return np.array(hs)


def one_unit_loss(w: np.ndarray, b: np.ndarray, T: int, target: float,
                  h0: float = 0.5, activation: str = "sigmoid") -> np.ndarray:
    """L(w, b) = (h_T - target)^2, broadcast over w and b like :func:`one_unit_states`."""
    target = check_real("target", target)
    with np.errstate(over="ignore", invalid="ignore"):
        return (one_unit_states(w, b, T, h0, activation)[-1] - target) ** 2


def one_unit_gradient(w: np.ndarray, b: np.ndarray, T: int, target: float,
                      h0: float = 0.5, activation: str = "sigmoid"
                      ) -> tuple[np.ndarray, np.ndarray]:
    """(dL/dw, dL/db) by BPTT: one reversed loop, as in chapter 4.

    dh_t/dh_{t-1} = w f'(h_{t-1}); w and b act at every step, so their
    gradients are sums over the steps. Broadcasts like the loss.
    Introduced in chapter 5 (vanishing and exploding gradients).
    """
    act = get_activation(activation)
    hs = one_unit_states(w, b, T, h0, activation)
    w = np.asarray(w, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        dh = 2 * (hs[-1] - check_real("target", target))  # dL/dh_T
        dw, db = np.zeros_like(dh), np.zeros_like(dh)
        for t in reversed(range(1, len(hs))):
            dw = dw + dh * act.f(hs[t - 1])  # h_t = w f(h_{t-1}) + b
            db = db + dh
            dh = dh * w * act.df(hs[t - 1])  # on to h_{t-1}
    return dw, db


@dataclass
class DescentRun:
    """Plain gradient descent on the one-unit model: every iterate and how it ended.

    ws, bs, losses: (n + 1,) the parameters and loss at each iterate, the start first;
    status: "converged" (loss below ``tol``), "diverged" (the loss or the gradient
    became NaN or Inf) or "budget"; message: what happened, in words.
    """

    ws: np.ndarray
    bs: np.ndarray
    losses: np.ndarray
    status: str
    message: str


def descend_one_unit(w: float, b: float, T: int, target: float, lr: float, steps: int,
                     h0: float = 0.5, activation: str = "sigmoid",
                     tol: float = 1e-10) -> DescentRun:
    """Gradient descent (w, b) <- (w, b) - lr (dL/dw, dL/db), up to ``steps`` steps.

    Stops cleanly, without overflow warnings, when the loss or the gradient stops
    being finite. Introduced in chapter 5 (vanishing and exploding gradients).
    """
    w, b = check_real("w", w), check_real("b", b)
    lr, tol = check_positive("lr", lr), check_positive("tol", tol)
    steps = check_positive("steps", steps, integer=True)
    ws, bs = [w], [b]
    losses = [float(one_unit_loss(w, b, T, target, h0, activation))]
    for step in range(1, steps + 1):
        dw, db = one_unit_gradient(ws[-1], bs[-1], T, target, h0, activation)
        with np.errstate(over="ignore", invalid="ignore"):
            w, b = ws[-1] - lr * float(dw), bs[-1] - lr * float(db)
        if not np.isfinite([dw, db, w, b]).all():
            return _stop(ws, bs, losses, step, "the gradient is not finite")
        ws.append(w), bs.append(b)
        losses.append(float(one_unit_loss(w, b, T, target, h0, activation)))
        if not np.isfinite(losses[-1]):
            return _stop(ws, bs, losses, step, f"the loss is {losses[-1]}")
        if losses[-1] < tol:
            return DescentRun(np.array(ws), np.array(bs), np.array(losses),
                              "converged", f"loss below {tol:g} at step {step}")
    return DescentRun(np.array(ws), np.array(bs), np.array(losses), "budget",
                      f"took all {steps} steps")


def _stop(ws: list, bs: list, losses: list, step: int, why: str) -> DescentRun:
    """The record of a run stopped at ``step`` because ``why`` (diverged)."""
    return DescentRun(np.array(ws), np.array(bs), np.array(losses), "diverged",
                      f"diverged at step {step}: {why}")
