"""The chapter-5 answer checkers accept the right answers and reject the usual wrong ones
with a hint that names the slip."""

import numpy as np
import pytest

from rnncourse import activations, exercises
from rnncourse import jacobians as J

W = np.array(exercises.CH5_W)


def bound(gamma=0.25, norm=None, k=exercises.CH5_DISTANCE):
    return (gamma * (np.linalg.norm(W, 2) if norm is None else norm)) ** k


def test_vanishing_bound_accepts_the_right_answer(capsys):
    assert exercises.check_vanishing_bound(bound())
    assert exercises.check_vanishing_bound(bound(1.0), activation="tanh")
    assert exercises.check_vanishing_bound((0.25 * 2.0) ** 3, W=((2.0, 0.0), (0.0, 1.0)),
                                           distance=3)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("answer,words", [
    (bound(1.0), "multiply by the activation's largest slope"),
    (bound(norm=J.spectral_radius(W)), "spectral radius"),
    (bound(norm=np.linalg.norm(W)), "Frobenius"),
    (0.25 * np.linalg.norm(W, 2) ** exercises.CH5_DISTANCE, "raised to the power of the distance"),
    (bound(4.0), "not its inverse"),
    (bound(k=exercises.CH5_DISTANCE - 1), "(gamma * sigma_max) ** 10"),
    ("0.5", "(gamma * sigma_max) ** 10"),
])
def test_vanishing_bound_rejects_slips_with_a_hint(answer, words, capsys):
    assert not exercises.check_vanishing_bound(answer)
    out = capsys.readouterr().out
    assert "Not yet" in out and words in out


def test_vanishing_bound_rejects_a_non_number(capsys):
    assert not exercises.check_vanishing_bound(None)
    assert "should be a number" in capsys.readouterr().out


def right_product(W_h, zs, activation, s, t):
    df = activations.get_activation(activation).df
    P = np.eye(W_h.shape[0])
    for j in range(t + 1, s + 1):
        P = (df(zs[j - 1])[:, None] * W_h) @ P
    return P


def reversed_product(W_h, zs, activation, s, t):
    df = activations.get_activation(activation).df
    P = np.eye(W_h.shape[0])
    for j in range(t + 1, s + 1):
        P = P @ (df(zs[j - 1])[:, None] * W_h)
    return P


def transposed_weights(W_h, zs, activation, s, t):
    return right_product(W_h.T, zs, activation, s, t)


def always_tanh(W_h, zs, activation, s, t):
    return right_product(W_h, zs, "tanh", s, t)


def one_step_short(W_h, zs, activation, s, t):
    return right_product(W_h, zs, activation, s, min(t + 1, s))


def crashes(W_h, zs, activation, s, t):
    raise IndexError("off the end")


def test_jacobian_product_accepts_the_right_answer(capsys):
    assert exercises.check_jacobian_product(right_product)
    assert exercises.check_jacobian_product(
        lambda W_h, zs, a, s, t: J.jacobian_product(J.step_jacobians(W_h, zs, a), s, t))
    assert "Correct" in capsys.readouterr().out


def test_jacobian_product_rejects_the_wrong_order_and_says_so(capsys):
    assert not exercises.check_jacobian_product(reversed_product)
    assert "earliest step on the left" in capsys.readouterr().out


@pytest.mark.parametrize("wrong", [transposed_weights, always_tanh, one_step_short, crashes])
def test_jacobian_product_rejects_other_bugs(wrong, capsys):
    assert not exercises.check_jacobian_product(wrong)
    out = capsys.readouterr().out
    assert "Not yet" in out and "earliest step on the left" not in out


def test_jacobian_product_refuses_a_non_function():
    with pytest.raises(TypeError, match="function"):
        exercises.check_jacobian_product(np.eye(2))
