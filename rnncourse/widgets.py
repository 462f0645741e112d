"""ipywidgets explorers: sliders that re-run the reference code live.

Each explorer draws with a function from :mod:`rnncourse.plots`, so its default view
is the same figure the website shows statically (the website has no kernel).
Slider ranges are bounded and values are clamped, so no setting can crash the kernel.
Only notebooks import this module.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import Image
from matplotlib.figure import Figure

from .plots import plot_chain_view, plot_learning_rate_view


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
    return explorer(plot_learning_rate_view, controls)


# --- Chapter 2: backpropagation and deep networks ----------------------------------------

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
    return explorer(plot_chain_view, controls)
