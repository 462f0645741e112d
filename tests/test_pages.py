"""rnncourse.pages: the package's source shown whole, and values glued for the website's {eval}."""

import ast
import inspect
import textwrap

import numpy as np
import pytest

from rnncourse import numpy_rnn, pages


def narrow(x):
    """A function whose lines all fit."""
    return x + 1


def wide(x):
    return x + 1  # ............................................................................


def test_show_source_returns_a_python_fence_of_the_real_source():
    shown = pages.show_source(narrow).data
    assert shown.startswith("```python\n") and shown.endswith("\n```")
    body = shown.removeprefix("```python\n").removesuffix("\n```")
    assert body == textwrap.dedent(inspect.getsource(narrow)).rstrip()
    assert ast.parse(body).body[0].name == "narrow"


def test_show_source_shows_package_code_read_at_run_time():
    body = pages.show_source(numpy_rnn.forward).data
    assert "def forward(" in body
    assert inspect.getsource(numpy_rnn.forward).strip() in body


def test_show_source_refuses_a_line_wider_than_the_column_and_names_it():
    with pytest.raises(ValueError) as err:
        pages.show_source(wide)
    message = str(err.value)
    line = inspect.getsourcelines(wide)[1] + 1
    assert "wide: line 2" in message and f"test_pages.py:{line}" in message
    width = len(inspect.getsource(wide).splitlines()[1])
    assert f"{width} characters wide, over {pages.MAX_WIDTH}" in message
    assert "return x + 1" in message


def test_show_source_width_is_a_parameter():
    pages.show_source(wide, width=200)
    with pytest.raises(ValueError, match="line 1"):
        pages.show_source(narrow, width=10)


@pytest.fixture
def glued(monkeypatch):
    """What glue_names hands to myst_nb.glue, by name."""
    calls = {}

    def fake_glue(name, value, display=True):
        assert display is False, "glued values are not displayed where they are computed"
        calls[name] = value

    monkeypatch.setattr(pages, "glue", fake_glue)
    return calls


def test_glue_names_glues_each_name_under_its_own_name(glued):
    a, b, label = 1.5, 3, "tanh"
    pages.glue_names(locals(), "a b\n label")
    assert glued == {"a": 1.5, "b": 3, "label": "tanh"}


def test_glue_names_converts_numpy_to_plain_python(glued):
    scalar, count, flag = np.float64(0.25), np.int64(7), np.bool_(True)
    vector, table = np.array([1.0, 2.0]), {"RNN": np.float32(0.5), "LSTM": [np.int32(2)]}
    pages.glue_names(locals(), "scalar count flag vector table")
    assert glued == {"scalar": 0.25, "count": 7, "flag": True, "vector": [1.0, 2.0],
                     "table": {"RNN": 0.5, "LSTM": [2]}}
    for value in (glued["scalar"], glued["count"], glued["flag"], *glued["vector"],
                  glued["table"]["RNN"], glued["table"]["LSTM"][0]):
        assert type(value) in (float, int, bool), type(value)
    for value in glued.values():  # the website reads each back from its repr
        assert ast.literal_eval(repr(value)) == value


def test_glue_names_rejects_a_name_the_notebook_does_not_have(glued):
    with pytest.raises(NameError, match="no variable 'missing'"):
        pages.glue_names({"a": 1}, "a missing")


@pytest.mark.parametrize("value", [object(), np.linalg.norm, {1, 2}, [1.0, object()],
                                   float("nan"), {"a": np.array([np.inf])}])
def test_glue_names_rejects_values_the_website_cannot_read_back(glued, value):
    with pytest.raises(TypeError, match="glue_names: x is or holds"):
        pages.glue_names({"x": value}, "x")
    assert not glued
