"""ipywidgets explorers: sliders that re-run the reference code live.

Each explorer has a *view*: a function here that runs the reference code for one setting
and draws it with :mod:`rnncourse.plots`. The explorer's first view is the same figure the
website shows statically (the website has no kernel).
Slider ranges are bounded and values are clamped, so no setting can crash the kernel.
Only notebooks import this module.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Image
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure

from . import jacobians, plots, recurrent_init
from .activations import get_activation
from .descent import gradient_descent, quadratic_1d
from .feedforward import chain_bound, chain_mlp, hidden_gradients


def _figure_of(drawn: object) -> Figure:
    """The figure ``draw`` made: it may return a Figure, an Axes, or a tuple of Axes."""
    if isinstance(drawn, Figure):
        return drawn
    first = drawn[0] if isinstance(drawn, (tuple, list)) else drawn
    return first.figure if hasattr(first, "figure") else plt.gcf()


def _png(figure: Figure) -> Image:
    """The figure as a PNG image (as the inline backend shows it), and the figure closed."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(figure)
    return Image(data=buffer.getvalue(), format="png")


def explorer(draw: Callable[..., object], controls: dict[str, widgets.ValueWidget]) -> widgets.VBox:
    """Wire ``controls`` to ``draw(**values)``, redrawing into one output area.

    draw: a function that makes one matplotlib figure from keyword arguments.
    controls: keyword name -> widget; the widgets' current values are the defaults.
    Returns the box of controls and output; display it as a cell's last expression.

    The first view is put into the output area as data, not by capturing the cell's output
    (``with out:``): a notebook run by nbclient (nbval, papermill, the book build) answers a
    capture with messages on the kernel's shell channel, which can block the cell
    (nbclient issue 312). Moving a control redraws by capture, in a live kernel only.
    """
    out = widgets.Output()

    def values() -> dict[str, object]:
        return {name: control.value for name, control in controls.items()}

    def redraw(change: object = None) -> None:
        with out:
            out.clear_output(wait=True)
            draw(**values())
            plt.show()

    out.append_display_data(_png(_figure_of(draw(**values()))))
    for control in controls.values():
        control.observe(redraw, names="value")
    return widgets.VBox([widgets.HBox(list(controls.values())), out])


# --- Chapter 1: gradient descent ---------------------------------------------------------

