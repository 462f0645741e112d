"""Figures of chapter 7 (taming exploding gradients).

Each function draws what it is given and returns its axes (or their array).
Introduced in chapter 7 (taming exploding gradients).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from .style import COLORS, new_axes


def plot_clip_angles(thresholds: np.ndarray, angles: dict[str, np.ndarray],
                     ax: plt.Axes | None = None) -> plt.Axes:
    """Angle between a gradient and its clipped version against the threshold.

    thresholds: (K,) clipping thresholds xi; angles: label -> (K,) degrees.
    Log scale on c. Introduced in chapter 7 (taming exploding gradients).
    """
    ax = new_axes(ax, figsize=(6, 3.4))
    for color, (label, values) in zip(COLORS, angles.items()):
        ax.plot(thresholds, values, "o-", color=color, lw=1.6, ms=4,
                label=label)
    ax.set(xscale="log", xlabel=r"threshold $\xi$ (log scale)",
           ylabel="angle to the raw gradient (degrees)",
           title="Clipping by value turns the gradient; by norm it does not")
    ax.legend(fontsize=8)
    return ax


def plot_clipping_runs(runs: dict[str, dict[str, np.ndarray]],
                       baseline: float, mse_max: float = 100.0) -> np.ndarray:
    """Held-out MSE (left) and gradient norm before clipping (right).

    runs: label -> {"eval_steps", "eval_losses", "steps", "grad_norms"}
    (arrays); baseline: the constant prediction's MSE (dashed); the MSE
    axis stops at mse_max (larger losses leave the plot). A run that
    diverged ends with an x at its last finite norm. Both axes log scale.
    Introduced in chapter 7 (taming exploding gradients).
    """
    fig, axes = plt.subplots(1, 2, figsize=(7, 3.4), layout="constrained")
    for color, (label, run) in zip(COLORS, runs.items()):
        axes[0].plot(run["eval_steps"], run["eval_losses"], color=color,
                     lw=1.4, label=label)
        axes[1].plot(run["steps"], run["grad_norms"], color=color, lw=0.8)
        if len(run["eval_losses"]) == 0 and len(run["steps"]):
            axes[1].plot(run["steps"][-1], run["grad_norms"][-1], "x",
                         color=color, ms=8, mew=2)
    axes[0].axhline(baseline, color="0.4", ls="--", lw=1.2,
                    label="constant prediction")
    axes[0].set(yscale="log", xlabel="training step $n$",
                ylabel="held-out MSE (log scale)", title="Loss")
    axes[0].set_ylim(top=mse_max)
    axes[1].set(yscale="log", xlabel="training step $n$",
                ylabel=r"$\Vert \nabla_\theta \mathcal{L} \Vert$ (log scale)",
                title="Gradient norm before clipping")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center",
               ncol=3, fontsize=8)
    return axes


def plot_clipped_cliff(bs: np.ndarray, loss_line: np.ndarray,
                       paths: dict[str, tuple[np.ndarray, np.ndarray]],
                       every: int = 1) -> np.ndarray:
    """Descents on the one-unit cliff: where (left) and how fast (right).

    bs, loss_line: (M,) the line of b and its loss; paths: label -> (b
    (N + 1,), loss (N + 1,)), the iterates of each descent, start first.
    Left: the loss along b and every ``every``-th iterate inside the range;
    right: each descent's loss against the step. Log scale on the loss.
    Introduced in chapter 7 (taming exploding gradients).
    """
    fig, axes = plt.subplots(1, 2, figsize=(7, 3.4), layout="constrained")
    axes[0].plot(bs, loss_line, color="0.3", lw=1.4)
    for color, (label, (b, loss)) in zip(COLORS, paths.items()):
        inside = (b >= bs.min()) & (b <= bs.max())
        axes[0].plot(b[inside][::every], loss[inside][::every], "o",
                     color=color, ms=6, mfc="none", alpha=0.8)
        axes[1].plot(np.arange(len(loss)), loss, color=color, lw=1.6,
                     label=label)
    axes[0].set(yscale="log", xlabel="bias $b$",
                ylabel=r"$\mathcal{L}(b)$ (log scale)",
                title="Iterates on the loss")
    axes[1].set(yscale="log", xlabel="gradient descent step $n$",
                ylabel=r"$\mathcal{L}$ (log scale)", title="Loss per step")
    axes[1].legend(fontsize=8)
    return axes


def plot_state_gradient_profiles(profiles: dict[str, np.ndarray],
                                 ax: plt.Axes | None = None) -> plt.Axes:
    """``||dL/dh_t||`` against the step t for each model (log scale).

    profiles: label -> (T,) norms for t = 1..T, averaged over a batch.
    Introduced in chapter 7 (taming exploding gradients).
    """
    ax = new_axes(ax, figsize=(6, 3.4))
    for color, (label, norms) in zip(COLORS, profiles.items()):
        ax.plot(np.arange(1, len(norms) + 1), norms, "o-", color=color,
                lw=1.4, ms=3, label=label)
    ax.set(yscale="log", xlabel="step $t$",
           ylabel=r"$\Vert d\mathcal{L}/dh_t \Vert$ (log scale)",
           title="How far back the gradient reaches")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=8)
    return ax
