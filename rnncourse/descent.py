"""Gradient descent on functions, and the loss surfaces used to picture it.

Introduced in chapter 1 (gradient descent). With n the step index and L the loss
(notation page), the update rule is

    theta_{n+1} = theta_n - lr * grad L(theta_n).

The losses here are quadratics, L(theta) = 1/2 (theta - c)^T A (theta - c), because
their behaviour under gradient descent has a closed form to check the code against, and
least squares on a generated data set, L(w) = 1/(2N) ||X w - y||^2, for minibatch SGD.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .validation import check_array, check_positive

LossFn = Callable[[np.ndarray], float]
GradFn = Callable[[np.ndarray], np.ndarray]

DIVERGENCE_FACTOR = 1e12  # a loss this many times the starting loss counts as diverged


@dataclass(frozen=True)
class Quadratic:
    """The loss L(theta) = 1/2 (theta - c)^T A (theta - c) with A symmetric positive definite.

    A: (P, P) curvature matrix (its eigenvalues are the curvatures lambda_i); c: (P,) the
    minimiser. Introduced in chapter 1.
    """

    A: np.ndarray
    c: np.ndarray

    def __post_init__(self) -> None:
        A = check_array("A", self.A, ndim=2)
        c = check_array("c", self.c, ndim=1)
        if A.shape != (c.size, c.size):
            raise ValueError(f"A must have shape ({c.size}, {c.size}) to match c; got {A.shape}")
        if not np.allclose(A, A.T):
            raise ValueError("A must be symmetric")
        if np.linalg.eigvalsh(A).min() <= 0:
            raise ValueError("A must be positive definite (all eigenvalues > 0)")
        object.__setattr__(self, "A", A)
        object.__setattr__(self, "c", c)

    def loss(self, theta: np.ndarray) -> float:
        """L(theta) for theta of shape (P,)."""
        d = np.asarray(theta, dtype=float) - self.c
        return float(0.5 * d @ self.A @ d)

    def grad(self, theta: np.ndarray) -> np.ndarray:
        """The gradient A (theta - c), shape (P,)."""
        return self.A @ (np.asarray(theta, dtype=float) - self.c)

    def curvatures(self) -> np.ndarray:
        """The curvatures lambda_i: eigenvalues of A in increasing order, shape (P,)."""
        return np.linalg.eigvalsh(self.A)

    def stable_lr_limit(self) -> float:
        """The learning rate 2 / lambda_max above which descent diverges."""
        return 2.0 / float(self.curvatures().max())


def quadratic_1d(curvature: float = 1.0, minimum: float = 0.0) -> Quadratic:
    """The 1-D loss L(theta) = lambda/2 (theta - c)^2 with lambda = ``curvature``. Chapter 1."""
    a = check_positive("curvature", curvature)
    return Quadratic(np.array([[a]]), np.array([float(minimum)]))


def quadratic_2d(curvatures: tuple[float, float] = (1.0, 10.0), angle: float = 0.5,
                 minimum: tuple[float, float] = (0.0, 0.0)) -> Quadratic:
    """A 2-D elongated bowl: curvatures along axes rotated by ``angle`` radians. Chapter 1."""
    low = check_positive("curvatures[0]", curvatures[0])
    high = check_positive("curvatures[1]", curvatures[1])
    rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    A = rot @ np.diag([low, high]) @ rot.T
    return Quadratic(0.5 * (A + A.T), np.asarray(minimum, dtype=float))


@dataclass
class DescentResult:
    """What a gradient-descent run did.

    thetas: (n + 1, P) every iterate of n updates, the start included; losses: (n + 1,) L at each.
    status: "converged" (loss <= tol), "diverged" (loss blew up) or "budget" (ran out of steps).
    """

    thetas: np.ndarray
    losses: np.ndarray
    status: str
    message: str

    @property
    def steps(self) -> int:
        """Number of updates taken."""
        return len(self.losses) - 1


def gradient_step(theta: np.ndarray, grad: np.ndarray,
                  lr: float) -> np.ndarray:
    """One update theta - lr * grad (equation 1 of chapter 1)."""
    return theta - lr * grad


def gradient_descent(loss: LossFn, grad: GradFn, theta0: np.ndarray | float,
                     lr: float, steps: int,
                     tol: float | None = None) -> DescentResult:
    """Run up to ``steps`` updates of gradient descent from ``theta0``.

    Stops early when the loss falls to ``tol`` (if given) or when it
    diverges: it becomes non-finite or exceeds DIVERGENCE_FACTOR times the
    starting loss. Introduced in chapter 1.
    """
    lr = check_positive("lr", lr)
    steps = check_positive("steps", steps, integer=True)
    theta = np.atleast_1d(check_array("theta0", theta0)).astype(float)
    if tol is not None:
        tol = check_positive("tol", tol)
    thetas, losses = [theta], [loss(theta)]
    limit = DIVERGENCE_FACTOR * max(abs(losses[0]), 1.0)
    with np.errstate(over="ignore", invalid="ignore"):
        for n in range(steps):
            if tol is not None and losses[-1] <= tol:
                return _result(thetas, losses, "converged",
                               f"loss <= {tol:g} after {n} steps")
            theta = gradient_step(theta, grad(theta), lr)
            thetas.append(theta)
            losses.append(loss(theta))
            if not math.isfinite(losses[-1]) or abs(losses[-1]) > limit:
                return _result(thetas, losses, "diverged",
                               f"diverged at step {n + 1}: loss "
                               f"{losses[-1]:.3g} (lr = {lr:g} too large)")
    if tol is not None and losses[-1] <= tol:
        return _result(thetas, losses, "converged",
                       f"loss <= {tol:g} after {steps} steps")
    return _result(thetas, losses, "budget",
                   f"stopped after the budget of {steps} steps")


def _result(thetas: list[np.ndarray], losses: list[float], status: str,
            message: str) -> DescentResult:
    return DescentResult(np.array(thetas), np.array(losses), status, message)


def steps_to_tolerance(problem: Quadratic, theta0: np.ndarray | float, lr: float, tol: float,
                       max_steps: int = 10_000) -> int | None:
    """Updates gradient descent needs to bring the loss to ``tol``; None if it never does.

    Computed by running the descent (at most ``max_steps`` updates). Chapter 1.
    """
    run = gradient_descent(problem.loss, problem.grad, theta0, lr, max_steps, tol=tol)
    return run.steps if run.status == "converged" else None


def quadratic_1d_steps_closed_form(curvature: float, lr: float,
                                   distance: float,
                                   tol: float) -> int | None:
    """Closed form of ``steps_to_tolerance`` for L = lambda/2 (theta - c)^2.

    The error shrinks as (1 - lr lambda)^n, so the loss is
    lambda/2 (1 - lr lambda)^(2n) d^2 with d = abs(theta0 - c); returns
    the smallest n with loss <= tol, or None if lr >= 2/lambda.
    """
    lam = check_positive("curvature", curvature)
    lr = check_positive("lr", lr)
    tol = check_positive("tol", tol)
    start = 0.5 * lam * distance**2
    if start <= tol:
        return 0
    rate = abs(1.0 - lr * lam)
    if rate == 0.0:
        return 1
    if rate >= 1.0:
        return None
    return math.ceil(math.log(tol / start) / (2.0 * math.log(rate)) - 1e-9)


def loss_grid(loss: LossFn, xlim: tuple[float, float], ylim: tuple[float, float],
              n: int = 101) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evaluate a 2-D loss on an n x n grid for contour plots: returns X, Y, Z, each (n, n)."""
    n = check_positive("n", n, integer=True)
    X, Y = np.meshgrid(np.linspace(*xlim, n), np.linspace(*ylim, n))
    Z = np.array([[loss(np.array([x, y])) for x, y in zip(xr, yr)] for xr, yr in zip(X, Y)])
    return X, Y, Z


