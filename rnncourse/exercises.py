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
from .gradcheck import check_gradient
from .numpy_rnn import ForwardCache, RNNParams, bptt, cross_entropy_loss, forward
from .optim import Adam


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
    cases = [(rng.normal(size=n), rng.normal(size=n), lr)
             for n, lr in [(1, 0.1), (3, 0.5), (5, 2.0)]]
    ok, detail = compare_function(step, gradient_step, cases, name="step")
    return report(ok, detail + ".", detail + ". The update moves against the gradient: "
                  "theta minus the learning rate times the gradient.")


EXERCISE_BOWL = ((6.0, 2.0), (2.0, 3.0))  # the matrix A of exercise 1.2


def check_stable_lr_limit(answer: object, A: tuple = EXERCISE_BOWL) -> bool:
    """Exercise 1.2: the largest learning rate that does not diverge on L = 1/2 θᵀ A θ."""
    A = np.asarray(A, dtype=float)
    lams = np.linalg.eigvalsh(A)
    try:
        value = float(answer)
    except (TypeError, ValueError):
        value = None
    hint = ("Find the curvatures: the eigenvalues λ of A, roots of det(A − λI) = 0. Each "
            "eigendirection is a 1-D quadratic; which curvature limits the step first?")
    if value is not None and np.isclose(value, 2.0 / lams.min(), rtol=1e-3):
        hint = "That is 2/λ for the flattest direction; the steeper one diverges first."
    elif value is not None and np.isclose(value, 2.0 / np.diag(A).max(), rtol=1e-3):
        hint = "That uses the largest diagonal entry; the curvatures are A's eigenvalues."
    elif value is not None and np.isclose(value, 1.0 / lams.max(), rtol=1e-3):
        hint = "That is 1/λ_max, the fastest rate for that direction, not the limit."
    return check_number("the learning-rate limit", answer, 2.0 / lams.max(), rtol=1e-3, hint=hint)


def _reference_adam_step(theta: np.ndarray, grad: np.ndarray, m: np.ndarray, v: np.ndarray,
                         n: int, lr: float, beta1: float, beta2: float, eps: float) -> tuple:
    """Step n of ``optim.Adam`` from moments m, v (those after step n - 1): (theta, m, v)."""
    opt = Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    opt.step, opt.m, opt.v = n - 1, {"theta": m}, {"theta": v}
    new = opt({"theta": theta}, {"theta": grad})
    return new["theta"], opt.m["theta"], opt.v["theta"]


def check_adam_step(adam_step: object) -> bool:
    """Exercise 1.4: ``adam_step(theta, grad, m, v, n, lr, beta1, beta2, eps)`` must return
    ``(theta, m, v)`` after Adam's step n, as :class:`rnncourse.optim.Adam` computes it."""
    rng = np.random.default_rng(3)
    cases = []
    for n, shape, (lr, b1, b2, eps) in [(1, (3,), (0.1, 0.9, 0.999, 1e-8)),
                                        (2, (2, 3), (0.01, 0.8, 0.99, 1e-6)),
                                        (7, (4,), (0.05, 0.5, 0.9, 1e-3))]:
        m = np.zeros(shape) if n == 1 else rng.normal(size=shape)
        v = np.zeros(shape) if n == 1 else rng.random(size=shape)
        cases.append((rng.normal(size=shape), rng.normal(size=shape), m, v, n, lr, b1, b2, eps))
    ok, detail = compare_function(adam_step, _reference_adam_step, cases, rtol=1e-9, atol=1e-12,
                                  name="adam_step")
    return report(ok, detail + ".", detail + ". Update m and v first, divide each by "
                  "(1 − β^n) for the bias correction, then step by lr · m̂ / (√v̂ + ε).")


# --- Chapter 2: backpropagation and deep networks ----------------------------------------

