"""The gradient doctor against independent oracles.

The monitor's norms against norms computed by hand from each ``p.grad``; the per-step state
gradients against torch.autograd on the RNN, LSTM and GRU equations unrolled from the
module's own weights; the verdicts of ``diagnose`` on constructed histories whose numbers
are known in closed form; the book page's code, run.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from rnncourse.diagnostics import (
    Diagnosis,
    Finding,
    GradientHistory,
    GradientMonitor,
    diagnose,
    effective_horizon,
    find_recurrent,
    running_median,
    state_gradient_norms,
)

ROOT = Path(__file__).resolve().parents[1]
F64 = torch.float64


# --- models and the unrolled oracle -------------------------------------------------------


class Seq2Out(nn.Module):
    """A recurrent module and a head; returns the head on every step and the last top state."""

    def __init__(self, rnn: nn.RNNBase) -> None:
        super().__init__()
        self.rnn = rnn
        self.head = nn.Linear(rnn.hidden_size, 2, dtype=F64)

    def forward(self, xs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out, hx = self.rnn(xs)
        h = hx[0] if isinstance(hx, tuple) else hx
        return self.head(out), h[-1]


def make_model(kind: str, layers: int = 1, batch_first: bool = False, seed: int = 0) -> Seq2Out:
    torch.manual_seed(seed)
    cls = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind]
    return Seq2Out(cls(3, 5, num_layers=layers, batch_first=batch_first, dtype=F64))


def cell_step(kind: str, w: dict, x: torch.Tensor, h: torch.Tensor, c: torch.Tensor | None):
    """One step of torch's RNN (tanh), LSTM or GRU equations, written out from the weights."""
    gi = x @ w["ih"].T + w["bih"]
    gh = h @ w["hh"].T + w["bhh"]
    if kind == "rnn":
        return torch.tanh(gi + gh), None
    if kind == "lstm":
        i, f, g, o = (gi + gh).chunk(4, dim=-1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        return (h if "hr" not in w else h @ w["hr"].T), c
    r_i, z_i, n_i = gi.chunk(3, dim=-1)
    r_h, z_h, n_h = gh.chunk(3, dim=-1)
    r, z = torch.sigmoid(r_i + r_h), torch.sigmoid(z_i + z_h)
    n = torch.tanh(n_i + r * n_h)
    return (1 - z) * n + z * h, None


def unrolled(kind: str, rnn: nn.RNNBase, xs: torch.Tensor, h0=None, c0=None):
    """Top-layer states h_t (and c_t) with retained grads, and the outputs (T, B, H)."""
    L, H, P = rnn.num_layers, rnn.hidden_size, rnn.proj_size or rnn.hidden_size
    names = [("ih", "weight_ih"), ("hh", "weight_hh"), ("bih", "bias_ih"), ("bhh", "bias_hh")]
    names += [("hr", "weight_hr")] if rnn.proj_size else []
    weights = [{k: getattr(rnn, f"{n}_l{l}") for k, n in names} for l in range(L)]
    B = xs.shape[1]
    hs = list(torch.zeros(L, B, P, dtype=F64) if h0 is None else h0)
    cs = list(torch.zeros(L, B, H, dtype=F64) if c0 is None else c0)
    tops, cells = [], []
    for x in xs:
        below = x
        for l in range(L):
            hs[l], cs[l] = cell_step(kind, weights[l], below, hs[l], cs[l])
            below = hs[l]
        hs[-1].retain_grad()
        tops.append(hs[-1])
        if kind == "lstm":
            cs[-1].retain_grad()
            cells.append(cs[-1])
    return tops, cells, torch.stack(tops)


def oracle_norms(kind: str, model: Seq2Out, xs: torch.Tensor, loss_fn, batch_first: bool):
    """||dL/dh_t|| (and ||dL/dc_t||) by autograd on the unrolled equations."""
    time_major = xs.transpose(0, 1) if batch_first else xs
    tops, cells, out = unrolled(kind, model.rnn, time_major)
    out = out.transpose(0, 1) if batch_first else out
    loss_fn((model.head(out), tops[-1])).backward()
    model.zero_grad(set_to_none=True)
    return ([t.grad.norm().item() for t in tops], [c.grad.norm().item() for c in cells])


def batch(batch_first: bool, T: int = 7, B: int = 4, seed: int = 1):
    g = torch.Generator().manual_seed(seed)
    shape = (B, T) if batch_first else (T, B)
    xs = torch.randn(*shape, 3, generator=g, dtype=F64)
    R = torch.randn(*shape, 2, generator=g, dtype=F64)

    def loss_fn(output):  # a loss at every step and one on the last state
        ys, h_last = output
        return (ys * R).sum() + 0.5 * (h_last ** 2).sum()

    return xs, loss_fn


CASES = [("rnn", 1), ("rnn", 2), ("lstm", 1), ("lstm", 2), ("gru", 1), ("gru", 2)]


@pytest.mark.parametrize("batch_first", [False, True], ids=["time-major", "batch-first"])
@pytest.mark.parametrize("kind, layers", CASES, ids=[f"{k}-{n}layer" for k, n in CASES])
def test_state_gradients_equal_autograd_on_the_unrolled_equations(kind, layers, batch_first):
    model = make_model(kind, layers, batch_first)
    xs, loss_fn = batch(batch_first)
    want_h, want_c = oracle_norms(kind, model, xs, loss_fn, batch_first)
    got = state_gradient_norms(model, xs, loss_fn)
    assert got.shape == (7,)
    np.testing.assert_allclose(got, want_h, rtol=1e-10, atol=1e-12)
    if kind == "lstm":
        np.testing.assert_allclose(state_gradient_norms(model, xs, loss_fn, state="c"),
                                   want_c, rtol=1e-10, atol=1e-12)
        assert not np.allclose(want_c, want_h), "the state argument must choose h or c"


def test_state_gradients_are_total_not_the_direct_part_the_fused_output_carries():
    model = make_model("rnn")
    xs = torch.randn(6, 2, 3, dtype=F64)
    loss_fn = lambda output: output[0][-1].sum()  # noqa: E731  (a loss at the last step only)
    got = state_gradient_norms(model, xs, loss_fn)
    out, _ = model.rnn(xs)
    out.retain_grad()
    model.head(out)[-1].sum().backward()
    direct = out.grad.norm(dim=(1, 2)).numpy()
    assert (direct[:-1] == 0).all() and (got[:-1] > 0).all()
    np.testing.assert_allclose(got[-1], direct[-1], rtol=1e-12)


class InitialState(nn.Module):
    """An LSTM with projections and a learned initial state; the loss may use c_T."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(3)
        self.lstm = nn.LSTM(3, 5, num_layers=2, proj_size=2, dtype=F64)
        self.h0 = nn.Parameter(torch.randn(2, 1, 2, dtype=F64))
        self.c0 = nn.Parameter(torch.randn(2, 1, 5, dtype=F64))

    def forward(self, xs: torch.Tensor):
        B = xs.shape[1]
        out, (h, c) = self.lstm(xs, (self.h0.expand(-1, B, -1).contiguous(),
                                     self.c0.expand(-1, B, -1).contiguous()))
        return out, c[-1]


def test_lstm_with_projections_an_initial_state_and_a_loss_on_the_cell():
    model = InitialState()
    xs, _ = batch(False)
    R = torch.randn(7, 4, 2, dtype=F64)
    loss_fn = lambda o: (o[0] * R).sum() + 0.7 * o[1].sum()  # noqa: E731
    B = xs.shape[1]
    tops, cells, out = unrolled("lstm", model.lstm, xs, model.h0.expand(-1, B, -1),
                                model.c0.expand(-1, B, -1))
    loss_fn((out, cells[-1])).backward()
    for state, want in (("h", tops), ("c", cells)):
        np.testing.assert_allclose(state_gradient_norms(model, xs, loss_fn, state=state),
                                   [t.grad.norm().item() for t in want], rtol=1e-10)


class StepsItself(nn.Module):
    """Calls its GRU once per step, passing the state: every call is reported, in order."""

    def __init__(self, gru: nn.GRU) -> None:
        super().__init__()
        self.gru = gru

    def forward(self, xs: torch.Tensor) -> torch.Tensor:
        h, outs = None, []
        for x in xs:
            out, h = self.gru(x[None], h)
            outs.append(out)
        return torch.cat(outs)


def test_a_model_that_calls_its_module_once_per_step():
    torch.manual_seed(0)
    gru = nn.GRU(3, 4, dtype=F64)
    xs, _ = batch(False)
    loss_fn = lambda out: out[-1].pow(2).sum()  # noqa: E731
    np.testing.assert_allclose(state_gradient_norms(StepsItself(gru), xs, loss_fn),
                               state_gradient_norms(gru, xs, lambda o: loss_fn(o[0])),
                               rtol=1e-12)


def test_xs_and_loss_fn_matter():
    model = make_model("gru")
    xs, _ = batch(False)
    loss_fn = lambda output: output[1].pow(2).sum()  # noqa: E731
    base = state_gradient_norms(model, xs, loss_fn)
    assert not np.allclose(base, state_gradient_norms(model, 2 * xs, loss_fn))
    assert not np.allclose(base, state_gradient_norms(model, xs, lambda o: o[1].sum()))
    assert state_gradient_norms(model, xs[:4], loss_fn).shape == (4,)


def test_the_output_is_unchanged_and_the_forward_restored():
    model = make_model("lstm", 2)
    xs, loss_fn = batch(False)
    plain = model(xs)
    seen = []
    state_gradient_norms(model, xs, lambda o: seen.append(o) or loss_fn(o))
    for a, b in zip(plain, seen[0]):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-13)
    assert "forward" not in model.rnn.__dict__
    assert model.rnn.forward.__func__ is nn.LSTM.forward
    torch.testing.assert_close(model(xs)[0], plain[0], rtol=0, atol=0)


def test_the_forward_is_restored_after_an_error_and_a_patched_forward_kept():
    model = make_model("rnn")
    xs, _ = batch(False)

    def failing(output):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        state_gradient_norms(model, xs, failing)
    assert "forward" not in model.rnn.__dict__
    mine = model.rnn.forward
    model.rnn.forward = mine  # an instance attribute set by someone else survives
    state_gradient_norms(model, xs, lambda o: o[0].sum())
    assert model.rnn.__dict__["forward"] is mine


def test_parameter_grads_are_not_modified():
    model = make_model("gru")
    xs, loss_fn = batch(False)
    loss_fn(model(xs)).backward()
    model.head.bias.grad = None
    before = {n: None if p.grad is None else p.grad.clone() for n, p in model.named_parameters()}
    state_gradient_norms(model, xs, loss_fn)
    for n, p in model.named_parameters():
        if before[n] is None:
            assert p.grad is None, n
        else:
            assert torch.equal(p.grad, before[n]), n


def test_works_under_no_grad_and_on_unbatched_input():
    model = make_model("rnn")
    xs, _ = batch(False)
    loss_fn = lambda output: output[0].pow(2).sum() + output[1].sum()  # noqa: E731
    want = state_gradient_norms(model, xs[:, :1], loss_fn)
    with torch.no_grad():
        np.testing.assert_allclose(state_gradient_norms(model, xs[:, 0], loss_fn), want,
                                   rtol=1e-12)


class TokenLSTM(nn.Module):
    """A model the course did not write: embedding, batch-first LSTM, head on the last step."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(10, 4)
        self.lstm = nn.LSTM(4, 6, batch_first=True)
        self.out = nn.Linear(6, 10)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.out(self.lstm(self.embed(ids))[0][:, -1])


def test_a_batch_first_lstm_inside_someone_elses_model():
    torch.manual_seed(0)
    model, ids = TokenLSTM(), torch.randint(0, 10, (3, 12))
    targets = torch.randint(0, 10, (3,))
    loss_fn = lambda logits: nn.functional.cross_entropy(logits, targets)  # noqa: E731
    got = state_gradient_norms(model, ids, loss_fn)
    hx, tops = None, []
    for t in range(12):  # the oracle: step the module ourselves, retaining each state
        _, hx = model.lstm(model.embed(ids[:, t:t + 1]), hx)
        tops.append(hx[0][-1])
        tops[-1].retain_grad()
        hx = (tops[-1][None], hx[1])
    loss_fn(model.out(tops[-1])).backward()
    np.testing.assert_allclose(got, [t.grad.norm().item() for t in tops], rtol=1e-5)
    assert got[0] < got[-1]
    monitor = GradientMonitor(model, groups={"recurrent": ["lstm"], "rest": ["embed", "out"]})
    monitor.record(0, 1.0)
    assert set(monitor.history.group_norms) == {"recurrent", "rest"}


def test_a_sequential_model_gets_the_monitor_but_not_state_gradients():
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    monitor = GradientMonitor(model)
    model(torch.randn(5, 3)).sum().backward()
    monitor.record(0, 0.5)
    assert list(monitor.history.group_norms) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    with pytest.raises(ValueError, match=r"model has no recurrent submodule \(nn.RNN, nn.LSTM, "
                       r"nn.GRU\).*per-parameter monitor still works"):
        state_gradient_norms(model, torch.randn(5, 3), lambda y: y.sum())


def test_find_recurrent_finds_the_first_at_any_depth():
    inner = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.GRU(2, 3), nn.LSTM(3, 3)))
    name, module = find_recurrent(nn.ModuleDict({"a": inner}))
    assert name == "a.1.0" and isinstance(module, nn.GRU)
    rnn = nn.RNN(2, 2)
    assert find_recurrent(rnn) == ("RNN", rnn)


