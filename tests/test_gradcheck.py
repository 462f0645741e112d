"""Finite-difference checks against closed-form gradients."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from rnncourse.gradcheck import check_gradient, numerical_gradient, relative_error

A = np.array([[2.0, 0.5, 0.0], [0.5, 1.0, -0.3], [0.0, -0.3, 3.0]])


def quadratic(x: np.ndarray) -> float:
    return float(0.5 * x @ A @ x + np.sin(x).sum())


def quadratic_grad(x: np.ndarray) -> np.ndarray:
    return A @ x + np.cos(x)


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, 3, elements=st.floats(-3, 3)))
def test_numerical_gradient_matches_closed_form(x):
    np.testing.assert_allclose(numerical_gradient(quadratic, x), quadratic_grad(x),
                               rtol=1e-7, atol=1e-8)


def test_works_on_matrices_and_leaves_the_point_alone():
    W = np.arange(6.0).reshape(2, 3) / 7
    before = W.copy()
    grad = numerical_gradient(lambda M: float(np.sum(M ** 3)), W)
    np.testing.assert_allclose(grad, 3 * W ** 2, rtol=1e-8)
    np.testing.assert_array_equal(W, before)


def test_check_gradient_accepts_right_and_flags_wrong():
    x = np.array([0.3, -1.2, 2.0])
    assert check_gradient(quadratic, x, quadratic_grad(x)) < 1e-8
    assert check_gradient(quadratic, x, quadratic_grad(x) * 1.01) > 1e-3
    assert check_gradient(quadratic, x, quadratic_grad(x)[::-1]) > 1e-2


@given(arrays(np.float64, 4, elements=st.floats(-10, 10)),
       arrays(np.float64, 4, elements=st.floats(-10, 10)))
def test_relative_error_properties(a, b):
    assert relative_error(a, a) == 0.0
    assert relative_error(a, b) == pytest.approx(relative_error(b, a))
    assert 0.0 <= relative_error(a, b) <= 1.0 + 1e-12
    if np.linalg.norm(a) > 1e-100:  # (tinier norms underflow when squared)
        assert relative_error(a, -a) == pytest.approx(1.0)


def test_errors():
    with pytest.raises(ValueError, match="same shape"):
        relative_error(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="analytic must have shape"):
        check_gradient(quadratic, np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError, match="eps must be a finite number > 0"):
        numerical_gradient(quadratic, np.zeros(3), eps=0.0)
    with pytest.raises(TypeError, match="f must be the loss as a function of one array; got float"):
        numerical_gradient(1.0, np.zeros(3))


def test_eps_matters_and_the_error_is_of_order_eps_squared():
    """Central differences of sin at x are off by about (eps ** 2 / 6) cos x (Taylor)."""
    x = np.array([0.7])
    for eps in (1e-2, 1e-3):
        err = np.cos(0.7) - numerical_gradient(lambda v: float(np.sin(v).sum()), x, eps)[0]
        assert err == pytest.approx(eps**2 / 6 * np.cos(0.7), rel=1e-2)
