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


# --- Chapter 6: long-range tasks ---

def _rng(name: str, seed: object) -> np.random.Generator:
    """A Generator from an int >= 0, a tuple of them, or a Generator (used as is)."""
    if isinstance(seed, tuple) and seed and all(
            isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 0
            for s in seed):
        return np.random.default_rng(seed)
    if isinstance(seed, tuple):
        raise ValueError(f"{name} must be an int >= 0, a non-empty tuple of them or a "
                         f"numpy Generator; got {seed!r}")
    return np.random.default_rng(check_seed(name, seed))


ADDING_BASELINE = 1 / 6  # MSE of the best constant prediction, 1: Var(a + b) = 2 / 12


def adding_problem(T: int, B: int,
                   seed: int | tuple[int, ...] | np.random.Generator = 0
                   ) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem: xs (T, B, 2), targets (B, 1).

    Channel 0 holds values ~ U[0, 1]; channel 1 marks two steps with 1, one
    in the first half (t < T // 2) and one in the second. The target is the
    sum of the two marked values; predicting the constant 1 gives MSE 1/6
    (``ADDING_BASELINE``). The modern form of Hochreiter and Schmidhuber's
    task. Introduced in chapter 6 (consequences and diagnosis).
    """
    T = check_positive("T", T, integer=True)
    B = check_positive("B", B, integer=True)
    if T < 2:
        raise ValueError(f"T must be >= 2 (a marker in each half); got {T}")
    rng = _rng("seed", seed)
    values = rng.uniform(0.0, 1.0, size=(T, B))
    first = rng.integers(0, T // 2, size=B)
    second = rng.integers(T // 2, T, size=B)
    markers = np.zeros((T, B))
    markers[first, np.arange(B)] = markers[second, np.arange(B)] = 1.0
    targets = (values * markers).sum(axis=0)[:, None]
    return np.stack([values, markers], axis=-1), targets


AGREEMENT_FILLERS = ("the", "old", "red", "big")  # words without grammatical number
AGREEMENT_PREPOSITIONS = ("near", "of", "by")
AGREEMENT_NOUNS = (("dog", "key", "boy", "cat"), ("dogs", "keys", "boys", "cats"))
AGREEMENT_VERBS = (("is", "runs"), ("are", "run"))
AGREEMENT_VOCAB = (AGREEMENT_FILLERS + AGREEMENT_PREPOSITIONS + AGREEMENT_NOUNS[0]
                   + AGREEMENT_NOUNS[1] + AGREEMENT_VERBS[0] + AGREEMENT_VERBS[1] + (".",))


class AgreementData(NamedTuple):
    """Sentences of the agreement task, time-major token ids.

    tokens: (T, B) ids into ``AGREEMENT_VOCAB``, each sentence padded with ".";
    verb: (B,) position of the verb; subject: (B,) position of the subject;
    number: (B,) the subject's number, 0 singular, 1 plural (the verb's too);
    nouns, attractors: (B,) nouns between subject and verb, and how many of
    them have the other number.
    """

    tokens: np.ndarray
    verb: np.ndarray
    subject: np.ndarray
    number: np.ndarray
    nouns: np.ndarray
    attractors: np.ndarray


def agreement_length(max_prefix: int = 6, max_nouns: int = 3, max_adjectives: int = 2) -> int:
    """The number of steps T that fits the longest sentence plus one ".". Chapter 6."""
    return max_prefix + 1 + max_nouns * (2 + max_adjectives) + 2


def agreement_sentences(
        B: int, nouns: int | None = None, p_attractor: float = 0.1,
        max_prefix: int = 6, max_nouns: int = 3, max_adjectives: int = 2,
        seed: int | tuple[int, ...] | np.random.Generator = 0
) -> AgreementData:
    """B sentences "filler* SUBJECT (PREP filler* NOUN)* VERB ." for number agreement.

    The subject follows 0..max_prefix fillers, so it has no fixed position. Between
    it and the verb come ``nouns`` prepositional phrases (None: uniform in
    0..max_nouns), each noun with the subject's number, except that with probability
    ``p_attractor`` it has the other one (an attractor). Training with a small
    p_attractor mimics text, where the nearest noun usually agrees with the verb.
    T = :func:`agreement_length`. After Linzen, Dupoux and Goldberg (2016).
    Introduced in chapter 6 (consequences and diagnosis).
    """
    B = check_positive("B", B, integer=True)
    p_attractor = check_real("p_attractor", p_attractor, minimum=0)
    if p_attractor > 1:
        raise ValueError(f"p_attractor must be a probability in [0, 1]; got {p_attractor}")
    sizes = [_count(n, v) for n, v in (("max_prefix", max_prefix), ("max_nouns", max_nouns),
                                        ("max_adjectives", max_adjectives))]
    if nouns is not None:
        nouns = _count("nouns", nouns)
        if nouns > sizes[1]:
            raise ValueError(f"nouns must be <= max_nouns = {sizes[1]}; got {nouns}")
    rng = _rng("seed", seed)
    number = rng.integers(0, 2, size=B)
    k = rng.integers(0, sizes[1] + 1, size=B) if nouns is None else np.full(B, nouns)
    attract = (rng.random((sizes[1], B)) < p_attractor) & (np.arange(sizes[1])[:, None] < k)
    slots, present = _agreement_slots(number, k, attract, *sizes, rng)
    where = np.cumsum(present, axis=0) - 1  # position of each present slot
    tokens = np.full((agreement_length(*sizes), B), len(AGREEMENT_VOCAB) - 1)
    tokens[where[present], np.nonzero(present)[1]] = slots[present]
    return AgreementData(tokens, where[-1], where[sizes[0]], number, k, attract.sum(axis=0))


def _count(name: str, value: object) -> int:
    """A whole number >= 0."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a whole number; got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0; got {value}")
    return int(value)


def _agreement_slots(number: np.ndarray, k: np.ndarray, attract: np.ndarray,
                     max_prefix: int, max_nouns: int, max_adjectives: int,
                     rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Every possible word slot of the sentences, (S, B) ids and (S, B) present."""
    ids = {w: i for i, w in enumerate(AGREEMENT_VOCAB)}
    nouns = np.array([[ids[w] for w in ws] for ws in AGREEMENT_NOUNS])  # (2, 4)
    verbs = np.array([[ids[w] for w in ws] for ws in AGREEMENT_VERBS])  # (2, 2)
    B, F = len(number), len(AGREEMENT_FILLERS)

    def fillers(n: int, upto: np.ndarray) -> tuple[list, list]:
        count = rng.integers(0, n + 1, size=B)
        return ([rng.integers(0, F, size=B) for _ in range(n)],
                [(j < count) & upto for j in range(n)])

    rows, present = fillers(max_prefix, np.ones(B, bool))
    rows.append(nouns[number, rng.integers(0, 4, size=B)])
    present.append(np.ones(B, bool))
    for i in range(max_nouns):
        used = i < k
        adj_rows, adj_present = fillers(max_adjectives, used)
        rows += [F + rng.integers(0, len(AGREEMENT_PREPOSITIONS), size=B), *adj_rows,
                 nouns[number ^ attract[i], rng.integers(0, 4, size=B)]]
        present += [used, *adj_present, used]
    rows.append(verbs[number, rng.integers(0, 2, size=B)])
    present.append(np.ones(B, bool))
    return np.array(rows), np.array(present)
