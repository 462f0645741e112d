"""The course's standard figures and plot style.

Notebooks call :func:`use_course_style` once in their setup cell. Every figure
function takes an optional ``ax`` and returns it, so figures compose into grids.
Nothing in the package imports this module; only notebooks and widgets do.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import matplotlib.pyplot as plt

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf")


def use_course_style() -> None:
    """Set the figure size, fonts and grid used by every chapter."""
    mpl.rcParams.update({
        "figure.figsize": (6.4, 3.8),
        "figure.dpi": 110,
        "savefig.dpi": 110,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": mpl.cycler(color=COLORS),
        "legend.frameon": False,
        "font.size": 10,
    })


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
    ax.plot(grid, curve, color="0.3", lw=1.5, label="loss $J(\\theta)$")
    for color, (label, run) in zip(COLORS, runs.items()):
        pts = run.thetas[: 12, 0]
        ax.plot(pts, [problem.loss(np.array([p])) for p in pts], "o-", ms=4, lw=0.8, color=color, label=label)
    ax.set(xlim=(c - span, c + span), ylim=(-0.05 * max(curve), 1.1 * max(curve)),
           xlabel="parameter $\\theta$", ylabel="loss $J(\\theta)$",
           title="First steps of gradient descent on a 1-D loss")
    ax.legend(fontsize=8)
    return ax


def plot_loss_curves(runs: dict, ax: plt.Axes | None = None, title: str = "Loss per step") -> plt.Axes:
    """Loss against step for each run, log scale; a diverged run ends with a cross."""
    ax = new_axes(ax)
    for color, (label, run) in zip(COLORS, runs.items()):
        losses = np.clip(run.losses, 1e-300, None)
        ax.plot(np.arange(len(losses)), losses, color=color, label=f"{label} ({run.status})")
        if run.status == "diverged":
            ax.plot(len(losses) - 1, losses[-1], "x", color=color, ms=9, mew=2)
    ax.set(yscale="log", xlabel="step $k$", ylabel="loss $J(\\theta_k)$ (log scale)", title=title)
    ax.legend(fontsize=8)
    return ax


def plot_descent_2d(problem, runs: dict, ax: plt.Axes | None = None,
                    xlim: tuple[float, float] = (-3, 3), ylim: tuple[float, float] = (-3, 3),
                    max_points: int = 30) -> plt.Axes:
    """Contours of a 2-D loss with the first ``max_points`` iterates of each run."""
    from .descent import loss_grid

    ax = new_axes(ax, figsize=(5.2, 4.6))
    X, Y, Z = loss_grid(problem.loss, xlim, ylim, n=121)
    ax.contour(X, Y, Z, levels=np.geomspace(max(Z.min(), 1e-3), Z.max(), 14), colors="0.6", linewidths=0.7)
    for color, (label, run) in zip(COLORS, runs.items()):
        path = run.thetas[: max_points]
        ax.plot(path[:, 0], path[:, 1], "o-", ms=2.5, lw=0.8, color=color, label=label)
    ax.plot(*problem.c, "k*", ms=12, label="minimum")
    ax.set(xlim=xlim, ylim=ylim, xlabel="$\\theta_1$", ylabel="$\\theta_2$", aspect="equal",
           title="Gradient descent on an elongated bowl")
    ax.legend(fontsize=8, loc="lower right")
    return ax


def plot_steps_vs_lr(lrs: np.ndarray, steps: list, limit: float, ax: plt.Axes | None = None) -> plt.Axes:
    """Steps to reach the tolerance against the learning rate; None (never) shown as a gap."""
    ax = new_axes(ax)
    values = np.array([np.nan if s is None else s for s in steps], dtype=float)
    ax.plot(lrs, values, "o-", ms=3, label="steps to tolerance (measured)")
    ax.axvline(limit, color=COLORS[1], ls="--", label=f"$2/a$ = {limit:g}: diverges beyond")
    ax.set(xscale="log", yscale="log", xlabel="learning rate $\\alpha$ (log scale)",
           ylabel="steps to reach tolerance (log scale)", title="Too small crawls, too large diverges")
    ax.legend(fontsize=8)
    return ax


def plot_learning_rate_view(lr: float = 0.1, curvature: float = 1.0, steps: int = 60) -> plt.Figure:
    """One learning rate on J = a/2 theta^2: first steps on the curve, loss per step.

    The default view of the chapter-1 widget; the website shows it as a static figure.
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    draw_learning_rate_view(left, right, lr, curvature, steps)
    fig.tight_layout()
    return fig


def draw_learning_rate_view(left: plt.Axes, right: plt.Axes, lr: float, curvature: float,
                            steps: int) -> None:
    """Draw one learning rate's run into two given axes (used by the view and the animation)."""
    from .descent import gradient_descent, quadratic_1d

    problem = quadratic_1d(curvature)
    run = gradient_descent(problem.loss, problem.grad, 2.0, lr, steps)
    label = f"$\\alpha$ = {lr:.3g}"
    plot_descent_1d(problem, {label: run}, ax=left, span=4.0)
    plot_loss_curves({label: run}, ax=right, title=f"{run.message} (limit 2/a = {2 / curvature:.3g})")
    right.title.set_fontsize(9)


def animate_learning_rates(lrs: np.ndarray, curvature: float = 1.0, steps: int = 60):
    """A scrubbable animation over learning rates, one frame each: the widget without a kernel.

    Returns a matplotlib ``FuncAnimation``; ``anim.to_jshtml()`` embeds it in a page.
    """
    from matplotlib.animation import FuncAnimation

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))

    def frame(i: int) -> None:
        left.clear()
        right.clear()
        draw_learning_rate_view(left, right, float(lrs[i]), curvature, steps)
        right.set_ylim(1e-20, 1e14)

    anim = FuncAnimation(fig, frame, frames=len(lrs), interval=400)
    fig.tight_layout()
    plt.close(fig)
    return anim
