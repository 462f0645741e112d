"""rnncourse.regularizers: Pascanu et al.'s Omega against full Jacobians from
torch.autograd.functional.jacobian, its gradient against finite differences of the
same expression with v and the states held constant (the paper's approximation)."""

import pytest
import torch
from torch import nn

from rnncourse import cells, models, regularizers

mse = nn.functional.mse_loss


def small_model(activation="tanh", seed=0, readout="last", H=4):
    cell = cells.ElmanCell(2, H, activation, seed=seed).double()
    torch.manual_seed(seed)
    head = nn.Linear(H, 1 if readout == "last" else 3).double()
    return models.SequenceModel(cells.Recurrent(cell), head, readout)


def data(T=5, B=3, seed=0, readout="last"):
    g = torch.Generator().manual_seed(seed)
    xs = torch.randn(T, B, 2, generator=g, dtype=torch.float64)
    shape = (B, 1) if readout == "last" else (T, B, 3)
    return xs, torch.randn(*shape, generator=g, dtype=torch.float64)


def oracle_ratios(model, xs, hs, vs):
    """(T, B) ||v_{k+1} J|| / ||v_{k+1}|| with J the full Jacobian of one step."""
    T, B, _ = xs.shape
    out = torch.zeros(T, B, dtype=xs.dtype)
    for k in range(T):
        for b in range(B):
            J = torch.autograd.functional.jacobian(
                lambda h, x=xs[k, b:b + 1]: model.rnn.cell(x, h[None])[0],
                hs[k][b].detach())
            v = vs[k][b]
            out[k, b] = (v @ J).norm() / v.norm()
    return out


def test_state_gradients_are_the_total_derivatives():
    model, (xs, y) = small_model(), data()
    hs, vs = regularizers.state_gradients(model, xs, y, mse)
    assert len(hs) == 6 and len(vs) == 5 and not any(v.requires_grad for v in vs)
    torch.testing.assert_close(torch.stack(hs[1:]), model.rnn(xs)[0])
    # v_T = dL/dh_T through the head alone; v_{t} = v_{t+1} J_{t+1}
    out = model.head(hs[-1])
    (vT,) = torch.autograd.grad(mse(out, y), hs[-1], retain_graph=True)
    torch.testing.assert_close(vs[-1], vT)
    h4 = hs[4].detach().requires_grad_()
    (v4,) = torch.autograd.grad(model.rnn.cell(xs[4], h4), h4, grad_outputs=vs[-1])
    torch.testing.assert_close(vs[3], v4)


@pytest.mark.parametrize("activation", ["tanh", "relu", "prelu"])
@pytest.mark.parametrize("readout", ["last", "all"])
def test_ratios_and_omega_equal_the_full_jacobian_oracle(activation, readout):
    model, (xs, y) = small_model(activation, readout=readout), data(readout=readout)
    hs, vs = regularizers.state_gradients(model, xs, y, mse)
    ratios = regularizers.norm_ratios(model.rnn.cell, xs, hs, vs)
    want = oracle_ratios(model, xs, hs, vs)
    torch.testing.assert_close(ratios, want)
    omega = regularizers.omega(model, xs, y, mse)
    torch.testing.assert_close(omega, (want - 1).square().sum(0).mean())


def frozen_omega(model, xs, hs, vs):
    """Omega as a function of the cell's weights only, v and h_k held constant."""
    return (oracle_ratios(model, xs, hs, vs) - 1).square().sum(0).mean()


@pytest.mark.parametrize("activation", ["tanh", "prelu"])
def test_gradient_matches_finite_differences_of_the_frozen_expression(activation):
    model, (xs, y) = small_model(activation, seed=1), data(seed=1)
    params = list(model.rnn.cell.parameters())
    grads = torch.autograd.grad(regularizers.omega(model, xs, y, mse), params)
    hs, vs = regularizers.state_gradients(model, xs, y, mse)
    hs = [h.detach() for h in hs]
    eps = 1e-6
    for p, g in zip(params, grads):
        for i in range(p.numel()):
            with torch.no_grad():
                flat = p.view(-1)
                flat[i] += eps
                up = frozen_omega(model, xs, hs, vs)
                flat[i] -= 2 * eps
                down = frozen_omega(model, xs, hs, vs)
                flat[i] += eps
            assert g.view(-1)[i].item() == pytest.approx(
                ((up - down) / (2 * eps)).item(), rel=1e-5, abs=1e-8)


