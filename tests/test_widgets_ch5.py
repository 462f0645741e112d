"""The chapter-5 explorer: its view computes with rnncourse.jacobians, clamps every control so
no setting overflows or crashes, and its first view is stored as data."""

import warnings

import ipywidgets
import matplotlib

matplotlib.use("Agg")  # tests only: no display here
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnncourse import jacobians, widgets  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_default_view_shows_the_measured_curve_its_bound_and_the_map():
    fig = widgets.vanishing_view()
    left, right = fig.axes[:2]
    assert fig.get_size_inches()[0] <= 7 and left.get_yscale() == "log"
    rng = np.random.default_rng(0)
    W = jacobians.scaled_orthogonal(32, 1.0, rng)
    want = jacobians.gradient_curve(W, 0.5 * rng.normal(size=(60, 32)), "tanh")
    np.testing.assert_allclose(left.lines[0].get_ydata(), want, rtol=1e-10)
    np.testing.assert_allclose(left.lines[1].get_ydata(), 1.0)  # (gamma * 1)^k
    assert np.asarray(right.images[0].get_array()).shape == (61, 61)


@pytest.mark.parametrize("scale,activation,length", [
    (8.0, "relu", 150), (0.1, "sigmoid", 150), (0.1, "relu", 150), (1e6, "relu", 10**6),
    (-5.0, "tanh", -3), (8.0, "sigmoid", 2)])
def test_extreme_settings_are_clamped_and_stay_finite(scale, activation, length):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow or log-of-zero warnings
        fig = widgets.vanishing_view(scale, activation, length)
    left, right = fig.axes[:2]
    T = int(np.clip(length, 2, 150))
    assert len(left.lines[0].get_ydata()) == T + 1
    assert np.isfinite(left.lines[0].get_ydata()).all()
    image = np.asarray(right.images[0].get_array())
    assert np.isfinite(image[np.tril_indices(T + 1)]).all()


def test_every_argument_of_the_view_matters():
    base = widgets.vanishing_view().axes[0].lines[0].get_ydata()
    for kwargs in ({"scale": 1.5}, {"activation": "relu"}, {"seed": 1}):
        other = widgets.vanishing_view(**kwargs).axes[0].lines[0].get_ydata()
        assert not np.allclose(other, base)
    assert len(widgets.vanishing_view(length=20).axes[0].lines[0].get_ydata()) == 21


def test_explorer_builds_with_bounded_controls_and_redraws():
    box = widgets.vanishing_explorer(seed=0)
    controls, out = box.children
    scale, activation, length = controls.children
    assert isinstance(scale, ipywidgets.FloatLogSlider)
    assert 10 ** scale.min == pytest.approx(0.1) and 10 ** scale.max == pytest.approx(8.0)
    assert (length.min, length.max) == (2, 150)
    assert list(activation.options) == ["tanh", "sigmoid", "relu"]
    assert len(out.outputs) == 1 and "image/png" in out.outputs[0]["data"]
    length.value = 150
    scale.value = scale.max  # the most extreme setting redraws without error
    activation.value = "relu"
