"""The chapter-9 exercise checkers accept the right answers and reject wrong ones."""

import numpy as np
import pytest
import torch

from rnncourse import exercises, normalization


def test_residual_gain_is_the_autograd_derivative_of_ten_steps():
    h0 = torch.zeros((), dtype=torch.float64, requires_grad=True)
    h = h0
    for _ in range(10):  # u_t = -w h_{t-1} keeps every pre-activation at 0
        h = h + torch.tanh(0.5 * h - 0.5 * h.detach())
    (grad,) = torch.autograd.grad(h, h0)
    assert grad.item() == pytest.approx(1.5 ** 10)
    assert exercises.check_residual_gain(grad.item())


@pytest.mark.parametrize("wrong, hint", [(0.5 ** 10, "Elman"), (1.0, "identity path"),
                                         (1.5, "one step"), (6.0, "does not add"),
                                         (2.0, "differentiate one step"),
                                         ("big", "should be a number")])
def test_residual_gain_rejects_wrong_answers_with_a_hint(capsys, wrong, hint):
    assert not exercises.check_residual_gain(wrong)
    out = capsys.readouterr().out
    assert out.startswith("✘") and hint in out
    assert "57.7" not in out


def numpy_layer_norm(a, g, b, eps=1e-5):
    mu = a.mean(axis=-1, keepdims=True)
    return g * (a - mu) / np.sqrt(((a - mu) ** 2).mean(axis=-1, keepdims=True) + eps) + b


def test_layer_norm_checker_accepts_a_function_equal_to_the_package_and_torch():
    a = np.random.default_rng(0).normal(size=(3, 5))
    g, b = np.linspace(0.5, 1.5, 5), np.linspace(-1, 1, 5)
    ours = numpy_layer_norm(a, g, b)
    ref = normalization.layer_norm(*(torch.tensor(v) for v in (a, g, b))).numpy()
    ln = torch.nn.LayerNorm(5).double()
    with torch.no_grad():
        ln.weight.copy_(torch.tensor(g))
        ln.bias.copy_(torch.tensor(b))
    np.testing.assert_allclose(ours, ref, rtol=1e-12)
    np.testing.assert_allclose(ours, ln(torch.tensor(a)).detach().numpy(), rtol=1e-10)
    assert exercises.check_layer_norm(numpy_layer_norm)


@pytest.mark.parametrize("wrong, hint", [
    (lambda a, g, b, eps=1e-5: g * (a - a.mean(0)) / np.sqrt(a.var(0) + eps) + b,
     "batch normalisation"),
    (lambda a, g, b, eps=1e-5: g * (a - a.mean(-1, keepdims=True))
     / np.sqrt(a.var(-1, ddof=1, keepdims=True) + eps) + b, "not H - 1"),
    (lambda a, g, b, eps=1e-5: g * (a - a.mean(-1, keepdims=True))
     / a.std(-1, keepdims=True) + b, "add eps"),
    (lambda a, g, b, eps=1e-5: (a - a.mean(-1, keepdims=True))
     / np.sqrt(a.var(-1, keepdims=True) + eps), "multiply by g"),
    (lambda a, g, b, eps=1e-5: a[:, :2], "shape"),
    (lambda a, g, b, eps=1e-5: 1 / 0, "ZeroDivisionError"),
])
def test_layer_norm_checker_rejects_wrong_functions_with_a_hint(capsys, wrong, hint):
    assert not exercises.check_layer_norm(wrong)
    out = capsys.readouterr().out
    assert out.startswith("✘") and hint in out


def test_layer_norm_checker_needs_a_function():
    with pytest.raises(TypeError, match="must be a function"):
        exercises.check_layer_norm(3.0)