def check_sigmoid_derivative(derivative: object) -> bool:
    """Exercise 2.1: ``derivative(z)`` must return σ′(z) elementwise for an array z."""

    cases = [(np.array([0.0]),), (np.linspace(-5, 5, 11),),
             (np.array([[-30.0, 2.5], [30.0, -0.1]]),)]
    ok, detail = compare_function(derivative, sigmoid_derivative, cases, name="your derivative")
    return report(ok, detail + ". Its largest value is 1/4, at z = 0.",
                  detail + ". Use σ′(z) = σ(z)(1 − σ(z)), with rnncourse.activations.sigmoid "
                  "or 1 / (1 + np.exp(-z)); it must work on whole arrays.")


def check_dense_backward(backward: object) -> bool:
    """Exercise 2.2: ``backward(dZ, X, W)`` must return (dX, dW, db) for Z = X Wᵀ + b.

    dZ: (N, D_out), X: (N, D_in), W: (D_out, D_in), the course's (outputs, inputs) layout.
    """

    rng = np.random.default_rng(2)
    cases = [(rng.normal(size=(n, o)), rng.normal(size=(n, i)), rng.normal(size=(o, i)))
             for n, i, o in [(1, 1, 1), (5, 3, 2), (8, 4, 6)]]
    ok, detail = compare_function(backward, dense_backward, cases, name="your backward pass")
    return report(ok, detail + ".", detail + ". Each gradient has the shape of what it is the "
                  "gradient of: dX is (N, D_in) like X, dW is (D_out, D_in) like W, db is "
                  "(D_out,) like b. Write Z = X Wᵀ + b entry by entry and differentiate.")


# --- Chapters 3 and 4: recurrent networks and BPTT ---------------------------------------


def check_rnn_parameter_count(answer: object, D: int, H: int, O: int) -> bool:
    """Chapter 3: the number of trainable numbers in an RNN with sizes D, H, O."""
    expected = H * D + H * H + H + O * H + O
    return check_number("the parameter count", answer, expected, rtol=0.0,
                        hint="Count the entries of W_x (H, D), W_h (H, H), b (H,), W_y (O, H) "
                             "and c (O,). Note that the count does not depend on T.")


def _mean_cross_entropy(logits: np.ndarray, targets: np.ndarray) -> float:
    """The reference for :func:`check_cross_entropy`: the package's loss value alone."""
    return cross_entropy_loss(logits, targets)[0]


def check_cross_entropy(cross_entropy: object) -> bool:
    """Chapter 3: ``cross_entropy(logits, targets)`` must return the mean loss of eq-ch3-xent.

    logits (T, B, V) scores, targets (T, B) integer ids; tested at ordinary logits and at
    logits of size 1e4, where exponentiating before taking the log overflows.
    """
    rng = np.random.default_rng(3)
    cases = [(scale * rng.normal(size=(T, B, V)), rng.integers(0, V, size=(T, B)))
             for scale, T, B, V in ((1.0, 1, 1, 2), (1.0, 4, 3, 5), (3.0, 6, 2, 57),
                                    (1e4, 3, 2, 4))]
    with np.errstate(all="ignore"):  # a naive answer overflows: report that, do not warn
        ok, detail = compare_function(cross_entropy, _mean_cross_entropy, cases[:3],
                                      rtol=1e-8, name="your loss")
        if ok:
            ok, detail = compare_function(cross_entropy, _mean_cross_entropy, cases[3:],
                                          rtol=1e-8, name="your loss")
            if not ok:
                detail += " (logits of size 1e4: does exp overflow?)"
    return report(ok, detail + ". Subtracting the largest logit first (log-sum-exp) keeps "
                  "every exponential at most 1.",
                  detail + ". The loss at one step is log(sum_v exp(y_v)) - y_target, averaged "
                  "over all T * B steps; compute log(sum exp) as m + log(sum exp(y - m)) with "
                  "m the largest logit.")


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
    return report(ok, detail + ".", detail + ". Go through tanh first: dz = dh * (1 - h**2); "
                  "then each gradient is dz against what multiplied the weight, summed over "
                  "the batch.")


# --- Chapter 4: backpropagation through time ----------------------------------------------

