"""rnncourse.normalization against torch.nn.LayerNorm with copied weights, a hand-unrolled
torch formula, finite differences and the scale invariance of Ba et al."""

import pytest
import torch
from torch import nn

from rnncourse import cells, normalization


def inputs(T=6, B=3, D=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(T, B, D, generator=g, dtype=torch.float64)


def test_layer_norm_equals_torch_layer_norm():
    torch.manual_seed(0)
    a = torch.randn(4, 6, dtype=torch.float64) * 3 + 1
    ref = nn.LayerNorm(6).double()
    with torch.no_grad():
        ref.weight.uniform_(0.5, 2.0)
        ref.bias.normal_()
    got = normalization.layer_norm(a, ref.weight, ref.bias)
    torch.testing.assert_close(got, ref(a), rtol=1e-12, atol=1e-12)
    a.requires_grad_()
    g_ref = torch.autograd.grad((ref(a) ** 3).sum(), (a, ref.weight, ref.bias))
    g_got = torch.autograd.grad((normalization.layer_norm(a, ref.weight, ref.bias) ** 3).sum(),
                                (a, ref.weight, ref.bias))
    for x, y in zip(g_got, g_ref):
        torch.testing.assert_close(x, y, rtol=1e-10, atol=1e-12)


def test_layer_norm_eps_matters():
    a, g, b = torch.tensor([[0.0, 1e-3]]), torch.ones(2), torch.zeros(2)
    assert not torch.allclose(normalization.layer_norm(a, g, b, eps=1e-5),
                              normalization.layer_norm(a, g, b, eps=1e-12))


def hand_unrolled(cell, xs, h):
    """tanh(nn.LayerNorm(W_h h + W_x x)) with the cell's gain and bias copied in."""
    ln = nn.LayerNorm(cell.H).double()
    with torch.no_grad():
        ln.weight.copy_(cell.g)
        ln.bias.copy_(cell.b)
    hs = [h]
    for x in xs:
        hs.append(torch.tanh(ln(hs[-1] @ cell.W_h.weight.T + x @ cell.W_x.weight.T)))
    return hs, ln


def test_cell_equals_torch_layer_norm_unrolled_forward_and_backward():
    cell = normalization.LayerNormCell(2, 5, seed=1).double()
    with torch.no_grad():  # away from the initial 1 and 0, so g and b are seen to matter
        cell.g.uniform_(0.5, 1.5)
        cell.b.normal_()
    xs, h0 = inputs(), torch.randn(3, 5, dtype=torch.float64)
    ours = cells.Recurrent(cell).states(xs, h0)
    ref, ln = hand_unrolled(cell, xs, h0)
    for a, b in zip(ours, ref):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)
    ours_g = torch.autograd.grad((ours[-1] ** 2).sum(),
                                 [cell.W_h.weight, cell.W_x.weight, cell.g, cell.b])
    ref_g = torch.autograd.grad((ref[-1] ** 2).sum(),
                                [cell.W_h.weight, cell.W_x.weight, ln.weight, ln.bias])
    for a, b in zip(ours_g, ref_g):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


def test_gradients_agree_with_finite_differences():
    net = cells.Recurrent(normalization.LayerNormCell(2, 4, seed=2).double())
    xs = inputs(T=4, B=2).requires_grad_()
    h0 = torch.randn(2, 4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b: net(a, b)[0], (xs, h0))


def test_scaling_both_weight_matrices_leaves_the_states_unchanged():
    cell = normalization.LayerNormCell(2, 6, seed=3).double()
    xs = inputs()
    before = cells.Recurrent(cell)(xs)[0]
    with torch.no_grad():
        cell.W_h.weight.mul_(7.0)
        cell.W_x.weight.mul_(7.0)
    after = cells.Recurrent(cell)(xs)[0]
    torch.testing.assert_close(after, before, rtol=0, atol=1e-3)  # eps breaks it slightly
    with torch.no_grad():
        cell.W_h.weight.mul_(7.0)  # W_h alone: the balance with the input changes
    assert not torch.allclose(cells.Recurrent(cell)(xs)[0], before, atol=1e-2)


def closed_form_step_jacobian(cell, x, h, eps=normalization.EPS):
    """Chapter 9's eq-ch9-layer-norm-step: diag(f'(g zhat + b) g) P W_h / varsigma."""
    z = (cell.W_h(h) + cell.W_x(x))[0]
    H = z.numel()
    varsigma = (((z - z.mean()) ** 2).mean() + eps).sqrt()
    zhat = (z - z.mean()) / varsigma
    ones = torch.ones(H, dtype=z.dtype)
    P = torch.eye(H, dtype=z.dtype) - torch.outer(ones, ones) / H - torch.outer(zhat, zhat) / H
    slope = 1 - torch.tanh(cell.g * zhat + cell.b) ** 2
    return (slope * cell.g)[:, None] * (P @ cell.W_h.weight) / varsigma, P, zhat, varsigma


