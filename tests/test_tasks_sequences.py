"""The chapter-3/4 sequence generators: shapes, seeds and closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.tasks import delayed_echo, lagged_windows, noisy_periodic, one_step_pairs


def test_noisy_periodic_shape_seed_and_clean_form():
    s = noisy_periodic(40, 3, period=10, noise=0.2, seed=1)
    assert s.shape == (40, 3, 1)
    np.testing.assert_array_equal(s, noisy_periodic(40, 3, period=10, noise=0.2, seed=1))
    assert not np.array_equal(s, noisy_periodic(40, 3, period=10, noise=0.2, seed=2))
    clean = noisy_periodic(40, 3, period=10, noise=0.0, seed=1)
    np.testing.assert_allclose(clean[:30], clean[10:], atol=1e-12)  # periodic with period 10
    assert 0.1 < np.std(s - clean) < 0.3


def test_noisy_periodic_draws_from_a_generator():
    a, b = np.random.default_rng(5), np.random.default_rng(5)
    first, second = noisy_periodic(8, 2, seed=a), noisy_periodic(8, 2, seed=a)
    assert not np.array_equal(first, second)  # a fresh batch at every call
    np.testing.assert_array_equal(first, noisy_periodic(8, 2, seed=b))  # same seed, same stream
    np.testing.assert_array_equal(first, noisy_periodic(8, 2, seed=5))  # an int seeds the same way


def test_noisy_periodic_closed_form_without_noise():
    T, B, period = 24, 3, 8.0
    clean = noisy_periodic(T, B, period=period, noise=0.0, seed=4)[..., 0]
    rng = np.random.default_rng(4)  # the oracle: the documented formula, a and phi drawn first
    amp, phi = rng.uniform(0.5, 1.5, size=B), rng.uniform(0, 2 * np.pi, size=B)
    angle = 2 * np.pi * np.arange(T)[:, None] / period + phi
    np.testing.assert_allclose(clean, amp * (np.sin(angle) + 0.5 * np.sin(2 * angle)), atol=1e-12)
    noisy = noisy_periodic(T, B, period=period, noise=0.3, seed=4)[..., 0]
    residual = noisy - clean  # same a and phi: what is left is the noise
    assert abs(residual.mean()) < 0.15 and 0.2 < residual.std() < 0.4


def test_one_step_pairs_shift_by_one():
    s = noisy_periodic(12, 2)
    xs, targets = one_step_pairs(s)
    assert xs.shape == targets.shape == (11, 2, 1)
    np.testing.assert_array_equal(targets[:-1], xs[1:])


def test_lagged_windows_hold_the_last_w_values():
    s = noisy_periodic(10, 2, seed=3)
    X, y = lagged_windows(s, 3)
    assert X.shape == (14, 3) and y.shape == (14,)
    i = 5  # window index: time (i // B), series (i % B)
    t, b = divmod(i, 2)
    np.testing.assert_array_equal(X[i], s[t:t + 3, b, 0])
    assert y[i] == s[t + 3, b, 0]


def test_delayed_echo_targets_and_baseline():
    xs, targets = delayed_echo(20, 4, lag=5, seed=0)
    assert set(np.unique(xs)) == {-1.0, 1.0}
    np.testing.assert_array_equal(targets[5:], xs[:-5])
    assert np.all(targets[:5] == 0)
    assert np.mean(targets ** 2) == pytest.approx(15 / 20)


def test_errors():
    with pytest.raises(ValueError, match="lag must be < T"):
        delayed_echo(5, 2, lag=5)
    with pytest.raises(ValueError, match="noise must be a finite number >= 0"):
        noisy_periodic(5, 2, noise=-1)
    with pytest.raises(TypeError, match="seed must be an int or a numpy Generator; got float"):
        noisy_periodic(5, 2, seed=1.5)
    with pytest.raises(TypeError, match="seed must be an int or a numpy Generator; got bool"):
        noisy_periodic(5, 2, seed=True)
    with pytest.raises(ValueError, match="no window"):
        lagged_windows(noisy_periodic(3, 2), 3)
    with pytest.raises(ValueError, match="at least 2 steps"):
        one_step_pairs(noisy_periodic(1, 2))
    with pytest.raises(ValueError, match="series must have 3 dimension"):
        one_step_pairs(np.zeros((4, 2)))


def test_delayed_echo_seed_tuple_gives_one_batch_per_pair():
    a, _ = delayed_echo(12, 3, lag=2, seed=(4, 0))
    np.testing.assert_array_equal(a, delayed_echo(12, 3, lag=2, seed=(4, 0))[0])
    for other in [(4, 1), (5, 0), (0, 4)]:
        assert not np.array_equal(a, delayed_echo(12, 3, lag=2, seed=other)[0])
