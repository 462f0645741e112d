"""Weight initialisers.

Every initialiser has the same signature, ``init(fan_in, fan_out, rng, gain=1.0)``, and
returns a float64 matrix of shape ``(fan_out, fan_in)``: **(outputs, inputs)**, the course's one
layout (see the notation page), as ``torch.nn.Linear`` stores it. In the math a layer computes
``z = W a + b`` on a column ``a``; in code, on a batch ``X`` of shape ``(N, fan_in)``, it computes
``Z = X @ W.T + b``. The input weights ``W_x`` of an RNN are the case ``(H, D)``, the recurrent
matrix ``W_h`` the square case ``fan_in == fan_out == H``, where :func:`orthogonal` and
:func:`identity` also apply.

| name | distribution | Var(W_ij) |
| --- | --- | --- |
| ``fan_in_uniform`` | U[−1/√n_in, 1/√n_in] | 1/(3 n_in) |
| ``xavier_uniform`` | U[−√(6/(n_in+n_out)), +√(…)] | 2/(n_in + n_out) |
| ``xavier_normal`` | N(0, 2/(n_in + n_out)) | 2/(n_in + n_out) |
| ``he_uniform`` | U[−√(6/n_in), +√(6/n_in)] | 2/n_in |
| ``he_normal`` | N(0, 2/n_in) | 2/n_in |
| ``orthogonal`` | a random orthogonal matrix (Q of a QR) | 1/n (square) |
| ``identity`` | the identity matrix (square only) | — |

``gain`` multiplies the matrix (standard deviation × gain).
Introduced in chapter 2 (backpropagation and vanishing gradients in deep networks);
orthogonal and identity are used for RNNs in chapter 8 (initialisation and activations).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .validation import check_choice, check_positive

Initialiser = Callable[..., np.ndarray]


def _fans(fan_in: object, fan_out: object, gain: object, rng: object,
          rng_optional: bool = False) -> tuple[int, int, float]:
    """Validate the common arguments of every initialiser."""
    if not (isinstance(rng, np.random.Generator) or (rng_optional and rng is None)):
        raise TypeError(f"rng must be a numpy.random.Generator "
                        f"(np.random.default_rng(seed)); got {type(rng).__name__}")
    return (check_positive("fan_in", fan_in, integer=True),
            check_positive("fan_out", fan_out, integer=True),
            check_positive("gain", gain))


def _uniform(bound: float, fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """U[−bound, bound] entries in a (fan_out, fan_in) matrix."""
    return rng.uniform(-bound, bound, size=(fan_out, fan_in))


def fan_in_uniform(fan_in: int, fan_out: int, rng: np.random.Generator,
                   gain: float = 1.0) -> np.ndarray:
    """U[−1/√n_in, 1/√n_in]: the common heuristic before 2010 (Glorot & Bengio's "standard")."""
    fan_in, fan_out, gain = _fans(fan_in, fan_out, gain, rng)
    return _uniform(gain / np.sqrt(fan_in), fan_in, fan_out, rng)


def xavier_uniform(fan_in: int, fan_out: int, rng: np.random.Generator,
                   gain: float = 1.0) -> np.ndarray:
    """Glorot & Bengio (2010): U[±√(6/(n_in + n_out))].

    Variance 2/(n_in + n_out).
    """
    fan_in, fan_out, gain = _fans(fan_in, fan_out, gain, rng)
    bound = gain * np.sqrt(6.0 / (fan_in + fan_out))
    return _uniform(bound, fan_in, fan_out, rng)


def xavier_normal(fan_in: int, fan_out: int, rng: np.random.Generator,
                  gain: float = 1.0) -> np.ndarray:
    """Glorot & Bengio (2010), normal form: N(0, 2/(n_in + n_out))."""
    fan_in, fan_out, gain = _fans(fan_in, fan_out, gain, rng)
    return rng.normal(0.0, gain * np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_out, fan_in))


def he_uniform(fan_in: int, fan_out: int, rng: np.random.Generator,
               gain: float = 1.0) -> np.ndarray:
    """He et al. (2015) for ReLU layers: U[±√(6/n_in)], variance 2/n_in."""
    fan_in, fan_out, gain = _fans(fan_in, fan_out, gain, rng)
    return _uniform(gain * np.sqrt(6.0 / fan_in), fan_in, fan_out, rng)


def he_normal(fan_in: int, fan_out: int, rng: np.random.Generator,
              gain: float = 1.0) -> np.ndarray:
    """He et al. (2015) for ReLU: N(0, 2/n_in), Var(z) constant in depth."""
    fan_in, fan_out, gain = _fans(fan_in, fan_out, gain, rng)
    std = gain * np.sqrt(2.0 / fan_in)
    return rng.normal(0.0, std, size=(fan_out, fan_in))


def orthogonal(fan_in: int, fan_out: int, rng: np.random.Generator,
               gain: float = 1.0) -> np.ndarray:
    """A random (fan_out, fan_in) matrix with orthonormal rows or columns.

    All its singular values equal ``gain``.
    """
    fan_in, fan_out, gain = _fans(fan_in, fan_out, gain, rng)
    a = rng.normal(size=(max(fan_in, fan_out), min(fan_in, fan_out)))
    q, r = np.linalg.qr(a)
    q = q * np.sign(np.diag(r))  # makes the distribution uniform (Haar) over orthogonal matrices
    return gain * (q if fan_out >= fan_in else q.T)


def identity(fan_in: int, fan_out: int, rng: np.random.Generator | None = None,
             gain: float = 1.0) -> np.ndarray:
    """``gain`` times the identity; square only (the IRNN's W_h of Le et al. 2015)."""
    fan_in, fan_out, gain = _fans(fan_in, fan_out, gain, rng, rng_optional=True)
    if fan_in != fan_out:
        raise ValueError(f"identity initialisation needs fan_in == fan_out; "
                         f"got {fan_in} and {fan_out}")
    return gain * np.eye(fan_in)


INITIALISERS: dict[str, Initialiser] = {
    "fan_in_uniform": fan_in_uniform,
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
    "orthogonal": orthogonal,
    "identity": identity,
}


def init_weight(name: str, fan_in: int, fan_out: int, rng: np.random.Generator,
                gain: float = 1.0) -> np.ndarray:
    """A ``(fan_out, fan_in)`` matrix from the initialiser ``name`` (see ``INITIALISERS``)."""
    check_choice("init", name, tuple(INITIALISERS))
    if not isinstance(rng, np.random.Generator):  # identity ignores rng; init_weight needs it
        raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
    return INITIALISERS[name](fan_in, fan_out, rng, gain=gain)
