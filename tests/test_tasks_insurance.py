"""rnncourse.tasks, chapter-2 section: the insurance data set and its documented rule."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnncourse import tasks


def test_shapes_dtypes_and_standardisation():
    data = tasks.insurance_data(500, seed=3)
    assert data.raw.shape == data.X.shape == (500, 4) and data.y.shape == data.score.shape == (500,)
    assert set(np.unique(data.y)) == {0.0, 1.0}
    np.testing.assert_allclose(data.X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(data.X.std(axis=0), 1, rtol=1e-12)


def test_features_are_in_their_documented_ranges():
    age, edu, income, savings = tasks.insurance_data(5000, seed=0).raw.T
    assert 18 <= age.min() and age.max() <= 80
    assert set(np.unique(edu)) <= set(range(8, 21))
    assert (income > 0).all() and (savings > 0).all()
    assert 15 < np.median(income) < 80, "income is in thousands, median a few tens"
    assert np.corrcoef(edu, np.log(income))[0, 1] > 0.2, "income grows with education"


def test_same_seed_same_data_and_generator_accepted():
    a, b = tasks.insurance_data(100, seed=5), tasks.insurance_data(100, seed=5)
    np.testing.assert_array_equal(a.raw, b.raw)
    np.testing.assert_array_equal(a.y, b.y)
    c = tasks.insurance_data(100, seed=np.random.default_rng(5))
    np.testing.assert_array_equal(a.raw, c.raw)
    assert not np.array_equal(a.raw, tasks.insurance_data(100, seed=6).raw)


def test_labels_follow_the_documented_rule():
    data = tasks.insurance_data(4000, seed=1)
    age, edu, income, savings = data.raw.T
    by_hand = (1.5 * (1 - ((age - 50) / 20) ** 2) + 0.3 * (edu - 12)
               + 1.2 * np.log(income / 40) - 1.2 * np.log(1 + savings / income) - 0.3)
    np.testing.assert_allclose(data.score, by_hand)
    agreement = np.mean((data.score > 0) == data.y)
    assert 0.85 < agreement < 0.97, "the rule explains most labels; noise flips some"
    assert 0.35 < data.y.mean() < 0.65, "classes are roughly balanced"


def test_noise_free_labels_are_the_rule():
    data = tasks.insurance_data(300, noise=0, seed=2)
    np.testing.assert_array_equal(data.y, (data.score > 0).astype(float))


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="n must be a finite number > 0"):
        tasks.insurance_data(0)
    with pytest.raises(ValueError, match="noise must be a finite number >= 0"):
        tasks.insurance_data(10, noise=-0.1)
    with pytest.raises(ValueError, match=r"raw must have shape \(any, 4\)"):
        tasks.insurance_score(np.ones((3, 5)))
    with pytest.raises(ValueError, match="income > 0"):
        tasks.insurance_score(np.array([[30.0, 12.0, 0.0, 1.0]]))


@given(n=st.integers(1, 40), noise=st.floats(0, 1e6), seed=st.integers(0, 2 ** 32))
@settings(max_examples=60, deadline=None)
def test_any_valid_size_and_noise_gives_finite_data(n, noise, seed):
    """Even 1 or 2 people (a column may be constant): X is centred, never NaN."""
    data = tasks.insurance_data(n, noise=noise, seed=seed)
    for column in data:
        assert np.all(np.isfinite(column))
    np.testing.assert_allclose(data.X.mean(axis=0), 0, atol=1e-9)
    assert np.all(np.isclose(data.X.std(axis=0), 1) | (data.raw.std(axis=0) == 0))


def test_one_person_gives_zero_standardised_features():
    data = tasks.insurance_data(1, seed=0)
    assert data.raw.shape == (1, 4) and np.array_equal(data.X, np.zeros((1, 4)))
