"""Checkpoints: a model's parameters and its optimiser's state in one file.

``save_checkpoint`` writes them with ``torch.save``; ``load_checkpoint``
reads them back with ``torch.load(weights_only=True)``, which unpickles
tensors and plain containers only (never arbitrary code), and copies them
into a model and optimiser built the same way. The round trip is exact:
bit-identical parameters and optimiser state.
Introduced in chapter 7 (taming exploding gradients).
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from .validation import check_positive


def save_checkpoint(path: str | Path, model: nn.Module,
                    optimizer: torch.optim.Optimizer, step: int) -> Path:
    """Write ``model``'s and ``optimizer``'s state after ``step`` updates.

    Returns the path written. Introduced in chapter 7.
    """
    path = _check_path(path)
    if optimizer is None:
        raise TypeError("optimizer must be a torch.optim.Optimizer; got "
                        "NoneType")
    _check_pair(model, optimizer)
    if step != 0:
        step = check_positive("step", step, integer=True)
    torch.save({"model": model.state_dict(),
                "optimizer": optimizer.state_dict(), "step": int(step)}, path)
    return path


def load_checkpoint(path: str | Path, model: nn.Module,
                    optimizer: torch.optim.Optimizer | None = None) -> int:
    """Copy a checkpoint into ``model`` (and ``optimizer``); return its step.

    The model (and optimiser) must have the same structure as those saved.
    Introduced in chapter 7 (taming exploding gradients).
    """
    path = _check_path(path)
    if not path.is_file():
        raise ValueError(f"path must be an existing checkpoint file; got "
                         f"{str(path)!r}")
    _check_pair(model, optimizer)
    state = torch.load(path, weights_only=True)
    model.load_state_dict(state["model"])
    if optimizer is not None:
        optimizer.load_state_dict(state["optimizer"])
    return int(state["step"])


def _check_path(path: object) -> Path:
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a str or pathlib.Path; got "
                        f"{type(path).__name__}")
    return Path(path)


def _check_pair(model: object, optimizer: object) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module; got "
                        f"{type(model).__name__}")
    if optimizer is not None and not isinstance(optimizer,
                                                torch.optim.Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer; got "
                        f"{type(optimizer).__name__}")
