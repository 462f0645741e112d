"""rnncourse.cliff: the one-unit network's states in closed form, its BPTT gradient against
torch.autograd and finite differences, gradient descent's run record, bad input named."""

import warnings

import numpy as np
import pytest
import torch

from rnncourse import cliff

TORCH_F = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "identity": lambda h: h}


def torch_loss_and_grad(w, b, T, target, h0, activation):
    w_t = torch.tensor(float(w), dtype=torch.float64, requires_grad=True)
    b_t = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
    h = torch.tensor(float(h0), dtype=torch.float64)
    for _ in range(T):
        h = w_t * TORCH_F[activation](h) + b_t
    loss = (h - target) ** 2
    loss.backward()
    return loss.item(), w_t.grad.item(), b_t.grad.item()


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "identity"])
@pytest.mark.parametrize("w,b,T,target,h0", [(8.0, -4.0, 15, 4.0, 0.5), (1.1, 0.2, 1, -1.0, 0.3),
                                             (-2.0, 0.5, 7, 0.0, 1.0), (0.5, -1.0, 30, 2.0, -0.4)])
def test_loss_and_gradient_match_torch(activation, w, b, T, target, h0):
    loss, dw, db = torch_loss_and_grad(w, b, T, target, h0, activation)
    assert float(cliff.one_unit_loss(w, b, T, target, h0, activation)) == pytest.approx(
        loss, rel=1e-12)
    got_w, got_b = cliff.one_unit_gradient(w, b, T, target, h0, activation)
    assert float(got_w) == pytest.approx(dw, rel=1e-9, abs=1e-12)
    assert float(got_b) == pytest.approx(db, rel=1e-9, abs=1e-12)


def test_gradient_matches_finite_differences_on_a_line():
    bs = np.linspace(-5, -3, 7)
    _, db = cliff.one_unit_gradient(8.0, bs, 15, 4.0)
    eps = 1e-6
    fd = (cliff.one_unit_loss(8.0, bs + eps, 15, 4.0)
          - cliff.one_unit_loss(8.0, bs - eps, 15, 4.0)) / (2 * eps)
    np.testing.assert_allclose(db, fd, rtol=1e-5, atol=1e-6)


def test_linear_states_have_the_closed_form():
    w, b, h0, T = 1.3, 0.2, 0.7, 9
    hs = cliff.one_unit_states(w, b, T, h0, "identity")
    k = np.arange(T + 1)
    np.testing.assert_allclose(hs, w ** k * h0 + b * (w ** k - 1) / (w - 1), rtol=1e-12)


def test_states_broadcast_over_w_and_b():
    ws, bs = np.array([[1.0], [2.0]]), np.array([0.0, 0.5, 1.0])
    hs = cliff.one_unit_states(ws, bs, 4)
    assert hs.shape == (5, 2, 3)
    assert hs[-1, 1, 2] == pytest.approx(float(cliff.one_unit_states(2.0, 1.0, 4)[-1]))


def test_every_argument_of_the_loss_matters():
    base = float(cliff.one_unit_loss(8.0, -4.0, 15, 4.0, 0.5, "sigmoid"))
    for changed in (cliff.one_unit_loss(7.0, -4.0, 15, 4.0),
                    cliff.one_unit_loss(8.0, -3.5, 15, 4.0),
                    cliff.one_unit_loss(8.0, -4.0, 3, 4.0), cliff.one_unit_loss(8.0, -4.0, 15, 3.0),
                    cliff.one_unit_loss(8.0, -4.0, 15, 4.0, -2.0),
                    cliff.one_unit_loss(8.0, -4.0, 15, 4.0, 0.5, "tanh")):
        assert float(changed) != pytest.approx(base)


def test_the_wall_has_a_huge_gradient_and_a_step_from_it_is_thrown_far():
    wall = 0.5 - 8.0 / (1 + np.exp(-0.5))
    bs = wall + np.linspace(-1, 2, 60001)
    _, db = cliff.one_unit_gradient(8.0, bs, 15, 4.0)
    assert np.abs(db).max() > 1e3 * np.median(np.abs(db))
    i = np.argmax(np.abs(db))
    assert abs(0.01 * db[i]) > 100 * abs(bs[np.argmin(cliff.one_unit_loss(8.0, bs, 15, 4.0))]
                                          - bs[i])


def test_descent_statuses_converged_budget_diverged():
    ok = cliff.descend_one_unit(1.05, 0.0, 5, 1.0, lr=0.01, steps=200, h0=1.0,
                                activation="identity")
    assert ok.status == "converged" and ok.losses[-1] < 1e-10 and "step" in ok.message
    short = cliff.descend_one_unit(1.05, 0.0, 5, 1.0, lr=0.01, steps=2, h0=1.0,
                                   activation="identity")
    assert short.status == "budget" and len(short.ws) == 3 and "2 steps" in short.message
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # stops cleanly: no overflow warning
        bad = cliff.descend_one_unit(1.05, 0.0, 30, 1.0, lr=0.01, steps=200, h0=1.0,
                                     activation="identity")
    assert bad.status == "diverged" and "diverged at step 2" in bad.message
    assert len(bad.ws) == 3 and np.isinf(bad.losses[-1])


