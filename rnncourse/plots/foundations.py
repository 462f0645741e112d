"""Figures of Part I: gradient descent (chapter 1) and deep networks (chapter 2)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..descent import loss_grid
from .style import COLORS, new_axes

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