@dataclass(frozen=True)
class LeastSquares:
    """Linear least squares L(w) = 1/(2N) ||X w - y||^2 on N examples (rows of X).

    X: (N, D) inputs; y: (N,) targets. ``rows`` selects a minibatch: the loss and gradient
    are then the means over those rows only. Introduced in chapter 1 (minibatch SGD).
    """

    X: np.ndarray
    y: np.ndarray

    def __post_init__(self) -> None:
        X = check_array("X", self.X, ndim=2)
        y = check_array("y", self.y, shape=(X.shape[0],))
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)

    def residuals(self, w: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """X_r w - y_r over the selected rows (all rows if None), shape (len(rows),)."""
        X, y = (self.X, self.y) if rows is None else (self.X[rows], self.y[rows])
        return X @ np.asarray(w, dtype=float) - y

    def loss(self, w: np.ndarray, rows: np.ndarray | None = None) -> float:
        """Mean over the selected rows of 1/2 (x_i . w - y_i)^2."""
        r = self.residuals(w, rows)
        return float(0.5 * np.mean(r * r))

    def grad(self, w: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Gradient of :meth:`loss` on the rows: X_r^T (X_r w - y_r) / len(rows), (D,)."""
        X = self.X if rows is None else self.X[rows]
        return X.T @ self.residuals(w, rows) / len(X)

    def per_example_grads(self, w: np.ndarray) -> np.ndarray:
        """Each example's own gradient x_i (x_i . w - y_i), shape (N, D); their mean is grad(w)."""
        return self.X * self.residuals(w)[:, None]

    def solution(self) -> np.ndarray:
        """The minimiser w*, shape (D,) (by numpy's least-squares solver)."""
        return np.linalg.lstsq(self.X, self.y, rcond=None)[0]


def linear_regression_data(N: int, D: int, noise: float, seed: int) -> LeastSquares:
    """A least-squares problem: x_i ~ N(0, I_D), y_i = x_i . w_true + noise * N(0, 1).

    w_true ~ N(0, I_D) too; everything is drawn from ``np.random.default_rng(seed)``.
    Returns the :class:`LeastSquares` problem (N examples of D features). Chapter 1.
    """
    N, D = check_positive("N", N, integer=True), check_positive("D", D, integer=True)
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.number)):
        raise TypeError(f"noise must be a number; got {type(noise).__name__}")
    if not math.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0; got {noise!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer; got {type(seed).__name__}")
    rng = np.random.default_rng(seed)
    w_true = rng.normal(size=D)
    X = rng.normal(size=(N, D))
    return LeastSquares(X, X @ w_true + noise * rng.normal(size=N))
