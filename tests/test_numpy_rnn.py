"""numpy RNN and BPTT against independent oracles: torch.autograd, finite differences."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rnncourse.gradcheck import check_gradient
from rnncourse.numpy_rnn import (
    PARAM_NAMES,
    Adam,
    RNNParams,
    bptt,
    cross_entropy_loss,
    fit,
    forward,
    init_params,
    mse_loss,
    tbptt_chunked,
    truncation_mask,
)
from rnncourse.torch_bridge import torch_grads

RTOL = 1e-7


def random_problem(D: int, H: int, O: int, T: int, B: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    params = init_params(D, H, O, seed=seed, gain=1.2)
    params.b[:] = 0.1 * rng.normal(size=H)
    params.c[:] = 0.1 * rng.normal(size=O)
    return (params, rng.normal(size=(T, B, D)), rng.normal(size=(T, B, O)),
            0.5 * rng.normal(size=(B, H)))


def torch_loop(params: RNNParams, xs: np.ndarray, h0: np.ndarray, start: int = 0):
    """A hand-written float64 torch RNN; returns leaf tensors, states and outputs."""
    leaves = {n: torch.tensor(getattr(params, n), requires_grad=True) for n in PARAM_NAMES}
    h, hs, ys = torch.as_tensor(h0), [], []
    for x in torch.as_tensor(xs[start:]):
        h = torch.tanh(x @ leaves["W_x"].T + h @ leaves["W_h"].T + leaves["b"])
        h.retain_grad()
        hs.append(h)
        ys.append(h @ leaves["W_y"].T + leaves["c"])
    return leaves, hs, torch.stack(ys)


def assert_grads_close(grads, want: dict[str, np.ndarray], rtol: float = RTOL) -> None:
    for n in PARAM_NAMES:
        np.testing.assert_allclose(getattr(grads, "d" + n), want[n], rtol=rtol, atol=1e-12,
                                   err_msg=f"d{n}")


@settings(max_examples=30, deadline=None)
@given(D=st.integers(1, 5), H=st.integers(1, 6), O=st.integers(1, 4), T=st.integers(1, 9),
       B=st.integers(1, 4), seed=st.integers(0, 10**6))
@example(D=1, H=1, O=1, T=1, B=1, seed=0)
@example(D=3, H=1, O=2, T=1, B=1, seed=1)
@example(D=2, H=4, O=3, T=6, B=1, seed=2)
def test_bptt_equals_autograd(D, H, O, T, B, seed):
    params, xs, dys, h0 = random_problem(D, H, O, T, B, seed)
    grads = bptt(params, forward(params, xs, h0), dys)
    h0_t = torch.tensor(h0, requires_grad=True)
    leaves, hs, ys = torch_loop(params, xs, h0_t)
    (ys * torch.as_tensor(dys)).sum().backward()
    assert_grads_close(grads, {n: leaves[n].grad.numpy() for n in PARAM_NAMES})
    np.testing.assert_allclose(grads.dh0, h0_t.grad.numpy(), rtol=RTOL, atol=1e-12)
    norms = [np.linalg.norm(h.grad.numpy()) for h in hs]
    np.testing.assert_allclose(grads.dh_norms, norms, rtol=RTOL, atol=1e-12)


def test_forward_equals_torch_nn_rnn():
    params, xs, dys, h0 = random_problem(3, 5, 2, 7, 4)
    leaves, hs, ys = torch_loop(params, xs, h0)
    cache = forward(params, xs, h0)
    np.testing.assert_allclose(cache.ys, ys.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(cache.hs[0], h0)


def test_torch_grads_with_nn_rnn_match_bptt():
    params, xs, dys, h0 = random_problem(4, 6, 3, 8, 5)
    want = torch_grads(params, xs, dys, h0)
    grads = bptt(params, forward(params, xs, h0), dys)
    assert_grads_close(grads, {n: want["d" + n] for n in PARAM_NAMES})


def test_bptt_matches_finite_differences():
    params, xs, dys, h0 = random_problem(2, 3, 2, 5, 2)
    grads = bptt(params, forward(params, xs, h0), dys)
    for n in PARAM_NAMES:
        def loss(value, n=n):
            p = params.copy()
            setattr(p, n, value)
            return float(np.sum(forward(p, xs, h0).ys * dys))
        assert check_gradient(loss, getattr(params, n), getattr(grads, "d" + n)) < 1e-7, n


@pytest.mark.parametrize("T, k", [(1, 1), (1, 5), (6, 6), (6, 7), (6, 50)])
def test_truncated_with_k_at_least_T_is_full(T, k):
    params, xs, dys, h0 = random_problem(3, 4, 2, T, 3)
    cache = forward(params, xs, h0)
    full, trunc = bptt(params, cache, dys), bptt(params, cache, dys, truncate=k)
    np.testing.assert_allclose(trunc.flat(), full.flat(), rtol=1e-12, atol=1e-14)
    if k > T:
        np.testing.assert_allclose(trunc.dh0, full.dh0, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_truncated_equals_per_output_detached_autograd(k):
    """Oracle: for each output s, rerun steps s-k+1..s from the detached state, backprop."""
    params, xs, dys, h0 = random_problem(2, 4, 3, 7, 2, seed=5)
    cache = forward(params, xs, h0)
    grads = bptt(params, cache, dys, truncate=k)
    want = {n: np.zeros_like(getattr(params, n)) for n in PARAM_NAMES}
    for s in range(xs.shape[0]):
        start = max(0, s - k + 1)
        leaves, _, ys = torch_loop(params, xs[:s + 1], cache.hs[start], start=start)
        (ys[-1] * torch.as_tensor(dys[s])).sum().backward()
        for n in PARAM_NAMES:
            want[n] += leaves[n].grad.numpy()
    assert_grads_close(grads, want)
    assert np.linalg.norm(grads.flat() - bptt(params, cache, dys).flat()) > 1e-6


def sgd(lr: float):
    def update(p: RNNParams, g) -> RNNParams:
        return RNNParams(*(getattr(p, n) - lr * getattr(g, "d" + n) for n in PARAM_NAMES))
    return update


@pytest.mark.parametrize("T, k1, k2", [(12, 4, 4), (12, 3, 7), (10, 4, 6), (5, 5, 9), (9, 1, 3),
                                       (10, 4, 4), (11, 3, 5), (3, 5, 5), (7, 7, 7)])
def test_chunked_tbptt_equals_detached_torch_model(T, k1, k2):
    params, xs, _, h0 = random_problem(2, 5, 3, T, 3, seed=7)
    targets = np.random.default_rng(8).normal(size=(T, 3, 3))
    result = tbptt_chunked(params, xs, targets, mse_loss, k1, k2, h0, update=sgd(0.1))
    # oracle: torch, the state entering each window detached, SGD after each chunk
    p, stored, first, losses = params.copy(), {0: torch.as_tensor(h0)}, 0, []
    for end in list(range(k1, T, k1)) + [T]:
        start = max(0, first - (k2 - k1))  # the chunk [first, end) and k2 - k1 steps before it
        leaves, hs, ys = torch_loop(p, xs[:end], stored[start].detach(), start=start)
        stored.update({start + i + 1: h.detach() for i, h in enumerate(hs)})
        loss = ((ys[first - start:] - torch.as_tensor(targets[first:end])) ** 2).mean()
        loss.backward()
        losses.append(loss.item())
        p = RNNParams(*(getattr(p, n) - 0.1 * leaves[n].grad.numpy() for n in PARAM_NAMES))
        first = end
    np.testing.assert_allclose(result.losses, losses, rtol=RTOL)
    for n in PARAM_NAMES:
        np.testing.assert_allclose(getattr(result.params, n), getattr(p, n), rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(result.h, stored[T].numpy(), rtol=RTOL)


@pytest.mark.parametrize("T, k", [(10, 4), (12, 4), (7, 3), (2, 3)])
def test_chunked_with_k1_equal_k2_is_plain_chunks(T, k):
    """Oracle: cut the stream into chunks of k (the last one shorter), carry the state,
    and run full BPTT on each chunk alone with forward and bptt."""
    params, xs, _, h0 = random_problem(2, 3, 2, T, 2, seed=3)
    targets = np.random.default_rng(4).normal(size=(T, 2, 2))
    result = tbptt_chunked(params, xs, targets, mse_loss, k, k, h0)
    h, starts = h0, range(0, T, k)
    assert len(result.grads) == len(starts)
    for start, got in zip(starts, result.grads):
        cache = forward(params, xs[start:start + k], h)
        value, dys = mse_loss(cache.ys, targets[start:start + k])
        np.testing.assert_allclose(got.flat(), bptt(params, cache, dys).flat(), rtol=1e-12)
        h = cache.hs[-1]
    np.testing.assert_allclose(result.h, h, rtol=1e-12)


def test_chunked_short_last_chunk_reaches_back_k2_minus_k1():
    """T = 10, k1 = 4, k2 = 6: the last chunk [8, 10) is backpropagated from step 6, no further."""
    params, xs, _, h0 = random_problem(2, 3, 2, 10, 2, seed=6)
    targets = np.random.default_rng(7).normal(size=(10, 2, 2))
    last = tbptt_chunked(params, xs, targets, mse_loss, 4, 6, h0).grads[-1]
    states = forward(params, xs, h0).hs
    cache = forward(params, xs[6:], states[6])
    dys = np.concatenate([np.zeros((2, 2, 2)), mse_loss(cache.ys[2:], targets[8:])[1]])
    np.testing.assert_allclose(last.flat(), bptt(params, cache, dys).flat(), rtol=1e-12)
    assert len(last.dh_norms) == 4


@pytest.mark.parametrize("T, k", [(1, 1), (6, 1), (6, 3), (6, 6), (5, 9), (7, None)])
def test_truncation_mask_matches_what_bptt_truncated_reaches(T, k):
    """Oracle: a loss at step s alone; bptt_truncated gives dL/dh_t != 0 exactly where kept."""
    params, xs, _, h0 = random_problem(2, 3, 2, T, 2, seed=9)
    cache = forward(params, xs, h0)
    mask = truncation_mask(T, k)
    assert mask.shape == (T, T) and mask.dtype == bool
    for s in range(T):
        dys = np.zeros((T, 2, 2))
        dys[s] = 1.0
        reached = bptt(params, cache, dys, truncate=k).dh_norms > 0
        np.testing.assert_array_equal(mask[s], reached, err_msg=f"s = {s + 1}")
    np.testing.assert_array_equal(mask.sum(axis=1), np.minimum(np.arange(1, T + 1), k or T))


def test_truncation_mask_rejects_bad_sizes():
    with pytest.raises(ValueError, match="T must be"):
        truncation_mask(0, 2)
    with pytest.raises(ValueError, match="k must be"):
        truncation_mask(4, 0)
    with pytest.raises(TypeError, match="k must be a whole number"):
        truncation_mask(4, 1.5)


def test_chunked_without_update_sums_to_window_gradients():
    params, xs, _, h0 = random_problem(2, 3, 2, 8, 2)
    targets = np.zeros((8, 2, 2))
    result = tbptt_chunked(params, xs, targets, mse_loss, 8, 8, h0)
    cache = forward(params, xs, h0)
    _, dys = mse_loss(cache.ys, targets)
    np.testing.assert_allclose(result.grads[0].flat(), bptt(params, cache, dys).flat(), rtol=1e-12)


def test_losses_match_torch():
    rng = np.random.default_rng(0)
    logits, targets = rng.normal(size=(4, 3, 5)), rng.integers(0, 5, size=(4, 3))
    value, grad = cross_entropy_loss(logits, targets)
    z = torch.tensor(logits, requires_grad=True)
    want = torch.nn.functional.cross_entropy(z.reshape(-1, 5), torch.as_tensor(targets).reshape(-1))
    want.backward()
    assert value == pytest.approx(want.item(), rel=1e-12)
    np.testing.assert_allclose(grad, z.grad.numpy(), rtol=1e-10)
    ys, tg = rng.normal(size=(4, 3, 2)), rng.normal(size=(4, 3, 2))
    value, grad = mse_loss(ys, tg)
    y = torch.tensor(ys, requires_grad=True)
    torch.nn.functional.mse_loss(y, torch.as_tensor(tg)).backward()
    np.testing.assert_allclose(grad, y.grad.numpy(), rtol=1e-12)


def test_adam_matches_torch_adam():
    params, xs, dys, h0 = random_problem(2, 3, 2, 4, 2)
    opt, p = Adam(lr=0.01), params
    leaves = {n: torch.tensor(getattr(params, n), requires_grad=True) for n in PARAM_NAMES}
    torch_opt = torch.optim.Adam(leaves.values(), lr=0.01)
    for _ in range(3):
        grads = bptt(p, forward(p, xs, h0), dys)
        p = opt(p, grads)
        for n in PARAM_NAMES:
            leaves[n].grad = torch.tensor(getattr(grads, "d" + n))
        torch_opt.step()
    for n in PARAM_NAMES:
        np.testing.assert_allclose(getattr(p, n), leaves[n].detach().numpy(), rtol=1e-10)


def test_fit_learns_and_stops_cleanly_on_nan(capsys):
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(5, 8, 2))
    batch = lambda step: (xs, 0.5 * xs[..., :1])  # noqa: E731
    run = fit(init_params(2, 4, 1), batch, mse_loss, steps=200, lr=0.02)
    assert run.status == "budget" and run.losses[-1] < 0.05 * run.losses[0]
    assert run.message == "took all 200 steps" and len(run.losses) == 200
    broken = init_params(2, 4, 1)
    broken.W_y[:] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # diverging is reported, not warned about
        run = fit(broken, batch, mse_loss, steps=10)
    assert run.status == "diverged" and len(run.losses) == 0
    assert "stopped at step 0" in run.message
    assert "stopped at step 0" in capsys.readouterr().out


def test_fit_reports_the_step_where_the_loss_blows_up(capsys):
    rng = np.random.default_rng(1)
    xs = rng.normal(size=(20, 8, 2))
    batch = lambda step: (xs, 1e3 * xs[..., :1])  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = fit(init_params(2, 4, 1, gain=3.0), batch, mse_loss, steps=500, lr=1e160)
    assert run.status == "diverged", run.message
    assert f"stopped at step {len(run.losses)}" in run.message
    assert len(run.losses) >= 1 and np.all(np.isfinite(run.losses))


def test_float32_stays_float32():
    params = init_params(3, 4, 2, dtype=np.float32)
    xs = np.ones((5, 2, 3), dtype=np.float32)
    cache = forward(params, xs)
    grads = bptt(params, cache, np.ones((5, 2, 2), dtype=np.float32))
    assert cache.hs.dtype == np.float32 and grads.dW_h.dtype == np.float32


@pytest.mark.parametrize("xs, message", [
    (np.zeros((5, 3)), r"xs must have shape \(T, B, D\) with D = 3; got \(5, 3\)"),
    (np.zeros((5, 2, 4)), r"with D = 3; got \(5, 2, 4\)"),
    (np.zeros((0, 2, 3)), "at least one step"),
    (np.full((2, 2, 3), np.nan), "finite"),
])
def test_forward_rejects_bad_inputs(xs, message):
    with pytest.raises(ValueError, match=message):
        forward(init_params(3, 4, 2), xs)


def test_errors_are_clear():
    params = init_params(3, 4, 2)
    with pytest.raises(TypeError, match="xs must be a numpy array"):
        forward(params, "abc")
    with pytest.raises(TypeError, match="real numbers"):
        forward(params, np.zeros((2, 2, 3), dtype=complex))
    with pytest.raises(ValueError, match="h0 must have shape"):
        forward(params, np.zeros((2, 2, 3)), h0=np.zeros((3, 4)))
    cache = forward(params, np.zeros((2, 2, 3)))
    with pytest.raises(ValueError, match="dys must have shape"):
        bptt(params, cache, np.zeros((2, 2, 3)))
    with pytest.raises(ValueError, match="truncate must be a finite number > 0"):
        bptt(params, cache, np.zeros((2, 2, 2)), truncate=0)
    with pytest.raises(ValueError, match="k2 must be >= k1"):
        tbptt_chunked(params, np.zeros((4, 2, 3)), np.zeros((4, 2, 2)), mse_loss, 3, 2)
    with pytest.raises(ValueError, match="targets must be integer class indices"):
        cross_entropy_loss(np.zeros((2, 2, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="D must be a finite number > 0"):
        init_params(0, 4, 2)
    with pytest.raises(ValueError,
                       match=r"targets must be class indices in \[0, 3\); got values from 0 to 3"):
        cross_entropy_loss(np.zeros((2, 2, 3)), np.array([[0, 1], [2, 3]]))
    with pytest.raises(ValueError, match=r"W_h must have shape \(4, 4\)"):
        RNNParams(params.W_x, np.zeros((4, 3)), params.b, params.W_y, params.c)
    with pytest.raises(ValueError, match=r"c must have shape \(2,\)"):
        RNNParams(params.W_x, params.W_h, params.b, params.W_y, np.zeros(3))


def test_the_numpy_reference_imports_numpy_only():
    """torch meets the numpy RNN in rnncourse.torch_bridge, never in numpy_rnn itself."""
    import subprocess
    import sys

    code = "import sys, rnncourse.numpy_rnn; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
