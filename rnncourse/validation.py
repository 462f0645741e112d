"""Input checks shared by the public functions of the package.

Each check raises ``TypeError`` (the wrong kind of thing: a string, a complex or object array,
a boolean where a number belongs) or ``ValueError`` (the right kind, a wrong value: a shape,
NaN or Inf, out of range), naming the argument, what was expected and what came, so a learner
can act on the message. Public functions call them once, at their boundary; inner teaching
blocks trust their inputs.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

INT_MAX = np.iinfo(np.int64).max  # whole-number arguments must fit numpy's default integer


def check_array(name: str, x: object, ndim: int | None = None,
                shape: tuple[int | None, ...] | None = None,
                finite: bool = True) -> np.ndarray:
    """Return ``x`` as a float ndarray after checking its type, rank, shape and values.

    shape: expected shape, ``None`` entries match any size, e.g. ``(None, 3)``.
    """
    if not isinstance(x, (np.ndarray, list, tuple, Real)):
        raise TypeError(f"{name} must be a numpy array; got {type(x).__name__}")
    arr = _asarray(name, x)
    if arr.dtype.kind not in "fiu":  # float, signed or unsigned int: not bool, complex, object
        raise TypeError(f"{name} must hold real numbers; got dtype {arr.dtype}")
    if arr.dtype.kind in "iu":
        arr = arr.astype(np.float64)
    if shape is not None:
        ndim = len(shape)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s); got shape {arr.shape}")
    if shape is not None and any(s is not None and s != a for s, a in zip(shape, arr.shape)):
        want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
        raise ValueError(f"{name} must have shape {want}; got {arr.shape}")
    if finite and not np.isfinite(arr).all():
        raise ValueError(f"{name} must contain only finite values (no NaN or Inf)")
    return arr


def _asarray(name: str, x: object) -> np.ndarray:
    try:
        return np.asarray(x)
    except ValueError as err:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers; got {err}") from None


def check_real(name: str, value: object, minimum: float | None = None) -> float:
    """Return ``value`` as a float after checking it is a finite real number (>= ``minimum``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number; got {type(value).__name__}")
    if not math.isfinite(float(value)):
        raise ValueError(f"{name} must be a finite number; got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be a finite number >= {minimum}; got {value!r}")
    return float(value)


def check_positive(name: str, value: object, integer: bool = False) -> float | int:
    """Return ``value`` after checking it is a finite number > 0 (an int if ``integer``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):  # Real: no complex
        raise TypeError(f"{name} must be a number; got {type(value).__name__}")
    if not math.isfinite(float(value)) or value <= 0:  # before int(): int(nan) and int(inf) raise
        raise ValueError(f"{name} must be a finite number > 0; got {value!r}")
    if integer and int(value) != value:
        raise TypeError(f"{name} must be a whole number; got {value!r}")
    if integer and value > INT_MAX:
        raise ValueError(f"{name} must be a whole number <= {INT_MAX}; got {value!r}")
    return int(value) if integer else float(value)


def check_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    """Return ``value`` after checking it is one of ``choices``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {', '.join(map(repr, choices))}; "
                        f"got {type(value).__name__}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return str(value)


def check_seed(name: str, seed: object) -> int | np.random.Generator:
    """Return ``seed`` after checking it is an int >= 0 or a ``numpy.random.Generator``."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{name} must be an int or a numpy Generator; got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"{name} must be an int >= 0 or a numpy Generator; got {seed!r}")
    return int(seed)


def check_int_seed(name: str, seed: object) -> int:
    """Return ``seed`` after checking it is an int >= 0 (torch seeds take no Generator)."""
    seed = check_seed(name, seed)
    if not isinstance(seed, int):
        raise TypeError(f"{name} must be an int for torch; got a numpy Generator")
    return seed


def check_int_ids(name: str, ids: object, V: int, ndim: int | None = None) -> np.ndarray:
    """Return ``ids`` as an int64 array after checking they are integer class ids in [0, V)."""
    if not isinstance(ids, (np.ndarray, list, tuple)):
        raise TypeError(f"{name} must be a numpy array of integer ids; got {type(ids).__name__}")
    arr = _asarray(name, ids)
    if arr.dtype.kind not in "iu" and not (arr.size == 0 and arr.dtype.kind == "f"):
        raise TypeError(f"{name} must hold integer ids; got dtype {arr.dtype}")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s); got shape {arr.shape}")
    if arr.size and (arr.min() < 0 or arr.max() >= V):
        raise ValueError(f"{name} must hold ids in [0, {V}); "
                         f"got values from {arr.min()} to {arr.max()}")
    return arr.astype(np.int64)
