"""The shared input checks: every kind of bad input gives an error naming the argument."""

import math

import numpy as np
import pytest

from rnncourse.validation import check_array, check_choice, check_positive


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, np.float64("nan"), 0, -3, -0.5])
@pytest.mark.parametrize("integer", [False, True])
def test_check_positive_rejects_non_finite_and_non_positive_with_a_value_error(bad, integer):
    with pytest.raises(ValueError, match="steps must be a finite number > 0"):
        check_positive("steps", bad, integer=integer)


@pytest.mark.parametrize("bad", ["3", None, [3], True, 1 + 2j])
def test_check_positive_rejects_non_numbers_with_a_type_error(bad):
    with pytest.raises(TypeError, match="steps must be a number"):
        check_positive("steps", bad, integer=True)


def test_check_positive_integer_rejects_fractions_and_returns_ints():
    with pytest.raises(TypeError, match="steps must be a whole number; got 2.5"):
        check_positive("steps", 2.5, integer=True)
    value = check_positive("steps", np.int64(3), integer=True)
    assert value == 3 and type(value) is int
    assert check_positive("lr", 3, integer=False) == 3.0
    assert type(check_positive("lr", 3)) is float


def test_check_array_names_the_argument_for_each_kind_of_bad_input():
    with pytest.raises(TypeError, match="xs must be a numpy array; got str"):
        check_array("xs", "abc")
    with pytest.raises(TypeError, match="xs must hold real numbers; got dtype complex128"):
        check_array("xs", np.ones(2, dtype=complex))
    with pytest.raises(ValueError, match=r"xs must have 3 dimension\(s\); got shape \(2,\)"):
        check_array("xs", np.ones(2), ndim=3)
    with pytest.raises(ValueError, match=r"xs must have shape \(any, 4\); got \(2, 3\)"):
        check_array("xs", np.ones((2, 3)), shape=(None, 4))
    with pytest.raises(ValueError, match="xs must contain only finite values"):
        check_array("xs", np.array([1.0, np.nan]))
    assert np.isnan(check_array("xs", np.array([np.nan]), finite=False)).all()


def test_check_array_returns_floats_for_integer_input():
    out = check_array("xs", np.arange(3))
    assert out.dtype == np.float64 and out.tolist() == [0.0, 1.0, 2.0]


def test_check_choice_lists_the_choices():
    assert check_choice("activation", "tanh", ("tanh", "relu")) == "tanh"
    with pytest.raises(ValueError, match="activation must be one of 'tanh', 'relu'; got 'gelu'"):
        check_choice("activation", "gelu", ("tanh", "relu"))
