"""Input checks shared by the public functions of the package.

Each check raises ``TypeError`` or ``ValueError`` naming the argument, what was
expected and what came, so a learner can act on the message.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np


def check_array(name: str, x: object, ndim: int | None = None,
                shape: tuple[int | None, ...] | None = None,
                finite: bool = True) -> np.ndarray:
    """Return ``x`` as a float ndarray after checking its type, rank, shape and values.

    shape: expected shape, ``None`` entries match any size, e.g. ``(None, 3)``.
    """
    if not isinstance(x, (np.ndarray, list, tuple, Real)):
        raise TypeError(f"{name} must be a numpy array; got {type(x).__name__}")
    arr = np.asarray(x)
    if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
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
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values (no NaN or Inf)")
    return arr


def check_positive(name: str, value: object, integer: bool = False) -> float | int:
    """Return ``value`` after checking it is a finite number > 0 (an int if ``integer``)."""
    if isinstance(value, bool) or not isinstance(value, (Real, np.number)):
        raise TypeError(f"{name} must be a number; got {type(value).__name__}")
    if not math.isfinite(float(value)) or value <= 0:  # before int(): int(nan) and int(inf) raise
        raise ValueError(f"{name} must be a finite number > 0; got {value!r}")
    if integer and int(value) != value:
        raise TypeError(f"{name} must be a whole number; got {value!r}")
    return int(value) if integer else float(value)


def check_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    """Return ``value`` after checking it is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return str(value)
