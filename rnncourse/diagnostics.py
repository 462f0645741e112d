"""A gradient doctor for any ``torch.nn.Module``: monitor, per-step state gradients, report.

Three pieces, used inside your own training loop:

- ``GradientMonitor(model).record(step, loss)`` after ``loss.backward()`` (and before clipping
  or ``optimizer.step()``) stores the L2 norm of the gradient of each group of parameters and
  of all of them together;
- ``state_gradient_norms(model, xs, loss_fn)`` measures ``||dL/dh_t||``, the norm of the
  *total* derivative of the loss with respect to each step's state, for the model's first
  ``nn.RNN``, ``nn.LSTM`` or ``nn.GRU`` (the fused module's output only carries the direct part
  of it, so the module is run one step at a time for the measurement);
- ``diagnose(monitor.history)`` turns the record into signs (vanishing, exploding, plateau,
  erratic, healthy), each with its evidence in numbers and a remedy pointing to a chapter.

Sequences are time-major, ``(T, B, D)``, unless the recurrent module is ``batch_first``.
Introduced in chapter 6 (consequences and diagnosis).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from numbers import Real
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence

from .validation import check_array, check_choice, check_positive, check_real

RECURRENT = (nn.RNN, nn.LSTM, nn.GRU)
SIGNS = ("vanishing", "exploding", "plateau", "erratic", "healthy")
WIDTH = 76  # the report's line width: the website's code column

REMEDIES = {
    "vanishing": "gated cells whose additive path carries the gradient: LSTM (chapter 11) "
                 "or GRU (chapter 12); orthogonal or identity initialisation with ReLU "
                 "(chapter 8); skip connections across time (chapter 9); attention "
                 "(chapter 13) for dependencies longer than the horizon.",
    "exploding": "clip the gradient norm and guard against NaN (chapter 7); a smaller "
                 "learning rate (chapter 1); a recurrent matrix with spectral norm near 1 "
                 "(chapter 8); normalisation (chapter 9).",
    "plateau": "the gradient from distant inputs is probably too small to learn from: "
               "check the state gradients; then gated cells (LSTM, chapter 11; forget-gate "
               "bias), initialisation (chapter 8), skip connections (chapter 9). If the loss "
               "is already as low as you need, it is convergence, not a plateau.",
    "erratic": "lower the learning rate (chapter 1), clip the gradient norm (chapter 7), "
               "or average more examples per step (a larger batch).",
    "healthy": "nothing to fix: keep the monitor on, and look again when the sequences "
               "get longer.",
}


@dataclass
class GradientHistory:
    """What a ``GradientMonitor`` recorded, as arrays.

    steps: (N,) int; losses, total_norms: (N,); group_norms: name -> (N,);
    state_steps: the steps at which per-step state gradients were measured;
    state_norms: one (T,) array of ||dL/dh_t||, t = 1..T, per entry of state_steps.
    Introduced in chapter 6 (consequences and diagnosis).
    """

    steps: np.ndarray
    losses: np.ndarray
    total_norms: np.ndarray
    group_norms: dict[str, np.ndarray]
    state_steps: list[int] = field(default_factory=list)
    state_norms: list[np.ndarray] = field(default_factory=list)


class GradientMonitor:
    """Record gradient norms of a model, per group of parameters, at each training step.

    groups: group name -> parameter-name prefixes (names as in ``model.named_parameters()``);
    a parameter belongs to a group when its name starts with one of the prefixes. Default:
    one group per parameter tensor that requires grad.
    Introduced in chapter 6 (consequences and diagnosis).
    """

    def __init__(self, model: nn.Module,
                 groups: Mapping[str, Sequence[str]] | None = None) -> None:
        _check_module("model", model)
        self.model = model
        self._params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        if not self._params:
            raise ValueError(f"model must have trainable parameters; "
                             f"{type(model).__name__} has none")
        self.groups = _resolve_groups(groups, [n for n, _ in self._params])
        self._rows: list[tuple[int, float, float, list[float]]] = []
        self._states: list[tuple[int, np.ndarray]] = []

    def record(self, step: int, loss: float | torch.Tensor) -> None:
        """Store the loss and the gradient norms of this step (read from each ``p.grad``).

        Call after ``loss.backward()`` and before clipping or ``optimizer.step()``.
        NaN and Inf are recorded as they are.
        """
        step = self._check_step("step", step, [r[0] for r in self._rows])
        loss = _check_loss_value(loss)
        grads = {n: p.grad for n, p in self._params if p.grad is not None}
        if not grads:
            raise ValueError("no gradients: call loss.backward() before record "
                             "(every parameter's .grad is None)")
        names = list(grads)
        norms = torch.stack([torch.linalg.vector_norm(g.detach(), dtype=torch.float64)
                             for g in grads.values()]).tolist()
        squares = dict(zip(names, (v * v for v in norms)))
        total = math.sqrt(sum(squares.values()))
        per_group = [math.sqrt(sum(squares.get(n, 0.0) for n in members))
                     for members in self.groups.values()]
        self._rows.append((step, loss, total, per_group))

    def record_states(self, step: int, norms: np.ndarray) -> None:
        """Store a profile of per-step state-gradient norms, norms: (T,) ||dL/dh_t||.

        Usually ``monitor.record_states(step, state_gradient_norms(model, xs, loss_fn))``.
        """
        step = self._check_step("step", step, [s for s, _ in self._states])
        norms = check_array("norms", norms, ndim=1, finite=False)
        if norms.size == 0:
            raise ValueError("norms must hold one norm per time step; got an empty array")
        if (norms < 0).any():
            raise ValueError("norms must be norms (>= 0); got a negative value")
        self._states.append((step, norms.copy()))

    @property
    def history(self) -> GradientHistory:
        """Everything recorded so far, as arrays (a fresh copy at each access)."""
        rows = self._rows
        per_group = np.array([r[3] for r in rows], dtype=float).reshape(len(rows),
                                                                        len(self.groups))
        return GradientHistory(
            steps=np.array([r[0] for r in rows], dtype=int),
            losses=np.array([r[1] for r in rows], dtype=float),
            total_norms=np.array([r[2] for r in rows], dtype=float),
            group_norms={g: per_group[:, i].copy() for i, g in enumerate(self.groups)},
            state_steps=[s for s, _ in self._states],
            state_norms=[n.copy() for _, n in self._states])

    @staticmethod
    def _check_step(name: str, step: object, previous: list[int]) -> int:
        if isinstance(step, (bool, np.bool_)) or not isinstance(step, (int, np.integer)):
            raise TypeError(f"{name} must be a whole number; got {type(step).__name__}")
        if step < 0:
            raise ValueError(f"{name} must be a whole number >= 0; got {step!r}")
        if previous and step <= previous[-1]:
            raise ValueError(f"{name} must be greater than the last recorded step "
                             f"{previous[-1]}; got {step!r}")
        return int(step)


def _check_module(name: str, model: object) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"{name} must be a torch.nn.Module; got {type(model).__name__}")


def _check_loss_value(loss: object) -> float:
    if isinstance(loss, torch.Tensor):
        if loss.numel() != 1:
            raise ValueError(f"loss must be a scalar; got a tensor of shape {tuple(loss.shape)}")
        return float(loss.detach())
    if isinstance(loss, (bool, np.bool_)) or not isinstance(loss, Real):
        raise TypeError(f"loss must be a real number; got {type(loss).__name__}")
    return float(loss)


def _resolve_groups(groups: Mapping[str, Sequence[str]] | None,
                    names: list[str]) -> dict[str, list[str]]:
    """group name -> the names of the parameters it holds."""
    if groups is None:
        return {n: [n] for n in names}
    if not isinstance(groups, Mapping):
        raise TypeError(f"groups must be a mapping of group name -> parameter-name prefixes; "
                        f"got {type(groups).__name__}")
    if not groups:
        raise ValueError("groups must name at least one group; got an empty mapping")
    resolved = {}
    for group, prefixes in groups.items():
        if not isinstance(group, str):
            raise TypeError(f"groups keys must be strings; got {type(group).__name__}")
        if isinstance(prefixes, str) or not isinstance(prefixes, Sequence) \
                or not all(isinstance(p, str) for p in prefixes) or not prefixes:
            raise TypeError(f"groups[{group!r}] must be a non-empty list of parameter-name "
                            f"prefixes (strings); got {prefixes!r}")
        for prefix in prefixes:
            if not any(n.startswith(prefix) for n in names):
                raise ValueError(f"groups[{group!r}] prefix {prefix!r} matches no parameter; "
                                 f"the parameters are {', '.join(names)}")
        resolved[group] = [n for n in names if n.startswith(tuple(prefixes))]
    return resolved


# --- per-step state gradients -------------------------------------------------------------


def find_recurrent(model: nn.Module) -> tuple[str, nn.RNNBase]:
    """(name, module): the first ``nn.RNN``, ``nn.LSTM`` or ``nn.GRU`` in ``model`` or itself.

    Introduced in chapter 6 (consequences and diagnosis).
    """
    _check_module("model", model)
    for name, module in model.named_modules():
        if isinstance(module, RECURRENT):
            return name or type(model).__name__, module
    raise ValueError(f"model has no recurrent submodule (nn.RNN, nn.LSTM, nn.GRU) in "
                     f"{type(model).__name__}: per-step state gradients need one; the "
                     "per-parameter monitor still works")


def state_gradient_norms(model: nn.Module, xs: torch.Tensor,
                         loss_fn: Callable[[Any], torch.Tensor], *,
                         state: str = "h") -> np.ndarray:
    """(T,) ||dL/dh_t||, t = 1..T, for loss = loss_fn(model(xs)): total derivatives.

    The norm is over the batch and the hidden units, of the state of the top layer of the
    model's first recurrent submodule (any depth, ``batch_first`` or not; every call of it
    in one forward pass, in order). state: "h" (the hidden state) or "c" (an LSTM's cell).
    The module runs one step at a time, passing its state, for this one forward pass;
    the model's output is unchanged and its parameters' ``.grad`` are left untouched.
    Introduced in chapter 6 (consequences and diagnosis).
    """
    name, rnn = find_recurrent(model)
    _check_xs(xs)
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable; got {type(loss_fn).__name__}")
    check_choice("state", state, ("h", "c"))
    if state == "c" and not isinstance(rnn, nn.LSTM):
        raise ValueError(f"state must be 'h' for {type(rnn).__name__} {name}: only an "
                         "nn.LSTM has a cell state 'c'")
    if state == "c" and rnn.dropout and rnn.training and rnn.num_layers > 1:
        raise ValueError(f"state 'c' needs {name} without dropout between layers: call "
                         "model.eval() first, or measure state 'h'")
    if rnn.bidirectional:
        raise ValueError(f"model's recurrent submodule {name} is bidirectional: per-step "
                         "state gradients of a bidirectional module are not supported")
    taps: dict[str, list] = {"h": [], "c": [], "in": [], "prev": []}
    with _stepping(rnn, name, taps), torch.enable_grad():
        loss = loss_fn(model(xs))
    _check_loss(loss)
    if not taps["h"]:
        raise ValueError(f"model's forward did not call its recurrent submodule {name}")
    grads = torch.autograd.grad(loss, taps["h"] + taps["c"], materialize_grads=True)
    T = len(taps["h"])
    if state == "c":
        grads = _total_cell_gradients(rnn, taps, grads[:T], grads[T:])
    return np.array([torch.linalg.vector_norm(g.double()).item() for g in grads[:T]])


def _total_cell_gradients(rnn: nn.LSTM, taps: dict, dhs: Sequence[torch.Tensor],
                          dcs_next: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    """dL/dc_t = (the part through c_{t+1}) + dL/dh_t * o_t * tanh'(c_t), top layer.

    The fused op hides the path c_t -> h_t inside step t, so it is added here, with the
    output gate o_t recomputed from the top layer's weights.
    """
    l, H = rnn.num_layers - 1, rnn.hidden_size
    w_ih, w_hh = getattr(rnn, f"weight_ih_l{l}")[3 * H:], getattr(rnn, f"weight_hh_l{l}")[3 * H:]
    b = (getattr(rnn, f"bias_ih_l{l}") + getattr(rnn, f"bias_hh_l{l}"))[3 * H:] if rnn.bias \
        else 0.0
    totals = []
    with torch.no_grad():
        for x, h_prev, c, dh, dc in zip(taps["in"], taps["prev"], taps["c"], dhs, dcs_next):
            h_prev = torch.zeros_like(dh) if h_prev is None else h_prev
            o = torch.sigmoid(x @ w_ih.T + h_prev @ w_hh.T + b)
            if rnn.proj_size:
                dh = dh @ getattr(rnn, f"weight_hr_l{l}")
            totals.append(dc + dh * o * (1 - torch.tanh(c) ** 2))
    return totals


def _check_xs(xs: object) -> None:
    if not isinstance(xs, torch.Tensor):
        raise TypeError(f"xs must be a torch.Tensor; got {type(xs).__name__}")
    if xs.dtype == torch.bool or xs.is_complex():
        raise TypeError(f"xs must hold real numbers (or integer ids); got dtype {xs.dtype}")
    if xs.dim() == 0 or xs.numel() == 0:
        raise ValueError(f"xs must be a non-empty batch of sequences, (T, B, D); "
                         f"got shape {tuple(xs.shape)}")


def _check_loss(loss: object) -> None:
    if not isinstance(loss, torch.Tensor):
        raise TypeError(f"loss_fn must return a scalar torch.Tensor; got {type(loss).__name__}")
    if loss.numel() != 1:
        raise ValueError(f"loss_fn must return a scalar tensor; got shape {tuple(loss.shape)}")
    if not loss.requires_grad:
        raise ValueError("loss_fn must return a loss computed from the model's output "
                         "(the tensor it returned does not require grad)")


@contextmanager
def _stepping(rnn: nn.RNNBase, name: str, taps: dict) -> Iterator[None]:
    """Run ``rnn`` one step at a time, tapping each step's state, then restore its forward."""
    saved = rnn.__dict__.get("forward")
    rnn.forward = _step_by_step(rnn, rnn.forward, name, taps)
    try:
        yield
    finally:
        if saved is None:
            del rnn.forward
        else:
            rnn.forward = saved


def _step_by_step(rnn: nn.RNNBase, forward: Callable, name: str, taps: dict) -> Callable:
    """A forward equal to ``forward`` that loops over time, passing the state."""

    def stepped(input: torch.Tensor, hx: Any = None) -> tuple[torch.Tensor, Any]:
        _check_rnn_input(rnn, name, input)
        time = 1 if rnn.batch_first and input.dim() == 3 else 0
        outs = []
        for t in range(input.shape[time]):
            x_t = input.narrow(time, t, 1)
            taps["prev"].append(_top(hx))
            _, hx = forward(x_t, hx)
            taps["in"].append(x_t.squeeze(time) if rnn.num_layers == 1 else _top(hx, -2))
            hx, top = _tap(hx, taps)
            outs.append(top.unsqueeze(time))
        return torch.cat(outs, time), hx

    return stepped


def _top(hx: Any, layer: int = -1) -> torch.Tensor | None:
    """The state h of one layer (the top one by default), detached; None for no state."""
    if hx is None:
        return None
    return (hx[0] if isinstance(hx, tuple) else hx)[layer].detach()


def _tap(hx: Any, taps: dict) -> tuple[Any, torch.Tensor]:
    """Route the top layer's state through one tensor per step (kept in ``taps``)."""
    h, c = hx if isinstance(hx, tuple) else (hx, None)
    top = h[-1]
    taps["h"].append(top)
    h = torch.cat([h[:-1], top[None]])
    if c is None:
        return h, top
    cell = c[-1]
    taps["c"].append(cell)
    return (h, torch.cat([c[:-1], cell[None]])), top


def _check_rnn_input(rnn: nn.RNNBase, name: str, input: object) -> None:
    if isinstance(input, PackedSequence):
        raise ValueError(f"xs: {name} received a PackedSequence; per-step state gradients "
                         "need a padded tensor")
    if not isinstance(input, torch.Tensor) or input.dim() not in (2, 3) \
            or input.shape[-1] != rnn.input_size or input.numel() == 0:
        shape = "(B, T, D)" if rnn.batch_first else "(T, B, D)"
        got = tuple(input.shape) if isinstance(input, torch.Tensor) else type(input).__name__
        raise ValueError(f"xs must give {name} inputs of shape {shape} with D = "
                         f"{rnn.input_size} (its input_size) and T >= 1; got {got}")
    if input.dtype != rnn.weight_ih_l0.dtype:
        raise TypeError(f"xs must give {name} inputs of dtype {rnn.weight_ih_l0.dtype} "
                        f"(its weights' dtype); got {input.dtype}")


def effective_horizon(norms: np.ndarray, floor: float = 1e-3) -> int:
    """How many steps back ||dL/dh_t|| stays >= floor * ||dL/dh_T||: an int in 1..T.

    norms: (T,) ||dL/dh_t||, t = 1..T. Counted from t = T back to the first step below.
    Introduced in chapter 6 (consequences and diagnosis).
    """
    norms = check_array("norms", norms, ndim=1, finite=False)
    if norms.size == 0:
        raise ValueError("norms must hold one norm per time step; got an empty array")
    floor = check_real("floor", floor, minimum=0.0)
    below = np.flatnonzero(~(norms >= floor * norms[-1]))
    return int(norms.size if below.size == 0 else norms.size - 1 - below[-1])


# --- the diagnosis ------------------------------------------------------------------------


@dataclass
class Finding:
    """One sign: its name (one of SIGNS), the evidence in numbers, what to try.

    Introduced in chapter 6 (consequences and diagnosis).
    """

    sign: str
    evidence: str
    remedy: str


@dataclass
class Diagnosis:
    """The findings of ``diagnose`` and the effective horizon (None without state gradients).

    ``str(d)`` is a plain-text report; in a notebook it shows as markdown.
    Introduced in chapter 6 (consequences and diagnosis).
    """

    findings: list[Finding]
    horizon: int | None
    steps: int = 0
    T: int | None = None
    notes: list[str] = field(default_factory=list)

    def signs(self) -> set[str]:
        """The set of signs found, e.g. {"vanishing", "plateau"}."""
        return {f.sign for f in self.findings}

    def _headline(self) -> list[str]:
        signs = ", ".join(f.sign for f in self.findings)
        lines = [f"Gradient diagnosis over {self.steps} recorded steps: {signs}"]
        if self.horizon is not None:
            lines.append(f"Effective horizon: {self.horizon} of T = {self.T} steps")
        return lines

    def __str__(self) -> str:
        def fill(text: str) -> str:
            return textwrap.fill(text, WIDTH, initial_indent="  ", subsequent_indent="    ")

        lines = self._headline()
        for f in self.findings:
            lines += ["", f.sign.upper(), fill("evidence: " + f.evidence),
                      fill("remedy: " + f.remedy)]
        if self.notes:
            lines += ["", "NOTES"] + [fill(note) for note in self.notes]
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        lines = ["**" + line + "**  " for line in self._headline()] + [""]
        for f in self.findings:
            lines.append(f"- **{f.sign}**: {f.evidence}  \n  *Remedy:* {f.remedy}")
        lines += [f"- *Note:* {note}" for note in self.notes]
        return "\n".join(lines) + "\n"


def _g(x: float) -> str:
    """A number in three significant figures, as the report writes it."""
    return f"{x:.3g}"


def _nonfinite(h: GradientHistory) -> Finding | None:
    bad = ~(np.isfinite(h.losses) & np.isfinite(h.total_norms))
    if not bad.any():
        return None
    i = int(np.argmax(bad))
    return Finding("exploding", f"the first non-finite value is at step {h.steps[i]}: "
                   f"loss {_g(h.losses[i])}, gradient norm {_g(h.total_norms[i])} "
                   f"({int(bad.sum())} of {bad.size} recorded steps are non-finite)",
                   REMEDIES["exploding"])


def _spikes(h: GradientHistory, n: int, factor: float, window: int) -> Finding | None:
    """Steps whose total norm exceeds ``factor`` times the median of the ``window`` before."""
    norms = h.total_norms[:n]
    if n <= window:
        return None
    medians = np.median(np.lib.stride_tricks.sliding_window_view(norms[:-1], window), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(medians > 0, norms[window:] / medians, 0.0)
    spikes = np.flatnonzero(ratios > factor)
    if spikes.size == 0:
        return None
    j = spikes[np.argmax(ratios[spikes])]
    i = window + j
    group = max(h.group_norms, key=lambda g: h.group_norms[g][i], default=None)
    largest = f"; the largest group there is {group}" if group is not None else ""
    return Finding("exploding", f"{spikes.size} gradient-norm spike(s) above {_g(factor)}x "
                   f"the median of the previous {window} steps; the largest, at step "
                   f"{h.steps[i]}, is {_g(ratios[j])}x (norm {_g(norms[i])} against a median "
                   f"of {_g(medians[j])}){largest}", REMEDIES["exploding"])


def _profile(h: GradientHistory, vanishing_ratio: float, growing_ratio: float,
             floor: float) -> Finding | None:
    """Vanishing or exploding from the last ||dL/dh_t|| profile."""
    s, step = h.state_norms[-1], h.state_steps[-1]
    T = s.size
    if not np.isfinite(s).all():
        t = int(np.argmax(~np.isfinite(s))) + 1
        return Finding("exploding", f"||dL/dh_t|| is {_g(s[t - 1])} at t = {t} of {T} "
                       f"(measured at step {step})", REMEDIES["exploding"])
    if T < 2 or s[-1] == 0:
        return None
    ratio = s[0] / s[-1]
    if ratio < vanishing_ratio:
        return Finding("vanishing", f"||dL/dh_t|| falls {_g(1 / ratio) if ratio else 'inf'}"
                       f"-fold from t = T = {T} back to t = 1 (ratio ||dL/dh_1|| / "
                       f"||dL/dh_T|| = {_g(ratio)}, measured at step {step}); it stays above "
                       f"{_g(floor)} of ||dL/dh_T|| for the last {effective_horizon(s, floor)} "
                       f"of {T} steps", REMEDIES["vanishing"])
    if ratio > growing_ratio:
        return Finding("exploding", f"||dL/dh_t|| grows {_g(ratio)}-fold from t = T = {T} "
                       f"back to t = 1 (measured at step {step})", REMEDIES["exploding"])
    return None


def _plateau(losses: np.ndarray, steps: np.ndarray, tol: float, baseline: float | None,
             baseline_tol: float) -> Finding | None:
    """The mean loss of the last quarter against the quarter before it (and the baseline)."""
    n = losses.size
    q = n // 4
    last, prev = losses[n - q:].mean(), losses[n - 2 * q:n - q].mean()
    gain = (prev - last) / max(abs(prev), 1e-300)
    if gain >= tol:
        return None
    where = ""
    if baseline is not None:
        if last < baseline - baseline_tol * abs(baseline):
            return None
        where = (f"; it is within {_g(100 * baseline_tol)}% of the baseline {_g(baseline)} "
                 "or above it: stuck at the baseline")
    return Finding("plateau", f"the mean loss of the last quarter (steps {steps[n - q]}-"
                   f"{steps[n - 1]}) is {_g(last)}, {_g(100 * gain)}% below the previous "
                   f"quarter's {_g(prev)} (tolerance {_g(100 * tol)}%){where}",
                   REMEDIES["plateau"])


def _erratic(losses: np.ndarray, threshold: float) -> Finding | None:
    """The median relative change of the loss from one step to the next."""
    scale = (np.abs(losses[1:]) + np.abs(losses[:-1])) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(scale > 0, np.abs(np.diff(losses)) / scale, 0.0)
    median = float(np.median(change))
    if median <= threshold:
        return None
    return Finding("erratic", f"the loss changes by a median {_g(100 * median)}% from one "
                   f"step to the next (threshold {_g(100 * threshold)}%)",
                   REMEDIES["erratic"])


def _healthy(h: GradientHistory, n: int, factor: float, floor: float) -> Finding:
    q = max(n // 4, 1)
    text = (f"over {n} steps the mean loss went from {_g(h.losses[:q].mean())} (first "
            f"quarter) to {_g(h.losses[n - q:n].mean())} (last quarter); the gradient norm "
            f"stayed finite (median {_g(np.median(h.total_norms[:n]))}) with no spike above "
            f"{_g(factor)}x its running median")
    if h.state_norms:
        s = h.state_norms[-1]
        text += (f"; ||dL/dh_t|| stays above {_g(floor)} of ||dL/dh_T|| for the last "
                 f"{effective_horizon(s, floor)} of {s.size} steps")
    return Finding("healthy", text, REMEDIES["healthy"])


def check_history(history: object) -> GradientHistory:
    """A copy of ``history`` as float arrays, after checking it is non-empty and consistent.

    Introduced in chapter 6 (consequences and diagnosis).
    """
    if not isinstance(history, GradientHistory):
        raise TypeError(f"history must be a GradientHistory (monitor.history); "
                        f"got {type(history).__name__}")
    if not isinstance(history.group_norms, Mapping):
        raise TypeError(f"history.group_norms must be a dict of name -> (N,) array; "
                        f"got {type(history.group_norms).__name__}")
    arrays = {f"history.{name}": check_array(f"history.{name}", getattr(history, name),
                                             ndim=1, finite=False)
              for name in ("steps", "losses", "total_norms")}
    groups = {g: check_array(f"history.group_norms[{g!r}]", v, ndim=1, finite=False)
              for g, v in history.group_norms.items()}
    n = arrays["history.steps"].size
    if n == 0:
        raise ValueError("history has no steps recorded: call monitor.record(step, loss) "
                         "after each backward pass")
    sizes = [a.size for a in (*arrays.values(), *groups.values())]
    if any(size != n for size in sizes):
        raise ValueError(f"history must hold one loss and one norm per step ({n} steps); "
                         f"got arrays of lengths {sizes}")
    if len(history.state_steps) != len(history.state_norms):
        raise ValueError("history must hold one state-norm profile per entry of state_steps; "
                         f"got {len(history.state_norms)} for {len(history.state_steps)}")
    profiles = [check_array(f"history.state_norms[{i}]", p, ndim=1, finite=False)
                for i, p in enumerate(history.state_norms)]
    if any(p.size == 0 for p in profiles):
        raise ValueError("history.state_norms must hold one norm per time step in each "
                         "profile; got an empty profile")
    return GradientHistory(arrays["history.steps"].astype(int), arrays["history.losses"],
                           arrays["history.total_norms"], groups,
                           list(history.state_steps), profiles)


def diagnose(history: GradientHistory, *, min_steps: int = 8,
             vanishing_ratio: float = 1e-3, growing_ratio: float = 1e3,
             floor: float = 1e-3, spike_factor: float = 10.0, spike_window: int = 10,
             plateau_tol: float = 0.01, baseline: float | None = None,
             baseline_tol: float = 0.05, erratic_change: float = 0.5) -> Diagnosis:
    """Read the signs of vanishing or exploding gradients off a monitor's history.

    The rules (each threshold a keyword; heuristics, not proofs):

    - exploding: a non-finite loss or gradient norm (the first step is named); or a total
      norm above ``spike_factor`` (10) times the median of the ``spike_window`` (10) steps
      before it; or ||dL/dh_1|| / ||dL/dh_T|| > ``growing_ratio`` (1e3) in the last state
      profile.
    - vanishing: ||dL/dh_1|| / ||dL/dh_T|| < ``vanishing_ratio`` (1e-3) in the last profile.
      The horizon counts the steps back from T where ||dL/dh_t|| >= ``floor`` (1e-3) times
      ||dL/dh_T|| (``effective_horizon``); None if no profile was recorded.
    - plateau: the mean loss of the last quarter of the (finite) history improves on the
      quarter before by less than ``plateau_tol`` (1 %), relative; with a ``baseline`` (the
      loss of a trivial predictor, 1/6 on the adding problem), only when the last quarter is
      not below baseline - ``baseline_tol`` (5 %) * |baseline|: "stuck at the baseline".
    - erratic: the median relative change of the loss from one step to the next,
      |L_{n+1} - L_n| / mean(|L_n|, |L_{n+1}|), above ``erratic_change`` (0.5).
    - healthy: none of these.

    Loss rules need ``min_steps`` (8) finite steps; a shorter history is an error unless it
    holds a non-finite value (then the verdict is "exploding").
    Introduced in chapter 6 (consequences and diagnosis).
    """
    h = check_history(history)
    min_steps = check_positive("min_steps", min_steps, integer=True)
    if min_steps < 4:
        raise ValueError(f"min_steps must be >= 4 (the plateau rule compares quarters); "
                         f"got {min_steps}")
    _check_thresholds(vanishing_ratio, growing_ratio, floor, spike_factor, spike_window,
                      plateau_tol, baseline, baseline_tol, erratic_change)
    nonfinite = _nonfinite(h)
    n = int(np.argmax(~(np.isfinite(h.losses) & np.isfinite(h.total_norms)))) \
        if nonfinite else h.steps.size
    if n < min_steps and nonfinite is None:
        raise ValueError(f"history has {h.steps.size} recorded steps; diagnose needs at "
                         f"least {min_steps} (min_steps) for a verdict")
    findings = [nonfinite]
    notes = []
    if n >= min_steps:
        findings += [_spikes(h, n, spike_factor, spike_window)]
    if h.state_norms:
        findings.append(_profile(h, vanishing_ratio, growing_ratio, floor))
    else:
        notes.append("no state gradients recorded: record_states(step, "
                     "state_gradient_norms(model, xs, loss_fn)) to check for vanishing")
    if n >= min_steps:
        findings += [_plateau(h.losses[:n], h.steps[:n], plateau_tol, baseline, baseline_tol),
                     _erratic(h.losses[:n], erratic_change)]
    else:
        notes.append(f"only {n} finite steps: fewer than min_steps = {min_steps}, so the "
                     "loss was not read for a plateau or erratic steps")
    findings = [f for f in findings if f is not None] or [_healthy(h, n, spike_factor, floor)]
    return _diagnosis(h, findings, floor, notes)


def _diagnosis(h: GradientHistory, findings: list[Finding], floor: float,
               notes: list[str]) -> Diagnosis:
    s = h.state_norms[-1] if h.state_norms else None
    horizon = None if s is None else effective_horizon(s, floor)
    return Diagnosis(findings, horizon, steps=int(h.steps.size),
                     T=None if s is None else int(s.size), notes=notes)


def _check_thresholds(vanishing_ratio: float, growing_ratio: float, floor: float,
                      spike_factor: float, spike_window: int, plateau_tol: float,
                      baseline: float | None, baseline_tol: float,
                      erratic_change: float) -> None:
    for name, value in (("vanishing_ratio", vanishing_ratio), ("floor", floor)):
        if check_positive(name, value) >= 1:
            raise ValueError(f"{name} must be a number in (0, 1); got {value!r}")
    for name, value in (("growing_ratio", growing_ratio), ("spike_factor", spike_factor)):
        if check_positive(name, value) <= 1:
            raise ValueError(f"{name} must be a number > 1; got {value!r}")
    check_positive("spike_window", spike_window, integer=True)
    check_real("plateau_tol", plateau_tol, minimum=0.0)
    check_real("baseline_tol", baseline_tol, minimum=0.0)
    check_positive("erratic_change", erratic_change)
    if baseline is not None:
        check_real("baseline", baseline)
