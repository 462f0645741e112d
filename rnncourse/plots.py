"""The course's standard figures and plot style.

Notebooks call :func:`use_course_style` once in their setup cell. Every figure
function takes an optional ``ax`` and returns it, so figures compose into grids.
Nothing in the package imports this module; only notebooks and widgets do.
"""

from __future__ import annotations

import re

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from IPython import get_ipython
from matplotlib_inline.backend_inline import set_matplotlib_formats

from .descent import gradient_descent, loss_grid, quadratic_1d
from .feedforward import chain_bound, chain_mlp, hidden_gradients
from .numpy_rnn import truncation_mask

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf")


def use_course_style() -> None:
    """Set the figure size, fonts and grid used by every chapter.

    At 96 dpi a figure 7 inches wide is 672 px, within the website's 688 px column, so it is
    shown at its own size, never squeezed; in a notebook, figures are drawn at twice that
    resolution ("retina") so they stay sharp on high-density screens.
    """
    mpl.rcParams.update({
        "figure.figsize": (6.4, 3.8),
        "figure.dpi": 96,
        "savefig.dpi": 96,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": mpl.cycler(color=COLORS),
        "legend.frameon": False,
        "font.size": 10,
    })
    if get_ipython() is not None:  # a kernel: the inline backend draws the figures
        set_matplotlib_formats("retina")


def new_axes(ax: plt.Axes | None = None, figsize: tuple[float, float] | None = None) -> plt.Axes:
    """Return ``ax`` or a fresh axes of a new figure."""
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize)
    return ax


# --- Chapter 1: gradient descent ---------------------------------------------------------

def plot_descent_1d(problem, runs: dict, ax: plt.Axes | None = None,
                    span: float | None = None) -> plt.Axes:
    """The 1-D loss curve with each run's iterates drawn on it.

    problem: a 1-D ``descent.Quadratic``; runs: label -> ``DescentResult``.
    """
    ax = new_axes(ax)
    c = float(problem.c[0])
    span = span or 1.2 * max(float(np.max(np.abs(r.thetas[: 12] - c))) for r in runs.values())
    grid = np.linspace(c - span, c + span, 400)
    curve = [problem.loss(np.array([g])) for g in grid]
    ax.plot(grid, curve, color="0.3", lw=1.5, label="loss $\\mathcal{L}(\\theta)$")
    for color, (label, run) in zip(COLORS, runs.items()):
        pts = run.thetas[: 12, 0]
        ax.plot(pts, [problem.loss(np.array([p])) for p in pts], "o-", ms=4, lw=0.8, color=color,
                label=label)
    ax.set(xlim=(c - span, c + span), ylim=(-0.05 * max(curve), 1.1 * max(curve)),
           xlabel="parameter $\\theta$", ylabel="loss $\\mathcal{L}(\\theta)$",
           title="First steps on the loss curve")
    ax.legend(fontsize=8)
    return ax


def plot_loss_curves(runs: dict, ax: plt.Axes | None = None,
                     title: str = "Loss per step") -> plt.Axes:
    """Loss against step for each run, log scale; a diverged run ends with a cross."""
    ax = new_axes(ax)
    for color, (label, run) in zip(COLORS, runs.items()):
        losses = np.clip(run.losses, 1e-300, None)
        ax.plot(np.arange(len(losses)), losses, color=color, label=f"{label} ({run.status})")
        if run.status == "diverged":
            ax.plot(len(losses) - 1, losses[-1], "x", color=color, ms=9, mew=2)
    ax.set(yscale="log", xlabel="step $n$", ylabel="loss $\\mathcal{L}(\\theta_n)$ (log scale)",
           title=title)
    ax.legend(fontsize=8)
    return ax


