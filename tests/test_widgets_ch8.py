"""The chapter-8 explorer: its view computes with rnncourse.recurrent_init, clamps every
control so no setting overflows or crashes, and its first view is stored as data."""

import warnings

import ipywidgets
import matplotlib

matplotlib.use("Agg")  # tests only: no display here
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnncourse import recurrent_init, widgets  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_default_view_shows_the_spectrum_and_the_median_curve():
    fig = widgets.init_view()
    left, right = fig.axes[:2]
    assert fig.get_size_inches()[0] <= 7 and right.get_yscale() == "log"
    W = recurrent_init.recurrent_weight("orthogonal", 32, 0)
    np.testing.assert_allclose(left.lines[0].get_ydata(),
                               recurrent_init.singular_values(W))
    want = np.median(recurrent_init.gradient_curves("orthogonal", "tanh", 32, 60, 0), axis=0)
    np.testing.assert_allclose(right.lines[0].get_ydata(), want, rtol=1e-12)
    assert "factor" in right.get_title()


@pytest.mark.parametrize("init_name,gain,activation,length", [
    ("he_normal", 4.0, "relu", 150), ("identity", 4.0, "relu", 150),
    ("fan_in_uniform", 0.25, "tanh", 150), ("identity", 0.25, "relu", 150),
    ("orthogonal", 1e6, "leaky_relu", 10**6), ("xavier_normal", -3.0, "tanh", -3)])
def test_extreme_settings_are_clamped_and_stay_finite(init_name, gain, activation, length):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow or log-of-zero warnings
        fig = widgets.init_view(init_name, gain, activation, length)
    left, right = fig.axes[:2]
    T = int(np.clip(length, 2, 150))
    y = right.lines[0].get_ydata()
    assert len(y) == T + 1 and np.isfinite(y).all()
    assert np.isfinite(left.lines[0].get_ydata()).all()


def test_every_argument_of_the_view_matters():
    base = widgets.init_view().axes[1].lines[0].get_ydata()
    for kwargs in ({"init_name": "he_normal"}, {"gain": 1.5}, {"activation": "relu"},
                   {"seed": 1}):
        other = widgets.init_view(**kwargs).axes[1].lines[0].get_ydata()
        assert not np.allclose(other, base)
    assert len(widgets.init_view(length=20).axes[1].lines[0].get_ydata()) == 21


def test_explorer_builds_with_bounded_controls_and_redraws():
    box = widgets.init_explorer(seed=0)
    controls, out = box.children
    init_name, gain, activation, length = controls.children
    assert isinstance(gain, ipywidgets.FloatLogSlider)
    assert 10 ** gain.min == pytest.approx(0.25) and 10 ** gain.max == pytest.approx(4.0)
    assert (length.min, length.max) == (2, 150)
    assert list(init_name.options) == list(recurrent_init.RECURRENT_INITS)
    assert list(activation.options) == ["tanh", "relu", "leaky_relu"]
    assert len(out.outputs) == 1 and "image/png" in out.outputs[0]["data"]
    length.value = 150
    gain.value = gain.max  # the most extreme setting redraws without error
    init_name.value = "he_normal"
    activation.value = "relu"
