"""rnncourse.residual against hand-unrolled torch formulas, closed-form Jacobians,
finite differences and diagnostics.state_gradient_norms on torch's own nn.RNN."""

import numpy as np
import pytest
import torch
from torch import nn

from rnncourse import cells, diagnostics, models, residual


def inputs(T=6, B=3, D=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(T, B, D, generator=g, dtype=torch.float64)


def hand_unrolled(cell, xs, h, f=torch.tanh):
    """h_t = h_{t-1} + scale f(W_h h_{t-1} + W_x x_t + b), from the raw tensors."""
    W_h, W_x, b = cell.W_h.weight, cell.W_x.weight, cell.W_x.bias
    hs = [h]
    for x in xs:
        hs.append(hs[-1] + cell.scale * f(hs[-1] @ W_h.T + x @ W_x.T + b))
    return hs


@pytest.mark.parametrize("scale", [1.0, 0.3])
def test_residual_cell_equals_the_hand_unrolled_formula_and_its_gradients(scale):
    cell = residual.ResidualCell(2, 4, scale=scale, seed=1).double()
    xs, h0 = inputs(), torch.randn(3, 4, dtype=torch.float64)
    ours = cells.Recurrent(cell).states(xs, h0)
    ref = hand_unrolled(cell, xs, h0)
    for a, b in zip(ours, ref):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)
    params = list(cell.parameters())
    g_ours = torch.autograd.grad((ours[-1] ** 2).sum(), params)
    g_ref = torch.autograd.grad((ref[-1] ** 2).sum(), params)
    for a, b in zip(g_ours, g_ref):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("activation, df", [
    ("tanh", lambda z: 1 - torch.tanh(z) ** 2),
    ("relu", lambda z: (z > 0).double())])
def test_step_jacobian_is_identity_plus_scaled_elman_jacobian(activation, df):
    cell = residual.ResidualCell(3, 5, activation, scale=0.7, seed=2).double()
    x, h = torch.randn(1, 3, dtype=torch.float64), torch.randn(1, 5, dtype=torch.float64)
    J = torch.autograd.functional.jacobian(lambda v: cell(x, v[None])[0], h[0])
    z = cell.W_h(h) + cell.W_x(x)
    expected = torch.eye(5, dtype=torch.float64) + 0.7 * df(z[0])[:, None] * cell.W_h.weight
    torch.testing.assert_close(J, expected)


def test_gradients_agree_with_finite_differences():
    cell = residual.ResidualCell(2, 3, scale=0.5, seed=4).double()
    net = cells.Recurrent(cell)
    xs = inputs(T=4, B=2).requires_grad_()
    h0 = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b: net(a, b)[0], (xs, h0))


def test_same_draw_as_the_elman_cell_and_seed_matters():
    a, b = residual.ResidualCell(2, 4, seed=3), cells.ElmanCell(2, 4, seed=3)
    assert torch.equal(a.W_h.weight, b.W_h.weight)
    assert torch.equal(a.W_x.weight, b.W_x.weight) and torch.equal(a.W_x.bias, b.W_x.bias)
    c = residual.ResidualCell(2, 4, seed=4)
    assert not torch.equal(a.W_h.weight, c.W_h.weight)
    x, h = torch.randn(5, 2), torch.randn(5, 4)
    torch.testing.assert_close(a(x, h), h + b(x, h))  # the residual of the Elman step
    d = residual.ResidualCell(3, 5)
    assert d.W_x.weight.shape == (5, 3) and d.W_h.weight.shape == (5, 5) and (d.D, d.H) == (3, 5)


def test_activation_matters():
    x, h = torch.randn(5, 2), torch.randn(5, 4)
    outs = [residual.ResidualCell(2, 4, act, seed=0)(x, h) for act in cells.ACTIVATIONS]
    assert all(not torch.allclose(outs[0], o) for o in outs[1:])


def test_seed_leaves_the_global_stream_alone():
    torch.manual_seed(7)
    expected = torch.rand(1)
    torch.manual_seed(7)
    residual.ResidualCell(2, 4, seed=3)
    assert torch.equal(torch.rand(1), expected)


def backward_recursion(cell, xs, u):
    """||dL/dh_t|| by the reversed loop dL/dh_{t-1} = dL/dh_t (I + s diag(f') W_h)."""
    hs = [h.detach() for h in hand_unrolled(cell, xs, torch.zeros(xs.shape[1], cell.H,
                                                                  dtype=xs.dtype))]
    W_h, W_x, b = (p.detach() for p in (cell.W_h.weight, cell.W_x.weight, cell.W_x.bias))
    dh = u.expand(xs.shape[1], -1).clone()  # L = sum over the batch of u . h_T
    norms = [dh.norm().item()]
    for t in range(len(xs), 1, -1):
        z = hs[t - 1] @ W_h.T + xs[t - 1] @ W_x.T + b
        dh = dh + cell.scale * ((dh * (1 - torch.tanh(z) ** 2)) @ W_h)
        norms.append(dh.norm().item())
    return np.array(norms[::-1])


