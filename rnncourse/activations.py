"""Activation functions and their derivatives.

Every function works elementwise on a float array of any shape and returns an array of
the same shape. A derivative takes the *pre-activation* ``z`` (the input of the
activation), so the backward pass of a layer is ``dz = da * derivative(z)``.
``z`` may be a number, a list or an array of real numbers (anything else is a ``TypeError``
naming ``z``); like numpy and torch, NaN in gives NaN out and ±Inf gives the limit, so a
diverging run shows up in the loss instead of raising inside a layer.
Introduced in chapter 2 (backpropagation and vanishing gradients in deep networks).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .validation import check_array, check_choice, check_positive, check_real

Fn = Callable[[np.ndarray], np.ndarray]


def _floats(z: object) -> np.ndarray:
    """``z`` as a float64 array; a TypeError names ``z`` for strings, complex numbers, None."""
    return check_array("z", z, finite=False).astype(np.float64, copy=False)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(−z)), computed so that tiny values survive and
    nothing overflows.

    For z ≥ 0, 1 / (1 + e^(−z)); for z < 0, the same number written
    e^z / (1 + e^z), whose exponential cannot overflow either, and which
    keeps σ(−40) ≈ 4e−18 (the form (1 + tanh(z/2)) / 2 rounds it to 0).
    Below z ≈ −745, e^z underflows to 0.
    """
    z = _floats(z)
    e = np.exp(-np.abs(z))                    # in (0, 1]: never overflows
    # [()]: a scalar for a scalar z
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))[()]


def sigmoid_derivative(z: np.ndarray) -> np.ndarray:
    """σ′(z) = σ(z)(1 − σ(z)); at most 1/4, reached at z = 0.

    σ′ is even, so it is computed as σ(−|z|)(1 − σ(−|z|)): the small factor is then σ itself,
    and σ′(40) ≈ 4e−18 survives instead of becoming 1 · (1 − 1) = 0.
    """
    s = sigmoid(-np.abs(_floats(z)))
    return s * (1.0 - s)


def tanh(z: np.ndarray) -> np.ndarray:
    """tanh(z) = 2σ(2z) − 1."""
    return np.tanh(_floats(z))


def tanh_derivative(z: np.ndarray) -> np.ndarray:
    """tanh′(z) = 1 − tanh(z)²; at most 1, reached at z = 0."""
    return 1.0 - np.tanh(_floats(z)) ** 2


def relu(z: np.ndarray) -> np.ndarray:
    """ReLU(z) = max(0, z)."""
    return np.maximum(_floats(z), 0.0)


def relu_derivative(z: np.ndarray) -> np.ndarray:
    """ReLU′(z) = 1 for z > 0 and 0 otherwise (we take 0 at z = 0, as PyTorch does)."""
    return (_floats(z) > 0).astype(np.float64)


def prelu(z: np.ndarray, a: float) -> np.ndarray:
    """PReLU(z; a) = z for z > 0 and a·z otherwise; ``a`` is a learned slope (a real number)."""
    z, a = _floats(z), check_real("a", a)
    return np.where(z > 0, z, a * z)


def prelu_derivative(z: np.ndarray, a: float) -> np.ndarray:
    """∂PReLU/∂z = 1 for z > 0 and a otherwise."""
    return np.where(_floats(z) > 0, 1.0, check_real("a", a))


def prelu_slope_derivative(z: np.ndarray) -> np.ndarray:
    """∂PReLU/∂a = 0 for z > 0 and z otherwise (the gradient that trains the slope)."""
    z = _floats(z)
    return np.where(z > 0, 0.0, z)


def leaky_relu(z: np.ndarray, a: float = 0.01) -> np.ndarray:
    """Leaky ReLU: a PReLU whose slope ``a`` is fixed (0.01 by default)."""
    return prelu(z, a)


def leaky_relu_derivative(z: np.ndarray, a: float = 0.01) -> np.ndarray:
    """Leaky ReLU′(z) = 1 for z > 0 and a otherwise."""
    return prelu_derivative(z, a)


def identity(z: np.ndarray) -> np.ndarray:
    """The identity, for linear layers."""
    return _floats(z)


def identity_derivative(z: np.ndarray) -> np.ndarray:
    """The derivative of the identity: ones."""
    return np.ones_like(_floats(z))


class Activation(NamedTuple):
    """An activation function ``f`` with its derivative ``df`` and the bound ``max |f′|``."""

    f: Fn
    df: Fn
    max_slope: float


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation(sigmoid, sigmoid_derivative, 0.25),
    "tanh": Activation(tanh, tanh_derivative, 1.0),
    "relu": Activation(relu, relu_derivative, 1.0),
    "leaky_relu": Activation(leaky_relu, leaky_relu_derivative, 1.0),
    "identity": Activation(identity, identity_derivative, 1.0),
}


def get_activation(name: str) -> Activation:
    """Look up an activation by name: one of ``ACTIVATIONS`` ('sigmoid', 'tanh', 'relu', ...)."""
    return ACTIVATIONS[check_choice("activation", name, tuple(ACTIVATIONS))]


def saturated(z: np.ndarray, name: str, fraction: float = 0.1) -> np.ndarray:
    """Boolean mask of the saturated region: where f′(z) < ``fraction`` · max f′.

    In a saturated region a unit passes back less than ``fraction`` of the gradient it
    could pass back at best, so the layers below it barely learn. fraction: in (0, 1].
    """
    act = get_activation(name)
    z = check_array("z", z)
    fraction = check_positive("fraction", fraction)
    if fraction > 1:
        raise ValueError(f"fraction must be in (0, 1] (a share of the best slope); got {fraction}")
    return act.df(z) < fraction * act.max_slope