def _bptt_cases(seed: int, sizes: Iterable[tuple[int, int, int, int]]) -> list[tuple]:
    """Random RNN runs (W_h, xs, hs, dh_direct) for the sizes (T, B, D, H)."""
    rng, cases = np.random.default_rng(seed), []
    for T, B, D, H in sizes:
        params = RNNParams(rng.normal(0, 1 / np.sqrt(D), (H, D)),
                           rng.normal(0, 1.2 / np.sqrt(H), (H, H)),
                           0.1 * rng.normal(size=H), np.eye(H), np.zeros(H))
        xs = rng.normal(size=(T, B, D))
        hs = forward(params, xs, 0.5 * rng.normal(size=(B, H))).hs
        cases.append((params.W_h, xs, hs, rng.normal(size=(T, B, H))))
    return cases


def _reference_bptt_loop(W_h: np.ndarray, xs: np.ndarray, hs: np.ndarray, dh_direct: np.ndarray,
                         k: int | None = None) -> tuple[np.ndarray, ...]:
    """(dW_x, dW_h, db, dh0) by the package's ``bptt``, with W_y = I so that dys = dh_direct."""
    H, D = W_h.shape[0], xs.shape[2]
    params = RNNParams(np.zeros((H, D)), W_h, np.zeros(H), np.eye(H), np.zeros(H))
    grads = bptt(params, ForwardCache(xs=xs, hs=hs, ys=hs[1:]), dh_direct, truncate=k)
    return grads.dW_x, grads.dW_h, grads.db, grads.dh0


def check_bptt_loop(bptt_loop: object) -> bool:
    """Chapter 4: ``bptt_loop(W_h, xs, hs, dh_direct) -> (dW_x, dW_h, db, dh0)``.

    xs (T, B, D); hs (T + 1, B, H) with hs[0] = h_0; dh_direct (T, B, H): dh_direct[t - 1]
    is the partial derivative dL_t/dh_t. Checked against ``numpy_rnn.bptt`` on several sizes.
    """
    cases = _bptt_cases(41, [(1, 1, 1, 1), (4, 3, 2, 5), (7, 2, 3, 4), (12, 1, 1, 3)])
    ok, detail = compare_function(bptt_loop, _reference_bptt_loop, cases, name="bptt_loop")
    return report(ok, detail + ". That loop is the whole of BPTT.",
                  detail + ". Go backwards, for t in reversed(range(T)): the total derivative is "
                  "dh_direct[t] + dh_next; dz = dh * (1 - hs[t + 1]**2); add dz.T @ xs[t] to dW_x, "
                  "dz.T @ hs[t] (that is h_{t-1}) to dW_h, dz summed over the batch to db; then "
                  "dh_next = dz @ W_h. dh0 is the last dh_next.")


def _reference_truncated_loop(W_h: np.ndarray, xs: np.ndarray, hs: np.ndarray,
                              dh_direct: np.ndarray, k: int) -> tuple[np.ndarray, ...]:
    """(dW_x, dW_h, db) by the package's ``bptt_truncated`` (through ``bptt``)."""
    return _reference_bptt_loop(W_h, xs, hs, dh_direct, k)[:3]


def check_truncated_bptt(truncated: object) -> bool:
    """Chapter 4: ``truncated(W_h, xs, hs, dh_direct, k) -> (dW_x, dW_h, db)``.

    The loss at step s reaches back to steps s - k + 1, ..., s only (k steps, counting s).
    Checked against ``numpy_rnn.bptt_truncated`` for several k, including k = 1 and k >= T.
    """
    runs = _bptt_cases(42, [(6, 2, 2, 3), (9, 3, 1, 4), (3, 1, 2, 2)])
    cases = [run + (k,) for run, ks in zip(runs, [(1, 2, 4), (3, 8, 9), (3, 5)]) for k in ks]
    ok, detail = compare_function(truncated, _reference_truncated_loop, cases, name="truncated")
    return report(ok, detail + ". With k >= T it is full BPTT.",
                  detail + ". For each output s, start from dh_direct[s] and go back through "
                  "steps s, s - 1, ..., s - k + 1: that is k steps, each adding its dz to the "
                  "weight gradients, and the gradient is not passed on from step s - k + 1.")


