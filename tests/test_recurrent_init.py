"""rnncourse.recurrent_init against closed forms, numpy, torch and jacobians."""

import numpy as np
import pytest
import torch
from torch import nn

from rnncourse import cells, init, jacobians, recurrent_init, training
from rnncourse.models import SequenceModel

INITS = recurrent_init.RECURRENT_INITS


@pytest.mark.parametrize("name", INITS)
@pytest.mark.parametrize("gain", [1.0, 0.5])
def test_entry_variance_is_the_empirical_variance(name, gain):
    """Over many draws of a 64 x 64 W_h, the mean squared entry."""
    rng = np.random.default_rng(0)
    draws = [recurrent_init.recurrent_weight(name, 64, rng, gain)
             for _ in range(20)]
    want = recurrent_init.entry_variance(name, 64, gain)
    assert np.mean(np.square(draws)) == pytest.approx(want, rel=0.02)


def test_entry_variance_closed_forms():
    H = 50
    assert recurrent_init.entry_variance("fan_in_uniform", H) == \
        pytest.approx((1 / np.sqrt(H)) ** 2 / 3)  # U[-b, b]: b^2 / 3
    assert recurrent_init.entry_variance("he_normal", H, 2.0) == \
        pytest.approx(4 * 2 / H)
    assert recurrent_init.entry_variance("xavier_normal", H) == \
        pytest.approx(2 / (H + H))


@pytest.mark.parametrize("name", ["fan_in_uniform", "xavier_normal",
                                  "he_normal"])
def test_quarter_circle_edge_predicts_the_largest_singular_value(name):
    """A random 400 x 400 matrix's sigma_max is within 3 % of 2 sqrt(H v)."""
    H = 400
    W = recurrent_init.recurrent_weight(name, H, 1)
    edge = recurrent_init.quarter_circle_edge(
        recurrent_init.entry_variance(name, H), H)
    assert recurrent_init.singular_values(W)[0] == pytest.approx(edge,
                                                                 rel=0.03)
    # and the eigenvalues fill a disc of half that radius (circular law)
    assert jacobians.spectral_radius(W) == pytest.approx(edge / 2, rel=0.08)


def test_quarter_circle_edge_is_the_closed_form():
    assert recurrent_init.quarter_circle_edge(1 / 32, 32) == pytest.approx(2)
    assert recurrent_init.quarter_circle_edge(2 / 10, 10) == \
        pytest.approx(2 * np.sqrt(2))


def test_singular_values_match_numpy_and_torch():
    W = np.random.default_rng(2).normal(size=(6, 4))
    s = recurrent_init.singular_values(W)
    assert s.shape == (4,) and np.all(np.diff(s) <= 0), "largest first"
    np.testing.assert_allclose(s, torch.linalg.svdvals(torch.tensor(W)))
    # sum of squares = Frobenius norm squared
    assert np.sum(s ** 2) == pytest.approx(np.sum(W ** 2))


@pytest.mark.parametrize("gain", [1.0, 0.7, 1.3])
def test_orthogonal_and_identity_spectra_are_flat_at_gain(gain):
    Q = recurrent_init.recurrent_weight("orthogonal", 32, 3, gain)
    np.testing.assert_allclose(recurrent_init.singular_values(Q), gain,
                               rtol=1e-12)
    np.testing.assert_allclose(Q @ Q.T, gain ** 2 * np.eye(32), atol=1e-12)
    eye = recurrent_init.recurrent_weight("identity", 32, 3, gain)
    np.testing.assert_array_equal(eye, gain * np.eye(32))


def test_recurrent_weight_is_the_initialiser_and_its_arguments_matter():
    W = recurrent_init.recurrent_weight("he_normal", 8, 5, 1.5)
    np.testing.assert_array_equal(
        W, init.he_normal(8, 8, np.random.default_rng(5), gain=1.5))
    assert W.shape == (8, 8)
    assert not np.allclose(W, recurrent_init.recurrent_weight(
        "he_normal", 8, 6, 1.5))
    assert not np.allclose(W, recurrent_init.recurrent_weight(
        "xavier_normal", 8, 5, 1.5))


def test_gradient_curves_repeat_jacobians_gradient_curve():
    curves = recurrent_init.gradient_curves("orthogonal", "tanh", 6, 9,
                                            seed=4, gain=1.2, trials=3,
                                            drive_scale=0.3)
    assert curves.shape == (3, 10)
    rng = np.random.default_rng(4)
    for curve in curves:  # the same draws, in the same order
        W = init.orthogonal(6, 6, rng, gain=1.2)
        want = jacobians.gradient_curve(W, 0.3 * rng.normal(size=(9, 6)),
                                        "tanh")
        np.testing.assert_allclose(curve, want, rtol=1e-12)


