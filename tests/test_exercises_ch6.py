"""The chapter-6 exercise checker accepts the right answer and rejects wrong ones."""

import numpy as np
import pytest

from rnncourse import exercises, tasks


def test_recent_only_mse_is_the_variance_of_a_by_monte_carlo():
    xs, targets = tasks.adding_problem(10, 200_000, seed=0)
    second = (xs[5:, :, 0] * xs[5:, :, 1]).sum(axis=0)  # b, the marked value of the 2nd half
    mse = np.mean((targets[:, 0] - second - 0.5) ** 2)  # the predictor b + E[a]
    assert mse == pytest.approx(1 / 12, abs=0.002)
    assert exercises.check_recent_only_mse(1 / 12)


@pytest.mark.parametrize("wrong, hint", [(1 / 6, "constant prediction"), (1 / 3, "b alone"),
                                         (0.25, "spread"), (0.1, "minimise"),
                                         ("a lot", "should be a number")])
def test_recent_only_mse_rejects_wrong_answers_with_a_hint(capsys, wrong, hint):
    assert not exercises.check_recent_only_mse(wrong)
    out = capsys.readouterr().out
    assert out.startswith("✘") and hint in out
    assert "0.0833" not in out  # the hint never gives the answer away
