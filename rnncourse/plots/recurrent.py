"""Figures of Part II: recurrent networks (chapter 3) and BPTT (chapter 4)."""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from ..numpy_rnn import truncation_mask
from .style import COLORS, new_axes


def _node(ax: plt.Axes, xy: tuple[float, float], text: str, color: str) -> None:
    """A labelled circle of the network drawing."""
    ax.add_patch(mpl.patches.Circle(xy, 0.32, facecolor=color, edgecolor="0.2", lw=1.2, alpha=0.9))
    ax.text(*xy, text, ha="center", va="center", fontsize=11)


def _arrow(ax: plt.Axes, start: tuple[float, float], end: tuple[float, float],
           label: str = "", color: str = "0.25", **kwargs: object) -> None:
    """An arrow between two nodes of the network drawing, labelled at its middle."""
    ax.annotate("", xy=end, xytext=start, arrowprops=dict(arrowstyle="-|>", color=color, lw=1.3,
                                                          shrinkA=13, shrinkB=13, **kwargs))
    if label:
        mid = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
        ax.text(mid[0] + 0.08, mid[1] + 0.1, label, fontsize=9, color=color)


def draw_rnn_unrolled(T: int = 4, ax: plt.Axes | None = None) -> plt.Axes:
    """The RNN folded (one cell with a loop) and unrolled over ``T`` steps, same weights.

    Introduced in chapter 3 (recurrent networks).
    """
    if ax is None:  # a figure of its own: the drawing takes the page's full width
        ax = new_axes(figsize=(7, 3.4))
        ax.figure.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.86)
    x_col, h_col, y_col = "#d6e6f5", "#fde0c5", "#d9f0d3"
    _node(ax, (0, 0), "$x_t$", x_col), _node(ax, (0, 1.5), "$h_t$", h_col)
    _node(ax, (0, 3), "$y_t$", y_col)
    _arrow(ax, (0, 0), (0, 1.5), "$W_x$"), _arrow(ax, (0, 1.5), (0, 3), "$W_y$")
    ax.annotate("", xy=(-0.25, 1.3), xytext=(-0.25, 1.7), arrowprops=dict(
        arrowstyle="-|>", color=COLORS[1], lw=1.5,
        connectionstyle="arc,angleA=180,angleB=180,armA=28,armB=28,rad=8"))
    ax.text(-1.2, 1.45, "$W_h$", color=COLORS[1], fontsize=10)
    ax.text(1.2, 1.5, "unroll\n$\\Longrightarrow$", ha="center", va="center", fontsize=11)
    _node(ax, (2.2, 1.5), "$h_0$", "0.9")
    for t in range(1, T + 1):
        x = 2.2 + 1.6 * t
        _node(ax, (x, 0), f"$x_{t}$", x_col), _node(ax, (x, 1.5), f"$h_{t}$", h_col)
        _node(ax, (x, 3), f"$y_{t}$", y_col)
        _arrow(ax, (x, 0), (x, 1.5), "$W_x$"), _arrow(ax, (x, 1.5), (x, 3), "$W_y$")
        _arrow(ax, (x - 1.6, 1.5), (x, 1.5), color=COLORS[1])
        ax.text(x - 0.95, 1.62, "$W_h$", fontsize=9, color=COLORS[1])
    ax.set(xlim=(-1.5, 2.9 + 1.6 * T), ylim=(-0.6, 3.6), aspect="equal",
           title="Folded (left) and unrolled in time (right):\n"
                 "the same $W_h, W_x, W_y$ at every step")
    ax.axis("off")
    return ax


def plot_forecast(targets: np.ndarray, predictions: dict[str, np.ndarray],
                  ax: plt.Axes | None = None) -> plt.Axes:
    """One series: the observed values and each model's one-step-ahead forecasts.

    targets: (T,) observed x_{t+1}; predictions: label -> (T,) forecasts.
    Introduced in chapter 3 (recurrent networks).
    """
    ax = new_axes(ax, figsize=(7, 3.4))
    steps = np.arange(1, len(targets) + 1)
    ax.plot(steps, targets, "o", ms=3, color="0.4", label="observed (noisy) $x_{t+1}$")
    for color, (label, pred) in zip(COLORS, predictions.items()):
        ax.plot(steps, pred, color=color, lw=1.5, label=label)
    ax.set(xlabel="time step $t$", ylabel="value",
           title="One-step-ahead forecasts on a test series")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3)
    return ax


