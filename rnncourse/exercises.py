"""Answer checkers for the learners' exercises.

Each ``check_*`` function takes the learner's answer (a number or a function),
prints feedback a learner can act on and returns ``True`` when the answer is right.
A checker never raises because an answer is wrong; it raises only when it is called
with something that is not an answer at all (say, a string where a function belongs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np


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
    from .descent import gradient_step

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