CH4_XS = (0.5, -1.0, 0.8, 0.3, -0.6)  # the inputs x_1..x_5 of the gradient-check exercise
CH4_W = 0.9  # the point w at which the exercise checks the gradient


def _scalar_rnn(w: np.ndarray) -> tuple[float, np.ndarray]:
    """L(w) = 1/2 sum_t h_t^2 for h_t = tanh(w h_{t-1} + x_t), h_0 = 0, x = CH4_XS; and dL/dw."""
    one = np.ones((1, 1))
    params = RNNParams(one, np.reshape(w, (1, 1)).astype(float), np.zeros(1), one, np.zeros(1))
    cache = forward(params, np.reshape(CH4_XS, (-1, 1, 1)))
    return 0.5 * float(np.sum(cache.ys ** 2)), bptt(params, cache, cache.ys).dW_h.reshape(1)


def suspect_scalar_rnn_gradient(w: np.ndarray) -> np.ndarray:
    """A gradient of the exercise's loss L(w) = 1/2 sum_t h_t^2 that may or may not be right.

    w: (1,). Returns (1,). Chapter 4's gradient-check exercise asks whether to trust it.
    """
    h_prev, total = 0.0, 0.0
    for x in CH4_XS:
        h = np.tanh(w[0] * h_prev + x)
        total += h * (1 - h ** 2) * h_prev  # dL_t/dh_t = h_t, through tanh, times h_{t-1}
        h_prev = h
    return np.array([total])


def check_gradient_check(loss: object, grad: object, err: object, suspect_err: object) -> bool:
    """Chapter 4: the learner's ``loss(w)``, ``grad(w)`` and two gradient checks at w = CH4_W.

    err: the relative error ``gradcheck.check_gradient`` reports for ``grad``;
    suspect_err: the one it reports for :func:`suspect_scalar_rnn_gradient`.
    """
    if not (callable(loss) and callable(grad)):
        raise TypeError("loss and grad must be functions of w, an array of shape (1,)")
    cases = [(np.array([w]),) for w in (CH4_W, -0.5, 1.7)]
    ok, detail = compare_function(loss, lambda w: _scalar_rnn(w)[0], cases, name="loss")
    if not ok:
        return report(False, "", detail + ". L(w) = 1/2 (h_1^2 + ... + h_5^2), a sum over the "
                      "five steps, with h_0 = 0 and x = exercises.CH4_XS.")
    ok, detail = compare_function(grad, lambda w: _scalar_rnn(w)[1], cases, name="grad")
    if not ok:
        return report(False, "", detail + ". dL/dh_t is h_t plus what h_{t+1} sends back; did "
                      "you carry dh_next backwards?")
    w0 = np.array([CH4_W])
    checks = (("err", err, grad(w0)), ("suspect_err", suspect_err, suspect_scalar_rnn_gradient(w0)))
    for name, value, g in checks:
        want = check_gradient(loss, w0, np.reshape(g, (1,)))
        is_number = isinstance(value, (int, float, np.floating))
        if not (is_number and np.isclose(value, want, rtol=1e-6, atol=0)):
            return report(False, "", f"{name} = {value!r} is not what gradcheck.check_gradient("
                          f"loss, np.array([{CH4_W}]), ...) returns for that gradient. Call it "
                          "and store its result.")
    return report(True, f"your gradient passes (relative error {err:.1e}); the suspect's error "
                  f"is {suspect_err:.1e}: a bug. It drops dh_next, the path from h_t through "
                  "h_{t+1}: it is BPTT truncated to k = 1.", "")


# --- Chapter 5: vanishing and exploding gradients -----------------------------------------

from . import jacobians  # noqa: E402  (the chapter-5 section; imports stay with their section)
from .activations import get_activation  # noqa: E402

CH5_W = ((0.9, -1.2, 0.3), (0.4, 0.8, -1.1), (-0.7, 0.2, 1.0))  # the W_h of exercise 5.1
CH5_DISTANCE = 10  # the distance s - t of exercise 5.1


