"""rnncourse.init: each initialiser's variance against its formula, shapes and errors."""

import numpy as np
import pytest

from rnncourse import init

RNG = np.random.default_rng(0)

# name -> Var(W_ij) as a function of (fan_in, fan_out), from the papers' formulas
VARIANCE = {
    "fan_in_uniform": lambda m, n: 1 / (3 * m),
    "xavier_uniform": lambda m, n: 2 / (m + n),
    "xavier_normal": lambda m, n: 2 / (m + n),
    "he_uniform": lambda m, n: 2 / m,
    "he_normal": lambda m, n: 2 / m,
}


@pytest.mark.parametrize("name", sorted(VARIANCE))
@pytest.mark.parametrize("fan_in, fan_out", [(300, 200), (100, 700), (512, 512)])
def test_variance_matches_the_formula(name, fan_in, fan_out):
    W = init.init_weight(name, fan_in, fan_out, RNG)
    assert W.shape == (fan_out, fan_in) and W.dtype == np.float64, "(outputs, inputs), like torch"
    # the sample variance of ~1e5 entries is within 3 % of the truth
    assert W.var() == pytest.approx(VARIANCE[name](fan_in, fan_out), rel=0.03)
    assert abs(W.mean()) < 0.02 * np.sqrt(VARIANCE[name](fan_in, fan_out))


@pytest.mark.parametrize("name", ["fan_in_uniform", "xavier_uniform", "he_uniform"])
def test_uniform_initialisers_respect_their_bound(name):
    W = init.init_weight(name, 50, 80, RNG, gain=2.0)
    bound = 2.0 * np.sqrt(3 * VARIANCE[name](50, 80))  # U[±b] has variance b²/3
    assert np.abs(W).max() <= bound and np.abs(W).max() > 0.95 * bound


def test_gain_scales_the_standard_deviation():
    a = init.he_normal(200, 200, np.random.default_rng(1))
    b = init.he_normal(200, 200, np.random.default_rng(1), gain=3.0)
    np.testing.assert_allclose(b, 3.0 * a)


@pytest.mark.parametrize("fan_in, fan_out", [(64, 64), (80, 30), (30, 80)])
def test_orthogonal_has_all_singular_values_equal_to_gain(fan_in, fan_out):
    W = init.orthogonal(fan_in, fan_out, RNG, gain=1.5)
    assert W.shape == (fan_out, fan_in)
    np.testing.assert_allclose(np.linalg.svd(W, compute_uv=False), 1.5, rtol=1e-12)


def test_identity_is_gain_times_eye_and_square_only():
    np.testing.assert_array_equal(init.identity(4, 4, RNG, gain=0.5), 0.5 * np.eye(4))
    with pytest.raises(ValueError, match="fan_in == fan_out"):
        init.identity(3, 4, RNG)


def test_same_seed_same_weights():
    a = init.init_weight("xavier_normal", 10, 20, np.random.default_rng(7))
    b = init.init_weight("xavier_normal", 10, 20, np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="init must be one of .*'he_normal'.*got 'kaiming'"):
        init.init_weight("kaiming", 3, 3, RNG)
    with pytest.raises(ValueError, match="fan_in must be a finite number > 0"):
        init.init_weight("he_normal", 0, 3, RNG)
    with pytest.raises(TypeError, match="fan_out must be a whole number"):
        init.xavier_uniform(3, 2.5, RNG)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        init.init_weight("he_normal", 3, 3, 42)


def test_layout_matches_torch_linear_and_fans_are_not_swapped():
    """(fan_out, fan_in) is torch.nn.Linear's weight shape; He's variance uses fan_in."""
    torch = pytest.importorskip("torch")
    assert init.he_normal(30, 7, RNG).shape == tuple(torch.nn.Linear(30, 7).weight.shape)
    W = init.he_normal(1000, 10, np.random.default_rng(3))
    assert W.var() == pytest.approx(2 / 1000, rel=0.1), "variance 2/fan_in, fan_in the columns"
    # each output row is a unit-norm direction in input space when fan_out <= fan_in
    Q = init.orthogonal(12, 5, np.random.default_rng(3))
    np.testing.assert_allclose(Q @ Q.T, np.eye(5), atol=1e-12)


def test_orthogonal_is_uniform_over_orthogonal_matrices():
    """Haar: every entry of a random orthogonal 3 x 3 matrix has mean 0 and variance 1/3.
    Without the sign fix, LAPACK's QR makes Q[0, 0] = -|a_11| / ||a_1||, always negative."""
    rng = np.random.default_rng(4)
    draws = np.array([init.orthogonal(3, 3, rng) for _ in range(4000)])
    np.testing.assert_allclose(draws.mean(axis=0), 0.0, atol=0.03)
    np.testing.assert_allclose((draws ** 2).mean(axis=0), 1 / 3, atol=0.02)


@pytest.mark.parametrize("fan_in, fan_out", [(16, 16), (40, 10), (10, 40)])
def test_orthogonal_mean_square_is_the_closed_form(fan_in, fan_out):
    """Orthonormal rows or columns: the squared entries sum to min(n_in, n_out) exactly."""
    W = init.orthogonal(fan_in, fan_out, np.random.default_rng(2), gain=0.5)
    assert np.sum(W ** 2) == pytest.approx(0.25 * min(fan_in, fan_out), rel=1e-12)
    small = min(fan_in, fan_out)
    gram = W.T @ W if fan_out >= fan_in else W @ W.T
    np.testing.assert_allclose(gram, 0.25 * np.eye(small), atol=1e-12)
