"""Optimisers on named parameters: plain (minibatch) SGD and Adam.

Introduced in chapter 1 (gradient descent). Parameters and gradients are dicts of named
numpy arrays, ``{"W_h": (H, H), "b": (H,), ...}``; every update is pure: it returns new
arrays and never changes the ones it is given. With step index n (notation page)::

    SGD:   theta_n = theta_{n-1} - lr * g_n
    Adam:  m_n = beta1 m_{n-1} + (1 - beta1) g_n
           v_n = beta2 v_{n-1} + (1 - beta2) g_n^2
           m_hat_n = m_n / (1 - beta1^n),  v_hat_n = v_n / (1 - beta2^n)
           theta_n = theta_{n-1} - lr * m_hat_n / (sqrt(v_hat_n) + eps)

(Kingma and Ba 2015, Algorithm 1). Also here: minibatch SGD on a least-squares problem.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np

from .descent import DescentResult, GradFn, LeastSquares, LossFn
from .validation import check_array, check_positive

Params = dict[str, np.ndarray]


def _check_named(params: object, grads: object) -> None:
    """Both must be dicts with the same names and shapes."""
    for name, value in (("params", params), ("grads", grads)):
        if not isinstance(value, Mapping):
            raise TypeError(f"{name} must be a dict of named numpy arrays; "
                            f"got {type(value).__name__}")
    if set(params) != set(grads):
        raise ValueError(f"grads must have the same names as params {sorted(params)}; "
                         f"got {sorted(grads)}")
    for key in params:
        p, g = np.shape(params[key]), np.shape(grads[key])
        if p != g:
            raise ValueError(f"grads[{key!r}] must have the shape of params[{key!r}] {p}; got {g}")


def _as_float(x: object) -> np.ndarray:
    """An array of floats; float32 stays float32, integers become float64."""
    arr = np.asarray(x)
    return arr if arr.dtype.kind == "f" else arr.astype(np.float64)


def _check_rate(name: str, value: object) -> float:
    """A decay rate in [0, 1)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{name} must be a number; got {type(value).__name__}")
    if not 0.0 <= float(value) < 1.0:
        raise ValueError(f"{name} must lie in [0, 1); got {value!r}")
    return float(value)


def sgd_step(params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray],
             lr: float) -> Params:
    """One (minibatch) SGD update ``theta - lr * g`` for every named array; pure. Chapter 1."""
    lr = check_positive("lr", lr)
    _check_named(params, grads)
    return {name: _as_float(params[name]) - lr * _as_float(grads[name]) for name in params}


