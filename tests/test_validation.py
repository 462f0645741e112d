"""The shared input checks: every kind of bad input gives an error naming the argument."""

import math

import numpy as np
import pytest

from rnncourse.validation import (
    check_array,
    check_choice,
    check_int_ids,
    check_positive,
    check_real,
    check_seed,
)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, np.float64("nan"), 0, -3, -0.5])
@pytest.mark.parametrize("integer", [False, True])
def test_check_positive_rejects_non_finite_and_non_positive_with_a_value_error(bad, integer):
    with pytest.raises(ValueError, match="steps must be a finite number > 0"):
        check_positive("steps", bad, integer=integer)


@pytest.mark.parametrize("bad", ["3", None, [3], True, np.bool_(True), 1 + 2j, np.complex128(2),
                                 np.array(3)])
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


def test_check_positive_integer_rejects_values_beyond_int64():
    with pytest.raises(ValueError, match="steps must be a whole number <= 9223372036854775807"):
        check_positive("steps", 10 ** 30, integer=True)
    with pytest.raises(ValueError, match="steps must be a whole number <="):
        check_positive("steps", 1e300, integer=True)
    assert check_positive("lr", 1e300) == 1e300  # a real number may be large


def test_check_array_names_the_argument_for_ragged_lists_and_bools():
    with pytest.raises(ValueError, match="xs must be a rectangular array of numbers"):
        check_array("xs", [[1.0, 2.0], [3.0]])
    with pytest.raises(TypeError, match="xs must hold real numbers; got dtype bool"):
        check_array("xs", True)
    with pytest.raises(TypeError, match="xs must hold real numbers; got dtype object"):
        check_array("xs", [1.0, None])


@pytest.mark.parametrize("bad, error, words", [
    (math.nan, ValueError, "a must be a finite number; got nan"),
    (-math.inf, ValueError, "a must be a finite number; got -inf"),
    (True, TypeError, "a must be a real number; got bool"),
    ("0.1", TypeError, "a must be a real number; got str"),
    (1j, TypeError, "a must be a real number; got complex"),
    (None, TypeError, "a must be a real number; got NoneType")])
def test_check_real_rejects_non_finite_and_non_real(bad, error, words):
    with pytest.raises(error, match=words):
        check_real("a", bad)


def test_check_real_minimum_and_return_type():
    assert check_real("a", np.float32(-0.5)) == -0.5 and type(check_real("a", 2)) is float
    assert check_real("noise", 0, minimum=0) == 0.0
    with pytest.raises(ValueError, match="noise must be a finite number >= 0; got -0.1"):
        check_real("noise", -0.1, minimum=0)


def test_check_seed_accepts_ints_and_generators_only():
    rng = np.random.default_rng(0)
    assert check_seed("seed", rng) is rng and check_seed("seed", np.int64(3)) == 3
    for bad in (1.5, "0", True, None, math.nan):
        with pytest.raises(TypeError, match="seed must be an int or a numpy Generator; got"):
            check_seed("seed", bad)
    with pytest.raises(ValueError, match="seed must be an int >= 0 or a numpy Generator; got -1"):
        check_seed("seed", -1)


def test_check_int_ids():
    assert check_int_ids("ids", [0, 2], 3).tolist() == [0, 2]
    assert check_int_ids("ids", np.array([], dtype=float), 3).shape == (0,)  # empty: no dtype
    with pytest.raises(TypeError, match="ids must be a numpy array of integer ids; got str"):
        check_int_ids("ids", "ab", 3)
    with pytest.raises(TypeError, match="ids must hold integer ids; got dtype float64"):
        check_int_ids("ids", [0.0, 1.0], 3)
    with pytest.raises(ValueError, match=r"ids must hold ids in \[0, 3\); got values from -1 to 1"):
        check_int_ids("ids", [-1, 1], 3)
    with pytest.raises(ValueError, match=r"ids must have 1 dimension\(s\); got shape \(1, 2\)"):
        check_int_ids("ids", [[0, 1]], 3, ndim=1)


def test_check_choice_rejects_non_strings_with_a_type_error():
    for bad in (None, 3, np.array(["tanh"]), ["tanh"]):
        with pytest.raises(TypeError, match="activation must be a string, one of 'tanh', 'relu'"):
            check_choice("activation", bad, ("tanh", "relu"))
