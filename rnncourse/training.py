"""One training loop for the torch models of the course.

``train`` is the loop a practitioner writes (batch, forward, loss, backward,
optional clipping, optimiser step), with the course's run record around it:
the loss and the total gradient norm of every step, periodic evaluation, a
clean stop when the loss or the gradient stops being finite, and a status
"converged", "diverged" or "budget" with a message.
Introduced in chapter 6 (consequences and diagnosis). Chapter 7 adds
clipping by value, a penalty, checkpoints (the last good one is loaded back
when a run diverges, and a run can resume from one), which steps were
clipped, a seed and an optional progress bar (tqdm, off by default so that
executed notebooks stay quiet).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from .checkpoints import load_checkpoint, save_checkpoint
from .diagnostics import GradientHistory
from .validation import check_choice, check_int_seed, check_positive, check_real

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
    Chapter 7 adds clipped: (N,) bool, whether clipping changed the
    gradient; penalties: (N,) the penalty's value (NaN without one);
    start: the step the run began at (> 0 after ``resume``); restored: the
    step of the checkpoint loaded back after a divergence, or None.
    """

    status: str
    message: str
    losses: np.ndarray
    grad_norms: np.ndarray
    eval_steps: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    eval_losses: np.ndarray = field(default_factory=lambda: np.zeros(0))
    clipped: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    penalties: np.ndarray = field(default_factory=lambda: np.zeros(0))
    start: int = 0
    restored: int | None = None

    @property
    def steps(self) -> np.ndarray:
        """(N,) the step index of each recorded update."""
        return self.start + np.arange(len(self.losses))

    def history(self) -> GradientHistory:
        """The record as ``diagnostics.GradientHistory``, for ``diagnose``."""
        return GradientHistory(self.steps, self.losses.astype(float),
                               self.grad_norms.astype(float), {})


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
          eval_every: int = 100, target: float | None = None, *,
          clip_value: float | None = None, penalty: Callable | None = None,
          checkpoint: str | Path | None = None, checkpoint_every: int = 50,
          resume: str | Path | None = None, guard_norm: float | None = None,
          seed: int | None = None, progress: bool = False) -> TrainResult:
    """Train ``model`` on a fresh ``batch(step) -> (xs, targets)`` per step.

    loss_fn(outputs, targets) -> scalar tensor. After ``backward``, before
    clipping, ``monitor.record(step, loss)`` is called (if there is one).
    clip_norm: rescale the gradient to this total norm when it is larger;
    clip_value: clamp each entry to [-clip_value, clip_value] (not both).
    penalty(model, xs, targets) -> scalar tensor, added to the loss.
    eval_batch: a fixed (xs, targets), evaluated every ``eval_every``
    updates and at the end; the run stops, "converged", once that loss <=
    target. checkpoint: a file to save the model and optimiser to every
    ``checkpoint_every`` updates; if the run diverges, the last checkpoint
    is loaded back. resume: a checkpoint to start from (its step count and
    optimiser state, with this call's lr). guard_norm: a gradient norm
    above it also stops the run, "diverged" (a spike guard, so that the
    last checkpoint predates the explosion). seed: seeds torch first.
    progress: show a progress bar (tqdm). Introduced in chapter 6
    (consequences and diagnosis); clipping by value, penalty, checkpoints
    and progress in chapter 7 (taming exploding gradients).
    """
    steps, lr, opt = _check_train(
        steps, lr, optimizer, clip_norm, eval_every, target, eval_batch,
        model, clip_value, penalty, checkpoint_every, seed, guard_norm)
    if seed is not None:
        torch.manual_seed(seed)
    start = _resume(resume, model, opt, lr)
    if checkpoint is not None:
        save_checkpoint(checkpoint, model, opt, start)
    rules = _Rules(loss_fn, penalty, monitor,
                   _Clip(clip_norm, clip_value), guard_norm)
    run = _Run(start=start)
    bar = tqdm(range(start, steps), disable=not progress, leave=False)
    for step in bar:
        stop = _step(model, opt, rules, run, step, batch(step))
        if stop is not None:
            return _finish(run, "diverged", stop, checkpoint, model, opt)
        done = step + 1
        if checkpoint is not None and done % checkpoint_every == 0:
            save_checkpoint(checkpoint, model, opt, done)
        if eval_batch is not None and (done % eval_every == 0
                                       or done == steps):
            ended = run.evaluate(model, loss_fn, eval_batch, done, target)
            if ended is not None:
                return _finish(run, *ended, checkpoint, model, opt)
    return run.result("budget", f"took all {steps} steps")


def _step(model: nn.Module, opt: torch.optim.Optimizer, rules: _Rules,
          run: _Run, step: int, data: Batch) -> str | None:
    """One update; None, or why the run must stop (before the update)."""
    xs, targets = map(as_tensor, data)
    opt.zero_grad()
    loss = rules.loss_fn(model(xs), targets)
    extra = (rules.penalty(model, xs, targets)
             if rules.penalty is not None else None)
    (loss if extra is None else loss + extra).backward()
    value, norm = loss.item(), total_grad_norm(model)
    extra = None if extra is None else extra.item()
    if rules.monitor is not None:
        rules.monitor.record(step, value)
    stop = _why_stop(step, value, extra, norm, rules.guard_norm)
    if stop is None:
        run.losses.append(value)
        run.norms.append(norm)
        run.penalties.append(math.nan if extra is None else extra)
        run.clipped.append(rules.clip(model))
        opt.step()
    return stop