def check_vanishing_bound(answer: object, activation: str = "sigmoid",
                          W: tuple = CH5_W, distance: int = CH5_DISTANCE) -> bool:
    """Chapter 5: the bound (gamma sigma_max(W))^distance on ||dh_s/dh_t||_2, s - t = distance."""
    W = np.asarray(W, dtype=float)
    gamma = get_activation(activation).max_slope
    sigma, rho = jacobians.max_singular_value(W), jacobians.spectral_radius(W)
    expected = (gamma * sigma) ** distance
    n = distance
    slips = {
        sigma ** n: "That is sigma_max^distance: multiply by the activation's largest "
                    "slope gamma.",
        (gamma * rho) ** n: "That uses the spectral radius (largest |eigenvalue|); the "
                            "bound uses the largest singular value, np.linalg.norm(W, 2).",
        (gamma * np.linalg.norm(W)) ** n: "That uses the Frobenius norm; the bound uses "
                                          "the spectral norm, np.linalg.norm(W, 2).",
        gamma * sigma ** n: "gamma is raised to the power of the distance too: one f' "
                            "per step.",
        (sigma / gamma) ** n: "gamma multiplies sigma_max: it is the largest slope, 1/4 "
                              "for the sigmoid, not its inverse.",
    }
    try:
        value = float(answer)
    except (TypeError, ValueError):
        value = None
    hint = (f"Compute gamma = max |f'| for {activation}, sigma_max = np.linalg.norm(W, 2), "
            f"then (gamma * sigma_max) ** {distance}.")
    for slip, why in slips.items():
        if value is not None and np.isclose(value, slip, rtol=1e-3) \
                and not np.isclose(slip, expected, rtol=1e-3):
            hint = why
    return check_number("the bound", answer, expected, rtol=1e-3, hint=hint)


def _reference_jacobian_product(W_h: np.ndarray, zs: np.ndarray, activation: str,
                                s: int, t: int) -> np.ndarray:
    """dh_s/dh_t by the package: step Jacobians, then their ordered product."""
    jacs = jacobians.step_jacobians(W_h, zs, activation)
    return jacobians.jacobian_product(jacs, s, t)


def _reversed_product(W_h: np.ndarray, zs: np.ndarray, activation: str,
                      s: int, t: int) -> np.ndarray:
    """The same Jacobians multiplied in the wrong order, earliest on the left."""
    jacs = jacobians.step_jacobians(W_h, zs, activation)
    P = np.eye(W_h.shape[0])
    for j in range(t + 1, s + 1):
        P = P @ jacs[j - 1]
    return P


def check_jacobian_product(jacobian_product: object) -> bool:
    """Chapter 5: ``jacobian_product(W_h, zs, activation, s, t)`` must return dh_s/dh_t.

    W_h (H, H); zs (T, H) pre-activations, zs[j - 1] = z_j; 0 <= t <= s <= T. Checked
    against :func:`rnncourse.jacobians.jacobian_product` for tanh, sigmoid and ReLU,
    including s = t (the identity) and H = 1.
    """
    rng = np.random.default_rng(5)
    cases = []
    for H, T, s, t, act in ((1, 3, 3, 0, "tanh"), (3, 5, 4, 1, "sigmoid"),
                            (4, 6, 6, 2, "tanh"), (3, 4, 2, 2, "relu"), (5, 7, 7, 0, "relu")):
        cases.append((rng.normal(size=(H, H)), rng.normal(size=(T, H)), act, s, t))
    ok, detail = compare_function(jacobian_product, _reference_jacobian_product, cases,
                                  name="jacobian_product")
    if not ok:
        wrong_order, _ = compare_function(jacobian_product, _reversed_product, cases[1:3])
        if wrong_order:
            detail += (". Your product has the earliest step on the left: matrices do not "
                       "commute, and dh_s/dh_t = J_s ... J_{t+1}, so each later J goes on "
                       "the left (P = J @ P)")
    return report(ok, detail + ". Latest step on the left, as the notation page writes it.",
                  detail + ". J_j = diag(f'(z_j)) W_h, with f' from "
                  "rnncourse.activations.get_activation(activation).df; start from the "
                  "identity and multiply J_{t+1}, ..., J_s in turn, each on the left.")


