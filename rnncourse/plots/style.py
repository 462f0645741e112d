"""The course's plot style and the helpers every figure module uses."""

from __future__ import annotations

import re

import matplotlib as mpl
import matplotlib.pyplot as plt
from IPython import get_ipython
from matplotlib_inline.backend_inline import set_matplotlib_formats

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


def animation_html(anim) -> str:
    """HTML for a scrubbable animation that needs no kernel and no internet.

    matplotlib's ``to_jshtml`` links Font Awesome 4 from a CDN for its button icons; the course
    site already ships Font Awesome (with the same icon names), so the link is dropped.
    """
    html = anim.to_jshtml()
    return re.sub(r'<link rel="stylesheet"\s+href="https?://[^"]*font-awesome[^"]*">', "", html)