# --- the monitor ---------------------------------------------------------------------------


def backward(model: nn.Module, seed: int = 0) -> float:
    xs, loss_fn = batch(False, seed=seed)
    model.zero_grad()
    loss = loss_fn(model(xs))
    loss.backward()
    return loss.item()


def test_group_norms_equal_norms_by_hand():
    model = make_model("rnn", 2)
    groups = {"recurrent": ["rnn.weight_hh"], "head": ["head."], "all rnn": ["rnn"]}
    monitor = GradientMonitor(model, groups)
    hand = {g: [] for g in groups}
    total = []
    for step in range(3):
        loss = backward(model, seed=step)
        monitor.record(step, loss)
        grads = {n: p.grad for n, p in model.named_parameters()}
        for g, prefixes in groups.items():
            hand[g].append(math.sqrt(sum(grads[n].pow(2).sum().item() for n in grads
                                         if any(n.startswith(p) for p in prefixes))))
        total.append(math.sqrt(sum(g.pow(2).sum().item() for g in grads.values())))
    h = monitor.history
    for g in groups:
        np.testing.assert_allclose(h.group_norms[g], hand[g], rtol=1e-12)
    np.testing.assert_allclose(h.total_norms, total, rtol=1e-12)
    np.testing.assert_array_equal(h.steps, [0, 1, 2])
    assert h.losses.shape == (3,) and h.losses[0] != h.losses[1]


