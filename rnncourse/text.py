"""Character-level text for a recurrent language model: the shipped text, encoding, sampling.

Introduced in chapter 3 (recurrent networks).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from importlib import resources

import numpy as np

from .numpy_rnn import RNNParams, cross_entropy_loss, forward
from .validation import check_choice, check_int_ids, check_positive, check_seed


def load_text(name: str = "sonnets.txt") -> str:
    """The text of ``rnncourse/data/<name>`` (see the README there for its source)."""
    files = resources.files("rnncourse") / "data"
    names = sorted(p.name for p in files.iterdir() if p.name.endswith(".txt"))
    return (files / check_choice("name", name, tuple(names))).read_text(encoding="utf-8")


def _check_text(name: str, text: object, chars: str | None = None) -> str:
    """``text`` after checking it is a string (of characters in ``chars``, if given)."""
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a string; got {type(text).__name__}")
    unknown = sorted(set(text) - set(chars)) if chars is not None else []
    if unknown:
        raise ValueError(f"{name} has characters outside the vocabulary: {unknown!r}")
    return text


@dataclass(frozen=True)
class CharVocab:
    """The characters of a text, each with an integer id (sorted, so ids are reproducible)."""

    chars: str

    def __post_init__(self) -> None:
        _check_text("chars", self.chars)
        if not self.chars or len(set(self.chars)) != len(self.chars):
            raise ValueError(f"chars must be a non-empty string of distinct characters; "
                             f"got {self.chars!r}")

    @classmethod
    def from_text(cls, text: str) -> CharVocab:
        if not _check_text("text", text):
            raise ValueError("text must be a non-empty string to take characters from; got ''")
        return cls("".join(sorted(set(text))))

    @property
    def size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """Integer ids (len(text),); raises ValueError naming an unknown character."""
        index = {ch: i for i, ch in enumerate(self.chars)}
        return np.array([index[ch] for ch in _check_text("text", text, self.chars)],
                        dtype=np.int64)

    def decode(self, ids: np.ndarray) -> str:
        """The text of integer ids in [0, size), read in order (any shape is flattened)."""
        return "".join(self.chars[i] for i in check_int_ids("ids", ids, self.size).ravel())


def _check_vocab(vocab: object) -> CharVocab:
    if not isinstance(vocab, CharVocab):
        raise TypeError(f"vocab must be a CharVocab (CharVocab.from_text(text)); "
                        f"got {type(vocab).__name__}")
    return vocab


def _check_model(params: object, V: int) -> RNNParams:
    """``params`` after checking it is an RNN reading and predicting V characters, finite."""
    if not isinstance(params, RNNParams):
        raise TypeError(f"params must be RNNParams (see numpy_rnn.init_params); "
                        f"got {type(params).__name__}")
    D, _, O = params.sizes
    if D != V or O != V:
        raise ValueError(f"params must read and predict V = {V} characters (D = O = {V}); "
                         f"got D = {D}, O = {O}")
    for f in fields(params):
        if not np.all(np.isfinite(getattr(params, f.name))):
            raise ValueError(f"params.{f.name} holds NaN or Inf (a diverged run?)")
    return params


def one_hot(ids: np.ndarray, V: int) -> np.ndarray:
    """(T, B) integer ids in [0, V) -> (T, B, V) one-hot float64 inputs (any shape of ids)."""
    V = check_positive("V", V, integer=True)
    ids = check_int_ids("ids", ids, V)
    return (ids[..., None] == np.arange(V)).astype(np.float64)


def char_batch(ids: np.ndarray, V: int, T: int, B: int,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """B random windows of T + 1 characters: inputs (T, B, V) one-hot, targets (T, B) ids.

    The target at each step is the next character.
    """
    T, B = check_positive("T", T, integer=True), check_positive("B", B, integer=True)
    V = check_positive("V", V, integer=True)
    ids = check_int_ids("ids", ids, V, ndim=1)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
    if len(ids) < T + 1:
        raise ValueError(f"ids has {len(ids)} characters; a window needs T + 1 = {T + 1}")
    starts = rng.integers(0, len(ids) - T, size=B)
    windows = ids[starts[None, :] + np.arange(T + 1)[:, None]]  # (T + 1, B)
    return one_hot(windows[:-1], V), windows[1:]


def sample(params: RNNParams, vocab: CharVocab, prime: str, n: int,
           temperature: float = 1.0, seed: int = 0) -> str:
    """Read ``prime``, then draw ``n`` characters one at a time, each fed back as input.

    temperature < 1 sharpens the softmax (safer text), > 1 flattens it.
    """
    n = check_positive("n", n, integer=True)
    temperature = check_positive("temperature", temperature)
    params = _check_model(params, _check_vocab(vocab).size)
    if not _check_text("prime", prime, vocab.chars):
        raise ValueError(f"prime must be a non-empty string to start from; got {prime!r}")
    rng = np.random.default_rng(check_seed("seed", seed))
    cache = forward(params, one_hot(vocab.encode(prime)[:, None], vocab.size))
    h, logits, out = cache.hs[-1], cache.ys[-1, 0], []
    for _ in range(n):
        p = np.exp((logits - logits.max()) / temperature)
        out.append(int(rng.choice(vocab.size, p=p / p.sum())))
        cache = forward(params, one_hot(np.array([[out[-1]]]), vocab.size), h)
        h, logits = cache.hs[-1], cache.ys[-1, 0]
    return prime + vocab.decode(np.array(out))


def cross_entropy_on_text(params: RNNParams, ids: np.ndarray, V: int) -> float:
    """Mean next-character cross-entropy (nats) of the model reading ``ids`` from h = 0.

    ids: (N,) integer character ids in [0, V), N >= 2 (each predicts the next).
    """
    V = check_positive("V", V, integer=True)
    params, ids = _check_model(params, V), check_int_ids("ids", ids, V, ndim=1)
    if len(ids) < 2:
        raise ValueError(f"ids needs at least 2 characters (one to read, one to predict); "
                         f"got {len(ids)}")
    logits = forward(params, one_hot(ids[:-1, None], V)).ys
    return cross_entropy_loss(logits, ids[1:, None])[0]


def _words(name: str, s: object) -> list[str]:
    """The words of ``s``: runs of letters, lower-cased (``name`` is the argument, for errors)."""
    return re.findall(r"[a-z]+", _check_text(name, s).lower())


def known_word_fraction(generated: str, text: str) -> float:
    """Fraction of the words in ``generated`` that occur in ``text`` (case-insensitive).

    Words are runs of letters; a crude but honest measure of "looks like the text".
    0.0 when ``generated`` has no words. Introduced in chapter 3 (recurrent networks).
    """
    found = _words("generated", generated)
    vocabulary = set(_words("text", text))
    return sum(w in vocabulary for w in found) / max(len(found), 1)


def distinct_word_fraction(generated: str) -> float:
    """Distinct words over all words of ``generated`` (case-insensitive): 1.0 means no repeats.

    0.0 when ``generated`` has no words. Introduced in chapter 3 (recurrent networks):
    sampling at a low temperature repeats words more often.
    """
    found = _words("generated", generated)
    return len(set(found)) / max(len(found), 1)
