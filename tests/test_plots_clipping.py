"""rnncourse.plots.clipping: chapter 7's figures draw exactly what they are given."""

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
    ax.figure.canvas.draw()  # every label must render
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_clip_angles_draw_one_line_per_method_on_a_log_threshold_axis():
    cs = np.array([1e-3, 1e-1, 10.0])
    ax = plots.plot_clip_angles(cs, {"by norm": [0, 0, 0], "by value": [50, 30, 0]})
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), cs)
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), [50, 30, 0])
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["by norm", "by value"]
    fits_the_column(ax)


def test_clipping_runs_draw_losses_norms_and_a_cross_where_a_run_diverged():
    runs = {"free": dict(eval_steps=np.array([], int), eval_losses=np.array([]),
                         steps=np.arange(3), grad_norms=np.array([1.0, 1e5, 1e10])),
            "clipped": dict(eval_steps=np.array([10, 20]), eval_losses=np.array([0.2, 0.1]),
                            steps=np.arange(20), grad_norms=np.ones(20))}
    left, right = plots.plot_clipping_runs(runs, baseline=1 / 6)
    np.testing.assert_array_equal(left.lines[1].get_ydata(), [0.2, 0.1])
    assert left.lines[-1].get_ydata()[0] == pytest.approx(1 / 6)
    cross = [line for line in right.lines if line.get_marker() == "x"]
    assert len(cross) == 1 and cross[0].get_ydata()[0] == 1e10
    assert left.get_yscale() == right.get_yscale() == "log"
    assert left.get_ylim()[1] == 100.0
    assert plots.plot_clipping_runs(runs, 1 / 6, mse_max=5.0)[0].get_ylim()[1] == 5.0
    labels = [t.get_text() for t in left.figure.legends[0].get_texts()]
    assert labels == ["free", "clipped", "constant prediction"]
    fits_the_column(left)
    fits_the_column(right)


def test_clipped_cliff_draws_the_line_the_iterates_inside_and_every_loss():
    bs = np.linspace(-1, 1, 5)
    paths = {"free": (np.array([0.5, 300.0]), np.array([1.25, 9e4])),
             "ξ = 1": (np.array([0.5, 0.2]), np.array([1.25, 1.04]))}
    left, right = plots.plot_clipped_cliff(bs, bs ** 2 + 1, paths)
    np.testing.assert_array_equal(left.lines[0].get_xdata(), bs)
    np.testing.assert_array_equal(left.lines[1].get_xdata(), [0.5])  # 300 is outside
    np.testing.assert_array_equal(right.lines[0].get_ydata(), [1.25, 9e4])
    np.testing.assert_array_equal(right.lines[1].get_xdata(), [0, 1])
    assert left.get_yscale() == right.get_yscale() == "log"
    assert [t.get_text() for t in right.get_legend().get_texts()] == ["free", "ξ = 1"]
    fits_the_column(left)
    fits_the_column(right)
    sparse = plots.plot_clipped_cliff(bs, bs ** 2 + 1, {"a": (np.zeros(5), np.ones(5))},
                                      every=2)[0]
    assert len(sparse.lines[1].get_xdata()) == 3


def test_state_gradient_profiles_put_t_from_one_on_x():
    ax = plots.plot_state_gradient_profiles({"a": np.array([1e-6, 1e-3, 1.0]),
                                             "b": np.ones(3)})
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [1e-6, 1e-3, 1.0])
    assert ax.get_yscale() == "log" and len(ax.get_legend().get_texts()) == 2
    fits_the_column(ax)