def learning_rate_view(lr: float = 0.1, curvature: float = 1.0, steps: int = 60) -> plt.Figure:
    """One learning rate on L = lambda/2 theta^2: first steps on the curve, loss per step.

    The default view of :func:`learning_rate_explorer`; the website shows it statically.
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
    plots.plot_descent_1d(problem, {label: run}, ax=left, span=4.0)
    outcome = run.message.split(":")[0]  # "diverged at step 12", not the details
    plots.plot_loss_curves({label: run}, ax=right,
                           title=f"{outcome}\n(limit 2/λ = {2 / curvature:.3g})")
    right.title.set_fontsize(9)


def animate_learning_rates(lrs: np.ndarray, curvature: float = 1.0, steps: int = 60):
    """A scrubbable animation over learning rates, one frame each: the widget without a kernel.

    Returns a matplotlib ``FuncAnimation``; ``anim.to_jshtml()`` embeds it in a page.
    """
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


def learning_rate_explorer(lr: float = 0.1, curvature: float = 1.0) -> widgets.VBox:
    """Sliders for the learning rate and the curvature of L = lambda/2 theta^2. Chapter 1.

    The learning-rate slider is logarithmic from 1e-3 to 10, so it reaches far past the
    divergence limit 2/lambda; a diverging run is stopped and reported, never an overflow.
    """

    controls = {
        "lr": widgets.FloatLogSlider(value=lr, base=10, min=-3, max=1, step=0.01,
                                     description="learning rate α",
                                     style={"description_width": "initial"}),
        "curvature": widgets.FloatSlider(value=curvature, min=0.2, max=5.0, step=0.1,
                                         description="curvature λ",
                                         style={"description_width": "initial"}),
    }
    return explorer(learning_rate_view, controls)


# --- Chapter 2: backpropagation and deep networks ----------------------------------------

def chain_view(depth: int = 4, activation: str = "sigmoid", weight: float = 1.0,
               x: float = 1.0) -> plt.Axes:
    """The gradient reaching each layer of a one-unit chain, its bound and their ratio.

    The default view of :func:`chain_gradient_explorer` (the website shows it statically).
    """

    grads = hidden_gradients(chain_mlp(depth, activation, weight), [[x]])
    bound = chain_bound(depth, activation, weight)
    notes = [f"ratio {r:.2f}" for r in grads / bound] if depth <= 8 else None
    return plots.plot_per_layer({"gradient $|\\partial \\hat y / \\partial z_l|$": grads,
                                 "bound $(\\gamma |w|)^{k}$, $k$ = layers above": bound},
                                ylabel="gradient reaching layer $l$", notes=notes,
                                title=f"Chain of {depth} {activation} units, "
                                      f"$w$ = {weight:g}, $x$ = {x:g}")


def chain_gradient_explorer(depth: int = 4, activation: str = "sigmoid",
                            weight: float = 1.0) -> widgets.VBox:
    """Depth, activation and weight of a one-unit chain; redraws the gradient per layer. Chapter 2.

    Depth runs from 1 to 20 and the weight from 0.25 to 4, so every setting stays finite.
    """

    style = {"description_width": "initial"}
    controls = {
        "depth": widgets.IntSlider(value=depth, min=1, max=20, description="depth", style=style),
        "activation": widgets.Dropdown(value=activation, description="activation",
                                       options=["sigmoid", "tanh", "relu", "leaky_relu"]),
        "weight": widgets.FloatSlider(value=weight, min=0.25, max=4.0, step=0.25,
                                      description="weight w", style=style),
    }
    return explorer(chain_view, controls)


# --- Chapter 5: vanishing and exploding gradients ----------------------------------------

VANISHING_LIMITS = {"scale": (0.1, 8.0), "length": (2, 150)}  # every setting stays finite
VANISHING_H = 32  # units of the explorer's recurrence


def vanishing_view(scale: float = 1.0, activation: str = "tanh",
                   length: int = 60, seed: int = 0) -> plt.Figure:
    """Gradient norm against distance, with its bound; the map over (t, s).

    W_h is ``scale`` times a random orthogonal (32, 32) matrix (every
    singular value equals ``scale``); the drive u_t ~ N(0, 0.5^2) is drawn
    from ``seed``. ``scale`` is clamped to [0.1, 8] and ``length`` to
    [2, 150]: there even a ReLU recurrence (8^150 ~ 1e135) and a sigmoid
    one (0.025^150 ~ 1e-240) stay within float64.
    The default view of :func:`vanishing_explorer` (shown on the website).
    """
    scale = float(np.clip(scale, *VANISHING_LIMITS["scale"]))
    T = int(np.clip(length, *VANISHING_LIMITS["length"]))
    rng = np.random.default_rng(seed)
    W_h = jacobians.scaled_orthogonal(VANISHING_H, scale, rng)
    drive = 0.5 * rng.normal(size=(T, VANISHING_H))
    zs = jacobians.run_recurrence(W_h, drive, activation).zs
    jacs = jacobians.step_jacobians(W_h, zs, activation)
    norms = jacobians.norm_map(jacs)  # [s, t]
    bound = jacobians.vanishing_bound(W_h, activation, np.arange(T + 1))
    gamma = get_activation(activation).max_slope
    fig, (left, right) = plt.subplots(1, 2, figsize=(7, 3.3),
                                      layout="constrained")
    label = f"{activation}, measured"
    plots.plot_norms_by_distance(  # row T, from t = T back to t = 0
        {label: norms[T, ::-1]}, {label: bound}, ax=left,
        title=f"$\\gamma\\sigma_{{\\max}}$ = {gamma * scale:.3g}")
    plots.plot_norm_map(norms, ax=right,
                        title=f"$T$ = {T}, scale {scale:.3g}")
    return fig


def vanishing_explorer(scale: float = 1.0, activation: str = "tanh", length: int = 60,
                       seed: int = 0) -> widgets.VBox:
    """Scale of W_h, activation and length; redraws :func:`vanishing_view`. Chapter 5.

    The scale slider is logarithmic from 0.1 to 8 and the length runs from 2 to 150, the
    limits :func:`vanishing_view` clamps to, so no setting overflows or crashes.
    """
    style = {"description_width": "initial"}
    controls = {
        "scale": widgets.FloatLogSlider(value=scale, base=10, min=-1, max=np.log10(8),
                                        step=0.01, description="scale of W_h",
                                        style=style),
        "activation": widgets.Dropdown(value=activation, description="activation",
                                       options=["tanh", "sigmoid", "relu"]),
        "length": widgets.IntSlider(value=length, min=2, max=150, description="length T",
                                    style=style),
    }

    def draw(scale: float, activation: str, length: int) -> plt.Figure:
        return vanishing_view(scale, activation, length, seed)

    return explorer(draw, controls)


# --- Chapter 8: initialisation and activations --------------------------------------------

INIT_LIMITS = {"gain": (0.25, 4.0), "length": (2, 150)}  # every setting stays finite
INIT_H = 32  # units of the explorer's recurrence
INIT_ACTIVATIONS = ("tanh", "relu", "leaky_relu")


def init_view(init_name: str = "orthogonal", gain: float = 1.0,
              activation: str = "tanh", length: int = 60,
              seed: int = 0) -> plt.Figure:
    """The singular values of W_h and the gradient norm against distance.

    W_h (32, 32) comes from ``init_name`` times ``gain``; the right panel is
    the median over 5 draws of W_h and drive (u_t ~ N(0, 0.5^2)) of
    ``||dh_T/dh_{T-Δ}||_2``, with the factor per step. ``gain`` is clamped
    to [0.25, 4] and ``length`` to [2, 150], where every curve stays within
    float64. The default view of :func:`init_explorer` (on the website).
    """
    gain = float(np.clip(gain, *INIT_LIMITS["gain"]))
    T = int(np.clip(length, *INIT_LIMITS["length"]))
    W_h = recurrent_init.recurrent_weight(init_name, INIT_H, seed, gain)
    curves = recurrent_init.gradient_curves(init_name, activation, INIT_H,
                                            T, seed, gain)
    median = np.median(curves, axis=0)
    fig, (left, right) = plt.subplots(1, 2, figsize=(7, 3.3),
                                      layout="constrained")
    plots.plot_spectra({f"{init_name}, gain {gain:.3g}":
                        recurrent_init.singular_values(W_h)}, ax=left)
    left.set_title("Singular values of $W_h$")
    left.set_ylim(bottom=0)
    factor = (jacobians.per_step_factor(median) if median[-1] > 0
              else 0.0)
    plots.plot_norms_by_distance(
        {f"{activation}, median of 5": median}, ax=right,
        title=f"$T$ = {T}: factor {factor:.3g} per step")
    return fig


def init_explorer(init_name: str = "orthogonal", gain: float = 1.0,
                  activation: str = "tanh", length: int = 60,
                  seed: int = 0) -> widgets.VBox:
    """Initialiser, gain, activation and length; redraws :func:`init_view`.

    The gain slider is logarithmic from 0.25 to 4 and the length runs from 2
    to 150, the limits :func:`init_view` clamps to. Chapter 8.
    """
    style = {"description_width": "initial"}
    controls = {
        "init_name": widgets.Dropdown(
            value=init_name, description="W_h",
            options=list(recurrent_init.RECURRENT_INITS)),
        "gain": widgets.FloatLogSlider(
            value=gain, base=10, min=np.log10(0.25), max=np.log10(4.0),
            step=0.01, description="gain", style=style),
        "activation": widgets.Dropdown(value=activation,
                                       description="activation",
                                       options=list(INIT_ACTIVATIONS)),
        "length": widgets.IntSlider(value=length, min=2, max=150,
                                    description="length T", style=style),
    }

    def draw(init_name: str, gain: float, activation: str,
             length: int) -> plt.Figure:
        return init_view(init_name, gain, activation, length, seed)

    return explorer(draw, controls)
