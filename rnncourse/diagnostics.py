"""A gradient doctor for any ``torch.nn.Module``: monitor, measure, report.

Three pieces, used inside your own training loop:

- ``GradientMonitor(model).record(step, loss)`` after ``loss.backward()``
  (and before clipping or ``optimizer.step()``) stores the L2 norm of the
  gradient of each group of parameters and of all of them together;
- ``state_gradient_norms(model, xs, loss_fn)`` measures ``||dL/dh_t||``, the
  norm of the *total* derivative of the loss with respect to each step's
  state, for the model's first ``nn.RNN``, ``nn.LSTM`` or ``nn.GRU`` (the
  fused module's output carries only the direct part of it, so the module is
  run one step at a time for the measurement);
- ``diagnose(monitor.history)`` turns the record into signs (vanishing,
  exploding, plateau, erratic, healthy), each with its evidence in numbers
  and a remedy pointing to a chapter.

Sequences are time-major, ``(T, B, D)``, unless a module is ``batch_first``.
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
    "vanishing": "gated cells whose additive path carries the gradient: "
                 "LSTM (chapter 11) or GRU (chapter 12); orthogonal or "
                 "identity initialisation with ReLU (chapter 8); skip "
                 "connections across time (chapter 9); attention (chapter "
                 "13) for dependencies longer than the horizon.",
    "exploding": "clip the gradient norm and guard against NaN (chapter "
                 "7); a smaller learning rate (chapter 1); a recurrent "
                 "matrix with spectral norm near 1 (chapter 8); "
                 "normalisation (chapter 9).",
    "plateau": "the gradient from distant inputs may be too small to learn "
               "from: measure the state gradients; then gated cells (LSTM, "
               "chapter 11; forget-gate bias), initialisation (chapter 8), "
               "skip connections (chapter 9). If the loss is as low as you "
               "need, it is convergence, not a plateau.",
    "erratic": "lower the learning rate (chapter 1), clip the gradient "
               "norm (chapter 7), or average more examples per step (a "
               "larger batch).",
    "healthy": "nothing to fix: keep the monitor on, and look again when "
               "the sequences get longer.",
}


@dataclass
class GradientHistory:
    """What a ``GradientMonitor`` recorded, as arrays.

    steps: (N,) int; losses, total_norms: (N,); group_norms: name -> (N,);
    state_steps: the steps at which state gradients were measured;
    state_norms: per entry of state_steps, a (T,) array of ||dL/dh_t||,
    t = 1..T.
    Introduced in chapter 6 (consequences and diagnosis).
    """

    steps: np.ndarray
    losses: np.ndarray
    total_norms: np.ndarray
    group_norms: dict[str, np.ndarray]
    state_steps: list[int] = field(default_factory=list)
    state_norms: list[np.ndarray] = field(default_factory=list)


class GradientMonitor:
    """Record a model's gradient norms, per group of parameters, each step.

    groups: group name -> parameter-name prefixes (names as in
    ``model.named_parameters()``); a parameter is in a group when its name
    starts with one of the prefixes. Default: one group per parameter
    tensor that requires grad.
    Introduced in chapter 6 (consequences and diagnosis).
    """

    def __init__(self, model: nn.Module,
                 groups: Mapping[str, Sequence[str]] | None = None) -> None:
        _check_module("model", model)
        self.model = model
        self._params = [(n, p) for n, p in model.named_parameters()
                        if p.requires_grad]
        if not self._params:
            raise ValueError(f"model must have trainable parameters; "
                             f"{type(model).__name__} has none")
        names = [n for n, _ in self._params]
        self.groups = _resolve_groups(groups, names)
        self._rows: list[tuple[int, float, float, list[float]]] = []
        self._states: list[tuple[int, np.ndarray]] = []

    def record(self, step: int, loss: float | torch.Tensor) -> None:
        """Store this step's loss and gradient norms (read from ``p.grad``).

        Call after ``loss.backward()``, before clipping or the optimiser's
        step. NaN and Inf are recorded as they are.
        """
        step = _check_step(step, [row[0] for row in self._rows])
        loss = _check_loss_value(loss)
        grads = {n: p.grad for n, p in self._params if p.grad is not None}
        if not grads:
            raise ValueError("no gradients: call loss.backward() before "
                             "record (every parameter's .grad is None)")
        norms = torch.stack([
            torch.linalg.vector_norm(g.detach(), dtype=torch.float64)
            for g in grads.values()]).tolist()
        squares = {n: v * v for n, v in zip(grads, norms)}
        total = math.sqrt(sum(squares.values()))
        per_group = [math.sqrt(sum(squares.get(n, 0.0) for n in members))
                     for members in self.groups.values()]
        self._rows.append((step, loss, total, per_group))

    def record_states(self, step: int, norms: np.ndarray) -> None:
        """Store a profile of state-gradient norms, norms: (T,) ||dL/dh_t||.

        Usually: ``monitor.record_states(step,
        state_gradient_norms(model, xs, loss_fn))``.
        """
        step = _check_step(step, [s for s, _ in self._states])
        norms = check_array("norms", norms, ndim=1, finite=False)
        if norms.size == 0:
            raise ValueError("norms must hold one norm per time step; "
                             "got an empty array")
        if (norms < 0).any():
            raise ValueError("norms must be norms (>= 0); got a negative "
                             "value")
        self._states.append((step, norms.copy()))

    @property
    def history(self) -> GradientHistory:
        """Everything recorded so far, as arrays (a fresh copy)."""
        rows, G = self._rows, len(self.groups)
        per_group = np.array([r[3] for r in rows], float).reshape(-1, G)
        return GradientHistory(
            steps=np.array([r[0] for r in rows], dtype=int),
            losses=np.array([r[1] for r in rows], dtype=float),
            total_norms=np.array([r[2] for r in rows], dtype=float),
            group_norms={g: per_group[:, i].copy()
                         for i, g in enumerate(self.groups)},
            state_steps=[s for s, _ in self._states],
            state_norms=[n.copy() for _, n in self._states])


def _check_step(step: object, previous: list[int]) -> int:
    if isinstance(step, (bool, np.bool_)) \
            or not isinstance(step, (int, np.integer)):
        raise TypeError(f"step must be a whole number; "
                        f"got {type(step).__name__}")
    if step < 0:
        raise ValueError(f"step must be a whole number >= 0; got {step!r}")
    if previous and step <= previous[-1]:
        raise ValueError(f"step must be greater than the last recorded "
                         f"step {previous[-1]}; got {step!r}")
    return int(step)


def _check_module(name: str, model: object) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"{name} must be a torch.nn.Module; "
                        f"got {type(model).__name__}")


def _check_loss_value(loss: object) -> float:
    if isinstance(loss, torch.Tensor):
        if loss.numel() != 1:
            raise ValueError(f"loss must be a scalar; got a tensor of "
                             f"shape {tuple(loss.shape)}")
        return float(loss.detach())
    if isinstance(loss, (bool, np.bool_)) or not isinstance(loss, Real):
        raise TypeError(f"loss must be a real number; "
                        f"got {type(loss).__name__}")
    return float(loss)


def _resolve_groups(groups: Mapping[str, Sequence[str]] | None,
                    names: list[str]) -> dict[str, list[str]]:
    """group name -> the names of the parameters it holds."""
    if groups is None:
        return {n: [n] for n in names}
    if not isinstance(groups, Mapping):
        raise TypeError(f"groups must be a mapping of group name -> "
                        f"parameter-name prefixes; "
                        f"got {type(groups).__name__}")
    if not groups:
        raise ValueError("groups must name at least one group; got {}")
    return {group: _members(group, prefixes, names)
            for group, prefixes in groups.items()}


def _members(group: object, prefixes: object,
             names: list[str]) -> list[str]:
    """The parameter names of one group, after checking its prefixes."""
    if not isinstance(group, str):
        raise TypeError(f"groups keys must be strings; "
                        f"got {type(group).__name__}")
    if isinstance(prefixes, str) or not isinstance(prefixes, Sequence) \
            or not all(isinstance(p, str) for p in prefixes):
        raise TypeError(f"groups[{group!r}] must be a list of "
                        f"parameter-name prefixes (strings); "
                        f"got {prefixes!r}")
    if not prefixes:
        raise ValueError(f"groups[{group!r}] must hold at least one "
                         "prefix; got an empty list")
    for prefix in prefixes:
        if not any(n.startswith(prefix) for n in names):
            raise ValueError(f"groups[{group!r}] prefix {prefix!r} matches "
                             f"no parameter; the parameters are "
                             f"{', '.join(names)}")
    return [n for n in names if n.startswith(tuple(prefixes))]


# --- per-step state gradients ---------------------------------------------


def find_recurrent(model: nn.Module) -> tuple[str, nn.RNNBase]:
    """(name, module): the first nn.RNN, nn.LSTM or nn.GRU in ``model``.

    ``model`` itself counts (its name is then its class name).
    Introduced in chapter 6 (consequences and diagnosis).
    """
    _check_module("model", model)
    for name, module in model.named_modules():
        if isinstance(module, RECURRENT):
            return name or type(model).__name__, module
    raise ValueError(f"model has no recurrent submodule (nn.RNN, nn.LSTM, "
                     f"nn.GRU) in {type(model).__name__}: per-step state "
                     "gradients need one; the per-parameter monitor still "
                     "works")


@dataclass
class _Taps:
    """What the stepped forward keeps of each step of the top layer."""

    h: list = field(default_factory=list)      # h_t, in the graph
    c: list = field(default_factory=list)      # an LSTM's c_t, in the graph
    inputs: list = field(default_factory=list)  # the layer's input at t
    prev: list = field(default_factory=list)    # h_{t-1} (None: zeros)


def state_gradient_norms(model: nn.Module, xs: torch.Tensor,
                         loss_fn: Callable[[Any], torch.Tensor], *,
                         state: str = "h") -> np.ndarray:
    """(T,) ||dL/dh_t||, t = 1..T, of loss = loss_fn(model(xs)).

    Total derivatives, normed over the batch and the hidden units, for the
    top layer of the model's first recurrent submodule (any depth,
    batch_first or not; every call of it in the forward pass, in order).
    state: "h" (hidden state) or "c" (an LSTM's cell state).
    The module runs one step at a time for this forward pass; the output
    is unchanged and the parameters' ``.grad`` are left untouched.
    Introduced in chapter 6 (consequences and diagnosis).
    """
    name, rnn = find_recurrent(model)
    _check_state_args(rnn, name, xs, loss_fn, state)
    taps = _Taps()
    with _stepping(rnn, name, taps), torch.enable_grad():
        loss = loss_fn(model(xs))
    _check_loss(loss)
    if not taps.h:
        raise ValueError(f"model's forward did not call its recurrent "
                         f"submodule {name}")
    grads = torch.autograd.grad(loss, taps.h + taps.c,
                                materialize_grads=True)
    T = len(taps.h)
    if state == "c":
        grads = _total_cell_gradients(rnn, taps, grads[:T], grads[T:])
    return np.array([torch.linalg.vector_norm(g.double()).item()
                     for g in grads[:T]])


@contextmanager
def _stepping(rnn: nn.RNNBase, name: str, taps: _Taps) -> Iterator[None]:
    """Run ``rnn`` one step at a time, then give it back its forward."""
    saved = rnn.__dict__.get("forward")  # set on the instance by someone?
    rnn.forward = _step_by_step(rnn, rnn.forward, name, taps)
    try:
        yield
    finally:
        if saved is None:
            del rnn.forward
        else:
            rnn.forward = saved


def _step_by_step(rnn: nn.RNNBase, forward: Callable, name: str,
                  taps: _Taps) -> Callable:
    """A forward equal to ``forward``: a loop over time, state passed."""

    def stepped(input: torch.Tensor, hx: Any = None):
        _check_rnn_input(rnn, name, input)
        time = 1 if rnn.batch_first and input.dim() == 3 else 0
        outs = []
        for t in range(input.shape[time]):
            x_t = input.narrow(time, t, 1)
            taps.prev.append(_layer_state(hx))
            _, hx = forward(x_t, hx)
            taps.inputs.append(x_t.squeeze(time) if rnn.num_layers == 1
                               else _layer_state(hx, -2))
            hx, top = _tap(hx, taps)
            outs.append(top.unsqueeze(time))
        return torch.cat(outs, time), hx

    return stepped


def _tap(hx: Any, taps: _Taps) -> tuple[Any, torch.Tensor]:
    """Route the top layer's state through one kept tensor per step."""
    h, c = hx if isinstance(hx, tuple) else (hx, None)
    top = h[-1]  # feeds both this step's output and the next step
    taps.h.append(top)
    h = torch.cat([h[:-1], top[None]])
    if c is None:
        return h, top
    cell = c[-1]
    taps.c.append(cell)
    return (h, torch.cat([c[:-1], cell[None]])), top


def _layer_state(hx: Any, layer: int = -1) -> torch.Tensor | None:
    """The state h of one layer (the top one by default), detached."""
    if hx is None:
        return None
    return (hx[0] if isinstance(hx, tuple) else hx)[layer].detach()


def _total_cell_gradients(rnn: nn.LSTM, taps: _Taps,
                          dhs: Sequence[torch.Tensor],
                          dcs: Sequence[torch.Tensor],
                          ) -> list[torch.Tensor]:
    """dL/dc_t = dcs[t] + dL/dh_t * o_t * (1 - tanh(c_t)^2), top layer.

    dcs[t] is the part through c_{t+1}: the fused op hides the path
    c_t -> h_t inside step t, so it is added here, with the output gate
    o_t recomputed from the top layer's weights.
    """
    l, H = rnn.num_layers - 1, rnn.hidden_size
    w_ih = getattr(rnn, f"weight_ih_l{l}")[3 * H:]
    w_hh = getattr(rnn, f"weight_hh_l{l}")[3 * H:]
    b = 0.0
    if rnn.bias:
        b = (getattr(rnn, f"bias_ih_l{l}")
             + getattr(rnn, f"bias_hh_l{l}"))[3 * H:]
    totals = []
    with torch.no_grad():
        for x, h_prev, c, dh, dc in zip(taps.inputs, taps.prev, taps.c,
                                        dhs, dcs):
            h_prev = torch.zeros_like(dh) if h_prev is None else h_prev
            o = torch.sigmoid(x @ w_ih.T + h_prev @ w_hh.T + b)
            if rnn.proj_size:  # h = W_hr (o * tanh(c))
                dh = dh @ getattr(rnn, f"weight_hr_l{l}")
            totals.append(dc + dh * o * (1 - torch.tanh(c) ** 2))
    return totals


def _check_state_args(rnn: nn.RNNBase, name: str, xs: object,
                      loss_fn: object, state: object) -> None:
    if not isinstance(xs, torch.Tensor):
        raise TypeError(f"xs must be a torch.Tensor; "
                        f"got {type(xs).__name__}")
    if xs.dtype == torch.bool or xs.is_complex():
        raise TypeError(f"xs must hold real numbers (or integer ids); "
                        f"got dtype {xs.dtype}")
    if xs.dim() == 0 or xs.numel() == 0:
        raise ValueError(f"xs must be a non-empty batch of sequences, "
                         f"(T, B, D); got shape {tuple(xs.shape)}")
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable; "
                        f"got {type(loss_fn).__name__}")
    check_choice("state", state, ("h", "c"))
    if state == "c" and not isinstance(rnn, nn.LSTM):
        raise ValueError(f"state must be 'h' for {type(rnn).__name__} "
                         f"{name}: only an nn.LSTM has a cell state 'c'")
    if state == "c" and rnn.dropout and rnn.training and rnn.num_layers > 1:
        raise ValueError(f"state 'c' needs {name} without dropout between "
                         "layers: call model.eval() first, or measure 'h'")
    if rnn.bidirectional:
        raise ValueError(f"model's recurrent submodule {name} is "
                         "bidirectional: per-step state gradients of a "
                         "bidirectional module are not supported")