def plot_descent_2d(problem, runs: dict, ax: plt.Axes | None = None,
                    xlim: tuple[float, float] = (-3, 3), ylim: tuple[float, float] = (-3, 3),
                    max_points: int = 30) -> plt.Axes:
    """Contours of a 2-D loss with the first ``max_points`` iterates of each run."""

    ax = new_axes(ax, figsize=(5.2, 4.6))
    X, Y, Z = loss_grid(problem.loss, xlim, ylim, n=121)
    ax.contour(X, Y, Z, levels=np.geomspace(max(Z.min(), 1e-3), Z.max(), 14), colors="0.6",
               linewidths=0.7)
    for color, (label, run) in zip(COLORS, runs.items()):
        path = run.thetas[: max_points]
        ax.plot(path[:, 0], path[:, 1], "o-", ms=2.5, lw=0.8, color=color, label=label)
    ax.plot(*problem.c, "k*", ms=12, label="minimum")
    ax.set(xlim=xlim, ylim=ylim, xlabel="$\\theta_1$", ylabel="$\\theta_2$", aspect="equal",
           title="Paths on an elongated bowl")
    ax.legend(fontsize=8, loc="upper right")
    return ax


def plot_steps_vs_lr(lrs: np.ndarray, steps: list, limit: float,
                     ax: plt.Axes | None = None) -> plt.Axes:
    """Steps to reach the tolerance against the learning rate; None (never) shown as a gap."""
    ax = new_axes(ax)
    values = np.array([np.nan if s is None else s for s in steps], dtype=float)
    ax.plot(lrs, values, "o-", ms=3, label="steps to tolerance (measured)")
    ax.axvline(limit, color=COLORS[1], ls="--", label=f"$2/\\lambda$ = {limit:g}: diverges beyond")
    ax.set(xscale="log", yscale="log", xlabel="learning rate $\\alpha$ (log scale)",
           ylabel="steps to reach tolerance (log scale)",
           title="Too small crawls, too large diverges")
    ax.legend(fontsize=8)
    return ax


def plot_learning_rate_view(lr: float = 0.1, curvature: float = 1.0, steps: int = 60) -> plt.Figure:
    """One learning rate on L = lambda/2 theta^2: first steps on the curve, loss per step.

    The default view of the chapter-1 widget; the website shows it as a static figure.
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.2, 3.2))
    draw_learning_rate_view(left, right, lr, curvature, steps)
    fig.tight_layout()
    return fig


def draw_learning_rate_view(left: plt.Axes, right: plt.Axes, lr: float, curvature: float,
                            steps: int) -> None:
    """Draw one learning rate's run into two given axes (used by the view and the animation)."""

    problem = quadratic_1d(curvature)
    run = gradient_descent(problem.loss, problem.grad, 2.0, lr, steps)
    label = f"$\\alpha$ = {lr:.3g}"
    plot_descent_1d(problem, {label: run}, ax=left, span=4.0)
    outcome = run.message.split(":")[0]  # "diverged at step 12", not the details
    plot_loss_curves({label: run}, ax=right,
                     title=f"{outcome}\n(limit 2/λ = {2 / curvature:.3g})")
    right.title.set_fontsize(9)


def animate_learning_rates(lrs: np.ndarray, curvature: float = 1.0, steps: int = 60):
    """A scrubbable animation over learning rates, one frame each: the widget without a kernel.

    Returns a matplotlib ``FuncAnimation``; ``anim.to_jshtml()`` embeds it in a page.
    """
    from matplotlib.animation import FuncAnimation

    fig, (left, right) = plt.subplots(1, 2, figsize=(7, 3.2))

    def frame(i: int) -> None:
        left.clear()
        right.clear()
        draw_learning_rate_view(left, right, float(lrs[i]), curvature, steps)
        right.set_ylim(1e-20, 1e14)

    anim = FuncAnimation(fig, frame, frames=len(lrs), interval=400)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.15, top=0.84, wspace=0.35)
    plt.close(fig)
    return anim


def plot_gradient_noise(Bs: np.ndarray, variances: np.ndarray, per_example: float,
                        ax: plt.Axes | None = None) -> plt.Axes:
    """Measured variance of the minibatch gradient against B, log-log, with the line
    ``per_example / B``. Bs, variances: (K,). Chapter 1."""
    ax = new_axes(ax)
    ax.plot(Bs, variances, "o", label="measured")
    ax.plot(Bs, per_example / np.asarray(Bs, dtype=float), "--", color="0.4",
            label="$\\sigma^2 / B$ (theory)")
    ax.set(xscale="log", yscale="log", xlabel="batch size $B$ (log scale)",
           ylabel="$E\\,\\|g_B - \\nabla\\mathcal{L}\\|^2$ (log scale)",
           title="Minibatch gradient noise")
    ax.legend(fontsize=8)
    return ax


