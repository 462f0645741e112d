"""The chapter-7 exercise checkers accept the right answers and reject wrong ones."""

import numpy as np
import pytest
import torch

from rnncourse import clipping, exercises


def clip_right(g, c):
    norm = np.sqrt(np.sum(g ** 2))
    return g * min(1.0, c / norm) if norm > 0 else g


def clip_torch_style(g, c):
    return clipping.clip_by_norm([g], c)[0][0]  # with torch's eps


def test_reference_is_torch():
    for g, c in exercises._clip_cases():
        p = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
        p.grad = torch.as_tensor(g).clone()
        torch.nn.utils.clip_grad_norm_([p], c)
        np.testing.assert_allclose(exercises._reference_clip(g, c), p.grad.numpy(),
                                   rtol=1e-5)


@pytest.mark.parametrize("clip", [clip_right, clip_torch_style])
def test_clip_by_norm_accepts_right_answers(capsys, clip):
    assert exercises.check_clip_by_norm(clip)
    assert capsys.readouterr().out.startswith("✔")


@pytest.mark.parametrize("wrong, hint", [
    (lambda g, c: np.clip(g, -c, c), "by value"),
    (lambda g, c: g * c / np.sqrt(np.sum(g * g)), "shorter than c"),
    (lambda g, c: g / np.linalg.norm(g) * min(c, np.linalg.norm(g)), "zeros"),
    (lambda g, c: g * min(1.0, c / np.abs(g).max()), "off by"),
    (lambda g, c: 1 / 0, "ZeroDivisionError"),
])
def test_clip_by_norm_rejects_wrong_answers_with_a_hint(capsys, wrong, hint):
    assert not exercises.check_clip_by_norm(wrong)
    out = capsys.readouterr().out
    assert out.startswith("✘") and hint in out


def test_clip_by_norm_needs_a_function():
    with pytest.raises(TypeError, match="function"):
        exercises.check_clip_by_norm(3.0)


def test_longest_value_step_is_the_norm_of_the_worst_case_step():
    g = np.full(1185, 0.01)  # every entry at the threshold
    assert exercises.check_longest_value_step(0.2 * np.linalg.norm(g))
    assert exercises.check_longest_value_step(0.2 * 0.01 * np.sqrt(1185))
    assert exercises.check_longest_value_step(0.1 * 2 * np.sqrt(4), lr=0.1, c=2, P=4)


@pytest.mark.parametrize("wrong, hint", [(0.2 * 0.01, "norm at c"),
                                         (0.01 * np.sqrt(1185), "learning rate"),
                                         (0.2 * 0.01 * 1185, "c sqrt(P)"),
                                         (1.0, "worst case"),
                                         ("far", "should be a number")])
def test_longest_value_step_rejects_wrong_answers_with_a_hint(capsys, wrong, hint):
    assert not exercises.check_longest_value_step(wrong)
    out = capsys.readouterr().out
    assert out.startswith("✘") and hint in out
    assert "0.0688" not in out
