"""Figures of chapter 8: initialisation and activations."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .style import COLORS, new_axes

TINY = 1e-300  # norms are clipped here before a log scale (0 has no logarithm)


def plot_spectra(spectra: dict[str, np.ndarray],
                 edges: dict[str, float] | None = None,
                 ax: plt.Axes | None = None) -> plt.Axes:
    """The singular values of some W_h, largest first, one line per label.

    spectra: label -> (H,) singular values; edges: label -> a predicted
    largest singular value, drawn dotted in the colour of its label.
    Introduced in chapter 8 (initialisation and activations).
    """
    ax = new_axes(ax, figsize=(7, 3.4))
    for color, (label, s) in zip(COLORS, spectra.items()):
        ax.plot(np.arange(1, len(s) + 1), np.sort(s)[::-1], "o-", ms=2,
                lw=1.2, color=color, label=label)
        if edges and label in edges:
            ax.axhline(edges[label], color=color, ls=":", lw=1.2)
    if edges:
        ax.plot([], [], ":", color="0.4", lw=1.2,
                label="dotted: predicted $\\sigma_{\\max}$")
    ax.set(xlabel="index $i$ (largest first)",
           ylabel="singular value $\\sigma_i(W_h)$",
           title="Singular values of $W_h$ at initialisation")
    ax.legend(fontsize=8, ncol=2)
    return ax


def plot_curves_by_init(curves: dict[str, dict[str, np.ndarray]],
                        axes: list[plt.Axes] | None = None) -> list[plt.Axes]:
    """``||dh_T/dh_{T-Δ}||_2`` against Δ (log scale), one panel per activation.

    curves: activation -> {initialiser label -> (T + 1,) norms at Δ = 0..T}.
    Introduced in chapter 8 (initialisation and activations).
    """
    if axes is None:
        _, axes = plt.subplots(1, len(curves), figsize=(7, 3.4), sharey=True,
                               layout="constrained", squeeze=False)
        axes = list(axes[0])
    for ax, (activation, by_init) in zip(axes, curves.items()):
        for color, (label, norms) in zip(COLORS, by_init.items()):
            ax.plot(np.arange(len(norms)), np.clip(norms, TINY, None),
                    color=color, lw=1.4, label=label)
        ax.set(yscale="log", xlabel="distance $\\Delta$ (steps back)",
               title=f"{activation}")
    axes[0].set_ylabel("$\\|\\partial h_T/\\partial h_{T-\\Delta}\\|_2$ "
                       "(log scale)")
    axes[0].legend(fontsize=7, loc="lower left")
    return axes


def plot_training_by_init(curves: dict[str, tuple[np.ndarray, np.ndarray]],
                          baseline: float, level: float,
                          ax: plt.Axes | None = None) -> plt.Axes:
    """Held-out MSE against training step, one curve per configuration.

    curves: label -> (steps (E,), held-out MSE (E,)); baseline: the MSE of
    the best constant prediction (dashed); level: the MSE a run must reach
    (dotted). Log scale on the MSE.
    Introduced in chapter 8 (initialisation and activations).
    """
    ax = new_axes(ax, figsize=(7, 4.0))
    for i, (label, (steps, mse)) in enumerate(curves.items()):
        ax.plot(steps, mse, color=COLORS[i % len(COLORS)],
                ls="-" if i < len(COLORS) else "--", lw=1.4, label=label)
    ax.axhline(baseline, color="0.3", ls="--", lw=1.2,
               label=f"constant prediction ({baseline:.3f})")
    ax.axhline(level, color="0.5", ls=":", lw=1.2, label=f"MSE {level:g}")
    highest = max([baseline] + [float(np.max(m)) for _, m in curves.values()
                                if len(m)])
    ax.set(yscale="log", xlabel="training step $n$",
           ylabel="held-out MSE (log scale)",
           title="Adding problem: which starts learn")
    ax.set_ylim(top=8 * highest)  # room for the legend above the curves
    ax.legend(fontsize=7, loc="upper right", ncol=2)
    return ax
