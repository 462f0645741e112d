"""Figures of chapter 9: skip connections and normalisation, in depth and in time."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .style import COLORS, new_axes

MARKERS = ("o", "s", "^", "D", "v", "P")


def plot_first_layer_by_depth(depths: np.ndarray,
                              curves: dict[str, np.ndarray],
                              ax: plt.Axes | None = None) -> plt.Axes:
    """||dL/dW_1|| against the number of hidden layers, one line per net.

    depths: (K,); curves: label -> (K,) first-layer weight-gradient norms.
    Log scale on the gradient. Introduced in chapter 9.
    """
    ax = new_axes(ax, figsize=(7, 3.6))
    for color, marker, (label, g) in zip(COLORS, MARKERS, curves.items()):
        ax.plot(depths, np.clip(g, 1e-300, None), marker=marker, ms=4,
                lw=1.5, color=color, label=label)
    ax.set(yscale="log", xlabel="hidden layers $L - 1$",
           ylabel=r"$\Vert d\mathcal{L} / dW_1 \Vert$ (log scale)",
           title="First-layer gradient of deep sigmoid nets at initialisation")
    ax.legend(fontsize=8, loc="lower left")
    return ax


def plot_gradient_by_distance(curves: dict[str, np.ndarray],
                              ax: plt.Axes | None = None) -> plt.Axes:
    """||dL/dh_t|| / ||dL/dh_T|| against the distance T - t, one line per cell.

    curves: label -> (T,) ||dL/dh_t||, t = 1..T (``residual.state_gradients``).
    Log scale. Introduced in chapter 9.
    """
    ax = new_axes(ax, figsize=(7, 3.6))
    for color, (label, g) in zip(COLORS, curves.items()):
        g = np.asarray(g, dtype=float)
        distance = np.arange(len(g))[::-1]  # entry t - 1 is T - t steps back
        ax.plot(distance, np.clip(g / g[-1], 1e-300, None), lw=1.6,
                color=color, label=label)
    ax.set(yscale="log", xlabel="distance $T - t$ (steps back from the loss)",
           ylabel=r"$\Vert d\mathcal{L}/dh_t \Vert \,/\, "
                  r"\Vert d\mathcal{L}/dh_T \Vert$",
           title="How far back the gradient reaches, at initialisation")
    ax.legend(fontsize=8, loc="lower left")
    return ax


def plot_state_norms(curves: dict[str, np.ndarray],
                     ax: plt.Axes | None = None) -> plt.Axes:
    """Mean ||h_t|| against the step t, one line per cell.

    curves: label -> (T + 1,) from ``residual.state_norms`` (entry 0: h_0).
    Log scale. Introduced in chapter 9.
    """
    ax = new_axes(ax, figsize=(7, 3.2))
    for color, (label, n) in zip(COLORS, curves.items()):
        n = np.asarray(n, dtype=float)
        ax.plot(np.arange(1, len(n)), n[1:], lw=1.6, color=color, label=label)
    ax.set(yscale="log", xlabel="step $t$",
           ylabel=r"mean $\Vert h_t \Vert$ (log scale)",
           title="The size of the state along a sequence")
    ax.legend(fontsize=8, loc="upper left")
    return ax


def plot_training_curves(curves: dict[str, tuple[np.ndarray, np.ndarray]],
                         baseline: float, title: str = "Adding problem",
                         ax: plt.Axes | None = None) -> plt.Axes:
    """Held-out MSE against training steps, one curve per model, and the baseline.

    curves: label -> (steps (E,), held-out MSE (E,)); baseline: the MSE of
    the best constant prediction (dashed); title: the figure's title.
    Log scale. Introduced in chapter 9.
    """
    ax = new_axes(ax, figsize=(7, 3.6))
    styles = ("-", "--", "-.", ":")  # curves near the baseline overlap
    for color, ls, (label, (steps, mse)) in zip(COLORS, styles * 2,
                                                curves.items()):
        ax.plot(steps, mse, color=color, ls=ls, lw=1.6, label=label)
    ax.axhline(baseline, color="0.4", ls="--", lw=1.2,
               label=f"constant prediction ({baseline:.3f})")
    ax.set(yscale="log", xlabel="training step $n$",
           ylabel="held-out MSE (log scale)",
           title=title)
    ax.legend(fontsize=8, loc="upper right")
    return ax