def plot_window_vs_state(windows: np.ndarray, window_mse: np.ndarray, rnn_mse: float,
                         noise_floor: float, hidden: int, period: float | None = None,
                         ax: plt.Axes | None = None) -> plt.Axes:
    """Test MSE of fixed-window forecasters against window length, with the RNN's MSE.

    windows, window_mse: (n,) window lengths (integers; powers of two get ticks) and test MSEs.
    period: if given, dotted lines at one and two periods.
    Introduced in chapter 3 (recurrent networks).
    """
    ax = new_axes(ax)
    ax.plot(windows, window_mse, "o-", ms=3, label="fixed window $w$ (linear, $w + 1$ weights)")
    ax.axhline(rnn_mse, color=COLORS[1], label=f"RNN with a state of $H$ = {hidden} numbers")
    ax.axhline(noise_floor, color="0.5", ls="--", label="noise variance (best possible)")
    if period is not None:
        for n in (1, 2):
            ax.axvline(n * period, color="0.6", ls=":", lw=1)
            ax.text(n * period, ax.get_ylim()[1], f" {n} period{'s' * (n > 1)}", fontsize=8,
                    color="0.4", va="top", rotation=90)
    ticks = [w for w in windows if w & (w - 1) == 0]  # powers of two
    ax.set(xscale="log", xlabel="window length $w$ (inputs seen, log scale)",
           ylabel="test MSE, one step ahead", title="A window must be long; a state need not be")
    ax.set_xticks(ticks, [str(w) for w in ticks])
    ax.minorticks_off()
    ax.legend(fontsize=8)
    return ax


def plot_bptt_cost(Ts: np.ndarray, milliseconds: np.ndarray, megabytes: np.ndarray,
                   axes: tuple[plt.Axes, plt.Axes] | None = None) -> tuple[plt.Axes, plt.Axes]:
    """Time and stored-state memory of forward + BPTT against sequence length T.

    Introduced in chapter 4 (backprop through time).
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(7.2, 3.2), layout="constrained")
    left, right = axes
    left.plot(Ts, milliseconds, "o-", ms=4, label="measured (median)")
    left.plot(Ts, milliseconds[-1] * Ts / Ts[-1], "--", color="0.5", label="proportional to $T$")
    left.set(xscale="log", yscale="log", xlabel="sequence length $T$ (log scale)",
             ylabel="time (ms, log scale)", title="Time of forward + BPTT")
    left.set_xticks(Ts, [str(T) for T in Ts])
    left.minorticks_off()
    right.plot(Ts, megabytes, "o-", ms=4, color=COLORS[1],
               label="cache: $x$, $h$, $y$ for all steps")
    right.set(xlabel="sequence length $T$", ylabel="memory (MB)", title="Memory BPTT must keep")
    for ax in axes:
        ax.legend(fontsize=8)
    return left, right


def plot_truncation_bias(ks: np.ndarray, cosines: dict[str, np.ndarray],
                         ratios: dict[str, np.ndarray],
                         axes: tuple[plt.Axes, plt.Axes] | None = None
                         ) -> tuple[plt.Axes, plt.Axes]:
    """Cosine similarity and norm ratio of the k-truncated gradient to the full one.

    cosines, ratios: label (e.g. a gain of W_h) -> one value per k.
    Introduced in chapter 4 (backprop through time).
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(7.2, 3.2), layout="constrained")
    left, right = axes
    for color, label in zip(COLORS, cosines):
        left.plot(ks, cosines[label], "o-", ms=4, color=color, label=label)
        right.plot(ks, np.clip(ratios[label], 1e-12, None), "o-", ms=4, color=color, label=label)
    left.set(xscale="log", xlabel="truncation $k$ (log scale)",
             ylabel="cosine(truncated, full)", title="Direction vs the full gradient")
    right.set(xscale="log", yscale="log", xlabel="truncation $k$ (log scale)",
              ylabel="‖truncated‖ / ‖full‖ (log scale)", title="Size vs the full gradient")
    for ax in axes:
        ax.set_xticks(ks, [str(k) for k in ks])
        ax.minorticks_off()
    left.figure.legend(*left.get_legend_handles_labels(), loc="outside lower center",
                       ncol=len(cosines), fontsize=8)
    return left, right