@pytest.mark.parametrize("scale", [1.0, 0.25])
def test_state_gradients_equal_the_reversed_loop(scale):
    cell = residual.ResidualCell(2, 4, scale=scale, seed=5).double()
    xs, u = inputs(T=8), torch.randn(4, dtype=torch.float64)
    got = residual.state_gradients(cells.Recurrent(cell), xs, lambda h: (h @ u).sum())
    assert got.shape == (8,)
    np.testing.assert_allclose(got, backward_recursion(cell, xs, u), rtol=1e-10)


def test_state_gradients_equal_diagnostics_on_torch_nn_rnn():
    torch.manual_seed(0)
    rnn, head = nn.RNN(2, 5).double(), nn.Linear(5, 1).double()
    xs, y = inputs(T=9), torch.randn(3, 1, dtype=torch.float64)
    mse = nn.functional.mse_loss
    expected = diagnostics.state_gradient_norms(models.SequenceModel(rnn, head), xs,
                                                lambda out: mse(out, y))
    got = residual.state_gradients(cells.Recurrent(cells.from_torch_rnn(rnn)), xs,
                                   lambda h: mse(head(h), y))
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_state_gradients_of_a_loss_that_ignores_h_T_are_zero():
    net = cells.Recurrent(residual.ResidualCell(2, 3).double())
    got = residual.state_gradients(net, inputs(), lambda h: torch.zeros((), dtype=h.dtype))
    assert np.all(got == 0)


def test_state_norms_equal_torch_nn_rnn_outputs():
    torch.manual_seed(1)
    rnn = nn.RNN(2, 5).double()
    xs = inputs()
    hs, _ = rnn(xs)
    expected = np.concatenate([[0.0], hs.norm(dim=2).mean(dim=1).detach().numpy()])
    got = residual.state_norms(cells.Recurrent(cells.from_torch_rnn(rnn)), xs)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_residual_state_grows_where_the_elman_state_is_bounded():
    xs = torch.ones(50, 2, 2, dtype=torch.float64)
    res = residual.state_norms(cells.Recurrent(residual.ResidualCell(2, 4).double()), xs)
    elman = residual.state_norms(cells.Recurrent(cells.ElmanCell(2, 4).double()), xs)
    assert elman.max() <= 2.0 + 1e-12  # tanh: every unit in [-1, 1], H = 4
    assert res[-1] > 5 * res[5]        # a constant drive adds up


@pytest.mark.parametrize("call, error, words", [
    (lambda: residual.ResidualCell(0, 4), ValueError, "D must be a finite number > 0"),
    (lambda: residual.ResidualCell(2, 2.5), TypeError, "H must be a whole number"),
    (lambda: residual.ResidualCell(2, 4, "sigmoid"), ValueError, "activation must be one of"),
    (lambda: residual.ResidualCell(2, 4, scale=0.0), ValueError, "scale must be a finite"),
    (lambda: residual.ResidualCell(2, 4, scale="1"), TypeError, "scale must be a number"),
    (lambda: residual.ResidualCell(2, 4, seed=-1), ValueError, "seed must be an int >= 0"),
    (lambda: residual.state_gradients(nn.RNN(2, 4), inputs(), torch.sum), TypeError,
     "rnn must be a cells.Recurrent; got RNN"),
    (lambda: residual.state_gradients(cells.Recurrent(cells.ElmanCell(2, 4)),
                                      torch.zeros(5, 3, 2), "sum"), TypeError,
     "loss_fn must be callable"),
    (lambda: residual.state_gradients(cells.Recurrent(cells.ElmanCell(2, 4)),
                                      torch.zeros(5, 3, 2), lambda h: h), ValueError,
     "loss_fn must return a scalar"),
    (lambda: residual.state_gradients(cells.Recurrent(cells.ElmanCell(2, 4)),
                                      torch.zeros(5, 3), torch.sum), ValueError,
     r"xs must be a tensor of shape \(T, B, 2\)"),
    (lambda: residual.state_norms("rnn", inputs()), TypeError, "rnn must be a cells.Recurrent"),
    (lambda: residual.state_norms(cells.Recurrent(cells.ElmanCell(2, 4)),
                                  torch.zeros(5, 3, 7)), ValueError, "xs must be a tensor"),
])
def test_bad_input_names_the_argument(call, error, words):
    with pytest.raises(error, match=words):
        call()
