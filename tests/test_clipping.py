"""rnncourse.clipping against torch.nn.utils.clip_grad_norm_ / clip_grad_value_,
with property tests: never a larger norm, the direction kept by norm clipping,
idempotent, zero and non-finite gradients as documented, bad input named."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from rnncourse import clipping

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, width=32)
shapes = hnp.array_shapes(min_dims=1, max_dims=2, max_side=5)
gradients = st.lists(hnp.arrays(np.float64, shapes, elements=finite), min_size=1,
                     max_size=3)
thresholds = st.floats(1e-3, 1e3)


def torch_params(grads, dtype=torch.float64):
    params = []
    for g in grads:
        p = torch.zeros(np.shape(g), dtype=dtype, requires_grad=True)
        p.grad = torch.as_tensor(np.array(g), dtype=dtype).clone()
        params.append(p)
    return params


@settings(max_examples=200, deadline=None)
@given(gradients, thresholds)
def test_clip_by_norm_equals_torch(grads, c):
    params = torch_params(grads)
    want = torch.nn.utils.clip_grad_norm_(params, c)
    got, norm = clipping.clip_by_norm(grads, c)
    assert norm == pytest.approx(float(want), rel=1e-12, abs=1e-300)
    for g, p in zip(got, params):
        np.testing.assert_allclose(g, p.grad.numpy(), rtol=1e-12, atol=0)


@settings(max_examples=200, deadline=None)
@given(gradients, thresholds)
def test_clip_by_value_equals_torch(grads, c):
    params = torch_params(grads)
    torch.nn.utils.clip_grad_value_(params, c)
    for g, p in zip(clipping.clip_by_value(grads, c), params):
        np.testing.assert_array_equal(g, p.grad.numpy())


@settings(max_examples=200, deadline=None)
@given(gradients, thresholds)
def test_norm_clipping_never_grows_keeps_direction_and_is_idempotent(grads, c):
    before = clipping.global_norm(grads)
    once, _ = clipping.clip_by_norm(grads, c)
    after = clipping.global_norm(once)
    assert after <= before * (1 + 1e-12) and after <= c * (1 + 1e-12)
    if before > 1e-3:
        assert clipping.angle(grads, once) < 1e-4  # degrees: the same direction
    eps = 2 * clipping.EPS / c  # torch's eps in the norm: a relative 1e-6/c
    if before <= c:
        for g, h in zip(grads, once):  # below the threshold: untouched
            np.testing.assert_allclose(h, g, rtol=eps)
    twice, _ = clipping.clip_by_norm(once, c)
    for g, h in zip(once, twice):
        np.testing.assert_allclose(h, g, rtol=eps)


@settings(max_examples=200, deadline=None)
@given(gradients, thresholds)
def test_value_clipping_never_grows_and_is_idempotent(grads, c):
    once = clipping.clip_by_value(grads, c)
    assert clipping.global_norm(once) <= clipping.global_norm(grads)
    assert max(float(np.abs(g).max()) for g in once) <= c
    for g, h in zip(once, clipping.clip_by_value(once, c)):
        np.testing.assert_array_equal(h, g)


def test_value_clipping_turns_the_direction_norm_clipping_does_not():
    grads = [np.array([100.0, 1.0])]
    by_value = clipping.clip_by_value(grads, 1.0)
    by_norm, _ = clipping.clip_by_norm(grads, 1.0)
    np.testing.assert_array_equal(by_value[0], [1.0, 1.0])
    assert clipping.angle(grads, by_value) == pytest.approx(
        45.0 - math.degrees(math.atan(0.01)))
    assert clipping.angle(grads, by_norm) == pytest.approx(0.0, abs=1e-6)


def test_angle_is_the_angle_in_degrees():
    assert clipping.angle([np.array([1.0, 0.0])], [np.array([0.0, 2.0])]) == pytest.approx(90)
    assert clipping.angle([np.array([1.0, 1.0])], [np.array([-3.0, -3.0])]) == \
        pytest.approx(180)
    assert math.isnan(clipping.angle([np.zeros(2)], [np.ones(2)]))
    with pytest.raises(ValueError, match="same shapes"):
        clipping.angle([np.zeros(2)], [np.zeros(3)])


def test_zero_gradient_stays_zero():
    got, norm = clipping.clip_by_norm([np.zeros(3), np.zeros((2, 2))], 1.0)
    assert norm == 0.0 and all((g == 0).all() for g in got)
    assert (clipping.clip_by_value([np.zeros(3)], 1.0)[0] == 0).all()
    params = torch_params([np.zeros(3)])
    assert clipping.clip_grad_norm(params, 1.0) == 0.0
    assert (params[0].grad == 0).all()


def test_non_finite_gradients_follow_torch_as_documented():
    grads = [np.array([np.inf, 1.0]), np.array([2.0])]
    got, norm = clipping.clip_by_norm(grads, 1.0)
    params = torch_params(grads)
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    assert norm == math.inf
    assert np.isnan(got[0][0]) and got[0][1] == 0 and got[1][0] == 0
    for g, p in zip(got, params):
        np.testing.assert_array_equal(g, p.grad.numpy())  # NaN == NaN here
    nan_in, _ = clipping.clip_by_norm([np.array([np.nan, 1.0])], 1.0)
    assert np.isnan(nan_in[0]).all()
    by_value = clipping.clip_by_value([np.array([np.inf, -np.inf, np.nan])], 2.0)
    np.testing.assert_array_equal(by_value[0], [2.0, -2.0, np.nan])


def test_inputs_are_not_modified():
    grads = [np.array([3.0, 4.0])]
    clipping.clip_by_norm(grads, 1.0)
    clipping.clip_by_value(grads, 1.0)
    np.testing.assert_array_equal(grads[0], [3.0, 4.0])


@settings(max_examples=100, deadline=None)
@given(gradients, thresholds)
def test_torch_versions_equal_torch(grads, c):
    for dtype in (torch.float32, torch.float64):
        ours, theirs = torch_params(grads, dtype), torch_params(grads, dtype)
        norm = clipping.clip_grad_norm(ours, c)
        want = torch.nn.utils.clip_grad_norm_(theirs, c)
        assert norm == pytest.approx(float(want), rel=1e-6)
        for p, q in zip(ours, theirs):
            torch.testing.assert_close(p.grad, q.grad, rtol=1e-6, atol=0)
        ours, theirs = torch_params(grads, dtype), torch_params(grads, dtype)
        clipping.clip_grad_value(ours, c)
        torch.nn.utils.clip_grad_value_(theirs, c)
        for p, q in zip(ours, theirs):
            torch.testing.assert_close(p.grad, q.grad, rtol=0, atol=0)


def test_torch_versions_skip_parameters_without_gradients_and_take_one_tensor():
    p, q = torch.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
    p.grad = torch.tensor([3.0, 4.0])
    assert clipping.clip_grad_norm([p, q], 1.0) == pytest.approx(5.0)
    assert q.grad is None
    torch.testing.assert_close(p.grad, torch.tensor([0.6, 0.8]), rtol=1e-5, atol=0)
    p.grad = torch.tensor([3.0, -4.0])
    clipping.clip_grad_value(p, 1.0)
    torch.testing.assert_close(p.grad, torch.tensor([1.0, -1.0]))
    assert clipping.clip_grad_norm([q], 1.0) == 0.0


def test_the_threshold_matters():
    grads = [np.array([3.0, 4.0])]
    assert clipping.global_norm(clipping.clip_by_norm(grads, 2.0)[0]) == pytest.approx(2.0)
    assert clipping.global_norm(clipping.clip_by_norm(grads, 1.0)[0]) == pytest.approx(1.0)
    assert clipping.clip_by_value(grads, 3.5)[0].tolist() == [3.0, 3.5]


@pytest.mark.parametrize("call, error, name", [
    (lambda: clipping.clip_by_norm([np.ones(2)], 0.0), ValueError, "max_norm"),
    (lambda: clipping.clip_by_norm([np.ones(2)], "1"), TypeError, "max_norm"),
    (lambda: clipping.clip_by_norm([np.ones(2)], math.nan), ValueError, "max_norm"),
    (lambda: clipping.clip_by_value([np.ones(2)], -1.0), ValueError, "clip_value"),
    (lambda: clipping.clip_by_value([np.ones(2)], None), TypeError, "clip_value"),
    (lambda: clipping.clip_by_norm(np.ones(2), 1.0), TypeError, "grads"),
    (lambda: clipping.clip_by_norm([], 1.0), TypeError, "grads"),
    (lambda: clipping.clip_by_norm("g", 1.0), TypeError, "grads"),
    (lambda: clipping.clip_by_value([np.array(["a"])], 1.0), TypeError, r"grads\[0\]"),
    (lambda: clipping.angle([np.ones(2)], None), TypeError, "^b must"),
    (lambda: clipping.angle("a", [np.ones(2)]), TypeError, "^a must"),
    (lambda: clipping.clip_grad_norm({"w": torch.zeros(1)}, 1.0), TypeError, "got dict"),
    (lambda: clipping.clip_grad_norm([torch.zeros(1), 2.0], 1.0), TypeError, "got float"),
    (lambda: clipping.clip_grad_norm([torch.zeros(1)], -1.0), ValueError, "max_norm"),
    (lambda: clipping.clip_grad_value([torch.zeros(1)], 0), ValueError, "clip_value"),
    (lambda: clipping.clip_grad_norm(3, 1.0), TypeError, "parameters"),
    (lambda: clipping.clip_grad_value([np.ones(2)], 1.0), TypeError, "parameters"),
])
def test_bad_input_names_the_argument(call, error, name):
    with pytest.raises(error, match=name):
        call()