# --- Chapter 6: consequences and diagnosis -------------------------------------------------

def check_recent_only_mse(answer: object) -> bool:
    """Chapter 6: the MSE on the adding problem of the best predictor that uses b only.

    b is the second marked value, a the first; the predictor outputs b + c for the best
    constant c, so its error is a - c and its MSE Var(a) = 1/12 (for c = E[a] = 1/2).
    """
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return report(False, "", f"the answer should be a number; got {answer!r}.")
    hints = {1 / 6: "1/6 is the constant prediction, which ignores b as well as a.",
             1 / 3: "that is the MSE of predicting b alone (the error is a, and "
                    "E[a²] = 1/3); add the best constant for the missing a.",
             1 / 4: "that is E[a]²: the best constant removes the mean of a, and what "
                    "is left is its spread."}
    hint = next((h for v, h in hints.items() if np.isclose(value, v, rtol=1e-3)),
                "write the error as a - c, choose c to minimise E[(a - c)²], and use "
                "a ~ U[0, 1].")
    ok = bool(np.isclose(value, 1 / 12, rtol=1e-3))
    return report(ok, f"{value:.4f}: with b known, only the spread of a is left, Var(a). "
                  "A curve that levels off there has learned the recent marker only.",
                  f"{value:.4g} is not it. {hint}")


# --- Chapter 7: taming exploding gradients ------------------------------------------------

def _reference_clip(g: np.ndarray, c: float) -> np.ndarray:
    norm = float(np.sqrt(np.sum(np.square(g))))
    return g * min(1.0, c / norm) if norm > 0 else g.copy()


def _clip_cases() -> list[tuple[np.ndarray, float]]:
    rng = np.random.default_rng(7)
    return [(np.array([3.0, 4.0]), 1.0), (np.array([0.3, -0.4]), 1.0),
            (rng.normal(size=(3, 4)) * 10, 2.0), (rng.normal(size=5) * 1e4, 0.5)]


def check_clip_by_norm(clip: object) -> bool:
    """Chapter 7: a learner's ``clip(g, c)``, Algorithm 1 of Pascanu et al.

    g: an array of any shape (the whole gradient), c > 0. Right when it
    rescales g to norm c if ``||g|| > c``, leaves it alone otherwise, and
    returns zeros (not NaN) for a zero gradient. torch's eps of 1e-6 in the
    denominator is accepted.
    """
    cases = _clip_cases()
    ok, detail = compare_function(clip, _reference_clip, cases, rtol=1e-5,
                                  name="clip")
    if not ok:
        mistakes = {"you clamped each entry (clipping by value); rescale the "
                    "whole vector instead": lambda g, c: np.clip(g, -c, c),
                    "a gradient already shorter than c must stay as it is; "
                    "only rescale when ||g|| > c":
                    lambda g, c: g * c / np.sqrt(np.sum(g * g))}
        detail += next((f": {hint}" for hint, wrong in mistakes.items()
                        if compare_function(clip, wrong, cases[:2])[0]), "")
    elif not _finite_on_zero(clip):
        ok, detail = False, "clip(zeros, c) is not all zeros: guard the division"
    return report(ok, detail + ". Rescaling keeps the direction.",
                  detail + ". Compute norm = sqrt(sum(g**2)) and multiply g by "
                  "min(1, c / norm).")


def _finite_on_zero(clip: Callable) -> bool:
    with np.errstate(all="ignore"):
        try:
            out = np.asarray(clip(np.zeros(3), 1.0), dtype=float)
        except Exception:  # the learner's code failed on zeros
            return False
    return out.shape == (3,) and bool((out == 0).all())


