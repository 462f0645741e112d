"""Figures of chapter 6: what vanishing gradients do to learning, and the signs."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .style import COLORS, new_axes


def plot_adding_curves(curves: dict[str, tuple[np.ndarray, np.ndarray]],
                       baseline: float, ax: plt.Axes | None = None) -> plt.Axes:
    """Held-out MSE against training steps, one curve per label, with the baseline.

    curves: label -> (steps (E,), held-out MSE (E,)); baseline: the MSE of the
    best constant prediction (dashed). Log scale on the MSE.
    Introduced in chapter 6 (consequences and diagnosis).
    """
    ax = new_axes(ax, figsize=(7, 3.6))
    for color, (label, (steps, mse)) in zip(COLORS, curves.items()):
        ax.plot(steps, mse, color=color, lw=1.6, label=label)
    ax.axhline(baseline, color="0.4", ls="--", lw=1.2,
               label=f"constant prediction ({baseline:.3f})")
    ax.set(yscale="log", xlabel="training step $n$",
           ylabel="held-out MSE (log scale)",
           title="Adding problem: a tanh RNN learns short sequences only")
    ax.legend(fontsize=8, loc="lower left", ncol=2)
    return ax


def plot_input_sensitivity(sensitivity: dict[str, np.ndarray],
                           ax: plt.Axes | None = None) -> plt.Axes:
    """The sensitivity of the output to each input, against the input's step t.

    sensitivity: label -> (T,) mean over sequences of ||dy_T / dx_t||.
    Introduced in chapter 6 (consequences and diagnosis).
    """
    ax = new_axes(ax, figsize=(7, 3.4))
    for color, (label, values) in zip(COLORS, sensitivity.items()):
        ax.plot(np.arange(1, len(values) + 1), values, "o-", ms=2.5, lw=1.3,
                color=color, label=label)
    T = max(len(v) for v in sensitivity.values())
    ax.axvline(T / 2 + 0.5, color="0.6", ls=":", lw=1)
    ax.text(T / 2 + 1, 0.03, "second half $\\rightarrow$", fontsize=8,
            color="0.4", va="bottom", transform=ax.get_xaxis_transform())
    ax.set(yscale="log", xlabel="input step $t$",
           ylabel=r"$\Vert \partial y_T / \partial x_t \Vert$ (log scale)",
           title="What a trained network's output depends on")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(0.02, 0.86))
    return ax


def plot_long_range_share(ks: np.ndarray, shares: dict[str, np.ndarray],
                          misalignment: dict[str, np.ndarray],
                          axes: tuple[plt.Axes, plt.Axes] | None = None
                          ) -> tuple[plt.Axes, plt.Axes]:
    """Left: share of dL/dW_h from distances >= k. Right: 1 - cosine over steps.

    ks: (K,) distances; shares: label -> (K,) ||long part|| / ||dL/dW_h||;
    misalignment: label -> (N,) 1 - cos(update from all terms, update from
    the short-range terms alone), one value per training step.
    Introduced in chapter 6 (consequences and diagnosis).
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(7, 3.3), layout="constrained")
    left, right = axes
    for color, (label, share) in zip(COLORS, shares.items()):
        left.plot(ks, share, "o-", ms=3, color=color, label=label)
    left.set(yscale="log", xlabel="distance $k$ (steps back from $T$)",
             ylabel="share of $\\Vert dL/dW_h \\Vert$ (log)",
             title="Terms from distance $\\geq k$")
    left.legend(fontsize=8)
    for color, (label, gap) in zip(COLORS[2:], misalignment.items()):
        right.plot(np.arange(1, len(gap) + 1), np.maximum(gap, 1e-16), lw=1,
                   color=color, label=label)
    right.set(yscale="log", xlabel="training step $n$",
              ylabel="1 − cosine (log scale)",
              title="Update: all terms vs short ones")
    right.legend(fontsize=8)
    return left, right


def plot_agreement_errors(attractors: np.ndarray, errors: np.ndarray,
                          control: float, ax: plt.Axes | None = None) -> plt.Axes:
    """Agreement error rate against the number of attractors, and a control.

    attractors, errors: (A,) counts and error rates (0..1); control: the error
    rate with as many nouns between subject and verb as the last bar, all
    agreeing with the subject (same distance, no attractor).
    Introduced in chapter 6 (consequences and diagnosis).
    """
    ax = new_axes(ax, figsize=(6.4, 3.4))
    ax.bar(attractors, 100 * errors, width=0.6, color=COLORS[1],
           label="every noun in between is an attractor")
    x = attractors[-1] + 1.0
    ax.bar([x], [100 * control], width=0.6, color=COLORS[0],
           label=f"{attractors[-1]} nouns in between, all agreeing")
    for xi, e in zip([*attractors, x], [*errors, control]):
        ax.text(xi, 100 * e, f"{100 * e:.1f} %", ha="center", va="bottom",
                fontsize=8)
    ax.set_xticks([*attractors, x],
                  [str(a) for a in attractors] + ["control"])
    ax.set(xlabel="attractors between subject and verb",
           ylabel="agreement errors (%)", ylim=(0, max(5, 115 * errors.max())),
           title="Vanilla RNN language model: errors grow with attractors")
    ax.legend(fontsize=8, loc="upper left")
    return ax


def plot_gradient_histories(histories: dict[str, tuple[np.ndarray, np.ndarray]],
                            ax: plt.Axes | None = None) -> plt.Axes:
    """Total gradient norm against training step, one line per run (log scale).

    histories: label -> (steps (N,), total norms (N,)); non-finite norms
    are not drawn (a run that diverged ends where its norm stopped being finite).
    Introduced in chapter 6 (consequences and diagnosis).
    """
    ax = new_axes(ax, figsize=(7, 3.4))
    for color, (label, (steps, norms)) in zip(COLORS, histories.items()):
        ok = np.isfinite(norms)
        ax.plot(np.asarray(steps)[ok], np.asarray(norms)[ok], lw=1,
                color=color, label=label)
    ax.set(yscale="log", xlabel="training step $n$",
           ylabel=r"$\Vert \nabla_\theta \mathcal{L} \Vert$ (log scale)",
           title="Gradient norm during training, as the monitor saw it")
    ax.legend(fontsize=8)
    return ax
