"""Jacobian products of a recurrence, their norms, and the vanishing/exploding bounds.

The recurrence, for one sequence (a Jacobian is one matrix per sequence, so there is no
batch axis here)::

    z_t = W_h h_{t-1} + u_t,     h_t = f(z_t),     t = 1, ..., T

``u_t`` is the input's drive, ``W_x x_t + b`` in the RNN of chapter 3, given directly as
``drive`` (T, H); ``f`` is an activation of :mod:`rnncourse.activations` ('tanh',
'sigmoid', 'relu', ...). ``W_h`` is (H, H), stored (outputs, inputs) as everywhere in the
course. The Jacobian of one step is ``J_t = dh_t/dh_{t-1} = diag(f'(z_t)) W_h`` and

    dh_s/dh_t = J_s J_{s-1} ... J_{t+1}        (latest step on the left; I when s = t).

Norms are spectral norms ``||A||_2`` (the largest singular value). Pascanu, Mikolov and
Bengio (2013): with ``gamma = max |f'|``, ``||dh_s/dh_t||_2 <= (gamma sigma_max(W_h))^(s-t)``.
A distance s - t is written Δ, as on the notation page.
numpy only. Introduced in chapter 5 (vanishing and exploding gradients).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import get_activation
from .validation import check_array, check_positive, check_real, check_seed


class Trajectory(NamedTuple):
    """States hs (T + 1, H), with hs[0] = h_0, and pre-activations zs (T, H)."""

    hs: np.ndarray
    zs: np.ndarray


def _square(name: str, W: object) -> np.ndarray:
    """``W`` as a finite float (H, H) array, or a ValueError naming ``name``."""
    W = check_array(name, W, ndim=2)
    if W.shape[0] != W.shape[1] or W.shape[0] == 0:
        raise ValueError(f"{name} must be a square (H, H) matrix with H >= 1; got {W.shape}")
    return W


def run_recurrence(W_h: np.ndarray, drive: np.ndarray, activation: str = "tanh",
                   h0: np.ndarray | None = None) -> Trajectory:
    """Run h_t = f(W_h h_{t-1} + u_t) for t = 1..T from h0 (zeros if None).

    W_h: (H, H); drive: (T, H), row t - 1 is u_t; h0: (H,).
    Returns the :class:`Trajectory` (hs (T + 1, H), zs (T, H)). A state that
    overflows float64 (a ReLU recurrence with a huge W_h) becomes inf, silently.
    Introduced in chapter 5 (vanishing and exploding gradients).
    """
    W_h = _square("W_h", W_h)
    H = W_h.shape[0]
    drive = check_array("drive", drive, shape=(None, H))
    if drive.shape[0] == 0:
        raise ValueError("drive needs at least one step; got shape (0, H)")
    f = get_activation(activation).f
    h = np.zeros(H) if h0 is None else check_array("h0", h0, shape=(H,))
    hs, zs = [h], []
    with np.errstate(over="ignore", invalid="ignore"):
        for u in drive:
            zs.append(W_h @ hs[-1] + u)
            hs.append(f(zs[-1]))
    return Trajectory(np.array(hs), np.array(zs))


def step_jacobians(W_h: np.ndarray, zs: np.ndarray,
                   activation: str = "tanh") -> np.ndarray:
    """The Jacobian of every step, J_t = diag(f'(z_t)) W_h.

    W_h: (H, H); zs: (T, H) pre-activations. Returns (T, H, H), entry t - 1
    is J_t = dh_t/dh_{t-1}.
    Introduced in chapter 5 (vanishing and exploding gradients).
    """
    W_h = _square("W_h", W_h)
    zs = check_array("zs", zs, shape=(None, W_h.shape[0]))
    df = get_activation(activation).df
    return df(zs)[:, :, None] * W_h[None]  # row i of J_t is f'(z_ti) W_h[i]


def _jacobian_stack(jacs: object) -> np.ndarray:
    """``jacs`` as a finite (T, H, H) array with T >= 1."""
    jacs = check_array("jacs", jacs, ndim=3)
    if jacs.shape[0] == 0 or jacs.shape[1] != jacs.shape[2] or jacs.shape[1] == 0:
        raise ValueError(f"jacs must have shape (T, H, H) with T, H >= 1; got {jacs.shape}")
    return jacs


def jacobian_product(jacs: np.ndarray, s: int, t: int) -> np.ndarray:
    """dh_s/dh_t = J_s J_{s-1} ... J_{t+1}: latest step on the left.

    jacs: (T, H, H) from :func:`step_jacobians` (jacs[j - 1] is J_j);
    0 <= t <= s <= T. Returns (H, H), the identity when s == t.
    Introduced in chapter 5 (vanishing and exploding gradients).
    """
    jacs = _jacobian_stack(jacs)
    s, t = _step("s", s, jacs.shape[0]), _step("t", t, jacs.shape[0])
    if t > s:
        raise ValueError(f"t must be <= s (a later state depends on an "
                         f"earlier one); got s={s}, t={t}")
    P = np.eye(jacs.shape[1])
    # J_{t+1} first, then each later one on the left
    for j in range(t + 1, s + 1):
        P = jacs[j - 1] @ P
    return P


def _step(name: str, value: object, T: int) -> int:
    """A time index in 0..T, or a TypeError/ValueError naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a whole number; got {type(value).__name__}")
    if not 0 <= value <= T:
        raise ValueError(f"{name} must be a step in 0..{T}; got {value}")
    return int(value)


def spectral_norms(mats: np.ndarray) -> np.ndarray:
    """||A||_2, the largest singular value, of each matrix of a stack (..., H, H)."""
    mats = check_array("mats", mats, finite=False)
    if mats.ndim < 2 or 0 in mats.shape[-2:]:
        raise ValueError(f"mats must be a matrix or a stack of matrices; got {mats.shape}")
    with np.errstate(over="ignore", invalid="ignore"):
        return np.linalg.svd(mats, compute_uv=False)[..., 0]


def norms_by_distance(jacs: np.ndarray) -> np.ndarray:
    """||dh_T/dh_{T-Δ}||_2 for every distance Δ = 0..T: what reaches back Δ steps.

    jacs: (T, H, H). Returns (T + 1,); entry 0 is 1 (the identity). Computed
    by one backward sweep, adding the earliest Jacobian on the right.
    Introduced in chapter 5 (vanishing and exploding gradients).
    """
    jacs = _jacobian_stack(jacs)
    T, H = jacs.shape[:2]
    products = np.empty((T + 1, H, H))
    products[0] = np.eye(H)
    with np.errstate(over="ignore", invalid="ignore"):
        for lag in range(1, T + 1):  # dh_T/dh_{T-Δ} = (dh_T/dh_{T-Δ+1}) J_{T-Δ+1}
            products[lag] = products[lag - 1] @ jacs[T - lag]
    return spectral_norms(products)


def norm_map(jacs: np.ndarray) -> np.ndarray:
    """||dh_s/dh_t||_2 for every pair of steps: entry [s, t], s, t = 0..T.

    jacs: (T, H, H). Returns (T + 1, T + 1); NaN above the diagonal (t > s,
    where h_s does not depend on h_t), 1 on it.
    Introduced in chapter 5 (vanishing and exploding gradients).
    """
    jacs = _jacobian_stack(jacs)
    T, H = jacs.shape[:2]
    out = np.full((T + 1, T + 1), np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(T + 1):
            products = np.empty((T + 1 - t, H, H))
            products[0] = np.eye(H)
            for s in range(t + 1, T + 1):  # dh_s/dh_t = J_s (dh_{s-1}/dh_t)
                products[s - t] = jacs[s - 1] @ products[s - t - 1]
            out[t:, t] = spectral_norms(products)
    return out


def max_singular_value(W: np.ndarray) -> float:
    """sigma_max(W) = ||W||_2, the most W can stretch a vector. W: (H, H)."""
    return float(spectral_norms(_square("W", W)))


def spectral_radius(W: np.ndarray) -> float:
    """``rho(W)``, the largest ``|eigenvalue|``: the growth rate of ``||W^k||``."""
    return float(np.max(np.abs(np.linalg.eigvals(_square("W", W)))))


def vanishing_bound(W_h: np.ndarray, activation: str, distances: np.ndarray) -> np.ndarray:
    """The bound (gamma sigma_max(W_h))^Δ on ||dh_s/dh_t||_2 at distance Δ = s - t.

    ``gamma = max |f'|`` (1 for tanh and ReLU, 1/4 for the sigmoid). distances: (n,)
    whole numbers >= 0. Returns (n,); inf where the bound exceeds float64.
    Introduced in chapter 5 (vanishing and exploding gradients).
    """
    gamma = get_activation(activation).max_slope
    lags = check_array("distances", distances, ndim=1)
    if (lags < 0).any() or (lags != np.round(lags)).any():
        raise ValueError("distances must be whole numbers >= 0")
    with np.errstate(over="ignore"):
        return (gamma * max_singular_value(W_h)) ** lags


def per_step_factor(norms: np.ndarray) -> float:
    """The geometric mean factor per step of a curve: (norms[-1] / norms[0])^(1/n).

    norms: (n + 1,) positive, e.g. from :func:`norms_by_distance`; n >= 1.
    Below 1 the curve vanishes, above 1 it explodes.
    Introduced in chapter 5 (vanishing and exploding gradients).
    """
    norms = check_array("norms", norms, ndim=1)
    if norms.shape[0] < 2 or (norms <= 0).any():
        raise ValueError("norms must hold at least two positive values; "
                         f"got shape {norms.shape}")
    return float(np.exp(np.log(norms[-1] / norms[0]) / (norms.shape[0] - 1)))


def scaled_orthogonal(H: int, gain: float, seed: int | np.random.Generator) -> np.ndarray:
    """gain times a random orthogonal (H, H) matrix: every singular value is ``gain``."""
    H = check_positive("H", H, integer=True)
    gain = check_real("gain", gain)
    rng = np.random.default_rng(check_seed("seed", seed))
    q, r = np.linalg.qr(rng.normal(size=(H, H)))
    return gain * q * np.sign(np.diag(r))  # the sign fix makes q uniform (Haar)


def gradient_curve(W_h: np.ndarray, drive: np.ndarray, activation: str = "tanh",
                   h0: np.ndarray | None = None) -> np.ndarray:
    """||dh_T/dh_{T-k}||_2 for k = 0..T along the trajectory that ``drive`` produces.

    W_h: (H, H); drive: (T, H); h0: (H,). Returns (T + 1,). The three steps of the
    chapter in one call: :func:`run_recurrence`, :func:`step_jacobians`,
    :func:`norms_by_distance`. Introduced in chapter 5 (vanishing and exploding gradients).
    """
    trajectory = run_recurrence(W_h, drive, activation, h0)
    return norms_by_distance(step_jacobians(W_h, trajectory.zs, activation))


class BoundTrials(NamedTuple):
    """Random recurrences checked against the bound, one row per matrix.

    activation: (n,) names; bound_factor: (n,) gamma sigma_max(W_h); factor: (n,)
    measured factor per step, :func:`per_step_factor` over T steps; worst: (n,)
    the largest ratio ||dh_T/dh_{T-Δ}||_2 / (gamma sigma_max)^Δ over Δ = 1..T.
    """

    activation: np.ndarray
    bound_factor: np.ndarray
    factor: np.ndarray
    worst: np.ndarray


def bound_trials(n: int, H: int, T: int, seed: int | np.random.Generator,
                 activations: tuple[str, ...] = ("tanh", "sigmoid", "relu"),
                 lowest: float = 0.3, highest: float = 3.0) -> BoundTrials:
    """``n`` random Gaussian W_h per activation, each rescaled so that gamma sigma_max
    is log-uniform in [lowest, highest]; a drive u_t ~ N(0, 0.5^2) each.

    Returns the :class:`BoundTrials` of all len(activations) * n recurrences.
    Introduced in chapter 5 (vanishing and exploding gradients).
    """
    n, H, T = (check_positive(a, v, integer=True) for a, v in (("n", n), ("H", H), ("T", T)))
    lowest, highest = check_positive("lowest", lowest), check_positive("highest", highest)
    if highest < lowest:
        raise ValueError(f"highest must be >= lowest; got {lowest} and {highest}")
    rng = np.random.default_rng(check_seed("seed", seed))
    rows = []
    for activation in activations:
        gamma = get_activation(activation).max_slope
        for c in np.exp(rng.uniform(np.log(lowest), np.log(highest), n)):
            G = rng.normal(size=(H, H))
            W_h = G * c / (gamma * max_singular_value(G))
            norms = gradient_curve(W_h, 0.5 * rng.normal(size=(T, H)), activation)
            bound = vanishing_bound(W_h, activation, np.arange(T + 1))
            rows.append((activation, c, per_step_factor(np.maximum(norms, 1e-300)),
                         float(np.max(norms[1:] / bound[1:]))))
    return BoundTrials(*(np.array(column) for column in zip(*rows)))


def repeated(W: np.ndarray, L: int) -> np.ndarray:
    """The stack (L, H, H) of L copies of W: :func:`norms_by_distance` of it gives ||W^l||_2."""
    return np.repeat(_square("W", W)[None], check_positive("L", L, integer=True), axis=0)


def same_singular_values(singular_values: np.ndarray, L: int,
                         seed: int | np.random.Generator) -> np.ndarray:
    """L independent symmetric matrices Q_l diag(s) Q_l^T, Q_l random orthogonal.

    Every one has the singular values (and eigenvalues) ``s``: (H,). Returns (L, H, H),
    the L layers of a feed-forward network, each as large as the recurrent matrix
    Q diag(s) Q^T. Introduced in chapter 5 (vanishing and exploding gradients).
    """
    s = check_array("singular_values", singular_values, ndim=1)
    if s.shape[0] == 0 or (s < 0).any():
        raise ValueError("singular_values must hold at least one value, all >= 0")
    L = check_positive("L", L, integer=True)
    rng = np.random.default_rng(check_seed("seed", seed))
    Qs = [scaled_orthogonal(len(s), 1.0, rng) for _ in range(L)]
    return np.array([Q @ np.diag(s) @ Q.T for Q in Qs])
