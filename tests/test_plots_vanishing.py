"""rnncourse.plots (chapter 5): the figures show the numbers they are given, on log scales
where norms span orders of magnitude, with titles, labels and legends."""

from __future__ import annotations

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


def labelled(ax):
    return ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_norms_by_distance_draws_curves_and_dashed_bounds_on_a_log_scale():
    curves = {"a": 0.5 ** np.arange(6), "b": np.r_[1.0, 0.0, 0.0]}
    ax = plots.plot_norms_by_distance(curves, {"a": 0.9 ** np.arange(6)})
    assert ax.get_yscale() == "log" and labelled(ax)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), curves["a"])
    np.testing.assert_allclose(ax.lines[1].get_ydata(), 0.9 ** np.arange(6))
    assert ax.lines[1].get_linestyle() == "--"
    assert (ax.lines[2].get_ydata() > 0).all(), "an exact 0 is clipped, not dropped"
    assert "bound" in " ".join(t.get_text() for t in ax.get_legend().get_texts())
    no_bound = plots.plot_norms_by_distance({"a": curves["a"]}, title="T")
    assert no_bound.get_title() == "T" and len(no_bound.lines) == 1


def test_norm_map_shows_log10_with_a_colorbar():
    norms = np.full((3, 3), np.nan)
    norms[np.tril_indices(3)] = [1, 10, 1, 100, 10, 1]
    ax = plots.plot_norm_map(norms)
    image = np.asarray(ax.images[0].get_array())
    np.testing.assert_allclose(image[np.tril_indices(3)], [0, 1, 0, 2, 1, 0])
    assert np.isnan(image[0, 2]) and labelled(ax) and len(ax.figure.axes) == 2
    zero = norms.copy()
    zero[2, 0] = 0.0
    assert np.isfinite(np.asarray(plots.plot_norm_map(zero).images[0].get_array())[2, 0])


def test_bound_trials_plots_one_series_per_activation_and_the_diagonal():
    act = np.array(["tanh", "tanh", "relu"])
    bound, factor = np.array([0.5, 2.0, 1.0]), np.array([0.3, 1.5, 0.0])
    ax = plots.plot_bound_trials(act, bound, factor)
    assert ax.get_xscale() == ax.get_yscale() == "log" and labelled(ax)
    np.testing.assert_allclose(ax.lines[0].get_xydata(), [[0.5, 0.3], [2.0, 1.5]])
    assert ax.lines[1].get_ydata()[0] == plots.vanishing.FLOOR  # a dead ReLU at the edge
    np.testing.assert_allclose(ax.lines[2].get_xdata(), ax.lines[2].get_ydata())
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "tanh (2 matrices)" in texts and "relu (1 matrices)" in texts


def test_singular_values_sorted_largest_first_with_levels():
    ax = plots.plot_singular_values({"W": np.array([0.2, 1.0, 0.5])}, {"1/gamma": 1.0})
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [1.0, 0.5, 0.2])
    assert ax.lines[1].get_ydata()[0] == 1.0 and labelled(ax)


def test_cliff_draws_loss_and_log_gradient_and_says_where_the_step_lands():
    bs = np.linspace(-1, 1, 5)
    left, right = plots.plot_cliff(bs, bs ** 2, 2 * bs, start=0.5, landed=40.0)
    np.testing.assert_allclose(left.lines[0].get_ydata(), bs ** 2)
    assert right.get_yscale() == "log" and labelled(left) and labelled(right)
    assert (right.lines[0].get_ydata() > 0).all()
    assert "40" in left.texts[0].get_text()
    assert left.figure.get_size_inches()[0] <= 7


def test_power_vs_product_curves_and_references():
    ax = plots.plot_power_vs_product({"power": 2.0 ** np.arange(4)},
                                     {"ref": np.ones(4)})
    assert ax.get_yscale() == "log" and labelled(ax)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [1, 2, 4, 8])
    assert ax.lines[1].get_linestyle() == ":"


def test_figures_draw_into_a_given_axes():
    _, ax = plt.subplots()
    assert plots.plot_norms_by_distance({"a": np.ones(3)}, ax=ax) is ax
    assert plots.plot_power_vs_product({"a": np.ones(3)}, {}, ax=ax) is ax