def plot_state_gradient_norms(norms: dict[str, np.ndarray], ax: plt.Axes | None = None) -> plt.Axes:
    """‖dL/dh_t‖ against t for each run (log scale), as recorded by BPTT.

    Introduced in chapter 4 (backprop through time).
    """
    ax = new_axes(ax)
    for color, (label, values) in zip(COLORS, norms.items()):
        steps = np.arange(1, len(values) + 1)
        ax.plot(steps, np.clip(values, 1e-300, None), color=color, label=label)
    ax.set(yscale="log", xlabel="time step $t$",
           ylabel="$\\|d\\mathcal{L} / dh_t\\|$ (total derivative, log scale)",
           title="How much of the last step's loss reaches each state")
    ax.legend(fontsize=8)
    return ax


def plot_truncation_terms(T: int, ks: tuple[int, ...], lag: int,
                          axes: np.ndarray | None = None) -> np.ndarray:
    """Which terms (s, t) of the BPTT double sum truncation keeps, one panel per k.

    Marks, for every loss L_s with s > lag, the term (s, s - lag) where x_{s-lag} enters
    through W_x, and the term (s, s - lag + 1) where W_h multiplies h_{s-lag}.
    Introduced in chapter 4 (backprop through time).
    """
    if axes is None:
        _, axes = plt.subplots(1, len(ks), figsize=(2.4 * len(ks), 3.0), sharey=True)
    axes = np.atleast_1d(axes)
    cmap = mpl.colors.ListedColormap(["white", "0.85", COLORS[0]])
    s = np.arange(lag + 1, T + 1)
    for ax, k in zip(axes, ks):
        below = np.tril(np.ones((T, T), dtype=int))  # t <= s: a term exists
        image = below + truncation_mask(T, k)  # 0 none, 1 dropped, 2 kept
        ax.imshow(image, cmap=cmap, vmin=0, vmax=2, origin="lower",
                  extent=(0.5, T + 0.5, 0.5, T + 0.5))
        ax.plot(s - lag, s, "x", color=COLORS[1], ms=5,
                label=f"$(s, s - {lag})$: $W_x$ sees $x_{{s-{lag}}}$")
        ax.plot(s - lag + 1, s, "o", mfc="none", color=COLORS[3], ms=5,
                label=f"$(s, s - {lag - 1})$: $W_h$ sees $h_{{s-{lag}}}$")
        ax.set(xlabel="step $t$ of $z_t$, $x_t$", title=f"$k$ = {k}")
        ax.set_xticks([1, lag, T])
        ax.set_yticks([1, lag, T])
        ax.grid(False)
    axes[0].set_ylabel("loss at step $s$")
    handles = [mpl.patches.Patch(color=COLORS[0], label="kept"),
               mpl.patches.Patch(color="0.85", label="dropped by truncation")]
    handles += axes[0].get_legend_handles_labels()[0]
    axes[0].figure.legend(handles=handles, loc="upper center", ncol=2, fontsize=8,
                          bbox_to_anchor=(0.5, 0.0))
    return axes


def plot_echo_success(ks: np.ndarray, mse: np.ndarray, lag: int, threshold: float,
                      baseline: float, ax: plt.Axes | None = None) -> plt.Axes:
    """Test MSE of every seed against the truncation k, with the fraction that learned.

    ks: (K,); mse: (K, S), one column per seed; a seed has learned when mse < threshold.
    Introduced in chapter 4 (backprop through time).
    """
    ax = new_axes(ax)
    n_seeds = mse.shape[1]
    offsets = np.linspace(-0.15, 0.15, n_seeds)
    for i, k in enumerate(ks):
        learned = mse[i] < threshold
        ax.plot(k + offsets, mse[i], "o", ms=4, color=COLORS[0], alpha=0.8,
                label="one seed" if i == 0 else None)
        ax.annotate(f"{learned.sum()}/{n_seeds}", (k, 1.6 * baseline), ha="center", fontsize=8)
    ax.axhline(baseline, color="0.5", ls="--", label="predict 0 (no memory)")
    ax.axhline(threshold, color=COLORS[2], ls=":", label=f"learned: MSE < {threshold:g}")
    ax.axvline(lag, color=COLORS[1], ls=":", lw=1, label=f"lag = {lag}")
    ax.set(yscale="log", ylim=(None, 3 * baseline), xlabel="truncation $k$ (steps back)",
           ylabel="test MSE (log scale)", title="Learned on how many seeds, for each $k$")
    ax.set_xticks(ks, [str(k) for k in ks])
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2)
    return ax
