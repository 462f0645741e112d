"""The adding problem and the agreement task (chapter 6), checked by construction."""

import numpy as np
import pytest

from rnncourse import tasks

VOCAB = tasks.AGREEMENT_VOCAB
IDS = {w: i for i, w in enumerate(VOCAB)}
NOUN_NUMBER = {IDS[w]: n for n, ws in enumerate(tasks.AGREEMENT_NOUNS) for w in ws}
VERB_NUMBER = {IDS[w]: n for n, ws in enumerate(tasks.AGREEMENT_VERBS) for w in ws}
FILLERS = {IDS[w] for w in tasks.AGREEMENT_FILLERS}
PREPOSITIONS = {IDS[w] for w in tasks.AGREEMENT_PREPOSITIONS}


@pytest.mark.parametrize("T", [2, 3, 10, 51])
def test_adding_problem_marks_one_step_in_each_half_and_sums_them(T):
    xs, targets = tasks.adding_problem(T, 64, seed=3)
    assert xs.shape == (T, 64, 2) and targets.shape == (64, 1)
    values, markers = xs[..., 0], xs[..., 1]
    assert ((values >= 0) & (values < 1)).all()
    assert set(np.unique(markers)) <= {0.0, 1.0}
    assert (markers[: T // 2].sum(axis=0) == 1).all() and (markers[T // 2:].sum(axis=0) == 1).all()
    first = np.argmax(markers, axis=0)
    second = T - 1 - np.argmax(markers[::-1], axis=0)
    cols = np.arange(64)
    np.testing.assert_allclose(targets[:, 0], values[first, cols] + values[second, cols])


def test_adding_problem_constant_predictor_mse_is_one_sixth():
    # closed form: a, b ~ U[0, 1] independent, the best constant is E[a + b] = 1 and its
    # MSE is Var(a + b) = 2 * 1/12 = 1/6; Monte Carlo agrees within a few standard errors
    assert tasks.ADDING_BASELINE == pytest.approx(1 / 6)
    _, targets = tasks.adding_problem(20, 200_000, seed=0)
    assert targets.mean() == pytest.approx(1.0, abs=0.005)
    assert np.mean((targets - 1.0) ** 2) == pytest.approx(1 / 6, abs=0.003)


def test_adding_problem_marker_positions_are_uniform_in_each_half():
    xs, _ = tasks.adding_problem(10, 50_000, seed=1)
    counts = xs[..., 1].sum(axis=1) / 50_000
    np.testing.assert_allclose(counts, 0.2, atol=0.01)  # 1 / 5 for each step of a half


def test_adding_problem_seeds():
    a, b = tasks.adding_problem(6, 4, seed=1), tasks.adding_problem(6, 4, seed=1)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], tasks.adding_problem(6, 4, seed=2)[0])
    assert not np.array_equal(tasks.adding_problem(6, 4, seed=(1, 0))[0],
                              tasks.adding_problem(6, 4, seed=(1, 1))[0])
    rng = np.random.default_rng(0)
    assert not np.array_equal(tasks.adding_problem(6, 4, seed=rng)[0],
                              tasks.adding_problem(6, 4, seed=rng)[0])


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(T=1), ValueError, "T"), (dict(T=0), ValueError, "T"), (dict(T=2.5), TypeError, "T"),
    (dict(B=0), ValueError, "B"), (dict(seed=-1), ValueError, "seed"),
    (dict(seed="a"), TypeError, "seed"), (dict(seed=(1, -1)), ValueError, "seed"),
    (dict(seed=()), ValueError, "seed"),
])
def test_adding_problem_bad_input(kwargs, error, name):
    with pytest.raises(error, match=name):
        tasks.adding_problem(**(dict(T=5, B=2) | kwargs))


def parse(data, b):
    """Read sentence b back: prefix, subject, the nouns between, verb, padding."""
    words = data.tokens[:, b].tolist()
    s, v = data.subject[b], data.verb[b]
    assert all(w in FILLERS for w in words[:s])
    assert NOUN_NUMBER[words[s]] == data.number[b]
    assert VERB_NUMBER[words[v]] == data.number[b]
    assert all(w == IDS["."] for w in words[v + 1:]) and v + 1 < len(words)
    between = words[s + 1:v]
    nouns = [NOUN_NUMBER[w] for w in between if w in NOUN_NUMBER]
    assert all(w in FILLERS | PREPOSITIONS | set(NOUN_NUMBER) for w in between)
    assert sum(w in PREPOSITIONS for w in between) == len(nouns)
    return s, v, nouns


def test_agreement_sentences_are_what_the_fields_say():
    data = tasks.agreement_sentences(300, p_attractor=0.5, seed=0)
    assert data.tokens.shape == (tasks.agreement_length(), 300)
    for b in range(300):
        _, _, nouns = parse(data, b)
        assert len(nouns) == data.nouns[b]
        assert sum(n != data.number[b] for n in nouns) == data.attractors[b]
    assert set(data.nouns) == {0, 1, 2, 3} and set(data.number) == {0, 1}
    assert set(data.subject) == set(range(7))  # 0..max_prefix fillers before the subject


def test_agreement_attractor_probability_and_noun_count():
    none = tasks.agreement_sentences(200, nouns=2, p_attractor=0.0, seed=1)
    every = tasks.agreement_sentences(200, nouns=2, p_attractor=1.0, seed=1)
    assert (none.attractors == 0).all() and (every.attractors == 2).all()
    assert (none.nouns == 2).all()
    some = tasks.agreement_sentences(20_000, nouns=3, p_attractor=0.2, seed=2)
    assert some.attractors.mean() / 3 == pytest.approx(0.2, abs=0.01)


def test_agreement_sizes_matter():
    tight = tasks.agreement_sentences(50, nouns=2, max_prefix=0, max_adjectives=0, seed=3)
    assert (tight.subject == 0).all() and (tight.verb == 1 + 2 * 2).all()
    assert tasks.agreement_length(0, 2, 0) == 7
    wide = tasks.agreement_sentences(50, max_nouns=5, max_adjectives=1, seed=3)
    assert wide.tokens.shape[0] == tasks.agreement_length(6, 5, 1) == 6 + 1 + 5 * 3 + 2
    assert wide.nouns.max() == 5
    for b in range(50):
        parse(wide, b)


def test_agreement_seeds():
    a = tasks.agreement_sentences(8, seed=(4, 1)).tokens
    np.testing.assert_array_equal(a, tasks.agreement_sentences(8, seed=(4, 1)).tokens)
    assert not np.array_equal(a, tasks.agreement_sentences(8, seed=(4, 2)).tokens)


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(B=0), ValueError, "B"), (dict(p_attractor=1.5), ValueError, "p_attractor"),
    (dict(p_attractor=-0.1), ValueError, "p_attractor"),
    (dict(p_attractor="x"), TypeError, "p_attractor"),
    (dict(nouns=4), ValueError, "nouns"), (dict(nouns=-1), ValueError, "nouns"),
    (dict(nouns=1.5), TypeError, "nouns"), (dict(max_prefix=-1), ValueError, "max_prefix"),
    (dict(max_nouns=True), TypeError, "max_nouns"),
    (dict(max_adjectives=-2), ValueError, "max_adjectives"),
    (dict(seed=-3), ValueError, "seed"),
])
def test_agreement_bad_input(kwargs, error, name):
    with pytest.raises(error, match=name):
        tasks.agreement_sentences(**(dict(B=4) | kwargs))
