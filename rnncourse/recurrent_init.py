"""What an initialiser of W_h does to a recurrence, and the models it starts.

The initialisers are those of :mod:`rnncourse.init` applied to the square
recurrent matrix ``W_h`` (H, H): ``fan_in_uniform`` (torch's default for
``nn.RNN``), ``xavier_normal``, ``he_normal``, ``orthogonal`` and ``identity``
(the IRNN of Le, Jaitly and Hinton, 2015). This module measures what each one
gives a recurrence before any training: the singular values of ``W_h``, the
closed form they follow, and the gradient norm ``||dh_T/dh_{T-Δ}||_2`` against
the distance Δ (with :mod:`rnncourse.jacobians`). :func:`elman_model` builds the
torch model that chapter 8 trains, with ``W_h`` from one of them.
Introduced in chapter 8 (initialisation and activations).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from . import cells, init, jacobians
from .activations import get_activation
from .models import SequenceModel
from .training import TrainResult
from .validation import (
    check_array,
    check_choice,
    check_int_seed,
    check_positive,
    check_real,
    check_seed,
)

RECURRENT_INITS = ("fan_in_uniform", "xavier_normal", "he_normal",
                   "orthogonal", "identity")


def entry_variance(name: str, H: int, gain: float = 1.0) -> float:
    """The variance of an entry of an (H, H) W_h from initialiser ``name``.

    The closed forms of :mod:`rnncourse.init` with n_in = n_out = H:
    1/(3H), 1/H, 2/H for fan_in_uniform, xavier_normal, he_normal; 1/H for
    orthogonal (its squared entries sum to H), times gain^2. The identity is
    not random: for it, 1/H is the mean square of an entry, not a variance.
    Introduced in chapter 8 (initialisation and activations).
    """
    name = check_choice("init", name, RECURRENT_INITS)
    H = check_positive("H", H, integer=True)
    gain = check_positive("gain", gain)
    share = {"fan_in_uniform": 1 / 3, "he_normal": 2.0}.get(name, 1.0)
    return gain * gain * share / H


def quarter_circle_edge(variance: float, H: int) -> float:
    """2 sqrt(H variance): the largest singular value of a large (H, H)
    matrix of independent entries with mean 0 and this variance.

    Its singular values spread over [0, 2 sqrt(H variance)] (the quarter-
    circle law, the square case of Marchenko and Pastur, 1967); its
    eigenvalues fill a disc of radius sqrt(H variance) (the circular law).
    Introduced in chapter 8 (initialisation and activations).
    """
    variance = check_positive("variance", variance)
    H = check_positive("H", H, integer=True)
    return float(2.0 * np.sqrt(H * variance))


def relu_factor(variance: float, H: int, slope: float = 0.0) -> float:
    """sqrt(H variance (1 + slope^2) / 2): the factor per step by which
    ``||dh_T/dh_{T-Δ}||_2`` changes in a ReLU (slope 0), Leaky ReLU or PReLU
    recurrence whose random W_h has entries of this variance.

    Each step multiplies a gradient's squared norm by H variance on average
    (W_h^T) and by the mean of f'(z)^2, (1 + slope^2) / 2 when z > 0 half
    the time: the backward case of He et al. (2015). It holds for random
    W_h (independent entries or orthogonal), not for the identity.
    Introduced in chapter 8 (initialisation and activations).
    """
    variance = check_positive("variance", variance)
    H = check_positive("H", H, integer=True)
    slope = check_real("slope", slope)
    return float(np.sqrt(H * variance * (1 + slope * slope) / 2))


def singular_values(W: np.ndarray) -> np.ndarray:
    """All singular values of a matrix W (m, n), largest first.

    Returns (min(m, n),).

    Introduced in chapter 8 (initialisation and activations).
    """
    W = check_array("W", W, ndim=2)
    if 0 in W.shape:
        raise ValueError(f"W must have at least one row and column; "
                         f"got {W.shape}")
    return np.linalg.svd(W, compute_uv=False)


def recurrent_weight(name: str, H: int, seed: int | np.random.Generator,
                     gain: float = 1.0) -> np.ndarray:
    """An (H, H) ``W_h`` from initialiser ``name`` (``RECURRENT_INITS``).

    Introduced in chapter 8 (initialisation and activations).
    """
    name = check_choice("init", name, RECURRENT_INITS)
    H = check_positive("H", H, integer=True)
    rng = np.random.default_rng(check_seed("seed", seed))
    return init.init_weight(name, H, H, rng, gain=gain)


def gradient_curves(name: str, activation: str, H: int, T: int,
                    seed: int | np.random.Generator, gain: float = 1.0,
                    trials: int = 5, drive_scale: float = 0.5
                    ) -> np.ndarray:
    """``||dh_T/dh_{T-Δ}||_2`` for Δ = 0..T, for ``trials`` draws of W_h.

    Each trial draws W_h from initialiser ``name`` (times ``gain``) and a
    drive u_t ~ N(0, drive_scale^2) of T steps, and runs
    :func:`rnncourse.jacobians.gradient_curve`. Returns (trials, T + 1).
    Introduced in chapter 8 (initialisation and activations).
    """
    name = check_choice("init", name, RECURRENT_INITS)
    get_activation(activation)
    H, T, trials = (check_positive(n, v, integer=True)
                    for n, v in (("H", H), ("T", T), ("trials", trials)))
    gain = check_positive("gain", gain)
    drive_scale = check_real("drive_scale", drive_scale, minimum=0.0)
    rng = np.random.default_rng(check_seed("seed", seed))
    curves = []
    for _ in range(trials):
        W_h = recurrent_weight(name, H, rng, gain)
        drive = drive_scale * rng.normal(size=(T, W_h.shape[0]))
        curves.append(jacobians.gradient_curve(W_h, drive, activation))
    return np.array(curves)


def elman_model(D: int, H: int, O: int, activation: str = "tanh",
                init_name: str = "fan_in_uniform", gain: float = 1.0,
                seed: int = 0) -> SequenceModel:
    """An Elman RNN of H units with a linear head read from h_T.

    W_h comes from ``init_name`` (``RECURRENT_INITS``) times ``gain``; W_x,
    b and the head are torch's default, U[-1/sqrt(fan_in), 1/sqrt(fan_in)],
    drawn from ``seed`` (the same draw for every activation and W_h).
    tanh and ReLU run in torch's fused ``nn.RNN`` (faster); Leaky ReLU and
    PReLU in ``cells.Recurrent(cells.ElmanCell)``. (T, B, D) -> (B, O).
    Introduced in chapter 8 (initialisation and activations).
    """
    seed = check_int_seed("seed", seed)
    init_name = check_choice("init_name", init_name, RECURRENT_INITS)
    O = check_positive("O", O, integer=True)
    cell = cells.ElmanCell(D, H, activation, seed=seed)
    W_h = recurrent_weight(init_name, H, seed, gain)
    cells.set_recurrent_weight(cell, W_h)
    with torch.random.fork_rng(devices=[]):  # leave the caller's stream be
        torch.manual_seed(seed + 1)
        head = nn.Linear(H, O)
        rnn = (_fused(cell, activation) if activation in ("tanh", "relu")
               else cells.Recurrent(cell))
    return SequenceModel(rnn, head)


def _fused(cell: cells.ElmanCell, nonlinearity: str) -> nn.RNN:
    """An ``nn.RNN`` that computes what ``cell`` computes (bias_hh = 0)."""
    rnn = nn.RNN(cell.D, cell.H, nonlinearity=nonlinearity)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(cell.W_x.weight)
        rnn.bias_ih_l0.copy_(cell.W_x.bias)
        rnn.weight_hh_l0.copy_(cell.W_h.weight)
        rnn.bias_hh_l0.zero_()
    return rnn


def steps_to_reach(run: TrainResult, level: float) -> int | None:
    """The first evaluation step at which the held-out loss was below
    ``level``, or None if it never was.

    Introduced in chapter 8 (initialisation and activations).
    """
    if not isinstance(run, TrainResult):
        raise TypeError(f"run must be a training.TrainResult; got "
                        f"{type(run).__name__}")
    level = check_real("level", level)
    below = np.nonzero(run.eval_losses < level)[0]
    return int(run.eval_steps[below[0]]) if below.size else None


def describe_reached(runs: dict[str, TrainResult], level: float) -> str:
    """Whether and when each run's held-out loss got below ``level``, in
    words: "A got below 0.05 after 350 steps; B did not get below 0.05
    (lowest held-out loss 0.160)". runs: label -> run record.
    Introduced in chapter 8 (initialisation and activations).
    """
    if not isinstance(runs, dict) or not runs:
        raise TypeError(f"runs must be a non-empty dict: label -> "
                        f"TrainResult; got {type(runs).__name__}")
    parts = []
    for label, run in runs.items():
        if not isinstance(run, TrainResult):
            raise TypeError(f"runs[{label!r}] must be a training."
                            f"TrainResult; got {type(run).__name__}")
        step = steps_to_reach(run, level)
        if step is not None:
            parts.append(f"{label} got below {level:g} after {step} steps")
        elif run.eval_losses.size:
            parts.append(f"{label} did not get below {level:g} (lowest "
                         f"held-out loss {run.eval_losses.min():.3f})")
        else:
            parts.append(f"{label} has no evaluation")
    return "; ".join(parts)