def test_gradient_curve_of_identity_relu_with_no_drive_is_flat():
    """W_h = g I, ReLU, zero drive from h_0 = 0: every unit is off (f'(0) = 0),
    so the gradient is 0 beyond Δ = 0; with tanh it is exactly g^Δ."""
    relu = recurrent_init.gradient_curves("identity", "relu", 4, 5, 0,
                                          trials=1, drive_scale=0.0)
    np.testing.assert_array_equal(relu[0], [1, 0, 0, 0, 0, 0])
    tanh = recurrent_init.gradient_curves("identity", "tanh", 4, 5, 0,
                                          gain=0.9, trials=1, drive_scale=0.0)
    np.testing.assert_allclose(tanh[0], 0.9 ** np.arange(6), rtol=1e-12)


def test_every_argument_of_gradient_curves_matters():
    base = recurrent_init.gradient_curves("xavier_normal", "tanh", 8, 12, 0)
    for kwargs in ({"name": "orthogonal"}, {"activation": "relu"},
                   {"seed": 1}, {"gain": 1.5}, {"drive_scale": 2.0}):
        args = {"name": "xavier_normal", "activation": "tanh", "H": 8,
                "T": 12, "seed": 0} | kwargs
        assert not np.allclose(recurrent_init.gradient_curves(**args), base)
    assert recurrent_init.gradient_curves("xavier_normal", "tanh", 9, 12,
                                          0).shape == (5, 13)
    assert recurrent_init.gradient_curves("xavier_normal", "tanh", 8, 12, 0,
                                          trials=2).shape == (2, 13)


def twin_cell(activation, H, init_name, gain, seed):
    """The explicit cell elman_model starts from, built independently."""
    cell = cells.ElmanCell(2, H, activation, seed=seed)
    return cells.set_recurrent_weight(
        cell, init.init_weight(init_name, H, H, np.random.default_rng(seed),
                               gain=gain))


@pytest.mark.parametrize("activation", ["tanh", "relu", "leaky_relu",
                                        "prelu"])
def test_elman_model_runs_the_closed_form_with_the_chosen_w_h(activation):
    model = recurrent_init.elman_model(2, 5, 3, activation, "orthogonal",
                                       0.8, seed=7)
    assert isinstance(model, SequenceModel)
    fused = activation in ("tanh", "relu")
    assert isinstance(model.rnn, nn.RNN if fused else cells.Recurrent)
    cell = twin_cell(activation, 5, "orthogonal", 0.8, 7)
    want_W = init.orthogonal(5, 5, np.random.default_rng(7), gain=0.8)
    W_h = model.rnn.weight_hh_l0 if fused else model.rnn.cell.W_h.weight
    np.testing.assert_allclose(W_h.detach().numpy(), want_W, rtol=1e-6)
    xs = torch.randn(4, 6, 2)
    slope = {"tanh": None, "relu": 0.0, "leaky_relu": 0.01, "prelu": 0.25}
    W = torch.tensor(want_W, dtype=torch.float32)
    h = torch.zeros(6, 5)
    for x in xs:  # the recurrence written out, independently of torch's RNN
        z = h @ W.T + x @ cell.W_x.weight.T + cell.W_x.bias
        h = torch.tanh(z) if slope[activation] is None else \
            torch.where(z > 0, z, slope[activation] * z)
    torch.testing.assert_close(model(xs), model.head(h))
    assert model(xs).shape == (6, 3)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_fused_and_explicit_models_agree_forward_and_backward(activation):
    """The fused nn.RNN of elman_model equals the explicit cell it came from,
    outputs and gradients."""
    model = recurrent_init.elman_model(2, 6, 1, activation, "he_normal",
                                       seed=2).double()
    explicit = SequenceModel(cells.Recurrent(twin_cell(
        activation, 6, "he_normal", 1.0, 2)), model.head).double()
    xs = torch.randn(9, 4, 2, dtype=torch.float64)
    torch.testing.assert_close(model(xs), explicit(xs))
    model(xs).sum().backward()
    explicit(xs).sum().backward()
    torch.testing.assert_close(model.rnn.weight_hh_l0.grad,
                               explicit.rnn.cell.W_h.weight.grad)
    torch.testing.assert_close(model.rnn.weight_ih_l0.grad,
                               explicit.rnn.cell.W_x.weight.grad)


