"""Figures of chapter 5: vanishing and exploding gradients."""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from .style import COLORS, new_axes

FLOOR = 0.05  # plot_bound_trials draws smaller factors at its bottom edge
TINY = 1e-300  # norms are clipped here before a log scale (an exact 0 has no logarithm)


def plot_norms_by_distance(curves: dict[str, np.ndarray],
                           bounds: dict[str, np.ndarray] | None = None,
                           ax: plt.Axes | None = None, title: str = "") -> plt.Axes:
    """||dh_T/dh_{T-Δ}|| against the distance Δ (log scale), with dashed bounds.

    curves: label -> (n + 1,) norms at Δ = 0..n; bounds: label -> (n + 1,) drawn
    dashed in the colour of the curve with the same label.
    Introduced in chapter 5 (vanishing and exploding gradients).
    """
    ax = new_axes(ax)
    for color, (label, norms) in zip(COLORS, curves.items()):
        lags = np.arange(len(norms))
        ax.plot(lags, np.clip(norms, TINY, None), color=color, label=label)
        if bounds and label in bounds:
            ax.plot(lags, np.clip(bounds[label], TINY, 1e300), "--", color=color, lw=1)
    if bounds:
        ax.plot([], [], "--", color="0.4", lw=1,
                label="dashed: bound $(\\gamma\\sigma_{\\max})^\\Delta$")
    ax.set(yscale="log", xlabel="distance $\\Delta = T - t$ (steps back)",
           ylabel="$\\|\\partial h_T / \\partial h_t\\|_2$ (log scale)",
           title=title or "What reaches back $\\Delta$ steps")
    ax.legend(fontsize=8)
    return ax


def plot_norm_map(norms: np.ndarray, ax: plt.Axes | None = None,
                  title: str = "") -> plt.Axes:
    """Heatmap of log10 ||dh_s/dh_t|| over the pairs t <= s (blank above the diagonal).

    norms: (T + 1, T + 1), entry [s, t], as :func:`rnncourse.jacobians.norm_map`
    returns it. Introduced in chapter 5 (vanishing and exploding gradients).
    """
    ax = new_axes(ax)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log10(np.clip(norms, TINY, None))
    T = norms.shape[0] - 1
    span = max(1.0, float(np.nanmax(np.abs(logs))))
    image = ax.imshow(logs, origin="lower", cmap="RdBu_r", vmin=-span, vmax=span,
                      extent=(-0.5, T + 0.5, -0.5, T + 0.5), interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, label="$\\log_{10} \\|\\partial h_s/\\partial h_t\\|_2$")
    ax.set(xlabel="earlier step $t$", ylabel="later step $s$",
           title=title or "Every pair of steps")
    ax.grid(False)
    return ax


def plot_bound_trials(activation: np.ndarray, bound_factor: np.ndarray, factor: np.ndarray,
                      ax: plt.Axes | None = None) -> plt.Axes:
    """Measured factor per step against the bound's factor gamma sigma_max, per activation.

    One point per random recurrence (log-log); the diagonal is the bound, the dotted
    lines mark 1 on each axis; factors below 0.05 (a ReLU recurrence whose units all
    switched off passes back exactly 0) are drawn at the bottom edge.
    Introduced in chapter 5 (vanishing and exploding gradients).
    """
    ax = new_axes(ax)
    for color, name in zip(COLORS, dict.fromkeys(activation)):
        mine = activation == name
        ax.plot(bound_factor[mine], np.clip(factor[mine], FLOOR, None), "o", ms=2.5,
                alpha=0.5, color=color, label=f"{name} ({mine.sum()} matrices)")
    edges = np.array([bound_factor.min(), bound_factor.max()])
    ax.plot(edges, edges, "k--", lw=1, label="bound: factor = $\\gamma\\sigma_{\\max}$")
    ax.axhline(1, color="0.5", ls=":", lw=1)
    ax.axvline(1, color="0.5", ls=":", lw=1)
    ax.set(xscale="log", yscale="log", xlabel="$\\gamma\\,\\sigma_{\\max}(W_h)$ (log scale)",
           ylabel="measured factor per step (log scale)",
           title="No point above the bound", ylim=(FLOOR / 1.5, None))
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(mpl.ticker.FormatStrFormatter("%g"))
        axis.set_minor_formatter(mpl.ticker.NullFormatter())
    ax.legend(fontsize=8, loc="lower right")
    return ax


