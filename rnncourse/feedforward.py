"""A deep feed-forward network in numpy with an explicit backward pass per layer.

Layout (the course's one layout, see the notation page): in the math every vector is a column
and hidden layer ``l`` computes

    z_l = W_l a_{l-1} + b_l,  [z_l <- BN(z_l) if batch norm],  a_l = f(z_l),

with ``W_l`` stored as (outputs, inputs) = ``(D_l, D_{l-1})``, like ``torch.nn.Linear``. In code a
batch ``X`` is ``(N, D_0)``, one example per row, so the same layer reads ``Z = A @ W.T + b``.
The last layer is linear: its output is the logit of a binary classifier. The backward
pass runs the same steps in reverse, one small function per step, and records the
gradient of every layer, so the chapter can watch gradients shrink on the way down.

The per-step teaching blocks (``dense_forward``, ``dense_backward``, ``batchnorm_forward``,
``batchnorm_backward``) trust their inputs, like the lines of a derivation. Every function that
takes a ``net`` checks it, and its other arguments, once at the boundary: a ``TypeError`` or
``ValueError`` names the argument (``net.W[1]``, ``cache[0]['X']``, ``X``) and what was expected.
Introduced in chapter 2 (backpropagation and vanishing gradients in deep networks).
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field

import numpy as np

from .activations import ACTIVATIONS, get_activation
from .init import init_weight
from .validation import check_array, check_choice, check_positive, check_real, check_seed


@dataclass
class MLP:
    """Parameters of a multilayer perceptron with ``L = len(W)`` layers.

    W[l]: (D_{l+1}, D_l), (outputs, inputs); b[l]: (D_{l+1},). So ``W[l]`` is the text's
    W_{l+1} (the list counts from 0, the layers from 1). gamma[l], beta[l]: (D_{l+1},)
    batch-norm scale and shift of hidden layer l (empty lists when ``batchnorm`` is False).
    The arrays are float numpy arrays; the functions that take a net check that they chain
    (each W[l] reads what W[l − 1] writes) and are finite.
    """

    W: list[np.ndarray]
    b: list[np.ndarray]
    activation: str = "sigmoid"
    batchnorm: bool = False
    gamma: list[np.ndarray] = field(default_factory=list)
    beta: list[np.ndarray] = field(default_factory=list)
    eps: float = 1e-5


@dataclass
class Grads:
    """Gradients of an :class:`MLP`: ``dW[l]`` has the shape of ``W[l]``, and so on.

    dZ[l]: (N, D_{l+1}) gradient reaching the pre-activation of layer l ("the gradient
    reaching layer l"); dX: (N, D_0) gradient with respect to the input.
    """

    dW: list[np.ndarray]
    db: list[np.ndarray]
    dgamma: list[np.ndarray]
    dbeta: list[np.ndarray]
    dZ: list[np.ndarray]
    dX: np.ndarray


def init_mlp(sizes: list[int], activation: str = "sigmoid", init: str = "fan_in_uniform",
             batchnorm: bool = False, seed: int = 0) -> MLP:
    """A fresh MLP with layer widths ``sizes = [D_in, H_1, ..., H_k, D_out]``.

    Weights come from the initialiser ``init`` (see :mod:`rnncourse.init`), one (D_out, D_in)
    matrix per layer; biases are 0, batch-norm scales 1 and shifts 0.
    """
    if not isinstance(sizes, (list, tuple, range, np.ndarray)):
        raise TypeError(f"sizes must be a list of layer widths; got {type(sizes).__name__}")
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least an input and an output width; got {sizes!r}")
    sizes = [check_positive(f"sizes[{i}]", s, integer=True) for i, s in enumerate(sizes)]
    get_activation(activation)
    if not isinstance(batchnorm, (bool, np.bool_)):
        raise TypeError(f"batchnorm must be True or False; got {type(batchnorm).__name__}")
    rng = np.random.default_rng(check_seed("seed", seed))
    W = [init_weight(init, m, n, rng) for m, n in zip(sizes[:-1], sizes[1:])]
    b = [np.zeros(n) for n in sizes[1:]]
    hidden = sizes[1:-1] if batchnorm else []
    return MLP(W, b, activation, bool(batchnorm),
               [np.ones(n) for n in hidden], [np.zeros(n) for n in hidden])


def dense_forward(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """z = W x + b for every row x of X: Z = X Wᵀ + b.

    X: (N, D_in), W: (D_out, D_in), b: (D_out,) -> Z: (N, D_out). Unchecked (a teaching block).
    """
    return X @ W.T + b


def dense_backward(dZ: np.ndarray, X: np.ndarray,
                   W: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of Z = X Wᵀ + b, given dZ = d𝓛/dZ of shape (N, D_out).

    X: (N, D_in), W: (D_out, D_in). Returns (dX, dW, db) = (dZ W, dZᵀ X, Σ_n dZ), of shapes
    (N, D_in), (D_out, D_in), (D_out,): each gradient has the shape of what it differentiates.
    Unchecked (a teaching block).
    """
    return dZ @ W, dZ.T @ X, dZ.sum(axis=0)


def batchnorm_forward(Z: np.ndarray, gamma: np.ndarray, beta: np.ndarray,
                      eps: float = 1e-5) -> tuple[np.ndarray, tuple]:
    """Batch normalisation with the statistics of this batch.

    Ioffe & Szegedy (2015). Z: (N, D) ->
    Y = gamma · (Z − mean) / sqrt(var + eps) + beta, and the cache for
    backward.
    """
    mean, var = Z.mean(axis=0), Z.var(axis=0)
    inv_std = 1.0 / np.sqrt(var + eps)
    Z_hat = (Z - mean) * inv_std
    return gamma * Z_hat + beta, (Z_hat, inv_std, gamma)


def batchnorm_backward(dY: np.ndarray,
                       cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of :func:`batchnorm_forward`: dY (N, D) -> (dZ, dgamma, dbeta).

    Every example's output depends on the whole batch through the mean and variance,
    which gives the two correction terms subtracted from ``dZ_hat``.
    """
    Z_hat, inv_std, gamma = cache
    dZ_hat = dY * gamma
    dZ = inv_std * (dZ_hat - dZ_hat.mean(axis=0) - Z_hat * (dZ_hat * Z_hat).mean(axis=0))
    return dZ, (dY * Z_hat).sum(axis=0), dY.sum(axis=0)


def mlp_forward(net: MLP, X: np.ndarray) -> tuple[np.ndarray, list[dict]]:
    """Forward pass. X: (N, D_0) -> output (N, D_L) and a per-layer cache for backward."""
    X = _check_input(_check_net(net), X)
    f = get_activation(net.activation).f
    cache, a = [], X
    for l, (W, b) in enumerate(zip(net.W, net.b)):
        step = {"X": a, "Z": dense_forward(a, W, b)}
        if l < len(net.W) - 1:
            z = step["Z"]
            if net.batchnorm:
                z, step["bn"] = batchnorm_forward(z, net.gamma[l], net.beta[l], net.eps)
            step["Z_act"] = z
            a = f(z)
        else:
            a = step["Z"]
        cache.append(step)
    return a, cache


def mlp_backward(net: MLP, cache: list[dict], dout: np.ndarray) -> Grads:
    """Backpropagation: from dout = d𝓛/d(output) (N, D_L) to the gradient of
    every parameter.

    Walks the layers in reverse: activation derivative, batch norm, dense
    layer.
    """
    dout = _check_backward(net, cache, dout)  # cache: from mlp_forward(net)
    df = get_activation(net.activation).df
    L = len(net.W)
    dW, db, dZs = [None] * L, [None] * L, [None] * L
    dgamma, dbeta = [None] * len(net.gamma), [None] * len(net.beta)
    dA = dout
    for l in reversed(range(L)):
        step = cache[l]
        if l < L - 1:
            dZ = dA * df(step["Z_act"])
            if net.batchnorm:
                dZ, dgamma[l], dbeta[l] = batchnorm_backward(dZ, step["bn"])
        else:
            dZ = dA
        dZs[l] = dZ
        dA, dW[l], db[l] = dense_backward(dZ, step["X"], net.W[l])
    return Grads(dW, db, dgamma, dbeta, dZs, dA)


def binary_cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean binary cross-entropy of labels y ∈ {0, 1} given logits, both (N,).

    Returns (loss, dlogits) with dlogits = (σ(logit) − y) / N, computed without overflow.
    """
    logits = check_array("logits", logits, ndim=1)
    y = _check_labels(y, len(logits))
    loss = np.mean(np.logaddexp(0.0, logits) - y * logits)
    p = get_activation("sigmoid").f(logits)
    return float(loss), (p - y) / len(y)


def predict_proba(net: MLP, X: np.ndarray) -> np.ndarray:
    """P(y = 1 | x) for each row of X: (N, D_0) -> (N,). Batch norm uses this batch's statistics."""
    out, _ = mlp_forward(_check_net(net, one_output=True), X)
    return get_activation("sigmoid").f(out[:, 0])


def loss_and_grads(net: MLP, X: np.ndarray, y: np.ndarray) -> tuple[float, Grads]:
    """Binary cross-entropy of a one-output net on (X (N, D_0), y (N,)) and its gradients."""
    with np.errstate(over="ignore", invalid="ignore"):  # reported below, with a cause
        out, cache = mlp_forward(_check_net(net, one_output=True), X)
    if not np.all(np.isfinite(out)):
        raise ValueError("the net's output overflows float64 (NaN/Inf logits): the weights or X "
                         "are too large")
    loss, dlogits = binary_cross_entropy(out[:, 0], y)
    return loss, mlp_backward(net, cache, dlogits[:, None])


def sgd_update(net: MLP, grads: Grads, lr: float) -> MLP:
    """One gradient-descent step θ ← θ − lr · ∇θ on every parameter.

    Pure, like every update in the course: returns a new :class:`MLP` and leaves
    ``net`` untouched.
    """
    lr = check_positive("lr", lr)
    _check_grads(_check_net(net), grads)

    def step(params: list[np.ndarray], dparams: list[np.ndarray]) -> list[np.ndarray]:
        return [p - lr * dp for p, dp in zip(params, dparams)]

    return dataclasses.replace(net, W=step(net.W, grads.dW), b=step(net.b, grads.db),
                               gamma=step(net.gamma, grads.dgamma),
                               beta=step(net.beta, grads.dbeta))


@dataclass
class History:
    """What :func:`train_mlp` records, one row per step taken (fields as chapter 1's runs).

    losses: (S,) training loss before each step; grad_norms: (S, L) Frobenius norm of d𝓛/dW_l;
    travel: (L,) ‖W_l(end) − W_l(start)‖ / ‖W_l(start)‖, how far each layer's weights moved;
    status: "budget" (took every step) or "diverged" (stopped on NaN/Inf); message: what happened.
    """

    losses: np.ndarray
    grad_norms: np.ndarray
    travel: np.ndarray
    status: str = "budget"
    message: str = ""


def weight_travel(start: list[np.ndarray], end: list[np.ndarray]) -> np.ndarray:
    """Relative distance each weight matrix moved: ‖W_end − W_start‖ / ‖W_start‖, shape (L,).

    A matrix that starts at zero has travel 0 if it stayed there and inf if it moved.
    """
    _check_weight_lists(start, end)
    moved = np.array([np.linalg.norm(e - s) for s, e in zip(start, end)])
    size = np.array([np.linalg.norm(s) for s in start])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(moved == 0, 0.0, moved / size)


def _finite(loss: float, grads: Grads) -> bool:
    return bool(np.isfinite(loss)) and all(np.all(np.isfinite(g)) for g in grads.dW + grads.db)


def _finite_step(net: MLP, X: np.ndarray, y: np.ndarray) -> tuple[float, Grads] | None:
    """loss_and_grads, or None when a weight, the output, the loss or a gradient is NaN/Inf."""
    if not all(np.all(np.isfinite(p)) for p in net.W + net.b + net.gamma + net.beta):
        return None
    out, cache = mlp_forward(net, X)
    if not np.all(np.isfinite(out)):
        return None
    loss, dlogits = binary_cross_entropy(out[:, 0], y)
    grads = mlp_backward(net, cache, dlogits[:, None])
    return (loss, grads) if _finite(loss, grads) else None


def train_mlp(net: MLP, X: np.ndarray, y: np.ndarray, lr: float = 0.5, steps: int = 300,
              batch_size: int | None = None, seed: int = 0) -> tuple[MLP, History]:
    """Train a copy of ``net`` by gradient descent on binary cross-entropy.

    X: (N, D_0), y: (N,) in {0, 1}. Full batch unless ``batch_size`` is given (then a
    fresh random minibatch each step). Stops with one printed message if the loss or a
    gradient becomes NaN/Inf. Returns the trained copy and its :class:`History`.
    """
    X = _check_input(_check_net(net, one_output=True), X)
    y = _check_labels(y, len(X))
    lr, steps = check_positive("lr", lr), check_positive("steps", steps, integer=True)
    if batch_size is not None:
        batch_size = min(check_positive("batch_size", batch_size, integer=True), len(y))
    net, rng = copy.deepcopy(net), np.random.default_rng(check_seed("seed", seed))
    start, losses, norms, status = [W.copy() for W in net.W], [], [], "budget"
    message = f"took all {steps} steps"
    with np.errstate(over="ignore", invalid="ignore"):  # a divergence is reported once, below
        for step in range(steps):
            rows = (slice(None) if batch_size is None
                    else rng.choice(len(y), batch_size, replace=False))
            result = _finite_step(net, X[rows], y[rows])
            if result is None:
                status, message = "diverged", (f"stopped at step {step}: loss or gradient is "
                                               f"NaN/Inf; lower the learning rate")
                print(message)
                break
            loss, grads = result
            losses.append(loss)
            norms.append([np.linalg.norm(dW) for dW in grads.dW])
            net = sgd_update(net, grads, lr)
        travel = weight_travel(start, net.W)
    norms = np.array(norms).reshape(len(losses), len(net.W))
    return net, History(np.array(losses), norms, travel, status, message)


def chain_mlp(depth: int, activation: str = "sigmoid", weight: float = 1.0,
              bias: float = 0.0) -> MLP:
    """A chain input → ``depth`` hidden layers of one unit → output; every weight = ``weight``.

    With one unit per layer every Jacobian is a number, so the gradient reaching layer l
    is a plain product of scalars: f′(z_l) w_{l+1} f′(z_{l+1}) ... w_out.
    """
    depth = check_positive("depth", depth, integer=True)
    weight, bias = check_real("weight", weight), check_real("bias", bias)
    get_activation(activation)
    W = [np.full((1, 1), weight) for _ in range(depth + 1)]
    b = [np.full(1, bias) for _ in range(depth + 1)]
    return MLP(W, b, activation)


def hidden_gradients(net: MLP, X: np.ndarray) -> np.ndarray:
    """‖∂(Σ outputs)/∂z_l‖ for every hidden layer l = 1 .. L−1: the gradient reaching it.

    X: (N, D_0) -> (L−1,), first hidden layer first.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # reported below, with a cause
        out, cache = mlp_forward(net, X)
        grads = mlp_backward(net, cache, np.ones_like(out))
        norms = np.array([np.linalg.norm(dZ) for dZ in grads.dZ[:-1]])
    if not (np.all(np.isfinite(out)) and np.all(np.isfinite(norms))):
        raise ValueError("the output or a gradient overflows float64: the weights or X are too "
                         "large for this depth")
    return norms


def chain_bound(depth: int, activation: str, weight: float = 1.0) -> np.ndarray:
    """The bound ``(γ|w|)^k`` on the gradient reaching each layer of :func:`chain_mlp`: (depth,).

    Layer l (1 = first) is k = depth − l + 1 activation derivatives and as many weights
    below the output, and each derivative is at most ``γ = max |f′|`` (1/4 for the sigmoid).
    """
    depth = check_positive("depth", depth, integer=True)
    gamma, weight = get_activation(activation).max_slope, check_real("weight", weight)
    with np.errstate(over="ignore"):  # a bound beyond float64 is inf, which is still a bound
        return (gamma * abs(weight)) ** np.arange(depth, 0, -1, dtype=np.float64)


def first_layer_gradient(depths: list[int], activation: str, weight: float = 1.0,
                         x: float = 1.0) -> np.ndarray:
    """``|∂ŷ/∂z_1|`` of a one-unit chain (:func:`chain_mlp`) at input ``x``, for each depth."""
    if not isinstance(depths, (list, tuple, range, np.ndarray)):
        raise TypeError(f"depths must be a list of depths; got {type(depths).__name__}")
    depths = [check_positive(f"depths[{i}]", d, integer=True) for i, d in enumerate(depths)]
    x = check_real("x", x)
    return np.array([hidden_gradients(chain_mlp(d, activation, weight), [[x]])[0]
                     for d in depths])


def layer_jacobians(net: MLP, x: np.ndarray) -> list[np.ndarray]:
    """The Jacobians J_l = ∂a_l/∂a_{l−1} = diag(f′(z_l)) W_l of each layer at one input.

    x: (D_0,). Returns L matrices, J_l of shape (D_l, D_{l−1}), first layer first; the last
    layer is linear, so its Jacobian is W_L. Their product J_L ⋯ J_1 (latest layer on the left)
    is ∂output/∂x (the chain rule).
    """
    if _check_net(net).batchnorm:
        raise ValueError("layer_jacobians needs an MLP without batch normalisation")
    x = check_array("x", x, shape=(net.W[0].shape[1],))
    _, cache = mlp_forward(net, x[None, :])
    df = get_activation(net.activation).df
    jacobians = [df(step["Z"][0])[:, None] * W for step, W in zip(cache[:-1], net.W[:-1])]
    return jacobians + [net.W[-1].copy()]


# --- Checks at the public boundary (the teaching blocks above trust their inputs) ---

def _check_net(net: object, one_output: bool = False) -> MLP:
    """``net`` after checking it is an MLP of finite float arrays that chain (one output?)."""
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP (see init_mlp); got {type(net).__name__}")
    check_choice("net.activation", net.activation, tuple(ACTIVATIONS))
    if not isinstance(net.batchnorm, (bool, np.bool_)):
        raise TypeError(f"net.batchnorm must be True or False; got {type(net.batchnorm).__name__}")
    lists = {k: getattr(net, k) for k in ("W", "b", "gamma", "beta")}
    if not all(isinstance(v, list) for v in lists.values()):
        raise TypeError("net.W, net.b, net.gamma and net.beta must be lists of arrays")
    L, hidden = len(net.W), max(len(net.W) - 1, 0) if net.batchnorm else 0
    if L == 0 or len(net.b) != L or len(net.gamma) != hidden or len(net.beta) != hidden:
        raise ValueError(f"net must hold L >= 1 matrices W, L vectors b and, with batch norm, "
                         f"L - 1 vectors gamma and beta; got {[len(v) for v in lists.values()]}")
    D_in = _check_param("net.W[0]", net.W[0], (None, None)).shape[1]
    for l, (W, b) in enumerate(zip(net.W, net.b)):
        D_out = _check_param(f"net.W[{l}]", W, (None, D_in)).shape[0]
        _check_param(f"net.b[{l}]", b, (D_out,))
        if l < hidden:
            _check_param(f"net.gamma[{l}]", net.gamma[l], (D_out,))
            _check_param(f"net.beta[{l}]", net.beta[l], (D_out,))
        D_in = D_out
    if net.batchnorm:
        check_positive("net.eps", net.eps)
    if one_output and D_in != 1:
        raise ValueError(f"net must have one output (a logit); got {D_in} outputs")
    return net


def _check_param(name: str, a: object, shape: tuple[int | None, ...]) -> np.ndarray:
    if not isinstance(a, np.ndarray) or a.dtype.kind != "f":
        kind = f"array of {a.dtype}" if isinstance(a, np.ndarray) else type(a).__name__
        raise TypeError(f"{name} must be a float numpy array; got {kind}")
    if len(shape) == 2 and a.ndim == 2 and shape[1] is not None and a.shape[1] != shape[1]:
        raise ValueError(f"{name} must have shape (any, {shape[1]}) to read the "
                         f"{shape[1]} values of the layer below; got {a.shape}")
    return check_array(name, a, shape=shape)


def _check_input(net: MLP, X: object) -> np.ndarray:
    X = check_array("X", X, shape=(None, net.W[0].shape[1]))
    if len(X) == 0:
        raise ValueError(f"X must hold at least one example (a row); got shape {X.shape}")
    return X


def _check_labels(y: object, N: int) -> np.ndarray:
    y = check_array("y", y, shape=(N,))
    if N == 0:
        raise ValueError("y must hold at least one label; got an empty array")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError(f"y must hold labels 0 and 1 only; got values {np.unique(y)[:5]}")
    return y


def _check_backward(net: object, cache: object, dout: object) -> np.ndarray:
    """``dout`` after checking ``net`` and that ``cache`` is what mlp_forward(net, X) returned."""
    net, L = _check_net(net), len(net.W)
    if not isinstance(cache, list) or not all(isinstance(step, dict) for step in cache):
        raise TypeError(f"cache must be the list of per-layer dicts mlp_forward returned; "
                        f"got {type(cache).__name__}")
    if len(cache) != L:
        raise ValueError(f"cache must come from mlp_forward with this net ({L} layers); "
                         f"got a cache of {len(cache)} layers")
    N = None
    for l, (step, W) in enumerate(zip(cache, net.W)):
        keys = ["X", "Z"] + (["Z_act"] if l < L - 1 else [])
        bn = ["bn"] if l < L - 1 and net.batchnorm else []
        missing = [k for k in keys + bn if k not in step]
        if missing:
            raise ValueError(f"cache[{l}] lacks {missing}: it must come from mlp_forward "
                             f"with this net (batchnorm={net.batchnorm})")
        N = check_array(f"cache[{l}]['X']", step["X"], shape=(N, W.shape[1]), finite=False).shape[0]
        for key in keys[1:]:
            check_array(f"cache[{l}][{key!r}]", step[key], shape=(N, W.shape[0]), finite=False)
        if bn:
            _check_bn_cache(f"cache[{l}]['bn']", step["bn"], N, W.shape[0])
    return check_array("dout", dout, shape=(N, net.W[-1].shape[0]))


def _check_bn_cache(name: str, bn: object, N: int, D: int) -> None:
    if not (isinstance(bn, tuple) and len(bn) == 3):
        raise ValueError(f"{name} must be the (Z_hat, inv_std, gamma) batchnorm_forward "
                         f"returned; got {type(bn).__name__}")
    for part, value, shape in zip(("Z_hat", "inv_std", "gamma"), bn, ((N, D), (D,), (D,))):
        check_array(f"{name} {part}", value, shape=shape, finite=False)


def _check_grads(net: MLP, grads: object) -> None:
    """Check ``grads`` has one finite gradient of the right shape per parameter of ``net``."""
    if not isinstance(grads, Grads):
        raise TypeError(f"grads must be Grads (see mlp_backward); got {type(grads).__name__}")
    for key in ("W", "b", "gamma", "beta"):
        params, dparams = getattr(net, key), getattr(grads, "d" + key)
        if not isinstance(dparams, list) or len(dparams) != len(params):
            raise ValueError(f"grads.d{key} must list {len(params)} gradients, one per "
                             f"net.{key}; got {dparams!r:.60}")
        for l, (p, dp) in enumerate(zip(params, dparams)):
            check_array(f"grads.d{key}[{l}]", dp, shape=p.shape)


def _check_weight_lists(start: object, end: object) -> None:
    """Check ``start`` and ``end`` list matrices of equal shapes (``end`` may hold Inf)."""
    for name, ws in (("start", start), ("end", end)):
        if not isinstance(ws, list):
            raise TypeError(f"{name} must be a list of weight matrices; got {type(ws).__name__}")
    if len(start) != len(end):
        raise ValueError(f"start and end must list as many matrices; "
                         f"got {len(start)} and {len(end)}")
    for l, (s, e) in enumerate(zip(start, end)):
        s = check_array(f"start[{l}]", s)
        check_array(f"end[{l}]", e, shape=s.shape, finite=False)  # a diverged run's end: Inf
