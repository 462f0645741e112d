"""Answer checkers for the learners' exercises.

Each ``check_*`` function takes the learner's answer (a number or a function),
prints feedback a learner can act on and returns ``True`` when the answer is right.
A checker never raises because an answer is wrong; it raises only when it is called
with something that is not an answer at all (say, a string where a function belongs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from .activations import sigmoid_derivative
from .descent import gradient_step
from .feedforward import dense_backward
from .numpy_rnn import RNNParams, bptt, forward


def report(ok: bool, success: str, hint: str) -> bool:
    """Print a tick and ``success`` or a cross and ``hint``; return ``ok``."""
    print(("✔ Correct. " + success) if ok else ("✘ Not yet. " + hint))
    return ok


def compare_function(candidate: Callable, reference: Callable,
                     cases: Iterable[tuple], rtol: float = 1e-6, atol: float = 1e-9,
                     name: str = "your function") -> tuple[bool, str]:
    """Run ``candidate`` and ``reference`` on each argument tuple in ``cases``.

    Returns ``(ok, detail)``: ``detail`` describes the first case that differs.
    """
    if not callable(candidate):
        raise TypeError(f"the answer must be a function; got {type(candidate).__name__}")
    for args in cases:
        want = reference(*args)
        try:
            got = candidate(*args)
        except Exception as err:  # the learner's code failed: say how, do not crash
            return False, f"{name} raised {type(err).__name__}: {err}"
        want_parts = want if isinstance(want, tuple) else (want,)
        got_parts = got if isinstance(got, tuple) else (got,)
        if len(got_parts) != len(want_parts):
            return False, f"{name} returned {len(got_parts)} value(s); expected {len(want_parts)}"
        for g, w in zip(got_parts, want_parts):
            g, w = np.asarray(g, dtype=float), np.asarray(w, dtype=float)
            if g.shape != w.shape:
                return False, f"{name} returned shape {g.shape}; expected {w.shape}"
            if not np.allclose(g, w, rtol=rtol, atol=atol):
                err = float(np.max(np.abs(g - w)))
                return False, f"{name} is off by up to {err:.3g} on one of the test inputs"
    return True, f"{name} matches the reference on every test input"


def check_number(name: str, answer: object, expected: float, rtol: float = 1e-3,
                 hint: str = "") -> bool:
    """Check a numeric answer against ``expected`` to relative tolerance ``rtol``."""
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return report(False, "", f"{name} should be a number; got {answer!r}.")
    ok = bool(np.isclose(value, expected, rtol=rtol, atol=0.0))
    return report(ok, f"{name} = {value:.6g}.", f"{name} = {value:.6g} is not right. {hint}")


# --- Chapter 1: gradient descent ---------------------------------------------------------

def check_gradient_step(step: object) -> bool:
    """Exercise 1.1: ``step(theta, grad, lr)`` must return the updated parameters."""

    rng = np.random.default_rng(1)
    cases = [(rng.normal(size=n), rng.normal(size=n), lr) for n, lr in [(1, 0.1), (3, 0.5), (5, 2.0)]]
    ok, detail = compare_function(step, gradient_step, cases, name="step")
    return report(ok, detail + ".", detail + ". The update moves against the gradient: "
                  "theta minus the learning rate times the gradient.")


def check_stable_lr_limit(answer: object, curvatures: tuple[float, float] = (1.0, 10.0)) -> bool:
    """Exercise 1.2: the largest learning rate that does not diverge on the 2-D bowl."""
    expected = 2.0 / max(curvatures)
    return check_number("the learning-rate limit", answer, expected, rtol=1e-3,
                        hint="Each direction of the bowl is a 1-D quadratic; which curvature "
                             "limits the step first?")


# --- Chapter 2: backpropagation and deep networks ----------------------------------------

def check_sigmoid_derivative(derivative: object) -> bool:
    """Exercise 2.1: ``derivative(z)`` must return σ′(z) elementwise for an array z."""

    cases = [(np.array([0.0]),), (np.linspace(-5, 5, 11),), (np.array([[-30.0, 2.5], [30.0, -0.1]]),)]
    ok, detail = compare_function(derivative, sigmoid_derivative, cases, name="your derivative")
    return report(ok, detail + ". Its largest value is 1/4, at z = 0.",
                  detail + ". Use σ′(z) = σ(z)(1 − σ(z)), with rnncourse.activations.sigmoid "
                  "or 1 / (1 + np.exp(-z)); it must work on whole arrays.")


def check_dense_backward(backward: object) -> bool:
    """Exercise 2.2: ``backward(dZ, X, W)`` must return (dX, dW, db) for Z = X W + b."""

    rng = np.random.default_rng(2)
    cases = [(rng.normal(size=(n, o)), rng.normal(size=(n, i)), rng.normal(size=(i, o)))
             for n, i, o in [(1, 1, 1), (5, 3, 2), (8, 4, 6)]]
    ok, detail = compare_function(backward, dense_backward, cases, name="your backward pass")
    return report(ok, detail + ".", detail + ". Each gradient has the shape of what it is the "
                  "gradient of: dX = dZ Wᵀ (N, D_in), dW = Xᵀ dZ (D_in, D_out), db sums dZ over rows.")


# --- Chapters 3 and 4: recurrent networks and BPTT ---------------------------------------


def check_rnn_parameter_count(answer: object, D: int, H: int, O: int) -> bool:
    """Chapter 3: the number of trainable numbers in an RNN with sizes D, H, O."""
    expected = H * D + H * H + H + O * H + O
    return check_number("the parameter count", answer, expected, rtol=0.0,
                        hint="Count the entries of W_x (H, D), W_h (H, H), b (H,), W_y (O, H) "
                             "and c (O,). Note that the count does not depend on T.")


def _reference_backward_step(dh: np.ndarray, h: np.ndarray, h_prev: np.ndarray,
                             x: np.ndarray, W_h: np.ndarray) -> tuple[np.ndarray, ...]:
    """One step of BPTT, computed by the package's ``bptt`` on a sequence of length 1."""

    H, D = W_h.shape[0], x.shape[1]
    params = RNNParams(np.zeros((H, D)), W_h, np.zeros(H), np.eye(H), np.zeros(H))
    cache = forward(params, x[None], h_prev)
    cache.hs[1] = h  # backward needs only the states, so use the given h_t
    grads = bptt(params, cache, dh[None])
    return grads.dW_h, grads.dW_x, grads.db, grads.dh0


def check_rnn_backward_step(backward_step: Callable) -> bool:
    """Chapter 4: ``backward_step(dh, h, h_prev, x, W_h) -> (dW_h, dW_x, db, dh_prev)``.

    dh (B, H) is the total derivative dL/dh_t; h = tanh(W_h h_prev + W_x x + b) (B, H);
    the answer is this step's contribution to each gradient and dL/dh_{t-1}.
    """
    rng = np.random.default_rng(4)
    cases = []
    for B, D, H in ((1, 1, 1), (3, 2, 4), (5, 3, 2)):
        h = np.tanh(rng.normal(size=(B, H)))
        cases.append((rng.normal(size=(B, H)), h, rng.normal(size=(B, H)),
                      rng.normal(size=(B, D)), rng.normal(size=(H, H))))
    ok, detail = compare_function(backward_step, _reference_backward_step, cases,
                                  name="backward_step")
    return report(ok, detail + ".", detail + ". Go through tanh first: da = dh * (1 - h**2); "
                  "then each gradient is da against what multiplied the weight, summed over the batch.")
