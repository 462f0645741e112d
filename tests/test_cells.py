"""rnncourse.cells against torch.nn.RNN with the same weights, and closed forms."""

import numpy as np
import pytest
import torch
from torch import nn

from rnncourse import cells, init, models


def inputs(T=7, B=3, D=2, seed=0, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(T, B, D, generator=g, dtype=dtype)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_elman_cell_equals_nn_rnn_forward_and_backward(nonlinearity):
    torch.manual_seed(1)
    rnn = nn.RNN(2, 5, nonlinearity=nonlinearity).double()
    ours = cells.Recurrent(cells.from_torch_rnn(rnn))
    xs = inputs()
    h0 = torch.randn(3, 5, dtype=torch.float64)
    hs_ref, hT_ref = rnn(xs, h0.unsqueeze(0))
    hs, hT = ours(xs, h0)
    torch.testing.assert_close(hs, hs_ref, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(hT, hT_ref, rtol=1e-12, atol=1e-12)
    (hs_ref ** 2).sum().backward()
    (hs ** 2).sum().backward()
    cell = ours.cell
    torch.testing.assert_close(cell.W_h.weight.grad, rnn.weight_hh_l0.grad)
    torch.testing.assert_close(cell.W_x.weight.grad, rnn.weight_ih_l0.grad)
    torch.testing.assert_close(cell.W_x.bias.grad, rnn.bias_ih_l0.grad)


@pytest.mark.parametrize("activation, slope", [("leaky_relu", 0.01),
                                               ("prelu", 0.25), ("relu", 0.0)])
def test_one_step_is_the_closed_form(activation, slope):
    cell = cells.ElmanCell(2, 4, activation, seed=3).double()
    x = torch.randn(5, 2, dtype=torch.float64)
    h = torch.randn(5, 4, dtype=torch.float64)
    z = (h @ cell.W_h.weight.T + x @ cell.W_x.weight.T + cell.W_x.bias)
    expected = torch.where(z > 0, z, slope * z)
    torch.testing.assert_close(cell(x, h), expected)


def test_prelu_learns_one_slope_per_unit():
    cell = cells.ElmanCell(2, 4, "prelu").double()
    slope = cell.f.weight
    assert slope.shape == (4,) and torch.all(slope == cells.PRELU_START)
    hs, _ = cells.Recurrent(cell)(inputs(D=2))
    hs.sum().backward()
    assert slope.grad is not None and slope.grad.abs().sum() > 0


def test_states_stay_in_the_graph_and_match_forward():
    net = cells.Recurrent(cells.ElmanCell(2, 4, seed=2).double())
    xs = inputs()
    states = net.states(xs)
    assert len(states) == xs.shape[0] + 1
    assert torch.equal(states[0], torch.zeros(3, 4, dtype=torch.float64))
    hs, _ = net(xs)
    torch.testing.assert_close(torch.stack(states[1:]), hs)
    # d h_T / d h_2 through the graph equals the product of step Jacobians
    grad = torch.autograd.grad(states[-1].sum(), states[2])[0]
    W = net.cell.W_h.weight
    v = torch.ones(3, 4, dtype=torch.float64)
    for t in range(len(states) - 1, 2, -1):
        v = (v * (1 - states[t] ** 2)) @ W  # transposed Jacobian of a tanh step
    torch.testing.assert_close(grad, v)


def test_h0_matters():
    net = cells.Recurrent(cells.ElmanCell(2, 4).double())
    xs = inputs()
    a, _ = net(xs)
    b, _ = net(xs, torch.ones(3, 4, dtype=torch.float64))
    assert not torch.allclose(a, b)


def test_seed_and_sizes_matter():
    a, b = cells.ElmanCell(2, 4, seed=0), cells.ElmanCell(2, 4, seed=1)
    assert not torch.equal(a.W_h.weight, b.W_h.weight)
    assert torch.equal(a.W_h.weight, cells.ElmanCell(2, 4, seed=0).W_h.weight)
    c = cells.ElmanCell(3, 5)
    assert c.W_x.weight.shape == (5, 3) and c.W_h.weight.shape == (5, 5)
    bound = 1 / 5 ** 0.5
    assert all(p.abs().max() <= bound for p in c.parameters())


def test_seed_leaves_the_global_stream_alone():
    torch.manual_seed(7)
    expected = torch.rand(1)
    torch.manual_seed(7)
    cells.ElmanCell(2, 4, seed=3)
    assert torch.equal(torch.rand(1), expected)


@pytest.mark.parametrize("activation", cells.ACTIVATIONS)
def test_activation_matters(activation):
    z = torch.linspace(-2, 2, 9)
    f = cells.make_activation(activation, 1)
    others = [cells.make_activation(a, 1) for a in cells.ACTIVATIONS if a != activation]
    assert all(not torch.allclose(f(z), g(z)) for g in others)


def test_set_recurrent_weight_copies_an_initialiser():
    cell = cells.ElmanCell(2, 4)
    W = init.identity(4, 4)
    assert cells.set_recurrent_weight(cell, W) is cell
    assert torch.equal(cell.W_h.weight, torch.eye(4))
    Q = init.orthogonal(4, 4, np.random.default_rng(0))
    cells.set_recurrent_weight(cell, Q)
    assert np.allclose(cell.W_h.weight.detach().numpy(), Q, atol=1e-7)


def test_recurrent_is_a_drop_in_for_nn_rnn_in_sequence_model():
    cell = cells.ElmanCell(2, 4, "prelu")
    model = models.SequenceModel(cells.Recurrent(cell), nn.Linear(4, 1))
    assert model(inputs(dtype=torch.float32)).shape == (3, 1)


@pytest.mark.parametrize("call, error, words", [
    (lambda: cells.ElmanCell(0, 4), ValueError, "D must be a finite number > 0"),
    (lambda: cells.ElmanCell(2, 2.5), TypeError, "H must be a whole number"),
    (lambda: cells.ElmanCell(2, 4, "sigmoid"), ValueError, "activation must be one of"),
    (lambda: cells.ElmanCell(2, 4, seed=-1), ValueError, "seed must be an int >= 0"),
    (lambda: cells.ElmanCell(2, 4, seed=np.random.default_rng(0)), TypeError,
     "seed must be an int for torch"),
    (lambda: cells.Recurrent("cell"), TypeError, "cell must be a torch.nn.Module; got str"),
    (lambda: cells.Recurrent(nn.Linear(2, 2)), ValueError, "cell must have integer attributes"),
    (lambda: cells.Recurrent(cells.ElmanCell(2, 4))(torch.zeros(5, 3)), ValueError,
     r"xs must be a tensor of shape \(T, B, 2\).*got \(5, 3\)"),
    (lambda: cells.Recurrent(cells.ElmanCell(2, 4))(torch.zeros(5, 3, 7)), ValueError,
     r"xs must be a tensor of shape \(T, B, 2\)"),
    (lambda: cells.Recurrent(cells.ElmanCell(2, 4))(np.zeros((5, 3, 2))), ValueError,
     "got ndarray"),
    (lambda: cells.Recurrent(cells.ElmanCell(2, 4))(torch.zeros(5, 3, 2), torch.zeros(3, 5)),
     ValueError, r"h0 must have shape \(B, H\) = \(3, 4\); got \(3, 5\)"),
    (lambda: cells.set_recurrent_weight(nn.Linear(2, 2), np.eye(2)), TypeError,
     "cell must be an ElmanCell"),
    (lambda: cells.set_recurrent_weight(cells.ElmanCell(2, 4), np.eye(3)), ValueError,
     r"W_h must have shape \(4, 4\)"),
    (lambda: cells.from_torch_rnn(nn.RNN(2, 4, num_layers=2)), ValueError,
     "rnn must be a one-layer"),
    (lambda: cells.from_torch_rnn(nn.RNN(2, 4, batch_first=True)), ValueError,
     "time-major nn.RNN"),
    (lambda: cells.from_torch_rnn(nn.LSTM(2, 4)), ValueError, "nn.RNN"),
])
def test_bad_input_names_the_argument(call, error, words):
    with pytest.raises(error, match=words):
        call()
