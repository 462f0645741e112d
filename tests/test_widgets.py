"""The explorers: the first view is data in the output area, and a moved control redraws."""

import ipywidgets
import matplotlib

matplotlib.use("Agg")  # tests only: no display here
import matplotlib.pyplot as plt  # noqa: E402

from rnncourse import widgets  # noqa: E402


def fake_draw(calls):
    def draw(**values):
        calls.append(values)
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, values["a"]])
        return ax

    return draw


def test_first_view_is_stored_as_data_without_capturing_the_cell():
    calls = []
    box = widgets.explorer(fake_draw(calls), {"a": ipywidgets.FloatSlider(value=2.0)})
    out = box.children[1]
    assert calls == [{"a": 2.0}], "drawn once, with the controls' values"
    assert len(out.outputs) == 1 and "image/png" in out.outputs[0]["data"], out.outputs
    assert out.msg_id == "", "the first view must not capture output (nbclient issue 312)"
    assert not plt.get_fignums(), "the first figure is closed, so the cell does not show it twice"


def test_moving_a_control_redraws_with_the_new_value():
    calls = []
    slider = ipywidgets.FloatSlider(value=2.0)
    widgets.explorer(fake_draw(calls), {"a": slider})
    slider.value = 3.0
    assert calls == [{"a": 2.0}, {"a": 3.0}]
    plt.close("all")


def test_the_course_explorers_build_with_their_defaults():
    for box in (widgets.learning_rate_explorer(), widgets.chain_gradient_explorer()):
        controls, out = box.children
        assert len(controls.children) >= 2 and len(out.outputs) == 1