def test_default_groups_are_the_parameter_tensors():
    model = make_model("rnn")
    monitor = GradientMonitor(model)
    backward(model)
    monitor.record(0, 1.0)
    h = monitor.history
    assert list(h.group_norms) == [n for n, _ in model.named_parameters()]
    np.testing.assert_allclose(h.group_norms["rnn.weight_hh_l0"],
                               [model.rnn.weight_hh_l0.grad.norm().item()], rtol=1e-12)


def test_frozen_parameters_and_missing_grads():
    model = make_model("rnn")
    model.head.bias.requires_grad_(False)
    monitor = GradientMonitor(model, {"head": ["head"], "rnn": ["rnn"]})
    assert "head.bias" not in GradientMonitor(model).history.group_norms
    backward(model)
    model.rnn.bias_hh_l0.grad = None
    monitor.record(0, 1.0)
    want = model.head.weight.grad.norm().item()
    np.testing.assert_allclose(monitor.history.group_norms["head"], [want], rtol=1e-12)


def test_nan_and_inf_gradients_are_recorded_as_such():
    model = make_model("rnn")
    monitor = GradientMonitor(model)
    backward(model)
    model.head.weight.grad[0, 0] = float("inf")
    monitor.record(0, float("nan"))
    model.head.weight.grad[0, 0] = float("nan")
    monitor.record(1, torch.tensor(2.5))
    h = monitor.history
    assert np.isnan(h.losses[0]) and h.losses[1] == 2.5
    assert np.isinf(h.total_norms[0]) and np.isinf(h.group_norms["head.weight"][0])
    assert np.isnan(h.total_norms[1])
    assert np.isfinite(h.group_norms["rnn.weight_hh_l0"]).all()