def _why_stop(step: int, loss: float, penalty: float | None, norm: float,
              guard_norm: float | None) -> str | None:
    """Why a run must stop at ``step``, or None."""
    checks = [("loss", loss), ("penalty", penalty), ("gradient norm", norm)]
    for what, value in checks:
        if value is not None and not math.isfinite(value):
            return f"stopped at step {step}: the {what} is {value}"
    if guard_norm is not None and norm > guard_norm:
        return (f"stopped at step {step}: the gradient norm {norm:.3g} "
                f"is above guard_norm {guard_norm:g}")
    return None


@dataclass
class _Rules:
    """How every step is taken: loss, penalty, monitor, clipping, guard."""

    loss_fn: Callable
    penalty: Callable | None
    monitor: object
    clip: _Clip
    guard_norm: float | None


@dataclass
class _Clip:
    """Clip a model's gradients by norm or by value; say if it changed."""

    max_norm: float | None
    max_value: float | None

    def __call__(self, model: nn.Module) -> bool:
        params = [p for p in model.parameters() if p.grad is not None]
        if self.max_norm is not None:
            norm = torch.nn.utils.clip_grad_norm_(params, self.max_norm)
            return bool(norm > self.max_norm)
        if self.max_value is not None:
            big = any(bool((p.grad.abs() > self.max_value).any())
                      for p in params)
            torch.nn.utils.clip_grad_value_(params, self.max_value)
            return big
        return False


def _resume(resume: str | Path | None, model: nn.Module,
            opt: torch.optim.Optimizer, lr: float) -> int:
    """Load ``resume`` (if given) with this run's lr; the step to start at."""
    if resume is None:
        return 0
    start = load_checkpoint(resume, model, opt)
    for group in opt.param_groups:
        group["lr"] = lr
    return start


def _finish(run: _Run, status: str, why: str,
            checkpoint: str | Path | None, model: nn.Module,
            opt: torch.optim.Optimizer) -> TrainResult:
    """The run's record; a diverged run first loads its last checkpoint."""
    if status != "diverged" or checkpoint is None:
        return run.result(status, why)
    run.restored = load_checkpoint(checkpoint, model, opt)
    return run.result("diverged", f"{why}; restored the checkpoint of "
                      f"step {run.restored}")


@dataclass
class _Run:
    """What a run has recorded so far."""

    losses: list = field(default_factory=list)
    norms: list = field(default_factory=list)
    eval_steps: list = field(default_factory=list)
    eval_losses: list = field(default_factory=list)
    clipped: list = field(default_factory=list)
    penalties: list = field(default_factory=list)
    start: int = 0
    restored: int | None = None

    def result(self, status: str, message: str) -> TrainResult:
        return TrainResult(status, message, np.array(self.losses),
                           np.array(self.norms), np.array(self.eval_steps, int),
                           np.array(self.eval_losses),
                           np.array(self.clipped, bool),
                           np.array(self.penalties, float), self.start,
                           self.restored)

    def evaluate(self, model: nn.Module, loss_fn: Callable, eval_batch: Batch,
                 done: int, target: float | None) -> tuple[str, str] | None:
        """Evaluate; (status, message) if the run must end, else None."""
        value = evaluate(model, loss_fn, eval_batch)
        self.eval_steps.append(done)
        self.eval_losses.append(value)
        if not math.isfinite(value):
            return "diverged", (f"stopped after {done} steps: the "
                                f"held-out loss is {value}")
        if target is not None and value <= target:
            return "converged", (f"held-out loss {value:.4g} <= target "
                                 f"{target:g} after {done} steps")
        return None


def _check_train(steps, lr, optimizer, clip_norm, eval_every, target,
                 eval_batch, model, clip_value, penalty, checkpoint_every,
                 seed, guard_norm):
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
    _check_chapter7(clip_norm, clip_value, penalty, checkpoint_every, seed)
    if guard_norm is not None:
        check_positive("guard_norm", guard_norm)
    return steps, lr, OPTIMIZERS[optimizer](model.parameters(), lr=lr)


def _check_chapter7(clip_norm, clip_value, penalty, checkpoint_every, seed):
    """Validate the arguments chapter 7 added to train."""
    if clip_value is not None:
        check_positive("clip_value", clip_value)
        if clip_norm is not None:
            raise ValueError("clip_value and clip_norm cannot both be given; "
                             f"got clip_norm={clip_norm}, "
                             f"clip_value={clip_value}")
    if penalty is not None and not callable(penalty):
        raise TypeError(f"penalty must be a function (model, xs, targets) "
                        f"-> tensor; got {type(penalty).__name__}")
    check_positive("checkpoint_every", checkpoint_every, integer=True)
    if seed is not None:
        check_int_seed("seed", seed)