def plot_epoch_losses(curves: dict[str, np.ndarray], ax: plt.Axes | None = None) -> plt.Axes:
    """Excess loss L - L* after each epoch, one line per label, log scale. Chapter 1."""
    ax = new_axes(ax)
    for color, (label, values) in zip(COLORS, curves.items()):
        ax.plot(np.arange(len(values)), values, "o-", ms=3, color=color, label=label)
    ax.set(yscale="log", xlabel="epoch (passes over the data)",
           ylabel="$\\mathcal{L} - \\mathcal{L}^*$ (log scale)", title="Minibatch SGD, same α")
    ax.legend(fontsize=8)
    return ax


def plot_coordinate_errors(runs: dict[str, np.ndarray], minimum: np.ndarray,
                           ax: plt.Axes | None = None) -> plt.Axes:
    """Distance abs(theta_i - c_i) of each coordinate per step, for each run. Chapter 1.

    runs: label -> iterates (n + 1, P); coordinate 1 is a wide pale line, the others thin
    dashed or dotted lines on top of it, so coordinates that coincide stay visible.
    """
    ax = new_axes(ax)
    looks = (dict(ls="-", lw=3.0, alpha=0.45), dict(ls="--", lw=1.2), dict(ls=":", lw=1.2))
    for color, (label, thetas) in zip(COLORS, runs.items()):
        for i, look in zip(range(thetas.shape[1]), looks):
            err = np.clip(np.abs(thetas[:, i] - minimum[i]), 1e-300, None)
            ax.plot(err, color=color, label=f"{label}, $\\theta_{i + 1}$", **look)
    ax.set(yscale="log", xlabel="step $n$", ylabel="$|\\theta_i - c_i|$ (log scale)",
           title="Distance to the minimum")
    low, high = ax.get_ylim()
    ax.set_ylim(low * 1e-4, high)  # room below the data for the legend
    ax.legend(fontsize=8, loc="lower left")
    return ax


def plot_steps_vs_condition(kappas: np.ndarray, counts: dict[str, list],
                            ax: plt.Axes | None = None) -> plt.Axes:
    """Steps to reach a tolerance against the condition number, log-log. Chapter 1."""
    ax = new_axes(ax)
    for color, (label, values) in zip(COLORS, counts.items()):
        ax.plot(kappas, values, "o-", color=color, label=label)
    ax.set(xscale="log", yscale="log", xlabel="condition number $\\kappa$ (log scale)",
           ylabel="steps to tolerance (log scale)", title="Cost against conditioning")
    ax.legend(fontsize=8)
    return ax


# --- Chapter 2: backpropagation and deep networks ----------------------------------------

def plot_activations(curves: dict, ax: plt.Axes | None = None, shade_saturated: bool = True,
                     title: str = "Activations and their derivatives") -> plt.Axes:
    """Each activation f (solid) with its derivative f′ (dashed) on z ∈ [−6, 6].

    curves: label -> (f, df), functions of a (Z,) array. With ``shade_saturated`` the region
    where f′ < 0.1 · max f′ (the unit passes back under a tenth of its best) is shaded.
    """
    ax = new_axes(ax)
    z = np.linspace(-6, 6, 601)
    for color, (label, (f, df)) in zip(COLORS, curves.items()):
        slope = df(z)
        ax.plot(z, f(z), color=color, label=f"{label}")
        ax.plot(z, slope, "--", color=color, label=f"{label}, derivative (max {slope.max():.2g})")
        if shade_saturated:
            ax.fill_between(z, -1.6, 1.1, where=slope < 0.1 * slope.max(), color=color, alpha=0.08,
                            lw=0, label=f"{label} saturated: derivative < 0.1·max")
    ax.set(xlabel="pre-activation $z$", ylabel="$f(z)$ (solid), $f'(z)$ (dashed)", title=title,
           ylim=(-1.6, 1.1))
    ax.legend(fontsize=8, loc="lower right")  # z > 0, f < 0 is empty for every activation here
    return ax


