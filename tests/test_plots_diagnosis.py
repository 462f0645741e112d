"""rnncourse.plots.diagnosis: chapter 6's figures draw exactly what they are given."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnncourse import plots


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def fits_the_column(ax):
    width, _ = ax.figure.get_size_inches()
    assert width <= 7.0
    ax.figure.canvas.draw()  # every label must render (mathtext knows no \lVert)
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_adding_curves_draw_each_curve_and_the_baseline_on_a_log_scale():
    curves = {"T = 5": (np.array([25, 50]), np.array([0.1, 0.01])),
              "T = 50": (np.array([25, 50, 75]), np.array([0.2, 0.17, 0.18]))}
    ax = plots.plot_adding_curves(curves, baseline=1 / 6)
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [0.1, 0.01])
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), [25, 50, 75])
    assert ax.lines[2].get_ydata()[0] == pytest.approx(1 / 6)
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()][:2] == ["T = 5", "T = 50"]
    fits_the_column(ax)


def test_input_sensitivity_puts_step_t_on_x():
    values = np.array([1e-9, 1e-6, 1e-3, 1.0])
    ax = plots.plot_input_sensitivity({"RNN": values, "LSTM": np.ones(4)})
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3, 4])
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), values)
    assert ax.get_yscale() == "log" and "partial y_T" in ax.get_ylabel()
    assert len(ax.get_legend().get_texts()) == 2
    fits_the_column(ax)


def test_long_range_share_draws_shares_and_misalignment():
    ks = np.array([1, 5, 25])
    left, right = plots.plot_long_range_share(
        ks, {"start": np.array([0.9, 0.1, 1e-5])},
        {"SGD": np.array([1e-6, 0.0]), "Adam": np.array([1e-4, 1e-5])})
    np.testing.assert_array_equal(left.lines[0].get_xdata(), ks)
    # 1 - cosine of exactly 0 is drawn at 1e-16, so the log scale keeps it
    np.testing.assert_array_equal(right.lines[0].get_ydata(), [1e-6, 1e-16])
    assert left.get_yscale() == right.get_yscale() == "log"
    fits_the_column(left)
    fits_the_column(right)


def test_agreement_errors_bars_in_percent_with_a_control():
    ax = plots.plot_agreement_errors(np.arange(4), np.array([0.0, 0.02, 0.1, 0.3]), 0.001)
    heights = [p.get_height() for p in ax.patches]
    np.testing.assert_allclose(heights, [0, 2, 10, 30, 0.1])
    assert [t.get_text() for t in ax.texts] == ["0.0 %", "2.0 %", "10.0 %", "30.0 %", "0.1 %"]
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "control"
    fits_the_column(ax)


def test_gradient_histories_skip_non_finite_norms():
    ax = plots.plot_gradient_histories({
        "ok": (np.arange(3), np.array([1.0, 2.0, 3.0])),
        "boom": (np.arange(3), np.array([1.0, 1e30, np.inf]))})
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), [0, 1])
    assert ax.get_yscale() == "log"
    fits_the_column(ax)


def test_every_figure_draws_on_the_axes_it_is_given():
    fig, axes = plt.subplots(1, 6, figsize=(7, 2))
    curve = (np.arange(2), np.ones(2))
    assert plots.plot_adding_curves({"a": curve}, 1 / 6, ax=axes[0]) is axes[0]
    assert plots.plot_input_sensitivity({"a": np.ones(4)}, ax=axes[1]) is axes[1]
    assert plots.plot_agreement_errors(np.arange(2), np.ones(2) / 2, 0.0,
                                       ax=axes[2]) is axes[2]
    assert plots.plot_gradient_histories({"a": curve}, ax=axes[3]) is axes[3]
    pair = plots.plot_long_range_share(np.arange(1, 3), {"a": np.ones(2)},
                                       {"b": np.ones(2)}, axes=(axes[4], axes[5]))
    assert pair == (axes[4], axes[5])
    assert all(ax.lines or ax.patches for ax in axes)
