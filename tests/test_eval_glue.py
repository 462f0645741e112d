"""book/_ext/eval_glue.py: the website's {eval}, evaluated against a page's glued values."""

import ast
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
import eval_glue  # noqa: E402  (the Sphinx extension lives in book/_ext, not in a package)


def test_evaluates_the_f_strings_chapters_write():
    values = {"rnn_mse": 0.10423, "rough": {"RNN": 1.75}, "window_mse": [3.0, 2.5, 1.25],
              "needed": 28, "PERIOD": 8}
    assert eval_glue.evaluate('f"{rnn_mse:.3f}"', values) == "0.104"
    assert eval_glue.evaluate("f\"{rough['RNN']:.2f}\"", values) == "1.75"
    assert eval_glue.evaluate("window_mse[2]", values) == "1.25"
    assert eval_glue.evaluate("needed / PERIOD", values) == "3.5"
    assert eval_glue.evaluate(" needed ", values) == "28"


def test_strings_show_without_quotes_as_in_jupyterlab():
    assert eval_glue.evaluate("name", {"name": "tanh"}) == "tanh"


def test_safe_builtins_and_comprehensions_work():
    values = {"xs": [3.0, 1.0, 2.0], "k": 2}
    assert eval_glue.evaluate("max(xs) - min(xs)", values) == "2.0"
    assert eval_glue.evaluate("round(sum(xs) / len(xs), 1)", values) == "2.0"
    assert eval_glue.evaluate("', '.join(f'{x * k:.0f}' for x in sorted(xs))", values) == "2, 4, 6"
    assert eval_glue.evaluate("(lambda y: y * k)(3)", values) == "6"


def test_unglued_names_are_reported_all_at_once():
    with pytest.raises(NameError, match=r"not glued on this page: a, b \(rnncourse.pages"):
        eval_glue.evaluate('f"{a + b + c:.2f}"', {"c": 1})


def test_no_other_builtins_and_no_private_attributes():
    for text in ("open('x')", "__import__('os')", "eval('1')"):
        with pytest.raises(NameError, match="not glued"):
            eval_glue.evaluate(text, {})
    with pytest.raises(ValueError, match="private attributes are not allowed: __class__"):
        eval_glue.evaluate("x.__class__", {"x": 1})


def test_errors_of_the_expression_itself_are_raised():
    with pytest.raises(ZeroDivisionError):
        eval_glue.evaluate("1 / x", {"x": 0})
    with pytest.raises(SyntaxError):
        eval_glue.evaluate("f\"{x:.2f\"", {"x": 0})


def test_glued_values_reads_back_plain_values_and_skips_the_rest():
    data = {"a": {"data": {"text/plain": "0.25"}},
            "b": {"data": {"text/plain": "{'RNN': [1, 2.5]}"}},
            "s": {"data": {"text/plain": "'tanh'"}},
            "fig": {"data": {"text/plain": "<Figure size 640x480 with 1 Axes>",
                             "image/png": "iVBOR"}},
            "arr": {"data": {"text/plain": "array([1., 2.])"}},
            "empty": {}}
    assert eval_glue.glued_values(data) == {"a": 0.25, "b": {"RNN": [1, 2.5]}, "s": "tanh"}


def test_free_names_ignores_variables_bound_inside_the_expression():
    tree = ast.parse("[x * k for x in xs] + [(lambda y: y)(z)]", mode="eval")
    assert eval_glue.free_names(tree) == {"k", "xs", "z"}