def plot_per_layer(values: dict, ax: plt.Axes | None = None, ylabel: str = "gradient norm",
                   title: str = "Per layer", notes: list[str] | None = None) -> plt.Axes:
    """One line per entry of ``values`` (label -> (L,) array) against layer 1 .. L, log scale.

    notes: optional text written next to each point of the first line (e.g. a ratio).
    """
    ax = new_axes(ax)
    for color, (label, v) in zip(COLORS, values.items()):
        layers = np.arange(1, len(v) + 1)
        ax.plot(layers, v, "o-", color=color, label=label, ms=4)
    first = np.asarray(next(iter(values.values())))
    for layer, (value, note) in enumerate(zip(first, notes or []), start=1):
        ax.annotate(note, (layer, value), textcoords="offset points", xytext=(4, -12), fontsize=8)
    ax.set(yscale="log", xlabel="layer $l$ (1 = nearest the input)", ylabel=f"{ylabel} (log scale)",
           title=title, xticks=np.arange(1, len(first) + 1))
    ax.margins(x=0.12)
    ax.legend(fontsize=8)
    return ax


def plot_chain_view(depth: int = 4, activation: str = "sigmoid", weight: float = 1.0,
                    x: float = 1.0) -> plt.Axes:
    """The gradient reaching each layer of a one-unit chain, its bound and their ratio.

    The default view of the chapter-2 chain explorer (the website shows it statically).
    """

    grads = hidden_gradients(chain_mlp(depth, activation, weight), [[x]])
    bound = chain_bound(depth, activation, weight)
    notes = [f"ratio {r:.2f}" for r in grads / bound] if depth <= 8 else None
    return plot_per_layer({"gradient $|\\partial \\hat y / \\partial z_l|$": grads,
                           "bound $(\\gamma |w|)^{k}$, $k$ = layers above": bound},
                          ylabel="gradient reaching layer $l$", notes=notes,
                          title=f"Chain of {depth} {activation} units, "
                                f"$w$ = {weight:g}, $x$ = {x:g}")


def plot_gradient_vs_depth(depths: np.ndarray, curves: dict, ax: plt.Axes | None = None,
                           title: str = "Gradient at the first layer of a chain") -> plt.Axes:
    """First-layer gradient against depth, one line per activation (label -> (len(depths),))."""
    ax = new_axes(ax)
    for color, (label, g) in zip(COLORS, curves.items()):
        ax.plot(depths, np.clip(g, 1e-300, None), "o-", ms=3, color=color, label=label)
    ax.plot(depths, 0.25 ** np.asarray(depths, dtype=float), "k:", label="$(1/4)^{depth}$")
    ax.set(yscale="log", xlabel="depth (hidden layers)", xticks=np.asarray(depths)[::2],
           ylabel="$|\\partial \\hat y / \\partial z_1|$ (log scale)", title=title)
    ax.legend(fontsize=8)
    return ax


def plot_gradients_over_steps(grad_norms: np.ndarray, ax: plt.Axes | None = None,
                              title: str = "Weight-gradient norm of each layer") -> plt.Axes:
    """‖d𝓛/dW_l‖ against training step, one line per layer. grad_norms: (S, L)."""
    ax = new_axes(ax)
    L = grad_norms.shape[1]
    for l in range(L):
        name = "output layer" if l == L - 1 else f"layer {l + 1}"
        ax.plot(grad_norms[:, l], color=plt.cm.viridis(l / max(L - 1, 1)), label=name)
    ax.set(yscale="log", xlabel="step $n$",
           ylabel="$\\|d\\mathcal{L} / dW_l\\|$ (log scale)",
           title=title)
    ax.legend(fontsize=8, ncol=2)
    return ax


# --- Chapters 3 and 4: recurrent networks and BPTT ---------------------------------------

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


def animation_html(anim) -> str:
    """HTML for a scrubbable animation that needs no kernel and no internet.

    matplotlib's ``to_jshtml`` links Font Awesome 4 from a CDN for its button icons; the course
    site already ships Font Awesome (with the same icon names), so the link is dropped.
    """
    html = anim.to_jshtml()
    return re.sub(r'<link rel="stylesheet"\s+href="https?://[^"]*font-awesome[^"]*">', "", html)
