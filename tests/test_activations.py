"""rnncourse.activations against finite differences, torch and the known bounds."""

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from rnncourse import activations as A

Z = np.linspace(-8, 8, 161) + 0.013  # avoids the kink of ReLU at exactly 0


def central_difference(f, z, eps=1e-6):
    return (f(z + eps) - f(z - eps)) / (2 * eps)


@pytest.mark.parametrize("name", sorted(A.ACTIVATIONS))
def test_derivative_matches_finite_differences(name):
    act = A.get_activation(name)
    np.testing.assert_allclose(act.df(Z), central_difference(act.f, Z), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("a", [0.01, 0.25, -0.5, 2.0])
def test_prelu_derivatives_match_finite_differences(a):
    np.testing.assert_allclose(A.prelu_derivative(Z, a),
                               central_difference(lambda z: A.prelu(z, a), Z), atol=1e-8)
    slope_fd = central_difference(lambda s: A.prelu(Z, s), a)
    np.testing.assert_allclose(A.prelu_slope_derivative(Z), slope_fd, atol=1e-8)


@pytest.mark.parametrize("name, torch_fn", [
    ("sigmoid", torch.sigmoid), ("tanh", torch.tanh), ("relu", torch.relu),
    ("leaky_relu", torch.nn.functional.leaky_relu)])
def test_values_and_derivatives_match_torch(name, torch_fn):
    z = torch.tensor(Z, dtype=torch.float64, requires_grad=True)
    torch_fn(z).sum().backward()
    act = A.get_activation(name)
    np.testing.assert_allclose(act.f(Z), torch_fn(z).detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(act.df(Z), z.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_prelu_matches_torch_prelu():
    z = torch.tensor(Z, dtype=torch.float64, requires_grad=True)
    a = torch.tensor([0.3], dtype=torch.float64, requires_grad=True)
    torch.nn.functional.prelu(z, a).sum().backward()
    np.testing.assert_allclose(A.prelu_derivative(Z, 0.3), z.grad.numpy())
    assert A.prelu_slope_derivative(Z).sum() == pytest.approx(a.grad.item())


@given(arrays(np.float64, st.integers(1, 50), elements=st.floats(-1e3, 1e3)))
@settings(max_examples=60, deadline=None)
def test_derivative_bounds_hold_everywhere(z):
    """σ′ ≤ 1/4 and tanh′ ≤ 1 (the bounds of the chapter), and no overflow warnings."""
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert np.all(A.sigmoid_derivative(z) <= 0.25) and np.all(A.sigmoid_derivative(z) >= 0)
        assert np.all(A.tanh_derivative(z) <= 1.0) and np.all(A.tanh_derivative(z) >= 0)
        assert np.all((A.sigmoid(z) >= 0) & (A.sigmoid(z) <= 1))


def test_sigmoid_keeps_tiny_values_like_torch_and_warns_never():
    """σ(−40) ≈ 4e−18 must survive (the (1 + tanh(z/2))/2 form rounds it to 0), without warnings."""
    z = np.array([-745.0, -40.0, 0.0, 40.0, 745.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            ours, slope = A.sigmoid(z), A.sigmoid_derivative(z)
    theirs = torch.sigmoid(torch.tensor(z, dtype=torch.float64)).numpy()
    nonzero = theirs > 0
    np.testing.assert_allclose(ours[nonzero], theirs[nonzero], rtol=1e-14)
    assert ours[1] == pytest.approx(np.exp(-40) / (1 + np.exp(-40)), rel=1e-14) and ours[1] > 4e-18
    assert 0 <= ours[0] < 1e-300 and ours[-1] == 1.0
    # σ′ is even, and tiny on both sides: e^(−40)/(1 + e^(−40))² at ±40
    np.testing.assert_allclose(slope[[1, 3]], np.exp(-40) / (1 + np.exp(-40)) ** 2, rtol=1e-14)
    assert A.sigmoid(np.array([-1000.0, 1000.0])).tolist() == [0.0, 1.0]


def test_sigmoid_of_a_scalar_is_a_scalar():
    assert isinstance(A.sigmoid(0.3), np.floating) and f"{A.sigmoid(0.0):.2f}" == "0.50"
    assert A.sigmoid(np.zeros((2, 3))).shape == (2, 3)


def test_bounds_are_reached_at_zero():
    assert A.sigmoid_derivative(0.0) == 0.25 and A.tanh_derivative(0.0) == 1.0
    for name, act in A.ACTIVATIONS.items():
        assert np.max(act.df(Z)) <= act.max_slope + 1e-12, name


def test_saturated_region_of_sigmoid_is_large_inputs():
    mask = A.saturated(Z, "sigmoid", fraction=0.1)
    assert mask[np.abs(Z) > 3.7].all() and not mask[np.abs(Z) < 3.6].any()
    assert not A.saturated(Z, "relu")[Z > 0].any() and A.saturated(Z, "relu")[Z < 0].all()


def test_unknown_activation_name_raises_a_clear_error():
    with pytest.raises(ValueError, match="activation must be one of .*'sigmoid'.*got 'sigmod'"):
        A.get_activation("sigmod")


def test_saturated_checks_its_arguments():
    with pytest.raises(TypeError, match="z must be a numpy array"):
        A.saturated("abc", "tanh")
    with pytest.raises(ValueError, match="fraction must be a finite number > 0"):
        A.saturated(Z, "tanh", fraction=-1)


def test_exercise_checker_accepts_the_reference_and_rejects_a_wrong_answer(capsys):
    from rnncourse import exercises

    assert exercises.check_sigmoid_derivative(A.sigmoid_derivative)
    assert not exercises.check_sigmoid_derivative(lambda z: A.sigmoid(z) * (1 + A.sigmoid(z)))
    assert not exercises.check_sigmoid_derivative(lambda z: 1 / 0)
    assert "Not yet" in capsys.readouterr().out


@given(arrays(np.float64, st.tuples(st.integers(0, 4), st.integers(1, 6)),
              elements=st.floats(allow_nan=False, allow_infinity=False)))
@settings(max_examples=80, deadline=None)
def test_no_activation_or_derivative_gives_nan_for_finite_input(z):
    """Over the whole float64 range (±1.8e308, subnormals): finite in, no NaN out, no warning."""
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        for act in A.ACTIVATIONS.values():
            for out in (act.f(z), act.df(z)):
                assert out.shape == z.shape and not np.any(np.isnan(out))
        for out in (A.prelu(z, -0.5), A.prelu_derivative(z, 2.0), A.prelu_slope_derivative(z)):
            assert not np.any(np.isnan(out))
