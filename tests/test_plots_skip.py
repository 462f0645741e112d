"""rnncourse.plots.skip: chapter 9's figures draw exactly what they are given."""

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
    ax.figure.canvas.draw()  # every label must render (mathtext)
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert ax.get_yscale() == "log"


def test_first_layer_by_depth_draws_each_curve_against_depth():
    depths = np.array([1, 2, 5])
    ax = plots.plot_first_layer_by_depth(depths, {"plain": np.array([1e-2, 1e-4, 0.0]),
                                                  "residual": np.ones(3)})
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), depths)
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [1e-2, 1e-4, 1e-300])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["plain", "residual"]
    fits_the_column(ax)


def test_gradient_by_distance_puts_the_last_step_at_distance_0_relative_to_it():
    g = np.array([1e-6, 1e-3, 2.0])  # t = 1, 2, 3
    ax = plots.plot_gradient_by_distance({"Elman": g, "residual": np.ones(3)})
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [2, 1, 0])
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [5e-7, 5e-4, 1.0])
    fits_the_column(ax)


def test_state_norms_skip_h_0():
    ax = plots.plot_state_norms({"residual": np.array([0.0, 1.0, 2.0, 3.0])})
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [1.0, 2.0, 3.0])
    fits_the_column(ax)


def test_training_curves_draw_each_curve_the_baseline_and_the_title():
    curves = {"a": (np.array([25, 50]), np.array([0.2, 0.1])),
              "b": (np.array([25]), np.array([3.0]))}
    ax = plots.plot_training_curves(curves, 1 / 6, title="my title")
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), [3.0])
    assert ax.lines[2].get_ydata()[0] == pytest.approx(1 / 6)
    assert ax.get_title() == "my title"
    fits_the_column(ax)