def test_every_argument_of_elman_model_matters():
    xs = torch.randn(5, 3, 2)
    base = recurrent_init.elman_model(2, 6, 1, "relu", "orthogonal")(xs)
    for kwargs in ({"activation": "tanh"}, {"activation": "leaky_relu"},
                   {"init_name": "he_normal"}, {"gain": 0.5}, {"seed": 1}):
        args = {"activation": "relu", "init_name": "orthogonal"} | kwargs
        other = recurrent_init.elman_model(2, 6, 1, **args)(xs)
        assert not torch.allclose(other, base)
    assert recurrent_init.elman_model(2, 6, 4)(xs).shape == (3, 4)
    assert recurrent_init.elman_model(2, 7, 1).rnn.hidden_size == 7
    assert recurrent_init.elman_model(2, 7, 1, "prelu").rnn.cell.H == 7
    assert recurrent_init.elman_model(3, 6, 1)(torch.randn(5, 3, 3)).shape \
        == (3, 1)


def test_other_weights_are_the_same_draw_for_every_start():
    a = recurrent_init.elman_model(2, 4, 1, "tanh", "identity", seed=3)
    b = recurrent_init.elman_model(2, 4, 1, "prelu", "he_normal", seed=3)
    assert torch.equal(a.rnn.weight_ih_l0, b.rnn.cell.W_x.weight)
    assert torch.equal(a.rnn.bias_ih_l0, b.rnn.cell.W_x.bias)
    assert torch.equal(a.head.weight, b.head.weight)


def test_elman_model_leaves_the_callers_random_stream_alone():
    torch.manual_seed(0)
    a = torch.rand(1)
    torch.manual_seed(0)
    recurrent_init.elman_model(2, 4, 1, seed=5)
    assert torch.equal(torch.rand(1), a)
    same = [recurrent_init.elman_model(2, 4, 1, seed=5).head.weight
            for _ in range(2)]
    assert torch.equal(*same)


def run_with(losses, steps):
    return training.TrainResult("budget", "", np.zeros(0), np.zeros(0),
                                np.array(steps), np.array(losses))


def test_steps_to_reach_is_the_first_evaluation_below_the_level():
    run = run_with([0.2, 0.06, 0.04, 0.07, 0.01], [25, 50, 75, 100, 125])
    assert recurrent_init.steps_to_reach(run, 0.05) == 75
    assert recurrent_init.steps_to_reach(run, 0.02) == 125
    assert recurrent_init.steps_to_reach(run, 0.04) == 125  # strictly below
    assert recurrent_init.steps_to_reach(run, 0.001) is None
    assert recurrent_init.steps_to_reach(run_with([], []), 1.0) is None


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="init must be one of"):
        recurrent_init.recurrent_weight("kaiming", 4, 0)
    with pytest.raises(ValueError, match="^init_name must be one of"):
        recurrent_init.elman_model(2, 4, 1, init_name="xavier_uniform_")
    with pytest.raises(ValueError, match="W must have"):
        recurrent_init.singular_values(np.zeros((0, 3)))
    with pytest.raises(TypeError, match="run must be a training.TrainResult"):
        recurrent_init.steps_to_reach({"eval_losses": []}, 0.05)


def test_relu_factor_closed_form():
    assert recurrent_init.relu_factor(2 / 32, 32) == pytest.approx(1.0)  # He
    assert recurrent_init.relu_factor(1 / 32, 32) == pytest.approx(np.sqrt(0.5))
    assert recurrent_init.relu_factor(2 / 10, 10, slope=0.5) == \
        pytest.approx(np.sqrt(1.25))


@pytest.mark.parametrize("name, activation, slope", [
    ("xavier_normal", "relu", 0.0), ("orthogonal", "relu", 0.0),
    ("fan_in_uniform", "leaky_relu", 0.01), ("he_normal", "relu", 0.0)])
def test_relu_factor_predicts_the_measured_factor(name, activation, slope):
    """The geometric mean over many long recurrences, against the formula."""
    H, T = 64, 60
    curves = recurrent_init.gradient_curves(name, activation, H, T, seed=0,
                                            trials=20)
    measured = np.exp(np.mean(np.log(curves[:, -1])) / T)
    want = recurrent_init.relu_factor(
        recurrent_init.entry_variance(name, H), H, slope)
    assert measured == pytest.approx(want, rel=0.1)  # a mean-field estimate


def test_describe_reached_says_when_or_how_close():
    runs = {"A": run_with([0.2, 0.04], [25, 50]),
            "B": run_with([0.3, 0.16], [25, 50]), "C": run_with([], [])}
    text = recurrent_init.describe_reached(runs, 0.05)
    assert text == ("A got below 0.05 after 50 steps; B did not get below "
                    "0.05 (lowest held-out loss 0.160); C has no evaluation")
    assert recurrent_init.describe_reached(runs, 0.25).startswith(
        "A got below 0.25 after 25 steps; B got below 0.25 after 50 steps")
    with pytest.raises(TypeError, match="runs must be a non-empty dict"):
        recurrent_init.describe_reached({}, 0.05)
    with pytest.raises(TypeError, match=r"runs\['A'\] must be a training"):
        recurrent_init.describe_reached({"A": 3}, 0.05)