def check_longest_value_step(answer: object, lr: float = 0.2, c: float = 0.01,
                             P: int = 1185) -> bool:
    """Chapter 7: the longest SGD step when each of P entries is clipped at c.

    Every entry of the clipped gradient is at most c in size, so its norm is
    at most c sqrt(P), and the step lr times that.
    """
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return report(False, "", f"the answer should be a number; got {answer!r}.")
    want = lr * c * np.sqrt(P)
    hints = {lr * c: "that is the bound for clipping by norm at c; by value, "
                     "every one of the P entries can be c at once.",
             c * np.sqrt(P): "the step is the learning rate times the gradient.",
             lr * c * P: "the norm of a vector whose P entries are all c is "
                         "c sqrt(P), not c P."}
    hint = next((h for v, h in hints.items() if np.isclose(value, v, rtol=1e-3)),
                "the worst case is every entry at +-c: take the norm of that "
                "vector and multiply by the learning rate.")
    ok = bool(np.isclose(value, want, rtol=1e-3))
    return report(ok, f"{value:.4g}: the bound grows with the number of "
                  "parameters, sqrt(P) times the norm clipping bound.",
                  f"{value:.4g} is not it. {hint}")


# --- Chapter 8: initialisation and activations ---------------------------------------------

def check_he_edge(answer: object) -> bool:
    """Chapter 8: the largest singular value of a large He-normal (H, H) W_h.

    Its entries have variance 2/H, so sigma_max -> 2 sqrt(H * 2/H) = 2 sqrt(2)
    by the quarter-circle law; its spectral radius is sqrt(2).
    """
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return report(False, "", f"the answer should be a number; got {answer!r}.")
    hints = {np.sqrt(2): "that is the spectral radius, the largest |eigenvalue| "
                         "(the circular law); singular values reach twice as far.",
             2.0: "that is the edge for variance 1/H (Xavier on a square matrix); "
                  "He doubles the variance.",
             4.0: "the edge grows with the standard deviation, the square root of "
                  "the variance, not with the variance itself."}
    hint = next((h for v, h in hints.items() if np.isclose(value, v, rtol=1e-3)),
                "use sigma_max = 2 sqrt(H v) with He's variance v = 2/H.")
    ok = bool(np.isclose(value, 2 * np.sqrt(2), rtol=1e-3))
    return report(ok, f"{value:.4f}: so a He-normal W_h stretches some directions "
                  "by almost 3 per step and shrinks others to almost 0.",
                  f"{value:.4g} is not it. {hint}")


def _orthogonal_cases() -> list[tuple[int, float]]:
    return [(1, 1.0), (3, 1.0), (8, 0.5), (16, 2.0)]


def check_orthogonal_init(orthogonal: object) -> bool:
    """Chapter 8: a learner's ``orthogonal(H, gain, rng) -> (H, H)``.

    Right when every result has all its singular values equal to ``gain``
    (W W^T = gain^2 I) and different generators give different matrices.
    """
    if not callable(orthogonal):
        raise TypeError(f"the answer must be a function; got {type(orthogonal).__name__}")
    draws = {}
    for H, gain in _orthogonal_cases():
        try:
            W = np.asarray(orthogonal(H, gain, np.random.default_rng(H)), dtype=float)
        except Exception as err:  # the learner's code failed: say how, do not crash
            return report(False, "", f"orthogonal raised {type(err).__name__}: {err}")
        if W.shape != (H, H):
            return report(False, "", f"orthogonal({H}, ...) returned shape {W.shape}; "
                          f"expected ({H}, {H}).")
        s = np.linalg.svd(W, compute_uv=False)
        if np.allclose(s, 1.0) and gain != 1.0:
            return report(False, "", "the singular values are 1, not gain: multiply "
                          "the orthogonal matrix by gain.")
        if not np.allclose(s, gain, rtol=1e-8):
            return report(False, "", f"the singular values of orthogonal({H}, {gain}) "
                          f"run from {s.min():.3g} to {s.max():.3g}; all should equal "
                          f"{gain}. Take Q from np.linalg.qr of a Gaussian matrix.")
        draws[H] = W
    try:
        other = np.asarray(orthogonal(8, 0.5, np.random.default_rng(99)), dtype=float)
    except Exception as err:  # the learner's code failed: say how, do not crash
        return report(False, "", f"orthogonal raised {type(err).__name__}: {err}")
    if other.shape == draws[8].shape and np.allclose(other, draws[8]):
        return report(False, "", "two different generators gave the same matrix: draw "
                      "it from rng (the identity is orthogonal, but not random).")
    return report(True, "every matrix has all its singular values equal to gain, "
                  "and each generator draws a different one.", "")