def test_record_needs_gradients_and_increasing_steps():
    model = make_model("rnn")
    monitor = GradientMonitor(model)
    with pytest.raises(ValueError, match="no gradients: call loss.backward"):
        monitor.record(0, 1.0)
    backward(model)
    monitor.record(3, 1.0)
    with pytest.raises(ValueError, match="step must be greater than the last recorded step 3"):
        monitor.record(3, 1.0)


def test_record_states_and_the_history_is_a_copy():
    monitor = GradientMonitor(make_model("rnn"))
    monitor.record_states(10, np.array([1e-3, 1e-2, 1.0]))
    monitor.record_states(20, [0.5, 1.0])
    h = monitor.history
    assert h.state_steps == [10, 20]
    np.testing.assert_array_equal(h.state_norms[0], [1e-3, 1e-2, 1.0])
    h.state_norms[0][0] = 7.0
    assert monitor.history.state_norms[0][0] == 1e-3
    assert monitor.history.steps.shape == (0,)


# --- diagnose on constructed histories -----------------------------------------------------


def history(losses, norms=None, profiles=()) -> GradientHistory:
    losses = np.asarray(losses, dtype=float)
    norms = np.ones_like(losses) if norms is None else np.asarray(norms, dtype=float)
    return GradientHistory(steps=np.arange(losses.size), losses=losses, total_norms=norms,
                           group_norms={"w": norms / 2, "v": norms * 0.8},
                           state_steps=[100 * (i + 1) for i in range(len(profiles))],
                           state_norms=[np.asarray(p, dtype=float) for p in profiles])


DECAY = np.exp(-np.arange(80) / 40)  # a steadily falling loss: no plateau, not erratic


def geometric(q: float, T: int, last: float = 2.0) -> np.ndarray:
    """||dL/dh_t|| = last * q**(T - t), t = 1..T."""
    return last * q ** (T - np.arange(1, T + 1))


@pytest.mark.parametrize("q, floor, T", [(0.7, 1e-3, 40), (0.5, 1e-2, 30), (0.9, 1e-3, 40),
                                         (0.3, 0.5, 10), (1.2, 1e-3, 15)])
def test_horizon_of_a_geometric_profile_is_the_closed_form(q, floor, T):
    want = T if q >= 1 else min(T, math.floor(math.log(floor) / math.log(q)) + 1)
    assert effective_horizon(geometric(q, T), floor) == want
    d = diagnose(history(DECAY, profiles=[geometric(0.99, 5), geometric(q, T)]), floor=floor)
    assert d.horizon == want and d.T == T


