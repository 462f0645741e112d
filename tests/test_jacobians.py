"""rnncourse.jacobians: Jacobian products against torch.autograd.functional.jacobian on the
same recurrence, the Pascanu et al. bound, every argument shown to matter, bad input named."""

import warnings

import numpy as np
import pytest
import torch
from torch.autograd.functional import jacobian

from rnncourse import jacobians as J

TORCH_F = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu}
SIZES = [(1, 1), (1, 5), (3, 1), (4, 6), (6, 10)]  # (H, T): includes T = 1 and H = 1


def problem(H, T, seed=0, gain=1.3):
    rng = np.random.default_rng(seed)
    return (gain * rng.normal(size=(H, H)) / np.sqrt(H), rng.normal(size=(T, H)),
            0.5 * rng.normal(size=H))


def torch_states(W_h, drive, activation, h0):
    """The recurrence written in torch, float64: the list h_0, ..., h_T."""
    W, U = torch.tensor(W_h), torch.tensor(drive)
    hs = [torch.tensor(h0)]
    for u in U:
        hs.append(TORCH_F[activation](W @ hs[-1] + u))
    return hs


def torch_jacobian(W_h, drive, activation, h0, s, t):
    """dh_s/dh_t by autograd: run from h_t (as a free input) to h_s."""
    h_t = torch_states(W_h, drive, activation, h0)[t].detach()
    W, U = torch.tensor(W_h), torch.tensor(drive)

    def forward(h):
        for u in U[t:s]:
            h = TORCH_F[activation](W @ h + u)
        return h

    return jacobian(forward, h_t).numpy()


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("H,T", SIZES)
def test_run_recurrence_matches_torch(activation, H, T):
    W_h, drive, h0 = problem(H, T)
    traj = J.run_recurrence(W_h, drive, activation, h0)
    want = torch.stack(torch_states(W_h, drive, activation, h0)).numpy()
    assert traj.hs.shape == (T + 1, H) and traj.zs.shape == (T, H)
    np.testing.assert_allclose(traj.hs, want, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(traj.zs, traj.hs[:-1] @ W_h.T + drive, rtol=1e-12)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("H,T", SIZES)
def test_jacobian_product_matches_autograd(activation, H, T):
    W_h, drive, h0 = problem(H, T, seed=H * 10 + T)
    jacs = J.step_jacobians(W_h, J.run_recurrence(W_h, drive, activation, h0).zs, activation)
    pairs = {(T, 0), (T, T), (T, T - 1), (max(T - 1, 0), 0), (T, T // 2)}
    for s, t in pairs:
        got = J.jacobian_product(jacs, s, t)
        want = torch_jacobian(W_h, drive, activation, h0, s, t)
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-13, err_msg=f"{s}, {t}")


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_norms_by_distance_and_norm_map_match_autograd(activation):
    H, T = 4, 7
    W_h, drive, h0 = problem(H, T, seed=3, gain=2.0)
    jacs = J.step_jacobians(W_h, J.run_recurrence(W_h, drive, activation, h0).zs, activation)
    curve, table = J.norms_by_distance(jacs), J.norm_map(jacs)
    for s in range(T + 1):
        for t in range(T + 1):
            if t > s:
                assert np.isnan(table[s, t])
                continue
            want = np.linalg.norm(torch_jacobian(W_h, drive, activation, h0, s, t), 2)
            assert table[s, t] == pytest.approx(want, rel=1e-10, abs=1e-14)
            if s == T:
                assert curve[T - t] == pytest.approx(want, rel=1e-10, abs=1e-14)


def test_the_order_of_the_product_matters_and_a_reversed_product_would_fail():
    W_h, drive, h0 = problem(4, 5, seed=8, gain=1.5)
    jacs = J.step_jacobians(W_h, J.run_recurrence(W_h, drive, "tanh", h0).zs, "tanh")
    reversed_product = jacs[0] @ jacs[1] @ jacs[2] @ jacs[3] @ jacs[4]  # earliest on the left
    want = torch_jacobian(W_h, drive, "tanh", h0, 5, 0)
    np.testing.assert_allclose(J.jacobian_product(jacs, 5, 0), want, rtol=1e-10)
    assert not np.allclose(reversed_product, want, rtol=1e-3)


def test_a_transposed_weight_layout_would_fail_the_autograd_check():
    W_h, drive, h0 = problem(3, 2, seed=9)
    zs = J.run_recurrence(W_h, drive, "tanh", h0).zs
    wrong = (1 - np.tanh(zs[1]) ** 2)[:, None] * W_h.T  # the bug a planted test must catch
    want = torch_jacobian(W_h, drive, "tanh", h0, 2, 1)
    np.testing.assert_allclose(J.step_jacobians(W_h, zs, "tanh")[1], want, rtol=1e-12)
    assert not np.allclose(wrong, want, rtol=1e-3)


def test_jacobian_product_is_the_identity_when_s_equals_t():
    jacs = J.step_jacobians(*problem(3, 4)[:1], np.ones((4, 3)))
    for t in range(5):
        np.testing.assert_array_equal(J.jacobian_product(jacs, t, t), np.eye(3))


# --- the bound of Pascanu, Mikolov and Bengio (2013) -----------------------------------------

def test_vanishing_bound_closed_form_and_its_arguments_matter():
    W = np.diag([2.0, -0.5])  # sigma_max = 2
    k = np.array([0, 1, 3])
    np.testing.assert_allclose(J.vanishing_bound(W, "tanh", k), 2.0 ** k)
    np.testing.assert_allclose(J.vanishing_bound(W, "sigmoid", k), 0.5 ** k)
    np.testing.assert_allclose(J.vanishing_bound(3 * W, "tanh", k), 6.0 ** k)
    assert J.vanishing_bound(W, "tanh", np.array([5000]))[0] == np.inf  # no overflow warning


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_the_bound_never_fails_on_many_random_recurrences(activation):
    trials = J.bound_trials(150, H=5, T=20, seed=4, activations=(activation,))
    assert len(trials.factor) == 150
    assert trials.worst.max() <= 1 + 1e-9
    assert (trials.factor[trials.bound_factor < 1] < 1).all()


def test_a_wrong_gamma_for_the_sigmoid_would_fail_the_bound_check():
    """A planted bug: gamma = 1/8 instead of 1/4 (or the bound check would be vacuous)."""
    rng = np.random.default_rng(5)
    failures = 0
    for _ in range(50):
        W = J.scaled_orthogonal(6, 4.0, rng)
        norms = J.gradient_curve(W, 0.1 * rng.normal(size=(10, 6)), "sigmoid")
        right = J.vanishing_bound(W, "sigmoid", np.arange(11))
        wrong = (J.max_singular_value(W) / 8) ** np.arange(11)
        assert (norms <= right * (1 + 1e-9)).all()
        failures += (norms > wrong).any()
    assert failures > 25


def test_sufficient_not_necessary_sigmoid_vanishes_past_one_over_gamma():
    """The chapter's counter-example: orthogonal W_h with g = 4 to 8 still vanishes."""
    for seed in range(6):
        rng = np.random.default_rng(seed)
        for g in (4.0, 6.0, 8.0):
            W = J.scaled_orthogonal(64, g, rng)
            curve = J.gradient_curve(W, 0.5 * rng.normal(size=(100, 64)), "sigmoid")
            assert J.per_step_factor(curve) < 1, (seed, g)


def test_singular_value_and_spectral_radius_match_torch():
    rng = np.random.default_rng(6)
    for H in (1, 2, 5):
        W = rng.normal(size=(H, H))
        t = torch.tensor(W)
        assert J.max_singular_value(W) == pytest.approx(
            torch.linalg.matrix_norm(t, ord=2).item(), rel=1e-12)
        assert J.spectral_radius(W) == pytest.approx(
            torch.linalg.eigvals(t).abs().max().item(), rel=1e-10)
    W = np.array([[0.0, 4.0], [0.0, 0.0]])  # nilpotent: rho = 0, sigma_max = 4
    assert J.spectral_radius(W) == 0 and J.max_singular_value(W) == pytest.approx(4)


def test_per_step_factor_of_a_geometric_sequence():
    assert J.per_step_factor(0.5 ** np.arange(11)) == pytest.approx(0.5)
    assert J.per_step_factor(np.array([2.0, 6.0])) == pytest.approx(3.0)
    assert J.per_step_factor(np.array([1.0, 1.0, 16.0])) == pytest.approx(4.0)


def test_scaled_orthogonal_has_every_singular_value_equal_to_the_gain():
    W = J.scaled_orthogonal(7, 1.7, 0)
    np.testing.assert_allclose(np.linalg.svd(W, compute_uv=False), 1.7, rtol=1e-12)
    assert J.scaled_orthogonal(3, 1.0, 0).shape == (3, 3)
    assert not np.allclose(W, J.scaled_orthogonal(7, 1.7, 1))
    np.testing.assert_allclose(J.scaled_orthogonal(7, -2.0, 0), -2.0 / 1.7 * W)


def test_gradient_curve_and_every_argument_matters():
    W_h, drive, h0 = problem(3, 6, gain=1.8)
    base = J.gradient_curve(W_h, drive, "tanh", h0)
    jacs = J.step_jacobians(W_h, J.run_recurrence(W_h, drive, "tanh", h0).zs, "tanh")
    np.testing.assert_allclose(base, J.norms_by_distance(jacs))
    for changed in (J.gradient_curve(2 * W_h, drive, "tanh", h0),
                    J.gradient_curve(W_h, drive + 1, "tanh", h0),
                    J.gradient_curve(W_h, drive, "sigmoid", h0),
                    J.gradient_curve(W_h, drive, "tanh", h0 + 1),
                    J.gradient_curve(W_h, drive, "tanh")):
        assert not np.allclose(changed, base)
    assert J.gradient_curve(W_h, drive[:2]).shape == (3,)


def test_step_jacobians_arguments_matter():
    W_h, drive, _ = problem(3, 4)
    zs = J.run_recurrence(W_h, drive).zs
    base = J.step_jacobians(W_h, zs, "tanh")
    assert base.shape == (4, 3, 3)
    assert not np.allclose(J.step_jacobians(2 * W_h, zs, "tanh"), base)
    assert not np.allclose(J.step_jacobians(W_h, zs + 1, "tanh"), base)
    assert not np.allclose(J.step_jacobians(W_h, zs, "relu"), base)


def test_bound_trials_arguments_matter():
    a = J.bound_trials(5, 3, 6, seed=0, activations=("tanh",))
    assert set(a.activation) == {"tanh"} and a.factor.shape == (5,)
    assert len(J.bound_trials(5, 3, 6, seed=0).factor) == 15
    assert not np.allclose(J.bound_trials(5, 3, 6, seed=1, activations=("tanh",)).factor,
                           a.factor)
    assert not np.allclose(J.bound_trials(5, 4, 6, seed=0, activations=("tanh",)).factor,
                           a.factor)
    assert not np.allclose(J.bound_trials(5, 3, 9, seed=0, activations=("tanh",)).factor,
                           a.factor)
    narrow = J.bound_trials(20, 3, 6, seed=0, lowest=1.5, highest=2.0)
    assert (narrow.bound_factor >= 1.5 - 1e-12).all()
    assert (narrow.bound_factor <= 2.0 + 1e-12).all()


def test_repeated_gives_matrix_powers():
    W = np.random.default_rng(7).normal(size=(4, 4))
    norms = J.norms_by_distance(J.repeated(W, 6))
    want = [np.linalg.norm(np.linalg.matrix_power(W, k), 2) for k in range(7)]
    np.testing.assert_allclose(norms, want, rtol=1e-10)
    assert J.repeated(W, 2).shape == (2, 4, 4)


def test_same_singular_values_are_independent_matrices_with_the_given_spectrum():
    s = np.array([0.5, 1.0, 2.0])
    Ws = J.same_singular_values(s, 4, 0)
    assert Ws.shape == (4, 3, 3)
    for W in Ws:
        np.testing.assert_allclose(np.sort(np.linalg.svd(W, compute_uv=False)), s)
        np.testing.assert_allclose(W, W.T, atol=1e-12)
    assert not np.allclose(Ws[0], Ws[1])
    assert not np.allclose(J.same_singular_values(s, 4, 1), Ws)
    assert len(J.same_singular_values(s, 2, 0)) == 2


def test_power_grows_as_sigma_max_and_independent_layers_do_not():
    s = np.linspace(0.4, 1.4, 32)
    s = s / np.sqrt(np.mean(s ** 2))
    rng = np.random.default_rng(0)
    Q = J.scaled_orthogonal(32, 1.0, rng)
    power = J.norms_by_distance(J.repeated(Q @ np.diag(s) @ Q.T, 40))
    product = J.norms_by_distance(J.same_singular_values(s, 40, rng))
    assert J.per_step_factor(power) == pytest.approx(s.max(), rel=1e-9)
    assert J.per_step_factor(product) < 1.1


def test_huge_and_tiny_values_give_no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        W = J.scaled_orthogonal(4, 8.0, 0)
        curve = J.gradient_curve(W, np.ones((150, 4)), "relu")
        assert np.isfinite(curve).all()
        dead = J.gradient_curve(W, -100 * np.ones((5, 4)), "relu")
        np.testing.assert_array_equal(dead[1:], 0.0)


# --- bad input: a clear error naming the argument --------------------------------------------

W2, D2, Z2 = np.eye(2), np.ones((3, 2)), np.ones((3, 2))
JACS = np.stack([np.eye(2)] * 3)
BAD = [
    (lambda: J.run_recurrence("W", D2), TypeError, "W_h"),
    (lambda: J.run_recurrence(np.ones((2, 3)), D2), ValueError, "W_h"),
    (lambda: J.run_recurrence(np.ones((0, 0)), D2), ValueError, "W_h"),
    (lambda: J.run_recurrence(W2 * np.nan, D2), ValueError, "W_h"),
    (lambda: J.run_recurrence(W2, np.ones((3, 3))), ValueError, "drive"),
    (lambda: J.run_recurrence(W2, np.ones((0, 2))), ValueError, "drive"),
    (lambda: J.run_recurrence(W2, None), TypeError, "drive"),
    (lambda: J.run_recurrence(W2, D2, "swish"), ValueError, "activation"),
    (lambda: J.run_recurrence(W2, D2, 3), TypeError, "activation"),
    (lambda: J.run_recurrence(W2, D2, "tanh", np.ones(3)), ValueError, "h0"),
    (lambda: J.run_recurrence(W2, D2, "tanh", "h"), TypeError, "h0"),
    (lambda: J.step_jacobians(np.ones(2), Z2), ValueError, "W_h"),
    (lambda: J.step_jacobians(W2, np.ones((3, 5))), ValueError, "zs"),
    (lambda: J.step_jacobians(W2, [[np.inf, 0]]), ValueError, "zs"),
    (lambda: J.step_jacobians(W2, Z2, "nope"), ValueError, "activation"),
    (lambda: J.jacobian_product(np.ones((3, 2, 3)), 1, 0), ValueError, "jacs"),
    (lambda: J.jacobian_product(np.ones((0, 2, 2)), 0, 0), ValueError, "jacs"),
    (lambda: J.jacobian_product("j", 1, 0), TypeError, "jacs"),
    (lambda: J.jacobian_product(JACS, 4, 0), ValueError, "s"),
    (lambda: J.jacobian_product(JACS, 1.5, 0), TypeError, "s"),
    (lambda: J.jacobian_product(JACS, 2, -1), ValueError, "t"),
    (lambda: J.jacobian_product(JACS, 2, True), TypeError, "t"),
    (lambda: J.jacobian_product(JACS, 1, 2), ValueError, "t"),
    (lambda: J.norms_by_distance(np.ones((2, 2))), ValueError, "jacs"),
    (lambda: J.norm_map(np.ones((2, 2, 3))), ValueError, "jacs"),
    (lambda: J.spectral_norms("x"), TypeError, "mats"),
    (lambda: J.max_singular_value(np.ones((2, 3))), ValueError, "W"),
    (lambda: J.spectral_radius([[1, 2]]), ValueError, "W"),
    (lambda: J.vanishing_bound(W2, "tanh", np.array([-1])), ValueError, "distances"),
    (lambda: J.vanishing_bound(W2, "tanh", np.array([0.5])), ValueError, "distances"),
    (lambda: J.vanishing_bound(W2, "tanh", 3), ValueError, "distances"),
    (lambda: J.vanishing_bound(W2, "bad", [1]), ValueError, "activation"),
    (lambda: J.vanishing_bound(np.ones(3), "tanh", [1]), ValueError, "W"),
    (lambda: J.per_step_factor(np.array([1.0])), ValueError, "norms"),
    (lambda: J.per_step_factor(np.array([1.0, 0.0])), ValueError, "norms"),
    (lambda: J.per_step_factor("n"), TypeError, "norms"),
    (lambda: J.scaled_orthogonal(0, 1.0, 0), ValueError, "H"),
    (lambda: J.scaled_orthogonal(2.5, 1.0, 0), TypeError, "H"),
    (lambda: J.scaled_orthogonal(2, "g", 0), TypeError, "gain"),
    (lambda: J.scaled_orthogonal(2, np.nan, 0), ValueError, "gain"),
    (lambda: J.scaled_orthogonal(2, 1.0, -1), ValueError, "seed"),
    (lambda: J.scaled_orthogonal(2, 1.0, "s"), TypeError, "seed"),
    (lambda: J.gradient_curve(np.ones((2, 3)), D2), ValueError, "W_h"),
    (lambda: J.gradient_curve(W2, np.ones(2)), ValueError, "drive"),
    (lambda: J.gradient_curve(W2, D2, "x"), ValueError, "activation"),
    (lambda: J.gradient_curve(W2, D2, "tanh", [1.0]), ValueError, "h0"),
    (lambda: J.bound_trials(0, 2, 2, 0), ValueError, "n"),
    (lambda: J.bound_trials(2, 0, 2, 0), ValueError, "H"),
    (lambda: J.bound_trials(2, 2, 1.5, 0), TypeError, "T"),
    (lambda: J.bound_trials(2, 2, 2, "s"), TypeError, "seed"),
    (lambda: J.bound_trials(2, 2, 2, 0, activations=("x",)), ValueError, "activation"),
    (lambda: J.bound_trials(2, 2, 2, 0, lowest=0.0), ValueError, "lowest"),
    (lambda: J.bound_trials(2, 2, 2, 0, highest=-1.0), ValueError, "highest"),
    (lambda: J.bound_trials(2, 2, 2, 0, lowest=2.0, highest=1.0), ValueError, "highest"),
    (lambda: J.repeated(np.ones((2, 3)), 3), ValueError, "W"),
    (lambda: J.repeated(W2, 0), ValueError, "L"),
    (lambda: J.same_singular_values(np.array([]), 2, 0), ValueError, "singular_values"),
    (lambda: J.same_singular_values(np.array([-1.0]), 2, 0), ValueError, "singular_values"),
    (lambda: J.same_singular_values(np.ones((2, 2)), 2, 0), ValueError, "singular_values"),
    (lambda: J.same_singular_values(np.ones(2), 0, 0), ValueError, "L"),
    (lambda: J.same_singular_values(np.ones(2), 2, 1.5), TypeError, "seed"),
]


@pytest.mark.parametrize("call,error,name", BAD, ids=[f"{n}-{i}" for i, (_, _, n) in
                                                       enumerate(BAD)])
def test_bad_input_names_the_argument(call, error, name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(error, match=rf"(^|\W){name}\b"):
            call()