def test_the_head_gets_no_gradient_from_omega():
    model, (xs, y) = small_model(), data()
    regularizers.omega(model, xs, y, mse).backward()
    assert model.head.weight.grad is None
    assert model.rnn.cell.W_h.weight.grad.abs().sum() > 0


def test_an_orthogonal_linear_step_has_ratio_one_and_omega_zero():
    model = small_model("relu")
    with torch.no_grad():
        perm = torch.eye(4, dtype=torch.float64)[[2, 0, 3, 1]]  # orthogonal, >= 0
        model.rnn.cell.W_h.weight.copy_(perm)
        model.rnn.cell.W_x.bias.fill_(100.0)  # every unit stays on: a linear step
    xs, y = data()
    hs, vs = regularizers.state_gradients(model, xs, y, mse)
    ratios = regularizers.norm_ratios(model.rnn.cell, xs, hs, vs)
    torch.testing.assert_close(ratios, torch.ones_like(ratios))
    assert regularizers.omega(model, xs, y, mse).item() == pytest.approx(0, abs=1e-12)


def test_penalty_scales_omega_by_the_strength_and_uses_the_loss():
    model, (xs, y) = small_model(readout="all"), data(readout="all")
    omega = regularizers.omega(model, xs, y, mse)
    for strength in (0.5, 2.0):
        pen = regularizers.pascanu_penalty(strength, mse)(model, xs, y)
        torch.testing.assert_close(pen, strength * omega)
    l1 = regularizers.pascanu_penalty(1.0, nn.functional.l1_loss)(model, xs, y)
    assert abs(l1.item() - omega.item()) > 1e-9


def test_a_zero_gradient_gives_a_finite_penalty_and_gradient():
    model, (xs, _) = small_model(), data()
    y = model(xs).detach()  # perfect fit: every v_t = 0
    omega = regularizers.omega(model, xs, y, mse)
    omega.backward()
    assert omega.item() == pytest.approx(5.0)  # every ratio 0: T terms of 1
    assert torch.isfinite(model.rnn.cell.W_h.weight.grad).all()


@pytest.mark.parametrize("call, error, name", [
    (lambda m, x, y: regularizers.pascanu_penalty(0.0, mse), ValueError, "strength"),
    (lambda m, x, y: regularizers.pascanu_penalty("1", mse), TypeError, "strength"),
    (lambda m, x, y: regularizers.pascanu_penalty(1.0, "mse"), TypeError, "loss_fn"),
    (lambda m, x, y: regularizers.omega(models.make_model("rnn", 2, 4, 1), x, y, mse),
     TypeError, "model"),
    (lambda m, x, y: regularizers.state_gradients(nn.Linear(2, 1), x, y, mse), TypeError,
     "model"),
    (lambda m, x, y: regularizers.omega(m, x[0], y, mse), ValueError, "xs"),
])
def test_bad_input_names_the_argument(call, error, name):
    model, (xs, y) = small_model(), data()
    with pytest.raises(error, match=name):
        call(model, xs, y)


@pytest.mark.parametrize("args, error, name", [
    (lambda m, x, hs, vs: ("cell", x, hs, vs), TypeError, "^cell must"),
    (lambda m, x, hs, vs: (m.rnn.cell, x[0], hs, vs), ValueError, "^xs must"),
    (lambda m, x, hs, vs: (m.rnn.cell, x, hs[1:], vs), ValueError, "^hs must be a list of 6"),
    (lambda m, x, hs, vs: (m.rnn.cell, x, hs, vs[0]), ValueError, "^vs must be a list of 5"),
])
def test_norm_ratios_names_a_bad_argument(args, error, name):
    model, (xs, y) = small_model(), data()
    hs, vs = regularizers.state_gradients(model, xs, y, mse)
    with pytest.raises(error, match=name):
        regularizers.norm_ratios(*args(model, xs, hs, vs))


def test_state_gradients_needs_a_loss_function():
    model, (xs, y) = small_model(), data()
    with pytest.raises(TypeError, match="^loss_fn must"):
        regularizers.state_gradients(model, xs, y, "mse")


def test_omega_reaches_the_input_weights_and_bias_through_the_new_state():
    # J_t = diag(1 - h_t^2) W_h takes its derivative factor at h_t, which
    # depends on W_x and b even with h_{t-1} held (unlike the paper's form
    # on the pre-activation, whose penalty reaches W_h alone).
    model, (xs, y) = small_model(), data()
    regularizers.omega(model, xs, y, mse).backward()
    cell = model.rnn.cell
    assert cell.W_x.weight.grad.abs().sum() > 0
    assert cell.W_x.bias.grad.abs().sum() > 0