def test_vanishing():
    d = diagnose(history(DECAY, profiles=[geometric(0.7, 40)]))
    assert d.signs() == {"vanishing"} and d.horizon == 20
    (f,) = d.findings
    assert f"falls {0.7 ** -39:.3g}-fold" in f.evidence and "t = T = 40" in f.evidence
    assert "last 20 of 40 steps" in f.evidence and "measured at step 100" in f.evidence
    assert "chapter 11" in f.remedy and "chapter 12" in f.remedy
    assert diagnose(history(DECAY, profiles=[geometric(0.7, 40)]),
                    vanishing_ratio=1e-7).signs() == {"healthy"}


def test_exploding_spikes():
    norms = 1 + 0.01 * np.sin(np.arange(80))
    norms[30] = 50.0
    d = diagnose(history(DECAY, norms))
    assert d.signs() == {"exploding"}
    (f,) = d.findings
    median = np.median(norms[5:30])
    assert "1 gradient-norm spike(s) above 30x" in f.evidence
    assert f"at step 30, is {50 / median:.3g}x" in f.evidence
    assert "the largest group norm there: v" in f.evidence and "chapter 7" in f.remedy
    assert diagnose(history(DECAY, norms), spike_factor=100).signs() == {"healthy"}


def test_spike_window_matters():
    norms = np.array([1.0] * 40 + [50.0] * 15)
    losses = np.exp(-np.arange(55) / 10)
    narrow = diagnose(history(losses, norms), spike_window=10).findings[0].evidence
    assert narrow.startswith("5 gradient-norm spike(s)") and "up to) 10 steps" in narrow
    wide = diagnose(history(losses, norms), spike_window=30).findings[0].evidence
    assert wide.startswith("15 gradient-norm spike(s)") and "up to) 30 steps" in wide


def test_running_median_closed_form():
    x = np.array([1.0, 3.0, 2.0, 10.0, 4.0])
    np.testing.assert_array_equal(running_median(x, 2), [1.0, 2.0, 2.5, 6.0])
    np.testing.assert_array_equal(running_median(x, 10), [1.0, 2.0, 2.0, 2.5])


def test_an_early_peak_is_exploding_and_peak_factor_matters():
    norms = 1 + 1000 * 0.5 ** np.arange(80)  # huge at the start, then normal
    d = diagnose(history(DECAY, norms))
    assert d.signs() == {"exploding"}
    want = f"the largest gradient norm, 1e+03 at step 0, is {1001 / np.median(norms):.3g}x"
    assert want in d.findings[0].evidence and "threshold 100x" in d.findings[0].evidence
    assert diagnose(history(DECAY, norms), peak_factor=2000).signs() == {"healthy"}


def test_findings_of_one_sign_are_merged():
    norms = np.ones(80)
    norms[40] = 1e4  # a spike and a peak
    d = diagnose(history(DECAY, norms))
    (f,) = d.findings
    assert "1 gradient-norm spike(s)" in f.evidence and "; also the largest" in f.evidence


def test_exploding_nan_names_the_step_and_stops_reading_there():
    losses = DECAY.copy()
    losses[20:] = np.nan
    norms = np.ones(80)
    norms[19] = np.inf
    d = diagnose(history(losses, norms))
    assert d.signs() == {"exploding"}
    assert "first non-finite value is at step 19: loss 0.622, gradient norm inf" in \
        d.findings[0].evidence and "61 of 80" in d.findings[0].evidence
    short = diagnose(history([1.0, np.nan]))  # too short for the loss rules, still a verdict
    assert short.signs() == {"exploding"} and "only 1 finite steps" in short.notes[-1]


def test_exploding_profile_growing_backwards():
    d = diagnose(history(DECAY, profiles=[geometric(1.5, 20)]))
    assert d.signs() == {"exploding"} and d.horizon == 20
    assert f"grows {1.5 ** 19:.3g}-fold" in d.findings[0].evidence
    assert diagnose(history(DECAY, profiles=[geometric(1.5, 20)]),
                    growing_ratio=1e5).signs() == {"healthy"}
    inf = geometric(0.9, 5)
    inf[1] = np.inf
    assert "is inf at t = 2 of 5" in diagnose(history(DECAY, profiles=[inf])).findings[0].evidence