def adam_update(theta: np.ndarray, grad: np.ndarray, m: np.ndarray,
                v: np.ndarray, n: int, lr: float, beta1: float,
                beta2: float, eps: float
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Adam's update of one array at step ``n`` (1, 2, ...): returns
    (theta_n, m_n, v_n).

    theta, grad, m, v: arrays of one shape; m, v are the moments after
    step n - 1 (zeros at n = 1). No input checks: :class:`Adam` validates.
    Chapter 1.
    """
    m = beta1 * m + (1.0 - beta1) * grad
    v = beta2 * v + (1.0 - beta2) * grad * grad
    m_hat = m / (1.0 - beta1**n)
    v_hat = v / (1.0 - beta2**n)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


class Adam:
    """Adam (Kingma and Ba 2015, Algorithm 1, bias-corrected) on a dict of named arrays.

    ``opt(params, grads)`` returns the new parameters (new arrays; the inputs are untouched)
    and advances the state kept in the object: ``step`` (n, the updates taken so far) and the
    moments ``m``, ``v`` (dicts like ``params``). Introduced in chapter 1.
    """

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8) -> None:
        self.lr = check_positive("lr", lr)
        self.beta1, self.beta2 = _check_rate("beta1", beta1), _check_rate("beta2", beta2)
        self.eps = check_positive("eps", eps)
        self.step: int = 0
        self.m: Params = {}
        self.v: Params = {}

    def __repr__(self) -> str:
        return (f"Adam(lr={self.lr:g}, beta1={self.beta1:g}, beta2={self.beta2:g}, "
                f"eps={self.eps:g}; step={self.step})")

    def __call__(self, params: Mapping[str, np.ndarray],
                 grads: Mapping[str, np.ndarray]) -> Params:
        """The new parameters after one Adam step; advances ``step``, ``m``
        and ``v``."""
        _check_named(params, grads)
        if self.m and set(self.m) != set(params):
            raise ValueError(f"params must keep the names {sorted(self.m)} "
                             f"between steps; got {sorted(params)}")
        self.step += 1
        new: Params = {}
        for name in params:
            theta = _as_float(params[name])
            m0 = self.m.get(name, np.zeros_like(theta))
            v0 = self.v.get(name, np.zeros_like(theta))
            new[name], self.m[name], self.v[name] = adam_update(
                theta, _as_float(grads[name]), m0, v0, self.step,
                self.lr, self.beta1, self.beta2, self.eps)
        return new


# --- minibatch SGD on least squares --------------------------------------------------------


def minibatches(N: int, B: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """One epoch: a random permutation of range(N) cut into batches of B row indices.

    The last batch is smaller when B does not divide N. Chapter 1.
    """
    N, B = check_positive("N", N, integer=True), check_positive("B", B, integer=True)
    if B > N:
        raise ValueError(f"B must be at most N = {N}; got {B}")
    order = rng.permutation(N)
    for start in range(0, N, B):
        yield order[start:start + B]


def minibatch_gradients(problem: LeastSquares, w: np.ndarray, B: int, draws: int,
                        rng: np.random.Generator) -> np.ndarray:
    """``draws`` independent minibatch gradients at ``w``, each the mean over B rows drawn
    with replacement: returns (draws, D). Chapter 1.
    """
    B = check_positive("B", B, integer=True)
    draws = check_positive("draws", draws, integer=True)
    per_example = problem.per_example_grads(w)  # (N, D)
    rows = rng.integers(0, len(per_example), size=(draws, B))
    return per_example[rows].mean(axis=1)


def minibatch_sgd(problem: LeastSquares, w0: np.ndarray, lr: float, B: int,
                  epochs: int, seed: int) -> np.ndarray:
    """Minibatch SGD for ``epochs`` passes over the data; returns the full
    loss after each epoch, (epochs + 1,), the start included. Batches come
    from :func:`minibatches`. Chapter 1.
    """
    lr = check_positive("lr", lr)
    epochs = check_positive("epochs", epochs, integer=True)
    w = check_array("w0", w0, shape=(problem.X.shape[1],)).copy()
    rng = np.random.default_rng(seed)
    losses = [problem.loss(w)]
    for _ in range(epochs):
        for rows in minibatches(len(problem.y), B, rng):
            w = sgd_step({"w": w}, {"w": problem.grad(w, rows)}, lr)["w"]
        losses.append(problem.loss(w))
    return np.array(losses)


# --- Adam on fixed gradients and on a loss -------------------------------------------------


def adam_displacement(grads: np.ndarray, lr: float = 1e-2, beta1: float = 0.9,
                      beta2: float = 0.999, eps: float = 1e-8) -> np.ndarray:
    """Total change of a parameter vector when Adam is fed grads[0], grads[1], ... in turn.

    grads: (steps, P), one gradient per step. Adam's update depends on the gradients only,
    not on the parameters, so the displacement theta_steps - theta_0 is a function of
    ``grads`` alone; returns it, shape (P,). Chapter 1.
    """
    grads = check_array("grads", grads, ndim=2)
    opt = Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    theta = {"theta": np.zeros(grads.shape[1])}
    for g in grads:
        theta = opt(theta, {"theta": g})
    return theta["theta"]


def adam_descent(loss: LossFn, grad: GradFn, theta0: np.ndarray | float, steps: int,
                 tol: float | None = None, lr: float = 1e-3, beta1: float = 0.9,
                 beta2: float = 0.999, eps: float = 1e-8) -> DescentResult:
    """Run up to ``steps`` Adam updates on a loss, like :func:`descent.gradient_descent`.

    Stops when the loss falls to ``tol`` (if given); status "converged" or "budget".
    Returns a :class:`descent.DescentResult`. Chapter 1.
    """
    opt = Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    steps = check_positive("steps", steps, integer=True)
    tol = None if tol is None else check_positive("tol", tol)
    theta = np.atleast_1d(check_array("theta0", theta0)).astype(float)
    thetas, losses = [theta], [loss(theta)]
    while len(losses) <= steps and not (tol is not None and losses[-1] <= tol):
        theta = opt({"theta": theta}, {"theta": grad(theta)})["theta"]
        thetas.append(theta)
        losses.append(loss(theta))
    n = len(losses) - 1
    if tol is not None and losses[-1] <= tol:
        return DescentResult(np.array(thetas), np.array(losses), "converged",
                             f"loss <= {tol:g} after {n} steps")
    return DescentResult(np.array(thetas), np.array(losses), "budget",
                         f"stopped after the budget of {steps} steps")