def test_descent_step_is_the_gradient_step_and_its_arguments_matter():
    run = cliff.descend_one_unit(8.0, -2.0, 3, 4.0, lr=0.03, steps=1)
    dw, db = cliff.one_unit_gradient(8.0, -2.0, 3, 4.0)
    assert run.ws[1] == pytest.approx(8.0 - 0.03 * float(dw))
    assert run.bs[1] == pytest.approx(-2.0 - 0.03 * float(db))
    base = run.ws[1]
    for changed in (cliff.descend_one_unit(7.0, -2.0, 3, 4.0, 0.03, 1),
                    cliff.descend_one_unit(8.0, -2.5, 3, 4.0, 0.03, 1),
                    cliff.descend_one_unit(8.0, -2.0, 5, 4.0, 0.03, 1),
                    cliff.descend_one_unit(8.0, -2.0, 3, 3.0, 0.03, 1),
                    cliff.descend_one_unit(8.0, -2.0, 3, 4.0, 0.01, 1),
                    cliff.descend_one_unit(8.0, -2.0, 3, 4.0, 0.03, 1, h0=-5.0),
                    cliff.descend_one_unit(8.0, -2.0, 3, 4.0, 0.03, 1, activation="tanh")):
        assert changed.ws[1] != pytest.approx(base)
    assert len(cliff.descend_one_unit(8.0, -2.0, 3, 4.0, 0.03, 5).ws) == 6
    loose = cliff.descend_one_unit(8.0, -2.0, 3, 4.0, 0.1, 100, tol=1e-2)
    assert loose.status == "converged" and len(loose.ws) < 100


BAD = [
    (lambda: cliff.one_unit_states("w", 0.0, 3), TypeError, "w"),
    (lambda: cliff.one_unit_states(np.nan, 0.0, 3), ValueError, "w"),
    (lambda: cliff.one_unit_states(1.0, None, 3), TypeError, "b"),
    (lambda: cliff.one_unit_states(np.ones(2), np.ones(3), 3), ValueError, "b"),
    (lambda: cliff.one_unit_states(1.0, 0.0, 0), ValueError, "T"),
    (lambda: cliff.one_unit_states(1.0, 0.0, 2.5), TypeError, "T"),
    (lambda: cliff.one_unit_states(1.0, 0.0, 3, h0="x"), TypeError, "h0"),
    (lambda: cliff.one_unit_states(1.0, 0.0, 3, h0=np.inf), ValueError, "h0"),
    (lambda: cliff.one_unit_states(1.0, 0.0, 3, activation="swish"), ValueError, "activation"),
    (lambda: cliff.one_unit_loss(1.0, 0.0, 3, "y"), TypeError, "target"),
    (lambda: cliff.one_unit_loss(1.0, 0.0, 3, np.nan), ValueError, "target"),
    (lambda: cliff.one_unit_gradient(1.0, 0.0, 3, None), TypeError, "target"),
    (lambda: cliff.one_unit_gradient("w", 0.0, 3, 1.0), TypeError, "w"),
    (lambda: cliff.descend_one_unit(np.ones(2), 0.0, 3, 1.0, 0.1, 3), TypeError, "w"),
    (lambda: cliff.descend_one_unit(1.0, "b", 3, 1.0, 0.1, 3), TypeError, "b"),
    (lambda: cliff.descend_one_unit(1.0, 0.0, 0, 1.0, 0.1, 3), ValueError, "T"),
    (lambda: cliff.descend_one_unit(1.0, 0.0, 3, "y", 0.1, 3), TypeError, "target"),
    (lambda: cliff.descend_one_unit(1.0, 0.0, 3, 1.0, 0.0, 3), ValueError, "lr"),
    (lambda: cliff.descend_one_unit(1.0, 0.0, 3, 1.0, 0.1, 0), ValueError, "steps"),
    (lambda: cliff.descend_one_unit(1.0, 0.0, 3, 1.0, 0.1, 3, h0="h"), TypeError, "h0"),
    (lambda: cliff.descend_one_unit(1.0, 0.0, 3, 1.0, 0.1, 3, activation="x"), ValueError,
     "activation"),
    (lambda: cliff.descend_one_unit(1.0, 0.0, 3, 1.0, 0.1, 3, tol=-1.0), ValueError, "tol"),
]


@pytest.mark.parametrize("call,error,name", BAD, ids=[f"{n}-{i}" for i, (_, _, n) in
                                                       enumerate(BAD)])
def test_bad_input_names_the_argument(call, error, name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(error, match=rf"(^|\W){name}\b"):
            call()