def stuck(level: float, n: int = 80) -> np.ndarray:
    """Falls from 1 to ``level`` in the first tenth, then creeps down 0.02 % a step."""
    losses = level * (1 - 2e-4 * np.arange(n))
    losses[: n // 10] = np.linspace(1.0, level, n // 10)
    return losses


def test_plateau_at_the_baseline():
    losses = stuck(1 / 6)
    d = diagnose(history(losses), baseline=1 / 6)
    assert d.signs() == {"plateau"}
    (f,) = d.findings
    last, prev = losses[60:].mean(), losses[40:60].mean()
    assert f"(steps 60-79) is {last:.3g}" in f.evidence
    assert f"{100 * (prev - last) / prev:.3g}% below the previous quarter's {prev:.3g}" \
        in f.evidence
    assert "baseline 0.167" in f.evidence and "stuck at the baseline" in f.evidence
    assert 0.001 < (prev - last) / prev < 0.01
    assert diagnose(history(losses), baseline=1 / 6, plateau_tol=0.001).signs() == {"healthy"}


def test_a_baseline_tells_a_plateau_from_convergence():
    converged = stuck(0.01)
    assert diagnose(history(converged)).signs() == {"plateau"}
    assert "stuck" not in diagnose(history(converged)).findings[0].evidence
    assert diagnose(history(converged), baseline=1 / 6).signs() == {"healthy"}
    near = stuck(0.15)  # 10 % below the baseline
    assert diagnose(history(near), baseline=1 / 6).signs() == {"healthy"}
    assert diagnose(history(near), baseline=1 / 6, baseline_tol=0.2).signs() == {"plateau"}


def test_erratic():
    losses = DECAY * (1 + 0.8 * (-1) ** np.arange(80))
    d = diagnose(history(losses))
    assert d.signs() == {"erratic"}
    change = np.median(np.abs(np.diff(losses)) / ((losses[1:] + losses[:-1]) / 2))
    assert f"median {100 * change:.3g}% from one step" in d.findings[0].evidence
    assert "threshold 50%" in d.findings[0].evidence
    assert diagnose(history(losses), erratic_change=1.9).signs() == {"healthy"}


def test_healthy_and_the_report():
    d = diagnose(history(DECAY, profiles=[geometric(0.95, 30)]))
    assert d.signs() == {"healthy"} and d.horizon == 30
    (f,) = d.findings
    assert f"went from {DECAY[:20].mean():.3g} (first quarter) to {DECAY[60:].mean():.3g}" \
        in f.evidence and "last 30 of 30 steps" in f.evidence
    text = str(d)
    assert text.startswith("Gradient diagnosis over 80 recorded steps: healthy")
    assert "Effective horizon: 30 of T = 30 steps" in text and "HEALTHY" in text
    assert max(map(len, text.splitlines())) <= 76
    md = d._repr_markdown_()
    assert "- **healthy**:" in md and "*Remedy:*" in md


def test_report_of_several_signs_and_notes():
    norms = np.ones(80)
    norms[50] = 1e4
    d = diagnose(history(stuck(1 / 6), norms, profiles=[geometric(0.5, 50)]), baseline=1 / 6)
    assert d.signs() == {"exploding", "vanishing", "plateau"}
    assert [f.sign for f in d.findings] == ["exploding", "vanishing", "plateau"]
    assert max(map(len, str(d).splitlines())) <= 76
    assert str(d).index("EXPLODING") < str(d).index("VANISHING") < str(d).index("PLATEAU")
    d = diagnose(history(DECAY))
    assert d.horizon is None and "no state gradients recorded" in str(d)
    assert "*Note:* no state gradients" in d._repr_markdown_()


def test_min_steps():
    with pytest.raises(ValueError, match="history has 6 recorded steps; diagnose needs at "
                                         "least 8 .min_steps."):
        diagnose(history(DECAY[:6]))
    assert diagnose(history(DECAY[:6]), min_steps=4).signs() == {"healthy"}


def test_a_history_of_plain_lists_is_read_as_arrays():
    h = GradientHistory(list(range(80)), list(DECAY), [1.0] * 80, {"w": [0.5] * 80},
                        [9], [list(geometric(0.7, 40))])
    d = diagnose(h)
    assert d.signs() == {"vanishing"} and d.horizon == 20


def test_diagnosis_objects():
    f = Finding("plateau", "e", "r")
    d = Diagnosis([f, Finding("erratic", "e2", "r2")], horizon=None)
    assert d.signs() == {"plateau", "erratic"} and "PLATEAU" in str(d)


# --- bad input -----------------------------------------------------------------------------

MODEL = make_model("rnn")
XS, LOSS = batch(False)
GOOD = history(DECAY)


def monitor_with_grads() -> GradientMonitor:
    m = GradientMonitor(MODEL)
    backward(MODEL)
    return m


BAD = {
    "monitor model type": (lambda: GradientMonitor("rnn"), TypeError, "model must be a torch"),
    "monitor no params": (lambda: GradientMonitor(nn.Tanh()), ValueError, "model must have "),
    "groups type": (lambda: GradientMonitor(MODEL, ["rnn"]), TypeError, "groups must be a map"),
    "groups empty": (lambda: GradientMonitor(MODEL, {}), ValueError, "groups must name"),
    "groups key": (lambda: GradientMonitor(MODEL, {1: ["rnn"]}), TypeError, "groups keys"),
    "groups str": (lambda: GradientMonitor(MODEL, {"a": "rnn"}), TypeError, r"groups\['a'\]"),
    "groups no list": (lambda: GradientMonitor(MODEL, {"a": []}), ValueError,
                       r"groups\[.a.\] must hold at least one prefix"),
    "groups prefix": (lambda: GradientMonitor(MODEL, {"a": ["rnn", "lstm"]}), ValueError,
                      r"groups\['a'\] prefix 'lstm' matches no parameter.*rnn.weight_ih_l0"),
    "record step type": (lambda: monitor_with_grads().record(1.5, 1.0), TypeError, "step must"),
    "record step bool": (lambda: monitor_with_grads().record(True, 1.0), TypeError, "step must"),
    "record step neg": (lambda: monitor_with_grads().record(-1, 1.0), ValueError, "step must"),
    "record loss type": (lambda: monitor_with_grads().record(0, "1"), TypeError, "loss must"),
    "record loss shape": (lambda: monitor_with_grads().record(0, torch.ones(2)), ValueError,
                          "loss must be a scalar"),
    "states step": (lambda: monitor_with_grads().record_states("0", [1.0]), TypeError,
                    "step must"),
    "states norms type": (lambda: monitor_with_grads().record_states(0, "a"), TypeError,
                          "norms must"),
    "states norms ndim": (lambda: monitor_with_grads().record_states(0, np.ones((2, 2))),
                          ValueError, "norms must have 1 dimension"),
    "states norms empty": (lambda: monitor_with_grads().record_states(0, []), ValueError,
                           "norms must hold"),
    "states norms neg": (lambda: monitor_with_grads().record_states(0, [-1.0]), ValueError,
                         "norms must be norms"),
    "sgn model": (lambda: state_gradient_norms(None, XS, LOSS), TypeError, "model must be"),
    "sgn xs type": (lambda: state_gradient_norms(MODEL, XS.numpy(), LOSS), TypeError,
                    "xs must be a torch.Tensor"),
    "sgn xs bool": (lambda: state_gradient_norms(MODEL, XS > 0, LOSS), TypeError,
                    "xs must hold real numbers"),
    "sgn xs empty": (lambda: state_gradient_norms(MODEL, XS[:0], LOSS), ValueError,
                     "xs must be a non-empty"),
    "sgn xs ndim": (lambda: state_gradient_norms(MODEL.rnn, XS[None], lambda o: o[0].sum()),
                    ValueError, r"xs must give RNN inputs of shape \(T, B, D\) with D = 3"),
    "sgn xs features": (lambda: state_gradient_norms(MODEL, XS[..., :2], LOSS), ValueError,
                        "xs must give rnn inputs of shape .* D = 3"),
    "sgn xs dtype": (lambda: state_gradient_norms(MODEL, XS.float(), LOSS), TypeError,
                     "xs must give rnn inputs of dtype torch.float64"),
    "sgn loss_fn type": (lambda: state_gradient_norms(MODEL, XS, "mse"), TypeError,
                         "loss_fn must be callable"),
    "sgn loss_fn tensor": (lambda: state_gradient_norms(MODEL, XS, lambda o: 1.0), TypeError,
                           "loss_fn must return a scalar torch.Tensor"),
    "sgn loss_fn scalar": (lambda: state_gradient_norms(MODEL, XS, lambda o: o[0]), ValueError,
                           r"loss_fn must return a scalar tensor; got shape \(7, 4, 2\)"),
    "sgn loss_fn graph": (lambda: state_gradient_norms(MODEL, XS, lambda o: torch.tensor(1.)),
                          ValueError, "loss_fn must return a loss computed"),
    "sgn state": (lambda: state_gradient_norms(MODEL, XS, LOSS, state="x"), ValueError,
                  "state must be one of"),
    "sgn state c": (lambda: state_gradient_norms(MODEL, XS, LOSS, state="c"), ValueError,
                    "state must be 'h' for RNN"),
    "sgn state c dropout": (lambda: state_gradient_norms(
        nn.LSTM(3, 2, num_layers=2, dropout=0.5), XS.float(), lambda o: o[0].sum(), state="c"),
        ValueError, "state 'c' needs LSTM without dropout"),
    "sgn bidirectional": (lambda: state_gradient_norms(nn.GRU(3, 2, bidirectional=True),
                                                       XS.float(), lambda o: o[0].sum()),
                          ValueError, "GRU is bidirectional.*not supported"),
    "running_median x": (lambda: running_median("a", 3), TypeError, "x must"),
    "running_median window": (lambda: running_median([1.0], 0), ValueError, "window must"),
    "horizon norms": (lambda: effective_horizon("a"), TypeError, "norms must"),
    "horizon empty": (lambda: effective_horizon([]), ValueError, "norms must hold"),
    "horizon floor": (lambda: effective_horizon([1.0], floor=-1), ValueError, "floor must"),
    "diagnose type": (lambda: diagnose({"steps": []}), TypeError, "history must be a Gradient"),
    "diagnose empty": (lambda: diagnose(history([])), ValueError,
                       r"history has no steps recorded: call monitor.record\(step, loss\)"),
    "diagnose lengths": (lambda: diagnose(history(DECAY, np.ones(3))), ValueError,
                         "history must hold one loss and one norm per step"),
    "diagnose profiles": (lambda: diagnose(GradientHistory(GOOD.steps, GOOD.losses,
                                                           GOOD.total_norms, {}, [1], [])),
                          ValueError, "history must hold one state-norm profile"),
    "diagnose losses": (lambda: diagnose(GradientHistory([0, 1], ["a", "b"], [1, 1], {})),
                        TypeError, r"history.losses must hold real numbers"),
    "diagnose groups": (lambda: diagnose(GradientHistory([0], [1], [1], [1])), TypeError,
                        "history.group_norms must be a dict"),
    "diagnose group": (lambda: diagnose(GradientHistory([0], [1], [1], {"w": [[1]]})),
                       ValueError, r"history.group_norms\['w'\] must have 1 dimension"),
    "diagnose profile": (lambda: diagnose(history(DECAY, profiles=[[]])), ValueError,
                         "history.state_norms must hold one norm per time step"),
    "diagnose short": (lambda: diagnose(history(DECAY[:3])), ValueError,
                       "history has 3 recorded steps; diagnose needs at least 8"),
}
THRESHOLDS = [("min_steps", 2.5, TypeError), ("min_steps", 3, ValueError),
              ("vanishing_ratio", 1.0, ValueError), ("vanishing_ratio", "a", TypeError),
              ("floor", 0.0, ValueError), ("growing_ratio", 0.5, ValueError),
              ("spike_factor", 1.0, ValueError), ("spike_factor", None, TypeError),
              ("peak_factor", 0.5, ValueError), ("peak_factor", "x", TypeError),
              ("spike_window", 0, ValueError), ("spike_window", 2.5, TypeError),
              ("plateau_tol", -0.1, ValueError), ("baseline", float("nan"), ValueError),
              ("baseline", "1/6", TypeError), ("baseline_tol", -1, ValueError),
              ("erratic_change", 0, ValueError)]


@pytest.mark.parametrize("call, error, pattern", BAD.values(), ids=BAD.keys())
def test_bad_input_names_the_argument(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


@pytest.mark.parametrize("name, value, error", THRESHOLDS,
                         ids=[f"{n}={v!r}" for n, v, _ in THRESHOLDS])
def test_bad_thresholds_name_the_argument(name, value, error):
    with pytest.raises(error, match=rf"^{name} must"):
        diagnose(GOOD, **{name: value})


# --- a real run, and the book page ---------------------------------------------------------


def test_a_small_training_run_is_monitored_and_diagnosed():
    torch.manual_seed(0)
    model = Seq2Out(nn.RNN(2, 8, dtype=F64))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    monitor = GradientMonitor(model, {"recurrent": ["rnn.weight_hh"], "head": ["head"]})
    g = torch.Generator().manual_seed(0)
    for step in range(40):
        xs = torch.rand(15, 16, 2, generator=g, dtype=F64)
        target = xs[0, :, :1] + xs[-1, :, 1:]  # the first input and the last: a long gap

        def loss_fn(output, target=target):
            return nn.functional.mse_loss(output[0][-1, :, :1], target)

        opt.zero_grad()
        loss = loss_fn(model(xs))
        loss.backward()
        monitor.record(step, loss.item())
        if step % 10 == 9:
            monitor.record_states(step, state_gradient_norms(model, xs, loss_fn))
        opt.step()
    d = diagnose(monitor.history)
    assert isinstance(d, Diagnosis) and d.signs() <= set(("vanishing", "exploding", "plateau",
                                                          "erratic", "healthy"))
    assert d.horizon is not None and 1 <= d.horizon <= 15 and d.T == 15
    assert monitor.history.state_steps == [9, 19, 29, 39]
    assert (monitor.history.losses[-10:].mean() < monitor.history.losses[:10].mean())


PAGE = ROOT / "book" / "diagnose_your_model.md"
FENCE = re.compile(r"^```python\n(.*?)^```", re.M | re.S)


def test_the_book_page_code_runs():
    blocks = FENCE.findall(PAGE.read_text())
    assert len(blocks) >= 3, "the page shows its code in ```python fences"
    namespace: dict = {}
    for code in blocks:
        exec(compile(code, str(PAGE), "exec"), namespace)
    assert isinstance(namespace["report"], Diagnosis)
    assert max(len(line) for code in blocks for line in code.splitlines()) <= 76
