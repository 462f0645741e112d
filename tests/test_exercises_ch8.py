"""The chapter-8 exercise checkers accept the right answers and reject wrong ones."""

import numpy as np
import pytest

from rnncourse import exercises, init, recurrent_init


def test_he_edge_is_the_measured_largest_singular_value():
    W = recurrent_init.recurrent_weight("he_normal", 1000, 0)
    s_max = recurrent_init.singular_values(W)[0]
    assert s_max == pytest.approx(2 * np.sqrt(2), rel=0.02)  # the oracle: a big matrix
    assert exercises.check_he_edge(2 * np.sqrt(2))
    assert exercises.check_he_edge("2.8284271")


@pytest.mark.parametrize("wrong, hint", [(np.sqrt(2), "spectral radius"),
                                         (2.0, "Xavier"), (4.0, "square root"),
                                         (3.5, "2 sqrt(H v)"),
                                         ("big", "should be a number")])
def test_he_edge_rejects_wrong_answers_with_a_hint(capsys, wrong, hint):
    assert not exercises.check_he_edge(wrong)
    out = capsys.readouterr().out
    assert out.startswith("✘") and hint in out
    assert "2.828" not in out  # the hint never gives the answer away


def test_orthogonal_init_accepts_a_qr_and_the_package_initialiser(capsys):
    def qr(H, gain, rng):
        q, r = np.linalg.qr(rng.normal(size=(H, H)))
        return gain * q * np.sign(np.diag(r))

    assert exercises.check_orthogonal_init(qr)
    assert exercises.check_orthogonal_init(
        lambda H, gain, rng: init.orthogonal(H, H, rng, gain=gain))
    assert capsys.readouterr().out.startswith("✔")


def _gaussian(H, gain, rng):
    return gain * rng.normal(size=(H, H)) / np.sqrt(H)


def _no_gain(H, gain, rng):
    return init.orthogonal(H, H, rng)


def _identity(H, gain, rng):
    return gain * np.eye(H)


def _transposed_shape(H, gain, rng):
    return init.orthogonal(H, H + 1, rng, gain=gain)


def _raises(H, gain, rng):
    raise RuntimeError("oops")


def _squared_gain(H, gain, rng):
    return init.orthogonal(H, H, rng, gain=gain ** 2)


def _fails_for_another_generator(H, gain, rng):
    if rng.integers(1000) == np.random.default_rng(99).integers(1000):
        raise ValueError("only seeds I know")
    return init.orthogonal(H, H, np.random.default_rng(H), gain=gain)


@pytest.mark.parametrize("wrong, hint", [
    (_gaussian, "np.linalg.qr"), (_no_gain, "multiply"), (_identity, "same matrix"),
    (_transposed_shape, "shape"), (_raises, "RuntimeError"), (_squared_gain, "should equal"),
    (_fails_for_another_generator, "ValueError: only seeds I know")])
def test_orthogonal_init_rejects_wrong_functions(capsys, wrong, hint):
    assert not exercises.check_orthogonal_init(wrong)
    out = capsys.readouterr().out
    assert out.startswith("✘") and hint in out


def test_orthogonal_init_needs_a_function():
    with pytest.raises(TypeError, match="must be a function"):
        exercises.check_orthogonal_init(np.eye(3))