def step_jacobian(cell, x, h):
    return torch.autograd.functional.jacobian(lambda v: cell(x, v[None])[0], h[0])


@pytest.mark.parametrize("scale", [1.0, 1e-3])  # 1e-3: var(z) near eps, where eps matters
def test_step_jacobian_equals_the_closed_form_with_eps(scale):
    cell = normalization.LayerNormCell(3, 6, seed=5).double()
    with torch.no_grad():  # g and b away from 1 and 0, so their place in the formula is checked
        cell.g.uniform_(0.5, 1.5)
        cell.b.normal_()
        cell.W_h.weight.mul_(scale)
        cell.W_x.weight.mul_(scale)
    x, h = torch.randn(1, 3, dtype=torch.float64), torch.randn(1, 6, dtype=torch.float64)
    expected, P, zhat, varsigma = closed_form_step_jacobian(cell, x, h)
    with torch.no_grad():
        torch.testing.assert_close(step_jacobian(cell, x, h), expected, rtol=1e-10, atol=1e-12)
        # P is symmetric, removes the mean and keeps eps / (var + eps) of zhat
        var = varsigma ** 2 - normalization.EPS
        torch.testing.assert_close(P, P.T)
        torch.testing.assert_close(P @ torch.ones(6, dtype=torch.float64),
                                   torch.zeros(6, dtype=torch.float64))
        torch.testing.assert_close(P @ zhat, zhat * normalization.EPS / (var + normalization.EPS))
        # without eps in varsigma the formula is wrong where var(z) is near eps
        wrong, *_ = closed_form_step_jacobian(cell, x, h, eps=0.0)
        assert scale == 1.0 or not torch.allclose(wrong, expected, rtol=1e-3)


def test_step_jacobian_is_unchanged_when_both_matrices_are_scaled():
    cell = normalization.LayerNormCell(2, 6, seed=6).double()
    x, h = torch.randn(1, 2, dtype=torch.float64), torch.randn(1, 6, dtype=torch.float64)
    before = step_jacobian(cell, x, h)
    with torch.no_grad():
        cell.W_h.weight.mul_(5.0)
        cell.W_x.weight.mul_(5.0)
    # equal up to eps, which the scaling shrinks relative to var(z)
    torch.testing.assert_close(step_jacobian(cell, x, h), before, rtol=2e-3, atol=1e-5)
    with torch.no_grad():
        cell.W_h.weight.mul_(5.0)  # W_h alone: the Jacobian changes
    assert not torch.allclose(step_jacobian(cell, x, h), before, rtol=0.1)


def test_parameters_start_as_ba_et_al_and_seed_matters():
    cell = normalization.LayerNormCell(3, 4, seed=0)
    assert torch.equal(cell.g, torch.ones(4)) and torch.equal(cell.b, torch.zeros(4))
    assert cell.W_x.bias is None and cell.W_h.bias is None
    assert cell.W_x.weight.shape == (4, 3) and cell.W_h.weight.shape == (4, 4)
    assert (cell.D, cell.H) == (3, 4)
    assert all(p.abs().max() <= 0.5 for p in (cell.W_h.weight, cell.W_x.weight))
    other = normalization.LayerNormCell(3, 4, seed=1)
    assert not torch.equal(cell.W_h.weight, other.W_h.weight)
    assert torch.equal(cell.W_h.weight, normalization.LayerNormCell(3, 4, seed=0).W_h.weight)


def test_activation_matters():
    x, h = torch.randn(5, 2), torch.randn(5, 4)
    outs = [normalization.LayerNormCell(2, 4, act)(x, h) for act in cells.ACTIVATIONS]
    assert all(not torch.allclose(outs[0], o) for o in outs[1:])


def test_states_are_bounded_whatever_the_weights():
    cell = normalization.LayerNormCell(2, 8, seed=4).double()
    with torch.no_grad():
        cell.W_h.weight.mul_(100.0)
    hs, _ = cells.Recurrent(cell)(inputs(T=30) * 100)
    # each normalised pre-activation has mean 0 and variance < 1 over the 8 units
    assert hs.abs().max() < 1 and torch.isfinite(hs).all()


@pytest.mark.parametrize("call, error, words", [
    (lambda: normalization.LayerNormCell(0, 4), ValueError, "D must be a finite number > 0"),
    (lambda: normalization.LayerNormCell(2, 2.5), TypeError, "H must be a whole number"),
    (lambda: normalization.LayerNormCell(2, 4, "sigmoid"), ValueError,
     "activation must be one of"),
    (lambda: normalization.LayerNormCell(2, 4, seed=1.5), TypeError, "seed must be an int"),
])
def test_bad_input_names_the_argument(call, error, words):
    with pytest.raises(error, match=words):
        call()
