"""Character-level text for a recurrent language model: the shipped text, encoding, sampling.

Introduced in chapter 3 (recurrent networks).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import numpy as np

from .numpy_rnn import RNNParams, cross_entropy_loss, forward
from .validation import check_array, check_positive


def load_text(name: str = "sonnets.txt") -> str:
    """The text of ``rnncourse/data/<name>`` (see the README there for its source)."""
    files = resources.files("rnncourse") / "data"
    names = sorted(p.name for p in files.iterdir() if p.name.endswith(".txt"))
    if name not in names:
        raise ValueError(f"name must be one of {', '.join(map(repr, names))}; got {name!r}")
    return (files / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class CharVocab:
    """The characters of a text, each with an integer id (sorted, so ids are reproducible)."""

    chars: str

    @classmethod
    def from_text(cls, text: str) -> CharVocab:
        return cls("".join(sorted(set(text))))

    @property
    def size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """Integer ids (len(text),); raises ValueError naming an unknown character."""
        index = {ch: i for i, ch in enumerate(self.chars)}
        unknown = sorted(set(text) - index.keys())
        if unknown:
            raise ValueError(f"text has characters outside the vocabulary: {unknown!r}")
        return np.array([index[ch] for ch in text], dtype=np.int64)

    def decode(self, ids: np.ndarray) -> str:
        return "".join(self.chars[i] for i in np.asarray(ids).ravel())


def one_hot(ids: np.ndarray, V: int) -> np.ndarray:
    """(T, B) integer ids -> (T, B, V) one-hot float64 inputs."""
    ids = np.asarray(ids)
    return (ids[..., None] == np.arange(V)).astype(np.float64)


def char_batch(ids: np.ndarray, V: int, T: int, B: int,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """B random windows of T + 1 characters: inputs (T, B, V) one-hot, targets (T, B) ids.

    The target at each step is the next character.
    """
    T, B = check_positive("T", T, integer=True), check_positive("B", B, integer=True)
    if len(ids) < T + 1:
        raise ValueError(f"the text has {len(ids)} characters; a window needs T + 1 = {T + 1}")
    starts = rng.integers(0, len(ids) - T, size=B)
    windows = ids[starts[None, :] + np.arange(T + 1)[:, None]]  # (T + 1, B)
    return one_hot(windows[:-1], V), windows[1:]


def sample(params: RNNParams, vocab: CharVocab, prime: str, n: int,
           temperature: float = 1.0, seed: int = 0) -> str:
    """Read ``prime``, then draw ``n`` characters one at a time, each fed back as input.

    temperature < 1 sharpens the softmax (safer text), > 1 flattens it.
    """
    n, temperature = check_positive("n", n, integer=True), check_positive("temperature", temperature)
    if not isinstance(prime, str) or not prime:
        raise ValueError(f"prime must be a non-empty string to start from; got {prime!r}")
    rng = np.random.default_rng(seed)
    cache = forward(params, one_hot(vocab.encode(prime)[:, None], vocab.size))
    h, logits, out = cache.hs[-1], cache.ys[-1, 0], []
    for _ in range(n):
        p = np.exp((logits - logits.max()) / temperature)
        out.append(int(rng.choice(vocab.size, p=p / p.sum())))
        cache = forward(params, one_hot(np.array([[out[-1]]]), vocab.size), h)
        h, logits = cache.hs[-1], cache.ys[-1, 0]
    return prime + vocab.decode(np.array(out))


def cross_entropy_on_text(params: RNNParams, ids: np.ndarray, V: int) -> float:
    """Mean next-character cross-entropy (nats) of the model reading ``ids`` from h = 0."""
    ids = check_array("ids", ids, ndim=1).astype(np.int64)
    logits = forward(params, one_hot(ids[:-1, None], V)).ys
    return cross_entropy_loss(logits, ids[1:, None])[0]


def _words(s: str) -> list[str]:
    """The words of ``s``: runs of letters, lower-cased."""
    if not isinstance(s, str):
        raise TypeError(f"expected a string of text; got {type(s).__name__}")
    return re.findall(r"[a-z]+", s.lower())


def known_word_fraction(generated: str, text: str) -> float:
    """Fraction of the words in ``generated`` that occur in ``text`` (case-insensitive).

    Words are runs of letters; a crude but honest measure of "looks like the text".
    0.0 when ``generated`` has no words. Introduced in chapter 3 (recurrent networks).
    """
    found = _words(generated)
    vocabulary = set(_words(text))
    return sum(w in vocabulary for w in found) / max(len(found), 1)


def distinct_word_fraction(generated: str) -> float:
    """Distinct words over all words of ``generated`` (case-insensitive): 1.0 means no repeats.

    0.0 when ``generated`` has no words. Introduced in chapter 3 (recurrent networks):
    sampling at a low temperature repeats words more often.
    """
    found = _words(generated)
    return len(set(found)) / max(len(found), 1)