def _check_rnn_input(rnn: nn.RNNBase, name: str, input: object) -> None:
    if isinstance(input, PackedSequence):
        raise ValueError(f"xs: {name} received a PackedSequence; per-step "
                         "state gradients need a padded tensor")
    if not isinstance(input, torch.Tensor) or input.dim() not in (2, 3) \
            or input.shape[-1] != rnn.input_size or input.numel() == 0:
        shape = "(B, T, D)" if rnn.batch_first else "(T, B, D)"
        got = tuple(input.shape) if isinstance(input, torch.Tensor) \
            else type(input).__name__
        raise ValueError(f"xs must give {name} inputs of shape {shape} "
                         f"with D = {rnn.input_size} (its input_size) and "
                         f"T >= 1; got {got}")
    if input.dtype != rnn.weight_ih_l0.dtype:
        raise TypeError(f"xs must give {name} inputs of dtype "
                        f"{rnn.weight_ih_l0.dtype} (its weights' dtype); "
                        f"got {input.dtype}")


def _check_loss(loss: object) -> None:
    if not isinstance(loss, torch.Tensor):
        raise TypeError(f"loss_fn must return a scalar torch.Tensor; "
                        f"got {type(loss).__name__}")
    if loss.numel() != 1:
        raise ValueError(f"loss_fn must return a scalar tensor; "
                         f"got shape {tuple(loss.shape)}")
    if not loss.requires_grad:
        raise ValueError("loss_fn must return a loss computed from the "
                         "model's output (it does not require grad)")


