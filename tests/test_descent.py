"""rnncourse.descent against closed forms of gradient descent on quadratics."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnncourse import descent


def test_quadratic_gradient_matches_finite_differences():
    problem = descent.quadratic_2d((0.5, 7.0), angle=0.3, minimum=(1.0, -2.0))
    theta, eps = np.array([0.3, 0.9]), 1e-6
    fd = [(problem.loss(theta + eps * e) - problem.loss(theta - eps * e)) / (2 * eps)
          for e in np.eye(2)]
    np.testing.assert_allclose(problem.grad(theta), fd, rtol=1e-7)


def test_quadratic_2d_has_the_requested_curvatures():
    problem = descent.quadratic_2d((2.0, 30.0), angle=1.1)
    np.testing.assert_allclose(problem.curvatures(), [2.0, 30.0])
    assert problem.stable_lr_limit() == pytest.approx(2 / 30)


@given(a=st.floats(0.1, 10), lr_frac=st.floats(0.01, 1.99), d=st.floats(-5, 5),
       k=st.integers(1, 40))
@settings(max_examples=60, deadline=None)
def test_iterates_follow_the_closed_form(a, lr_frac, d, k):
    """theta_k - c = (1 - lr a)^k (theta_0 - c) on J = a/2 (theta - c)^2."""
    lr = lr_frac / a
    problem = descent.quadratic_1d(a, minimum=1.0)
    run = descent.gradient_descent(problem.loss, problem.grad, 1.0 + d, lr, k)
    expected = 1.0 + (1 - lr * a) ** np.arange(run.steps + 1) * d
    np.testing.assert_allclose(run.thetas[:, 0], expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("lr", [0.01, 0.1, 0.5, 0.9, 1.0, 1.5, 1.9])
def test_steps_to_tolerance_matches_closed_form(lr):
    problem = descent.quadratic_1d(curvature=1.0)
    counted = descent.steps_to_tolerance(problem, 3.0, lr, tol=1e-6)
    assert counted == descent.quadratic_1d_steps_closed_form(1.0, lr, 3.0, 1e-6)


def test_learning_rate_above_two_over_curvature_diverges_cleanly(recwarn):
    problem = descent.quadratic_1d(curvature=4.0)
    run = descent.gradient_descent(problem.loss, problem.grad, 1.0, lr=0.6, steps=100_000)
    assert run.status == "diverged"
    assert "diverged at step" in run.message and "too large" in run.message
    assert run.steps < 100
    assert len(recwarn) == 0, "divergence must not flood overflow warnings"
    assert descent.steps_to_tolerance(problem, 1.0, 0.6, 1e-6) is None
    assert descent.quadratic_1d_steps_closed_form(4.0, 0.6, 1.0, 1e-6) is None


def test_huge_learning_rate_overflow_is_reported_not_warned(recwarn):
    problem = descent.quadratic_1d(curvature=1.0)
    run = descent.gradient_descent(problem.loss, problem.grad, 1e100, lr=1e200, steps=10)
    assert run.status == "diverged"
    assert len(recwarn) == 0


def test_budget_and_convergence_statuses():
    problem = descent.quadratic_1d()
    assert descent.gradient_descent(problem.loss, problem.grad, 1.0, 1e-3, 5).status == "budget"
    run = descent.gradient_descent(problem.loss, problem.grad, 1.0, 0.5, 1000, tol=1e-8)
    assert run.status == "converged" and run.losses[-1] <= 1e-8


def test_loss_grid_matches_pointwise_loss():
    problem = descent.quadratic_2d()
    X, Y, Z = descent.loss_grid(problem.loss, (-1, 1), (-2, 2), n=5)
    assert X.shape == Y.shape == Z.shape == (5, 5)
    assert Z[1, 3] == pytest.approx(problem.loss(np.array([X[1, 3], Y[1, 3]])))


@pytest.mark.parametrize("kwargs, word", [
    (dict(lr=0.0), "lr"), (dict(lr=-1.0), "lr"), (dict(lr=math.nan), "lr"),
    (dict(steps=0), "steps"), (dict(steps=2.5), "steps"),
    (dict(theta0=math.inf), "theta0"), (dict(theta0=np.array([np.nan])), "theta0"),
    (dict(tol=0.0), "tol"),
])
def test_bad_input_names_the_argument(kwargs, word):
    problem = descent.quadratic_1d()
    args = dict(loss=problem.loss, grad=problem.grad, theta0=1.0, lr=0.1, steps=10) | kwargs
    with pytest.raises((ValueError, TypeError), match=word):
        descent.gradient_descent(**args)


def test_bad_problems_are_rejected():
    with pytest.raises(ValueError, match="positive definite"):
        descent.Quadratic(np.diag([1.0, -1.0]), np.zeros(2))
    with pytest.raises(ValueError, match="shape"):
        descent.Quadratic(np.eye(3), np.zeros(2))
    with pytest.raises(ValueError, match="curvature"):
        descent.quadratic_1d(curvature=0.0)
    with pytest.raises(TypeError, match="lr"):
        descent.gradient_descent(lambda t: 0.0, lambda t: t, 1.0, "0.1", 10)


# --- least squares (chapter 1, minibatch SGD) ----------------------------------------------

def test_least_squares_gradient_matches_finite_differences_on_all_and_some_rows():
    problem = descent.linear_regression_data(30, 4, 0.3, seed=0)
    w, eps, rows = np.array([0.5, -1.0, 2.0, 0.1]), 1e-6, np.array([3, 7, 7, 20])
    for r in (None, rows):
        fd = [(problem.loss(w + eps * e, r) - problem.loss(w - eps * e, r)) / (2 * eps)
              for e in np.eye(4)]
        np.testing.assert_allclose(problem.grad(w, r), fd, rtol=1e-6)
    np.testing.assert_allclose(problem.per_example_grads(w).mean(0), problem.grad(w), rtol=1e-12)
    np.testing.assert_allclose(problem.per_example_grads(w)[rows].mean(0), problem.grad(w, rows),
                               rtol=1e-12)


def test_least_squares_solution_solves_the_normal_equations():
    problem = descent.linear_regression_data(40, 3, 0.5, seed=1)
    w = problem.solution()
    np.testing.assert_allclose(problem.X.T @ problem.X @ w, problem.X.T @ problem.y, rtol=1e-10)
    np.testing.assert_allclose(problem.grad(w), 0.0, atol=1e-12)


def test_linear_regression_data_arguments_matter():
    a = descent.linear_regression_data(20, 3, 0.1, seed=0)
    assert a.X.shape == (20, 3) and a.y.shape == (20,)
    np.testing.assert_array_equal(a.y, descent.linear_regression_data(20, 3, 0.1, seed=0).y)
    assert not np.allclose(a.y, descent.linear_regression_data(20, 3, 0.1, seed=1).y)
    assert not np.allclose(a.y, descent.linear_regression_data(20, 3, 0.5, seed=0).y)
    assert descent.linear_regression_data(20, 4, 0.1, seed=0).X.shape == (20, 4)
    exact = descent.linear_regression_data(20, 3, 0.0, seed=0)
    assert exact.loss(exact.solution()) < 1e-25, "noise 0: the data are exactly linear"
    assert a.loss(a.solution()) > 1e-4


@pytest.mark.parametrize("kwargs, error, word", [
    (dict(N=0), ValueError, "N"), (dict(D=2.5), TypeError, "D"),
    (dict(noise=-1.0), ValueError, "noise"), (dict(noise="0"), TypeError, "noise"),
    (dict(seed=1.5), TypeError, "seed"),
])
def test_linear_regression_data_rejects_bad_input(kwargs, error, word):
    args = dict(N=10, D=2, noise=0.1, seed=0) | kwargs
    with pytest.raises(error, match=word):
        descent.linear_regression_data(**args)
    with pytest.raises(ValueError, match="y"):
        descent.LeastSquares(np.ones((3, 2)), np.ones(4))
