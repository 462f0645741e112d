"""The chapter-3 losses of ``rnncourse.numpy_rnn``: values and gradients against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnncourse.numpy_rnn import cross_entropy_loss, mse_loss


def torch_cross_entropy(logits: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """The oracle: torch's mean cross-entropy over all (T, B) positions and its gradient."""
    z = torch.tensor(logits, requires_grad=True)
    V = logits.shape[-1]
    loss = torch.nn.functional.cross_entropy(z.reshape(-1, V), torch.as_tensor(targets).reshape(-1))
    loss.backward()
    return loss.item(), z.grad.numpy()


@pytest.mark.parametrize("scale", [1.0, 30.0, 1e4])
def test_cross_entropy_matches_torch_at_ordinary_and_huge_logits(scale):
    rng = np.random.default_rng(0)
    logits, targets = scale * rng.normal(size=(4, 3, 5)), rng.integers(0, 5, size=(4, 3))
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # no inf, no log(0)
        value, grad = cross_entropy_loss(logits, targets)
    want, want_grad = torch_cross_entropy(logits, targets)
    assert np.isfinite(value) and value == pytest.approx(want, rel=1e-12)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-10, atol=1e-15)


def test_cross_entropy_of_a_confidently_wrong_model_is_the_logit_gap():
    logits = np.zeros((1, 1, 3))
    logits[0, 0, 0] = 1e4  # all probability on class 0, the target is class 2
    value, grad = cross_entropy_loss(logits, np.array([[2]]))
    assert value == pytest.approx(1e4)  # -log softmax = logsumexp - logit = 1e4 - 0
    np.testing.assert_allclose(grad[0, 0], [1.0, 0.0, -1.0], atol=1e-12)


def test_cross_entropy_uniform_logits_give_log_V():
    value, _ = cross_entropy_loss(np.zeros((2, 3, 7)), np.zeros((2, 3), dtype=int))
    assert value == pytest.approx(np.log(7))


def test_cross_entropy_gradient_matches_finite_differences():
    rng = np.random.default_rng(1)
    logits, targets = rng.normal(size=(2, 2, 4)), rng.integers(0, 4, size=(2, 2))
    _, grad = cross_entropy_loss(logits, targets)
    eps, numeric = 1e-6, np.zeros_like(logits)
    for i in np.ndindex(logits.shape):
        up, down = logits.copy(), logits.copy()
        up[i] += eps
        down[i] -= eps
        numeric[i] = (cross_entropy_loss(up, targets)[0]
                      - cross_entropy_loss(down, targets)[0]) / (2 * eps)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-10)


def test_mse_matches_torch():
    rng = np.random.default_rng(2)
    ys, targets = rng.normal(size=(4, 3, 2)), rng.normal(size=(4, 3, 2))
    value, grad = mse_loss(ys, targets)
    y = torch.tensor(ys, requires_grad=True)
    want = torch.nn.functional.mse_loss(y, torch.as_tensor(targets))
    want.backward()
    assert value == pytest.approx(want.item(), rel=1e-12)
    np.testing.assert_allclose(grad, y.grad.numpy(), rtol=1e-12)


def test_losses_pass_nan_through_for_fit_to_report():
    value, _ = mse_loss(np.full((1, 1, 1), np.nan), np.zeros((1, 1, 1)))
    assert np.isnan(value)
    with np.errstate(invalid="ignore"):  # inf - inf: the loss is NaN, as fit() expects
        value, _ = cross_entropy_loss(np.full((1, 1, 2), np.inf), np.zeros((1, 1), dtype=int))
    assert not np.isfinite(value)


@pytest.mark.parametrize("call, error, message", [
    (lambda: mse_loss("abc", np.zeros((1, 1, 1))), TypeError, "ys must be a numpy array"),
    (lambda: mse_loss(np.zeros((3, 2)), np.zeros((3, 2))), ValueError,
     r"ys must have 3 dimension\(s\); got shape \(3, 2\)"),
    (lambda: mse_loss(np.zeros((3, 2, 1)), np.zeros((3, 2, 2))), ValueError,
     r"targets must have shape \(3, 2, 1\); got \(3, 2, 2\)"),
    (lambda: mse_loss(np.zeros((1, 1, 1)), np.full((1, 1, 1), np.nan)), ValueError,
     "targets must contain only finite values"),
    (lambda: cross_entropy_loss(None, np.zeros((1, 1), dtype=int)), TypeError,
     "logits must be a numpy array"),
    (lambda: cross_entropy_loss(np.zeros((4, 3)), np.zeros((4,), dtype=int)), ValueError,
     r"logits must have 3 dimension\(s\); got shape \(4, 3\)"),
    (lambda: cross_entropy_loss(np.zeros((2, 2, 3)), "ab"), TypeError,
     "targets must be a numpy array of class indices"),
    (lambda: cross_entropy_loss(np.zeros((2, 2, 3)), np.zeros((2, 3), dtype=int)), ValueError,
     r"targets must be integer class indices of shape \(2, 2\)"),
    (lambda: cross_entropy_loss(np.zeros((2, 2, 3)), np.zeros((2, 2))), ValueError,
     "targets must be integer class indices"),
    (lambda: cross_entropy_loss(np.zeros((2, 2, 3)), np.array([[0, 1], [2, -1]])), ValueError,
     r"targets must be class indices in \[0, 3\); got values from -1 to 2"),
])
def test_losses_reject_bad_input_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
