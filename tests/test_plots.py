"""rnncourse.plots: the figures show the numbers they are given (one block per chapter)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnncourse import plots

# --- Chapter 4: backpropagation through time -----------------------------------------------


@pytest.mark.parametrize("T, ks, lag", [(16, (7, 8, 9), 8), (6, (1, 6), 2)])
def test_truncation_terms_draws_kept_dropped_and_absent_terms(T, ks, lag):
    axes = plots.plot_truncation_terms(T, ks, lag)
    assert len(axes) == len(ks)
    for ax, k in zip(axes, ks):
        image = np.asarray(ax.images[0].get_array())
        s, t = np.meshgrid(np.arange(1, T + 1), np.arange(1, T + 1), indexing="ij")
        want = np.where(t > s, 0, np.where(s - t < k, 2, 1))  # none, dropped, kept: by hand
        np.testing.assert_array_equal(image, want)
        crosses, circles = ax.lines[0].get_xydata(), ax.lines[1].get_xydata()
        np.testing.assert_array_equal(crosses[:, 1] - crosses[:, 0], lag)
        np.testing.assert_array_equal(circles[:, 1] - circles[:, 0], lag - 1)
        assert ax.get_title() == f"$k$ = {k}"
    plt.close("all")


def test_echo_success_counts_the_seeds_below_the_threshold():
    mse = np.array([[0.9, 1.0, 0.8], [0.01, 0.9, 0.02], [0.001, 0.002, 0.06]])
    ax = plots.plot_echo_success(np.array([7, 8, 9]), mse, lag=8, threshold=0.05, baseline=1.0)
    assert [text.get_text() for text in ax.texts] == ["0/3", "2/3", "2/3"]
    dots = np.concatenate([line.get_ydata() for line in ax.lines[:3]])
    np.testing.assert_array_equal(dots, mse.ravel())
    assert ax.get_yscale() == "log"
    plt.close("all")


def test_state_gradient_norms_labels_the_total_derivative():
    ax = plots.plot_state_gradient_norms({"gain 1": np.array([1e-9, 1e-3, 1.0])})
    assert "d\\mathcal{L} / dh_t" in ax.get_ylabel() and "total derivative" in ax.get_ylabel()
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])
    plt.close("all")


# --- Chapter 3: recurrent networks ---------------------------------------------------------


def test_window_vs_state_marks_one_and_two_periods_and_ticks_powers_of_two():
    windows = np.arange(1, 33)
    ax = plots.plot_window_vs_state(windows, 1 / windows, 0.1, noise_floor=0.09, hidden=16,
                                    period=16)
    vertical = [line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == ":"]
    assert vertical == [16, 32]
    assert [t for t in ax.get_xticks()] == [1, 2, 4, 8, 16, 32]
    assert len(ax.get_legend().get_texts()) == 3
    plt.close(ax.figure)
    ax = plots.plot_window_vs_state(windows, 1 / windows, 0.1, noise_floor=0.09, hidden=16)
    assert not [line for line in ax.lines if line.get_linestyle() == ":"]  # no period given
    plt.close(ax.figure)
