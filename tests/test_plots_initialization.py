"""rnncourse.plots.initialization: chapter 8's figures draw exactly what they are given."""

import matplotlib

matplotlib.use("Agg")  # tests only: no display here
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnncourse import plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def fits_the_column(ax):
    width, _ = ax.figure.get_size_inches()
    assert width <= 7.0
    ax.figure.canvas.draw()  # every label must render
    assert ax.get_title() and ax.get_xlabel()


def test_spectra_are_drawn_largest_first_with_their_edges():
    s = np.array([0.5, 2.0, 1.0])
    ax = plots.plot_spectra({"he": s, "orthogonal": np.ones(3)}, {"he": 2.8})
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [2.0, 1.0, 0.5])
    assert ax.lines[1].get_ydata()[0] == pytest.approx(2.8)  # the edge
    assert ax.lines[1].get_color() == ax.lines[0].get_color()
    np.testing.assert_array_equal(ax.lines[2].get_ydata(), [1, 1, 1])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:2] == ["he", "orthogonal"] and "predicted" in labels[2]
    assert ax.get_ylabel()
    fits_the_column(ax)


def test_curves_by_init_one_log_panel_per_activation():
    curves = {"tanh": {"a": np.array([1.0, 0.1, 0.0]), "b": np.ones(3)},
              "relu": {"a": np.array([1.0, 2.0, 4.0])}}
    axes = plots.plot_curves_by_init(curves)
    assert len(axes) == 2 and all(ax.get_yscale() == "log" for ax in axes)
    assert [ax.get_title() for ax in axes] == ["tanh", "relu"]
    y = axes[0].lines[0].get_ydata()
    assert y[1] == pytest.approx(0.1) and 0 < y[2] < 1e-200, "0 drawn at the floor"
    np.testing.assert_array_equal(axes[1].lines[0].get_ydata(), [1, 2, 4])
    np.testing.assert_array_equal(axes[0].lines[0].get_xdata(), [0, 1, 2])
    assert "partial h_T" in axes[0].get_ylabel()
    fits_the_column(axes[0])


def test_training_by_init_draws_runs_baseline_and_level():
    curves = {f"run {i}": (np.array([25, 50]), np.array([0.2, 0.01 * (i + 1)]))
              for i in range(9)}
    ax = plots.plot_training_by_init(curves, baseline=1 / 6, level=0.05)
    np.testing.assert_array_equal(ax.lines[3].get_ydata(), [0.2, 0.04])
    assert ax.lines[8].get_linestyle() == "--", "beyond the palette: dashed"
    assert ax.lines[9].get_ydata()[0] == pytest.approx(1 / 6)
    assert ax.lines[10].get_ydata()[0] == pytest.approx(0.05)
    assert ax.get_yscale() == "log" and len(ax.get_legend().get_texts()) == 11
    fits_the_column(ax)
