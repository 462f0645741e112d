"""Data sets of the course, generated here so nothing is downloaded.

Every generator takes a ``seed`` (or a ``numpy.random.Generator``) and returns
time-major arrays: inputs ``(T, B, D)``, targets as documented per task.
Sections are grouped by the chapter that introduces them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .validation import check_array, check_positive, check_real, check_seed

# --- Chapter 2: the insurance data set ---

INSURANCE_FEATURES = ("age", "education", "income", "savings")


class InsuranceData(NamedTuple):
    """The "will this person buy insurance?" data set: tabular, one row per person (not time-major).

    raw: (N, 4) age (years), education (years of schooling), income and savings (thousands);
    X: (N, 4) the same columns standardised (mean 0, std 1; a constant column stays 0): the
    network's input;
    y: (N,) 1.0 if the person buys, else 0.0; score: (N,) the noiseless rule's score.
    """

    raw: np.ndarray
    X: np.ndarray
    y: np.ndarray
    score: np.ndarray


def insurance_score(raw: np.ndarray) -> np.ndarray:
    """The known rule behind the labels; a score > 0 means "buys". raw: (N, 4) -> (N,)::

        score = 1.5 (1 − ((age − 50)/20)²) + 0.3 (education − 12)
                + 1.2 ln(income / 40) − 1.2 ln(1 + savings / income) − 0.3

    Interest peaks in mid-life, grows with education and income, and falls for people
    whose savings already cover years of income (they insure themselves).
    Introduced in chapter 2 (backpropagation and vanishing gradients in deep networks).
    """
    age, edu, income, savings = check_array("raw", raw, shape=(None, 4)).T
    if np.any(income <= 0) or np.any(savings < 0):
        raise ValueError("raw must have income > 0 and savings >= 0 (columns 3 and 4)")
    with np.errstate(over="ignore"):  # reported below, naming the argument
        score = (1.5 * (1 - ((age - 50) / 20) ** 2) + 0.3 * (edu - 12)
                 + 1.2 * np.log(income / 40) - 1.2 * np.log1p(savings / income) - 0.3)
    if not np.all(np.isfinite(score)):
        raise ValueError("raw holds values so extreme that the score overflows float64 "
                         "(age, or savings / income, beyond ~1e150)")
    return score


def insurance_data(n: int = 1000, noise: float = 0.5,
                   seed: int | np.random.Generator = 0) -> InsuranceData:
    """Draw ``n`` people; label y = 1 when :func:`insurance_score` + N(0, noise²) > 0.

    Age ~ U[18, 80]; education = 8 + Binomial(12, 1/2) years; income log-normal around
    25·e^(0.1 (education − 8)) thousand; savings = income · e^(−1.5 + 0.04 (age − 18) + N(0, 0.8²)).
    A column that happens to be constant (always, for n = 1) is centred but not scaled, so X
    has no NaN; for n >= 2 that is rare (education repeats with probability ~0.2 at n = 2).
    Introduced in chapter 2 (backpropagation and vanishing gradients in deep networks).
    """
    n = check_positive("n", n, integer=True)
    noise = check_real("noise", noise, minimum=0)
    rng = np.random.default_rng(check_seed("seed", seed))  # a Generator is used as is
    age = rng.uniform(18, 80, n)
    edu = 8.0 + rng.binomial(12, 0.5, n)
    income = 25 * np.exp(0.1 * (edu - 8) + rng.normal(0, 0.4, n))
    savings = income * np.exp(-1.5 + 0.04 * (age - 18) + rng.normal(0, 0.8, n))
    raw = np.column_stack([age, edu, income, savings])
    score = insurance_score(raw)
    y = (score + noise * rng.normal(size=n) > 0).astype(np.float64)
    std = raw.std(axis=0)
    X = (raw - raw.mean(axis=0)) / np.where(std > 0, std, 1.0)  # constant column: 0, not NaN
    return InsuranceData(raw, X, y, score)


# --- Chapter 3: sequence data ---

def noisy_periodic(T: int, B: int, period: float = 16.0, noise: float = 0.3,
                   seed: int | np.random.Generator = 0) -> np.ndarray:
    """B noisy periodic series of length T, shape (T, B, 1).

    Each series is a * (sin(w t + phi) + 0.5 sin(2 w t + 2 phi)) + noise * N(0, 1), with
    w = 2 pi / period and, per series, amplitude a ~ U[0.5, 1.5] and phase phi ~ U[0, 2 pi).
    seed: an int, or a Generator to draw from (a new batch at each call). With an int seed,
    ``noise=0`` gives the same series without their noise (a and phi are drawn first).
    Introduced in chapter 3 (recurrent networks): forecast it one step ahead.
    """
    T, B = check_positive("T", T, integer=True), check_positive("B", B, integer=True)
    period, noise = check_positive("period", period), check_real("noise", noise, minimum=0)
    rng = np.random.default_rng(check_seed("seed", seed))
    a, phi = rng.uniform(0.5, 1.5, size=B), rng.uniform(0, 2 * np.pi, size=B)
    angle = 2 * np.pi * np.arange(T)[:, None] / period + phi
    clean = a * (np.sin(angle) + 0.5 * np.sin(2 * angle))
    return (clean + noise * rng.normal(size=(T, B)))[..., None]


def one_step_pairs(series: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and one-step-ahead targets from series (T, B, D): (T - 1, B, D) each."""
    series = check_array("series", series, ndim=3)
    if series.shape[0] < 2 or 0 in series.shape:
        raise ValueError(f"series needs at least 2 steps, 1 series and 1 feature (T, B, D); "
                         f"got shape {series.shape}")
    return series[:-1], series[1:]


def lagged_windows(series: np.ndarray, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Fixed windows for a feed-forward forecaster: X (N, w) of w past values, y (N,) next.

    series: (T, B, 1); every window of every series, N = (T - w) * B.
    Introduced in chapter 3 (recurrent networks).
    """
    series = check_array("series", series, shape=(None, None, 1))[..., 0]
    w = check_positive("w", w, integer=True)
    T = series.shape[0]
    if series.shape[1] == 0:
        raise ValueError("series needs at least one series (B >= 1); got B = 0")
    if T <= w:
        raise ValueError(f"series of T = {T} steps has no window of w = {w} plus a target")
    X = np.stack([series[i:T - w + i] for i in range(w)], axis=-1)  # (T - w, B, w)
    return X.reshape(-1, w), series[w:].reshape(-1)


def delayed_echo(T: int, B: int, lag: int,
                 seed: int | tuple[int, ...] = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random +-1 inputs (T, B, 1) and targets (T, B, 1) with y_t = x_{t - lag} (0 before).

    Predicting 0 everywhere gives MSE (T - lag) / T; the task needs memory of ``lag`` steps.
    seed: an int or a tuple of ints (e.g. (run, step): a different batch for each pair).
    Introduced in chapter 4 (backprop through time): what truncated BPTT cannot learn.
    """
    T, B = check_positive("T", T, integer=True), check_positive("B", B, integer=True)
    lag = check_positive("lag", lag, integer=True)
    if lag >= T:
        raise ValueError(f"lag must be < T = {T}; got {lag}")
    xs = np.random.default_rng(seed).choice([-1.0, 1.0], size=(T, B, 1))
    targets = np.zeros_like(xs)
    targets[lag:] = xs[:-lag]
    return xs, targets
