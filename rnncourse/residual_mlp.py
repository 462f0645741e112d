"""Residual connections in depth: chapter 2's deep network with skips, in numpy.

A hidden layer whose input and output widths are equal adds its input to
what it computes (He et al., 2016):

    z_l = W_l a_{l-1} + b_l,  [z_l <- BN(z_l)],  a_l = a_{l-1} + f(z_l),

so its Jacobian is ``da_l/da_{l-1} = I + diag(f'(z_l)) W_l`` (without batch
norm) and the backward pass adds the gradient arriving at ``a_l`` to what
the layer sends down. The first hidden layer (it changes the width) and
the linear output layer have no skip. The parameters are a
:class:`rnncourse.feedforward.MLP`, and the blocks are chapter 2's.
numpy only. Introduced in chapter 9 (skip connections and normalisation).
"""

from __future__ import annotations

import numpy as np

from .activations import get_activation
from .feedforward import (
    MLP,
    Grads,
    _check_backward,
    _check_input,
    _check_labels,
    _check_net,
    batchnorm_backward,
    batchnorm_forward,
    binary_cross_entropy,
    dense_backward,
    dense_forward,
)


def skips(net: MLP, residual: bool = True) -> list[bool]:
    """Which layers add their input: hidden layers l >= 2 of equal widths.

    Returns (L,) booleans, first layer first; all False if not residual.
    Introduced in chapter 9 (skip connections and normalisation).
    """
    _check_residual(residual)
    L = len(_check_net(net).W)
    return [bool(residual) and 0 < l < L - 1 and W.shape[0] == W.shape[1]
            for l, W in enumerate(net.W)]


def residual_forward(net: MLP, X: np.ndarray, residual: bool = True
                     ) -> tuple[np.ndarray, list[dict]]:
    """Forward pass with skips. X: (N, D_0) -> output (N, D_L), cache.

    residual=False gives ``feedforward.mlp_forward`` exactly.
    Introduced in chapter 9 (skip connections and normalisation).
    """
    skip = skips(net, residual)
    X = _check_input(net, X)
    f = get_activation(net.activation).f
    cache, a, L = [], X, len(net.W)
    for l, (W, b) in enumerate(zip(net.W, net.b)):
        step = {"X": a, "Z": dense_forward(a, W, b)}
        if l == L - 1:
            a = step["Z"]
        else:
            z = step["Z"]
            if net.batchnorm:
                z, step["bn"] = batchnorm_forward(
                    z, net.gamma[l], net.beta[l], net.eps)
            step["Z_act"] = z
            a = a + f(z) if skip[l] else f(z)
        cache.append(step)
    return a, cache


def residual_backward(net: MLP, cache: list[dict], dout: np.ndarray,
                      residual: bool = True) -> Grads:
    """Backpropagation with skips: dout (N, D_L) -> every gradient.

    A skip adds the gradient arriving at a_l to the one the layer sends to
    a_{l-1}: the identity term of I + diag(f') W_l.
    Introduced in chapter 9 (skip connections and normalisation).
    """
    skip = skips(net, residual)
    dout = _check_backward(net, cache, dout)
    df = get_activation(net.activation).df
    L = len(net.W)
    dW, db, dZs = [None] * L, [None] * L, [None] * L
    dgamma, dbeta = [None] * len(net.gamma), [None] * len(net.beta)
    dA = dout
    for l in reversed(range(L)):
        dZ = dA if l == L - 1 else dA * df(cache[l]["Z_act"])
        if l < L - 1 and net.batchnorm:
            dZ, dgamma[l], dbeta[l] = batchnorm_backward(dZ, cache[l]["bn"])
        dZs[l] = dZ
        dA_in, dW[l], db[l] = dense_backward(dZ, cache[l]["X"], net.W[l])
        dA = dA_in + dA if skip[l] else dA_in
    return Grads(dW, db, dgamma, dbeta, dZs, dA)


def residual_loss_and_grads(net: MLP, X: np.ndarray, y: np.ndarray,
                            residual: bool = True) -> tuple[float, Grads]:
    """Binary cross-entropy of a one-output net and its gradients.

    X: (N, D_0), y: (N,) labels 0 or 1. residual=False gives
    ``feedforward.loss_and_grads``.
    Introduced in chapter 9 (skip connections and normalisation).
    """
    out, cache = residual_forward(_check_net(net, one_output=True), X,
                                  residual)
    if not np.all(np.isfinite(out)):
        raise ValueError("the net's output overflows float64 (NaN/Inf "
                         "logits): the weights or X are too large")
    loss, dlogits = binary_cross_entropy(out[:, 0],
                                         _check_labels(y, len(out)))
    return loss, residual_backward(net, cache, dlogits[:, None], residual)


def _check_residual(residual: object) -> None:
    if not isinstance(residual, (bool, np.bool_)):
        raise TypeError(f"residual must be True or False; got "
                        f"{type(residual).__name__}")