# --- Chapter 9: skip connections and normalisation -----------------------------------------

def check_residual_gain(answer: object) -> bool:
    """Chapter 9: dh_T/dh_{T-10} of h_t = h_{t-1} + tanh(w h_{t-1} + u_t), w = 1/2.

    Every pre-activation is 0, so f' = 1 and each step multiplies by
    1 + f' w = 3/2: the answer is 1.5^10, about 57.7.
    """
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return report(False, "", f"the answer should be a number; got {answer!r}.")
    hints = {0.5 ** 10: "that is the Elman RNN's product: the residual step's derivative "
                        "is 1 + f'(z) w, not f'(z) w.",
             1.0: "that is the identity path alone; the branch adds f'(z) w at every step.",
             1.5: "that is one step; the distance is 10 steps, and the chain rule "
                  "multiplies the factors of all of them.",
             6.0: "the chain rule multiplies the per-step factors; it does not add them."}
    hint = next((h for v, h in hints.items() if np.isclose(value, v, rtol=1e-3)),
                "differentiate one step, h_t = h_{t-1} + tanh(w h_{t-1} + u_t), with "
                "respect to h_{t-1} at z = 0, then chain 10 such steps.")
    ok = bool(np.isclose(value, 1.5 ** 10, rtol=1e-3))
    return report(ok, f"{value:.4g} = 1.5^10: each step multiplies by 1 + w = 1.5, so "
                  "the identity term that stops vanishing can make the product grow.",
                  f"{value:.4g} is not it. {hint}")


def _reference_layer_norm(a: np.ndarray, g: np.ndarray, b: np.ndarray,
                          eps: float = 1e-5) -> np.ndarray:
    mu = a.mean(axis=-1, keepdims=True)
    return g * (a - mu) / np.sqrt(a.var(axis=-1, keepdims=True) + eps) + b


def _layer_norm_variants() -> dict[str, Callable]:
    """Common mistakes, each with the hint that names it."""
    def batch_norm(a, g, b, eps=1e-5):
        return g * (a - a.mean(0)) / np.sqrt(a.var(0) + eps) + b

    def unbiased(a, g, b, eps=1e-5):
        mu = a.mean(-1, keepdims=True)
        return g * (a - mu) / np.sqrt(a.var(-1, ddof=1, keepdims=True) + eps) + b

    def no_eps(a, g, b, eps=1e-5):
        return _reference_layer_norm(a, g, b, 0.0)

    return {"you normalised each unit over the batch (axis 0): that is batch "
            "normalisation. Layer normalisation uses each example's H units "
            "(the last axis)": batch_norm,
            "the variance divides by H, not H - 1 (ddof=0, numpy's default)": unbiased,
            "add eps to the variance inside the square root": no_eps}


def check_layer_norm(layer_norm: object) -> bool:
    """Chapter 9: layer_norm(z (B, H), g (H,), b (H,), eps=1e-5) -> (B, H), in numpy."""
    rng = np.random.default_rng(9)
    cases = [(rng.normal(size=(B, H)) * s + 1, rng.uniform(0.5, 2, H), rng.normal(size=H))
             for B, H, s in ((4, 6, 1.0), (3, 5, 0.01), (1, 8, 3.0))]
    ok, detail = compare_function(layer_norm, _reference_layer_norm, cases,
                                  name="layer_norm")
    if not ok:
        for hint, variant in _layer_norm_variants().items():
            if compare_function(layer_norm, variant, cases[:2])[0]:  # B > 1
                detail += f": {hint}"
                break
    return report(ok, detail + ". Each example is standardised over its own units, "
                  "so the result does not depend on the batch.",
                  detail + ". Over the last axis: subtract the mean, divide by "
                  "sqrt(variance + eps), then multiply by g and add b.")