def plot_singular_values(values: dict[str, np.ndarray], lines: dict[str, float],
                         ax: plt.Axes | None = None) -> plt.Axes:
    """The singular values of some matrices, largest first, with labelled levels.

    values: label -> (H,) singular values; lines: label -> a level drawn dotted.
    Introduced in chapter 5 (vanishing and exploding gradients).
    """
    ax = new_axes(ax)
    for color, (label, s) in zip(COLORS, values.items()):
        ax.plot(np.arange(1, len(s) + 1), np.sort(s)[::-1], "o-", ms=2.5, color=color,
                label=label)
    for color, (label, level) in zip(COLORS[3:], lines.items()):
        ax.axhline(level, color=color, ls=":", lw=1.5, label=label)
    ax.set(xlabel="index $i$ (largest first)", ylabel="singular value $\\sigma_i$",
           title="Singular values of $W_h$")
    ax.legend(fontsize=8)
    return ax


def plot_cliff(bs: np.ndarray, losses: np.ndarray, grads: np.ndarray, start: float,
               landed: float, axes: tuple[plt.Axes, plt.Axes] | None = None
               ) -> tuple[plt.Axes, plt.Axes]:
    """The loss along a line of b (left) and ``|dL/db|`` there (right, log scale).

    start: the b a gradient step starts from; landed: where that step lands
    (drawn as an arrow off the panel when it lies outside the line).
    Introduced in chapter 5 (vanishing and exploding gradients).
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(7, 3.2), layout="constrained")
    left, right = axes
    left.plot(bs, losses, color=COLORS[0], label="loss $\\mathcal{L}(b)$")
    left.axvline(start, color=COLORS[1], ls=":", lw=1.2, label="start of the step")
    direction = "right" if landed > start else "left"
    left.annotate(f"lands at $b$ = {landed:.3g}", xy=(start, 0.5 * losses.max()),
                  xytext=(0.55 if direction == "right" else 0.05, 0.75),
                  textcoords="axes fraction", fontsize=8, color=COLORS[1],
                  arrowprops=dict(arrowstyle="<-", color=COLORS[1]))
    left.set(xlabel="bias $b$", ylabel="loss", title="The loss along $b$: a wall")
    right.plot(bs, np.clip(np.abs(grads), TINY, None), color=COLORS[2],
               label="$|d\\mathcal{L}/db|$")
    right.axvline(start, color=COLORS[1], ls=":", lw=1.2, label="start of the step")
    right.set(yscale="log", xlabel="bias $b$", ylabel="$|d\\mathcal{L}/db|$ (log scale)",
              title="The gradient on the wall")
    for ax in axes:
        ax.legend(fontsize=8, loc="upper right")
    return left, right


def plot_power_vs_product(curves: dict[str, np.ndarray], references: dict[str, np.ndarray],
                          ax: plt.Axes | None = None) -> plt.Axes:
    """Norms of products of L factors against L (log scale), with dotted references.

    curves, references: label -> (n + 1,) values at L = 0..n.
    Introduced in chapter 5 (vanishing and exploding gradients).
    """
    ax = new_axes(ax)
    for color, (label, norms) in zip(COLORS, curves.items()):
        ax.plot(np.arange(len(norms)), np.clip(norms, TINY, None), color=color, lw=2,
                label=label)
    for color, (label, ref) in zip(COLORS[3:], references.items()):
        ax.plot(np.arange(len(ref)), ref, ":", color=color, lw=1.5, label=label)
    ax.set(yscale="log", xlabel="number of factors $L$",
           ylabel="spectral norm of the product (log scale)",
           title="The same matrix $L$ times vs $L$ independent ones")
    ax.legend(fontsize=8)
    return ax
