"""Gradient descent on functions, and the loss surfaces used to picture it.

Introduced in chapter 1 (gradient descent). The update rule is

    theta_{k+1} = theta_k - lr * grad J(theta_k).

The losses here are quadratics, J(theta) = 1/2 (theta - c)^T A (theta - c), because
their behaviour under gradient descent has a closed form to check the code against.
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
    """The loss J(theta) = 1/2 (theta - c)^T A (theta - c) with A symmetric positive definite.

    A: (n, n) curvature matrix; c: (n,) the minimiser. Introduced in chapter 1.
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
        """J(theta) for theta of shape (n,)."""
        d = np.asarray(theta, dtype=float) - self.c
        return float(0.5 * d @ self.A @ d)

    def grad(self, theta: np.ndarray) -> np.ndarray:
        """The gradient A (theta - c), shape (n,)."""
        return self.A @ (np.asarray(theta, dtype=float) - self.c)

    def curvatures(self) -> np.ndarray:
        """Eigenvalues of A in increasing order, shape (n,)."""
        return np.linalg.eigvalsh(self.A)

    def stable_lr_limit(self) -> float:
        """The learning rate 2 / lambda_max above which gradient descent diverges."""
        return 2.0 / float(self.curvatures().max())


def quadratic_1d(curvature: float = 1.0, minimum: float = 0.0) -> Quadratic:
    """The 1-D loss J(theta) = a/2 (theta - c)^2 with a = ``curvature``. Chapter 1."""
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

    thetas: (k + 1, n) every iterate, the start included; losses: (k + 1,) J at each.
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


def gradient_step(theta: np.ndarray, grad: np.ndarray, lr: float) -> np.ndarray:
    """One update theta - lr * grad (equation 1 of chapter 1)."""
    return theta - lr * grad


def gradient_descent(loss: LossFn, grad: GradFn, theta0: np.ndarray | float, lr: float,
                     steps: int, tol: float | None = None) -> DescentResult:
    """Run up to ``steps`` updates of gradient descent from ``theta0``.

    Stops early when the loss falls to ``tol`` (if given) or when it diverges: it becomes
    non-finite or exceeds DIVERGENCE_FACTOR times the starting loss. Introduced in chapter 1.
    """
    lr = check_positive("lr", lr)
    steps = check_positive("steps", steps, integer=True)
    theta = np.atleast_1d(check_array("theta0", theta0)).astype(float)
    if tol is not None:
        tol = check_positive("tol", tol)
    thetas, losses = [theta], [loss(theta)]
    limit = DIVERGENCE_FACTOR * max(abs(losses[0]), 1.0)
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(steps):
            if tol is not None and losses[-1] <= tol:
                return _result(thetas, losses, "converged", f"loss <= {tol:g} after {k} steps")
            theta = gradient_step(theta, grad(theta), lr)
            thetas.append(theta)
            losses.append(loss(theta))
            if not math.isfinite(losses[-1]) or abs(losses[-1]) > limit:
                return _result(thetas, losses, "diverged",
                               f"diverged at step {k + 1}: loss {losses[-1]:.3g} (lr = {lr:g} too large)")
    if tol is not None and losses[-1] <= tol:
        return _result(thetas, losses, "converged", f"loss <= {tol:g} after {steps} steps")
    return _result(thetas, losses, "budget", f"stopped after the budget of {steps} steps")


def _result(thetas: list[np.ndarray], losses: list[float], status: str, message: str) -> DescentResult:
    return DescentResult(np.array(thetas), np.array(losses), status, message)


def steps_to_tolerance(problem: Quadratic, theta0: np.ndarray | float, lr: float, tol: float,
                       max_steps: int = 10_000) -> int | None:
    """Updates gradient descent needs to bring the loss to ``tol``; None if it never does.

    Computed by running the descent (at most ``max_steps`` updates). Chapter 1.
    """
    run = gradient_descent(problem.loss, problem.grad, theta0, lr, max_steps, tol=tol)
    return run.steps if run.status == "converged" else None


def quadratic_1d_steps_closed_form(curvature: float, lr: float, distance: float,
                                   tol: float) -> int | None:
    """Closed form of ``steps_to_tolerance`` for J = a/2 (theta - c)^2.

    The error shrinks as (1 - lr a)^k, so the loss is a/2 (1 - lr a)^(2k) d^2 with
    d = abs(theta0 - c); returns the smallest k with loss <= tol, or None if lr >= 2/a.
    """
    a, lr = check_positive("curvature", curvature), check_positive("lr", lr)
    tol = check_positive("tol", tol)
    start = 0.5 * a * distance**2
    if start <= tol:
        return 0
    rate = abs(1.0 - lr * a)
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
