"""Finite-difference gradient checks, for any loss written as a function of one array.

Introduced in chapter 4 (backprop through time), where they check BPTT.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .validation import check_array, check_positive


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray,
                       eps: float = 1e-6) -> np.ndarray:
    """Central differences of f at x, entry by entry.

    grad[i] = (f(x + eps e_i) - f(x - eps e_i)) / (2 eps) for every i.
    f: the loss as a function of the array (it must read only its argument).
    x: the point, any shape; not modified. Returns an array of x's shape.
    Costs 2 x.size evaluations of f.
    """
    if not callable(f):
        raise TypeError("f must be the loss as a function of one array; "
                        f"got {type(f).__name__}")
    x = check_array("x", x).astype(np.float64)
    eps = check_positive("eps", eps)
    point, grad = x.copy(), np.empty_like(x)
    for i in np.ndindex(x.shape):
        point[i] = x[i] + eps
        f_plus = f(point)
        point[i] = x[i] - eps
        f_minus = f(point)
        point[i] = x[i]
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """``||a - b|| / (||a|| + ||b||)``: 0 when equal, 1 when opposite; 0 if both are zero."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"the two gradients must have the same shape; got {a.shape} and {b.shape}")
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)


def check_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, analytic: np.ndarray,
                   eps: float = 1e-6) -> float:
    """Relative error between ``analytic`` and the finite-difference gradient of f at x.

    analytic: the gradient to check, of x's shape. In float64 a correct gradient typically
    gives 1e-8 or less; 1e-3 or more is a bug. Introduced in chapter 4 (backprop through time).
    """
    analytic = check_array("analytic", analytic, shape=np.shape(x))
    return relative_error(analytic, numerical_gradient(f, x, eps))
