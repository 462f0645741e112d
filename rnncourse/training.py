"""One training loop for the torch models of the course.

``train`` is the loop a practitioner writes (batch, forward, loss, backward,
optional clipping, optimiser step), with the course's run record around it:
the loss and the total gradient norm of every step, periodic evaluation, a
clean stop when the loss or the gradient stops being finite, and a status
"converged", "diverged" or "budget" with a message.
Introduced in chapter 6 (consequences and diagnosis).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from .validation import check_choice, check_positive, check_real

Batch = tuple[torch.Tensor, torch.Tensor]
OPTIMIZERS = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}


@dataclass
class TrainResult:
    """How a run ended and what it measured.

    status: "converged" (an evaluated loss reached ``target``), "diverged"
    (the loss or gradient became NaN or Inf) or "budget" (every step taken);
    message: what happened, in words. losses, grad_norms: (N,) for the N
    steps whose update was applied; grad_norms is the total norm before
    clipping. eval_steps, eval_losses: (E,) updates done and held-out loss.
    Introduced in chapter 6 (consequences and diagnosis).
    """

    status: str
    message: str
    losses: np.ndarray
    grad_norms: np.ndarray
    eval_steps: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    eval_losses: np.ndarray = field(default_factory=lambda: np.zeros(0))


def as_tensor(a: np.ndarray | torch.Tensor) -> torch.Tensor:
    """A tensor as is; a numpy array as float32 (reals) or int64 (ids)."""
    if isinstance(a, torch.Tensor):
        return a
    a = np.asarray(a)
    return torch.as_tensor(a, dtype=torch.int64 if a.dtype.kind in "iu"
                           else torch.float32)


def total_grad_norm(model: nn.Module) -> float:
    """The Euclidean norm of all the parameters' gradients taken together.

    Summed in float64, so that float32 gradients whose squares overflow still
    get a finite norm; Inf or NaN only when a gradient holds one.
    """
    grads = [p.grad.double() for p in model.parameters() if p.grad is not None]
    return float(torch.nn.utils.get_total_norm(grads)) if grads else 0.0


def evaluate(model: nn.Module, loss_fn: Callable, batch: Batch) -> float:
    """The loss on a fixed batch ``(xs, targets)``, without gradients."""
    xs, targets = map(as_tensor, batch)
    with torch.no_grad():
        return float(loss_fn(model(xs), targets))


def train(model: nn.Module, batch: Callable[[int], Batch],
          loss_fn: Callable, steps: int, lr: float = 3e-3,
          optimizer: str = "adam", clip_norm: float | None = None,
          monitor: object = None, eval_batch: Batch | None = None,
          eval_every: int = 100,
          target: float | None = None) -> TrainResult:
    """Train ``model`` on a fresh ``batch(step) -> (xs, targets)`` per step.

    loss_fn(outputs, targets) -> scalar tensor. After ``backward``, before
    clipping, ``monitor.record(step, loss)`` is called (if there is one).
    clip_norm: rescale the gradient to this total norm when it is larger.
    eval_batch: a fixed (xs, targets), evaluated every ``eval_every``
    updates and at the end; the run stops, "converged", once that loss <=
    target.
    Introduced in chapter 6 (consequences and diagnosis).
    """
    steps, lr, opt = _check_train(steps, lr, optimizer, clip_norm,
                                  eval_every, target, eval_batch, model)
    run = _Run()
    for step in range(steps):
        xs, targets = map(as_tensor, batch(step))
        opt.zero_grad()
        loss = loss_fn(model(xs), targets)
        loss.backward()
        value, norm = loss.item(), total_grad_norm(model)
        if monitor is not None:
            monitor.record(step, value)
        if not (math.isfinite(value) and math.isfinite(norm)):
            what, bad = (("loss", value) if not math.isfinite(value)
                         else ("gradient norm", norm))
            message = f"stopped at step {step}: the {what} is {bad}"
            return run.result("diverged", message)
        run.losses.append(value)
        run.norms.append(norm)
        if clip_norm is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
        opt.step()
        done = step + 1
        due = done % eval_every == 0 or done == steps
        if eval_batch is not None and due:
            status = run.evaluate(model, loss_fn, eval_batch, done, target)
            if status is not None:
                return status
    return run.result("budget", f"took all {steps} steps")


@dataclass
class _Run:
    """What a run has recorded so far."""

    losses: list = field(default_factory=list)
    norms: list = field(default_factory=list)
    eval_steps: list = field(default_factory=list)
    eval_losses: list = field(default_factory=list)

    def result(self, status: str, message: str) -> TrainResult:
        return TrainResult(status, message, np.array(self.losses),
                           np.array(self.norms), np.array(self.eval_steps, int),
                           np.array(self.eval_losses))

    def evaluate(self, model: nn.Module, loss_fn: Callable, eval_batch: Batch,
                 done: int, target: float | None) -> TrainResult | None:
        value = evaluate(model, loss_fn, eval_batch)
        self.eval_steps.append(done)
        self.eval_losses.append(value)
        if not math.isfinite(value):
            return self.result("diverged", f"stopped after {done} steps: the "
                               f"held-out loss is {value}")
        if target is not None and value <= target:
            return self.result("converged", f"held-out loss {value:.4g} <= "
                               f"target {target:g} after {done} steps")
        return None


def _check_train(steps, lr, optimizer, clip_norm, eval_every, target,
                 eval_batch, model):
    """Validate train's arguments; return (steps, lr, the optimiser)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module; got "
                        f"{type(model).__name__}")
    steps = check_positive("steps", steps, integer=True)
    lr = check_positive("lr", lr)
    optimizer = check_choice("optimizer", optimizer, tuple(OPTIMIZERS))
    if clip_norm is not None:
        check_positive("clip_norm", clip_norm)
    check_positive("eval_every", eval_every, integer=True)
    if target is not None:
        check_real("target", target)
        if eval_batch is None:
            raise ValueError("target needs an eval_batch to evaluate on")
    if eval_batch is not None and not (isinstance(eval_batch, tuple)
                                       and len(eval_batch) == 2):
        raise TypeError("eval_batch must be a tuple (xs, targets)")
    return steps, lr, OPTIMIZERS[optimizer](model.parameters(), lr=lr)
