"""Character-level text helpers: the shipped text, encoding, batches, sampling."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.numpy_rnn import cross_entropy_loss, forward, init_params
from rnncourse.text import (
    CharVocab,
    char_batch,
    cross_entropy_on_text,
    distinct_word_fraction,
    known_word_fraction,
    load_text,
    one_hot,
    sample,
)


@pytest.fixture(scope="module")
def text():
    return load_text()


def test_shipped_text_is_a_few_kilobytes(text):
    assert 3000 < len(text.encode()) < 10000
    assert text.startswith("I\n\nFrom fairest creatures")


def test_vocab_round_trip_and_unknown_characters(text):
    vocab = CharVocab.from_text(text)
    assert vocab.decode(vocab.encode(text)) == text
    assert list(vocab.chars) == sorted(vocab.chars)
    with pytest.raises(ValueError, match="outside the vocabulary"):
        vocab.encode("Zebra")


def test_char_batch_targets_are_next_characters(text):
    vocab = CharVocab.from_text(text)
    ids = vocab.encode(text)
    xs, targets = char_batch(ids, vocab.size, 10, 4, np.random.default_rng(0))
    assert xs.shape == (10, 4, vocab.size) and targets.shape == (10, 4)
    np.testing.assert_array_equal(xs.argmax(axis=-1)[1:], targets[:-1])
    np.testing.assert_array_equal(xs.sum(axis=-1), 1.0)


def test_sample_is_seeded_and_starts_with_prime(text):
    vocab = CharVocab.from_text(text)
    params = init_params(vocab.size, 8, vocab.size)
    a = sample(params, vocab, "Love ", 30, seed=3)
    assert a == sample(params, vocab, "Love ", 30, seed=3)
    assert a.startswith("Love ") and len(a) == 35


def test_cross_entropy_on_text_matches_loss(text):
    vocab = CharVocab.from_text(text)
    ids = vocab.encode(text[:50])
    params = init_params(vocab.size, 6, vocab.size)
    logits = forward(params, one_hot(ids[:-1, None], vocab.size)).ys
    want = cross_entropy_loss(logits, ids[1:, None])[0]
    assert cross_entropy_on_text(params, ids, vocab.size) == pytest.approx(want)


def test_known_word_fraction():
    assert known_word_fraction("the cat, THE dog", "the cat sat") == 0.75
    assert known_word_fraction("", "anything") == 0.0
    with pytest.raises(TypeError, match="generated must be a string; got int"):
        known_word_fraction(3, "the cat")


def test_distinct_word_fraction():
    assert distinct_word_fraction("the cat, THE dog") == 0.75  # 'the' twice, case-insensitive
    assert distinct_word_fraction("love's love") == 2 / 3  # words are letter runs: love, s, love
    assert distinct_word_fraction("a b c") == 1.0
    assert distinct_word_fraction("!? 42") == 0.0
    with pytest.raises(TypeError, match="generated must be a string; got list"):
        distinct_word_fraction(["a", "b"])


def test_errors(text):
    with pytest.raises(ValueError, match="name must be one of 'sonnets.txt'"):
        load_text("missing.txt")
    with pytest.raises(ValueError, match="a window needs"):
        char_batch(np.arange(5), 5, 10, 2, np.random.default_rng(0))
    vocab = CharVocab.from_text("ab")
    params = init_params(vocab.size, 3, vocab.size)
    with pytest.raises(ValueError, match="prime must be a non-empty string"):
        sample(params, vocab, "", 5)
    with pytest.raises(ValueError, match="temperature must be a finite number > 0"):
        sample(params, vocab, "a", 5, temperature=0)