def effective_horizon(norms: np.ndarray, floor: float = 1e-3) -> int:
    """Steps back from T that ||dL/dh_t|| stays >= floor * ||dL/dh_T||.

    norms: (T,) ||dL/dh_t||, t = 1..T; counted from t = T back to the
    first step below; an int in 1..T.
    Introduced in chapter 6 (consequences and diagnosis).
    """
    norms = check_array("norms", norms, ndim=1, finite=False)
    if norms.size == 0:
        raise ValueError("norms must hold one norm per time step; "
                         "got an empty array")
    floor = check_real("floor", floor, minimum=0.0)
    below = np.flatnonzero(~(norms >= floor * norms[-1]))
    T = norms.size
    return int(T if below.size == 0 else T - 1 - below[-1])


# --- the diagnosis --------------------------------------------------------


@dataclass
class Finding:
    """One sign (one of SIGNS), its evidence in numbers, what to try.

    Introduced in chapter 6 (consequences and diagnosis).
    """

    sign: str
    evidence: str
    remedy: str


@dataclass
class Diagnosis:
    """The findings of ``diagnose``, and the effective horizon.

    horizon: None when no state gradients were recorded; T: the length of
    the profile it was read from; steps: the number of recorded steps.
    ``str(d)`` is a plain-text report; a notebook shows it as markdown.
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
        lines = [f"Gradient diagnosis over {self.steps} recorded steps: "
                 f"{signs}"]
        if self.horizon is not None:
            lines.append(f"Effective horizon: {self.horizon} of "
                         f"T = {self.T} steps")
        return lines

    def __str__(self) -> str:
        def fill(text: str) -> str:
            return textwrap.fill(text, WIDTH, initial_indent="  ",
                                 subsequent_indent="    ")

        lines = self._headline()
        for f in self.findings:
            lines += ["", f.sign.upper(), fill("evidence: " + f.evidence),
                      fill("remedy: " + f.remedy)]
        if self.notes:
            lines += ["", "NOTES"] + [fill(note) for note in self.notes]
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        lines = [f"**{line}**  " for line in self._headline()] + [""]
        lines += [f"- **{f.sign}**: {f.evidence}  \n  *Remedy:* {f.remedy}"
                  for f in self.findings]
        lines += [f"- *Note:* {note}" for note in self.notes]
        return "\n".join(lines) + "\n"


def _g(x: float) -> str:
    """A number to three significant figures, as the report writes it."""
    return f"{x:.3g}"


def _nonfinite(h: GradientHistory) -> Finding | None:
    bad = ~(np.isfinite(h.losses) & np.isfinite(h.total_norms))
    if not bad.any():
        return None
    i = int(np.argmax(bad))
    return Finding("exploding", f"the first non-finite value is at step "
                   f"{h.steps[i]}: loss {_g(h.losses[i])}, gradient norm "
                   f"{_g(h.total_norms[i])} ({int(bad.sum())} of "
                   f"{bad.size} recorded steps are non-finite)",
                   REMEDIES["exploding"])


def running_median(x: np.ndarray, window: int) -> np.ndarray:
    """(N - 1,): for i = 1..N-1 the median of x[i - window:i] (or x[:i]).

    Introduced in chapter 6 (consequences and diagnosis).
    """
    x = check_array("x", x, ndim=1, finite=False)
    window = check_positive("window", window, integer=True)
    return np.array([np.median(x[max(0, i - window):i])
                     for i in range(1, x.size)])


def _spikes(h: GradientHistory, n: int, factor: float,
            window: int) -> Finding | None:
    """Total norms above ``factor`` x the median of the window before."""
    norms = h.total_norms[:n]
    medians = running_median(norms, window)
    ratios = np.divide(norms[1:], medians, out=np.zeros(n - 1),
                       where=medians > 0)
    spikes = np.flatnonzero(ratios > factor)
    if spikes.size == 0:
        return None
    j = spikes[np.argmax(ratios[spikes])]
    i = j + 1
    top = max(h.group_norms, key=lambda g: h.group_norms[g][i],
              default=None)
    where = "" if top is None else f"; the largest group norm there: {top}"
    return Finding("exploding", f"{spikes.size} gradient-norm spike(s) "
                   f"above {_g(factor)}x the median of the (up to) "
                   f"{window} steps before; the largest, at step "
                   f"{h.steps[i]}, is {_g(ratios[j])}x (norm "
                   f"{_g(norms[i])} against a median of "
                   f"{_g(medians[j])}){where}", REMEDIES["exploding"])


def _peak(h: GradientHistory, n: int, factor: float) -> Finding | None:
    """The largest total norm against the median over the whole run."""
    norms = h.total_norms[:n]
    median, i = np.median(norms), int(np.argmax(norms))
    if not median > 0 or norms[i] <= factor * median:
        return None
    return Finding("exploding", f"the largest gradient norm, "
                   f"{_g(norms[i])} at step {h.steps[i]}, is "
                   f"{_g(norms[i] / median)}x the run's median "
                   f"{_g(median)} (threshold {_g(factor)}x)",
                   REMEDIES["exploding"])


def _profile(h: GradientHistory, vanishing_ratio: float,
             growing_ratio: float, floor: float) -> Finding | None:
    """Vanishing or exploding, read from the last ||dL/dh_t|| profile."""
    s, step = h.state_norms[-1], h.state_steps[-1]
    T = s.size
    if not np.isfinite(s).all():
        t = int(np.argmax(~np.isfinite(s))) + 1
        return Finding("exploding", f"||dL/dh_t|| is {_g(s[t - 1])} at "
                       f"t = {t} of {T} (measured at step {step})",
                       REMEDIES["exploding"])
    if T < 2 or s[-1] == 0:
        return None
    ratio = s[0] / s[-1]
    if ratio < vanishing_ratio:
        fold = _g(1 / ratio) if ratio > 0 else "inf"
        return Finding("vanishing", f"||dL/dh_t|| falls {fold}-fold from "
                       f"t = T = {T} back to t = 1 (||dL/dh_1|| / "
                       f"||dL/dh_T|| = {_g(ratio)}, measured at step "
                       f"{step}); it stays "
                       f"above {_g(floor)} of ||dL/dh_T|| for the last "
                       f"{effective_horizon(s, floor)} of {T} steps",
                       REMEDIES["vanishing"])
    if ratio > growing_ratio:
        return Finding("exploding", f"||dL/dh_t|| grows {_g(ratio)}-fold "
                       f"from t = T = {T} back to t = 1 (measured at step "
                       f"{step})", REMEDIES["exploding"])
    return None


def _plateau(losses: np.ndarray, steps: np.ndarray, tol: float,
             baseline: float | None, baseline_tol: float) -> Finding | None:
    """The mean loss of the last quarter against the quarter before it."""
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
        where = (f"; it is above the baseline {_g(baseline)} or within "
                 f"{_g(100 * baseline_tol)}% of it: stuck at the baseline")
    change = f"{_g(100 * abs(gain))}% {'below' if gain >= 0 else 'above'}"
    return Finding("plateau", f"the mean loss of the last quarter (steps "
                   f"{steps[n - q]}-{steps[n - 1]}) is {_g(last)}, "
                   f"{change} the previous quarter's {_g(prev)} (tolerance "
                   f"{_g(100 * tol)}%){where}", REMEDIES["plateau"])


def _erratic(losses: np.ndarray, threshold: float) -> Finding | None:
    """The median relative change of the loss from one step to the next."""
    scale = (np.abs(losses[1:]) + np.abs(losses[:-1])) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(scale > 0, np.abs(np.diff(losses)) / scale, 0.0)
    median = float(np.median(change))
    if median <= threshold:
        return None
    return Finding("erratic", f"the loss changes by a median "
                   f"{_g(100 * median)}% from one step to the next "
                   f"(threshold {_g(100 * threshold)}%)",
                   REMEDIES["erratic"])


def _healthy(h: GradientHistory, n: int, factor: float,
             floor: float) -> Finding:
    q = max(n // 4, 1)
    median = np.median(h.total_norms[:n])
    text = (f"over {n} steps the mean loss went from "
            f"{_g(h.losses[:q].mean())} (first quarter) to "
            f"{_g(h.losses[n - q:n].mean())} (last quarter); the gradient "
            f"norm stayed finite (median {_g(median)}) with no spike above "
            f"{_g(factor)}x its running median")
    if h.state_norms:
        s = h.state_norms[-1]
        text += (f"; ||dL/dh_t|| stays above {_g(floor)} of ||dL/dh_T|| "
                 f"for the last {effective_horizon(s, floor)} of {s.size} "
                 "steps")
    return Finding("healthy", text, REMEDIES["healthy"])


def check_history(history: object) -> GradientHistory:
    """A copy of ``history`` as arrays, checked non-empty and consistent.

    Introduced in chapter 6 (consequences and diagnosis).
    """
    if not isinstance(history, GradientHistory):
        raise TypeError(f"history must be a GradientHistory "
                        f"(monitor.history); got {type(history).__name__}")
    if not isinstance(history.group_norms, Mapping):
        raise TypeError(f"history.group_norms must be a dict of name -> "
                        f"(N,) array; "
                        f"got {type(history.group_norms).__name__}")
    steps, losses, norms = (
        check_array(f"history.{name}", getattr(history, name), ndim=1,
                    finite=False)
        for name in ("steps", "losses", "total_norms"))
    groups = {g: check_array(f"history.group_norms[{g!r}]", v, ndim=1,
                             finite=False)
              for g, v in history.group_norms.items()}
    if steps.size == 0:
        raise ValueError("history has no steps recorded: call "
                         "monitor.record(step, loss) after each backward "
                         "pass")
    sizes = [a.size for a in (steps, losses, norms, *groups.values())]
    if any(size != steps.size for size in sizes):
        raise ValueError(f"history must hold one loss and one norm per "
                         f"step ({steps.size} steps); got arrays of "
                         f"lengths {sizes}")
    return GradientHistory(steps.astype(int), losses, norms, groups,
                           *_check_profiles(history))


def _check_profiles(history: GradientHistory) -> tuple[list, list]:
    if len(history.state_steps) != len(history.state_norms):
        raise ValueError(f"history must hold one state-norm profile per "
                         f"entry of state_steps; got "
                         f"{len(history.state_norms)} for "
                         f"{len(history.state_steps)}")
    profiles = [check_array(f"history.state_norms[{i}]", p, ndim=1,
                            finite=False)
                for i, p in enumerate(history.state_norms)]
    if any(p.size == 0 for p in profiles):
        raise ValueError("history.state_norms must hold one norm per time "
                         "step in each profile; got an empty profile")
    return list(history.state_steps), profiles


def diagnose(history: GradientHistory, *, min_steps: int = 8,
             vanishing_ratio: float = 1e-3, growing_ratio: float = 1e3,
             floor: float = 1e-3, spike_factor: float = 30.0,
             spike_window: int = 25, peak_factor: float = 100.0,
             plateau_tol: float = 0.01, baseline: float | None = None,
             baseline_tol: float = 0.05,
             erratic_change: float = 0.5) -> Diagnosis:
    """Read the signs of vanishing or exploding gradients off a history.

    The rules (each threshold a keyword; heuristics, not proofs):

    - exploding: a non-finite loss or gradient norm (the first step is
      named); or a total norm above ``spike_factor`` (30) times the
      median of the (up to) ``spike_window`` (25) steps before it; or the
      largest total norm above ``peak_factor`` (100) times the median of
      the run; or, in the last state profile, ||dL/dh_1|| / ||dL/dh_T||
      > ``growing_ratio`` (1e3). Findings of one sign are merged.
    - vanishing: that ratio < ``vanishing_ratio`` (1e-3). The horizon
      counts the steps back from T where ||dL/dh_t|| >= ``floor`` (1e-3)
      times ||dL/dh_T|| (``effective_horizon``); None without a profile.
    - plateau: the mean loss of the last quarter of the (finite) history
      improves on the quarter before by less than ``plateau_tol`` (0.01),
      relative; given a ``baseline`` (a trivial predictor's loss, 1/6 on
      the adding problem), only if the last quarter is not below
      ``baseline - baseline_tol * |baseline|`` (``baseline_tol`` 0.05).
    - erratic: the median over steps of ``|L_{n+1} - L_n|`` / the mean of
      ``|L_n|`` and ``|L_{n+1}|`` above ``erratic_change`` (0.5).
    - healthy: none of these.

    The loss rules need ``min_steps`` (8) finite steps; a shorter history
    is an error, unless it holds a non-finite value ("exploding").
    Introduced in chapter 6 (consequences and diagnosis).
    """
    h = check_history(history)
    _check_thresholds(min_steps, vanishing_ratio, growing_ratio, floor,
                      spike_factor, spike_window, peak_factor, plateau_tol,
                      baseline, baseline_tol, erratic_change)
    finite = np.isfinite(h.losses) & np.isfinite(h.total_norms)
    n = int(np.argmin(finite)) if not finite.all() else finite.size
    if n < min_steps and finite.all():
        raise ValueError(f"history has {n} recorded steps; diagnose needs "
                         f"at least {min_steps} (min_steps) for a verdict")
    findings, notes = [_nonfinite(h)], []
    if n >= min_steps:
        findings += [_spikes(h, n, spike_factor, spike_window),
                     _peak(h, n, peak_factor)]
    if h.state_norms:
        findings.append(_profile(h, vanishing_ratio, growing_ratio, floor))
    else:
        notes.append("no state gradients recorded: record_states(step, "
                     "state_gradient_norms(model, xs, loss_fn)) to check "
                     "for vanishing")
    if n >= min_steps:
        findings += [_plateau(h.losses[:n], h.steps[:n], plateau_tol,
                              baseline, baseline_tol),
                     _erratic(h.losses[:n], erratic_change)]
    else:
        notes.append(f"only {n} finite steps, fewer than min_steps = "
                     f"{min_steps}: the loss was not read for a plateau or "
                     "erratic steps")
    found = [f for f in findings if f is not None]
    return _diagnosis(h, found or [_healthy(h, n, spike_factor, floor)],
                      floor, notes)


def _merged(findings: list[Finding]) -> list[Finding]:
    """One finding per sign, in order of first appearance."""
    by_sign: dict[str, Finding] = {}
    for f in findings:
        if f.sign in by_sign:
            first = by_sign[f.sign]
            first.evidence = f"{first.evidence}; also {f.evidence}"
        else:
            by_sign[f.sign] = Finding(f.sign, f.evidence, f.remedy)
    return list(by_sign.values())


def _diagnosis(h: GradientHistory, findings: list[Finding], floor: float,
               notes: list[str]) -> Diagnosis:
    s = h.state_norms[-1] if h.state_norms else None
    return Diagnosis(_merged(findings),
                     None if s is None else effective_horizon(s, floor),
                     steps=int(h.steps.size),
                     T=None if s is None else int(s.size), notes=notes)


def _check_thresholds(min_steps: int, vanishing_ratio: float,
                      growing_ratio: float, floor: float,
                      spike_factor: float, spike_window: int,
                      peak_factor: float, plateau_tol: float,
                      baseline: float | None,
                      baseline_tol: float, erratic_change: float) -> None:
    if check_positive("min_steps", min_steps, integer=True) < 4:
        raise ValueError(f"min_steps must be >= 4 (the plateau rule "
                         f"compares quarters); got {min_steps}")
    for name, value in (("vanishing_ratio", vanishing_ratio),
                        ("floor", floor)):
        if check_positive(name, value) >= 1:
            raise ValueError(f"{name} must be a number in (0, 1); "
                             f"got {value!r}")
    for name, value in (("growing_ratio", growing_ratio),
                        ("spike_factor", spike_factor),
                        ("peak_factor", peak_factor)):
        if check_positive(name, value) <= 1:
            raise ValueError(f"{name} must be a number > 1; got {value!r}")
    check_positive("spike_window", spike_window, integer=True)
    check_real("plateau_tol", plateau_tol, minimum=0.0)
    check_real("baseline_tol", baseline_tol, minimum=0.0)
    check_positive("erratic_change", erratic_change)
    if baseline is not None:
        check_real("baseline", baseline)
