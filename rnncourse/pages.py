"""What chapters use to put package code and computed numbers on the page, alike on the website
and in JupyterLab.

- ``show_source(obj)`` displays an object's source, read from the package at run time, as a
  highlighted Python block (a Markdown output: the website and JupyterLab both render it).
- ``glue_names(globals(), "a b c")`` records plain values under their own names, so that the
  prose's ``{eval}`f"{a:.3f}"``` reads the kernel's ``a`` in JupyterLab (jupyterlab-myst) and the
  recorded ``a`` on the website (``book/_ext/eval_glue.py``). Introduced in chapter 1.
Only notebooks import this module.
"""

from __future__ import annotations

import ast
import inspect
import math
import numbers
import textwrap

import numpy as np
from IPython.display import Markdown
from myst_nb import glue

# The code column holds about 77 characters at 1280 px (688 px of monospace, measured in
# Chromium): a wider line scrolls sideways on the website.
MAX_WIDTH = 76


def show_source(obj: object, width: int = MAX_WIDTH) -> Markdown:
    """The source of a package function or class as a Markdown ```python block.

    Raises ValueError if a line is wider than ``width`` characters (the page's column).
    """
    lines, start = inspect.getsourcelines(obj)
    source = textwrap.dedent("".join(lines)).rstrip()
    wide = [(i, line) for i, line in enumerate(source.splitlines()) if len(line) > width]
    if wide:
        i, line = wide[0]
        where = f"{inspect.getsourcefile(obj)}:{start + i}"
        raise ValueError(f"{getattr(obj, '__qualname__', obj)}: line {i + 1} ({where}) is "
                         f"{len(line)} characters wide, over {width}: {line.strip()[:60]!r}; "
                         "wrap it in the package so the book shows it whole")
    return Markdown(f"```python\n{source}\n```")


def _plain(value: object) -> object:
    """numbers, strings and lists/dicts of them as built-in Python values."""
    if isinstance(value, np.ndarray | np.generic):
        value = value.tolist()
    elif isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = int(value)
    elif isinstance(value, numbers.Real) and not isinstance(value, bool):
        value = float(value)
    if isinstance(value, list | tuple):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _unreadable(value: object) -> str | None:
    """What in a ``_plain`` value the website could not read back exactly, or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"the number {value}"
    if value is None or isinstance(value, bool | int | float | str):
        return None
    if isinstance(value, list | tuple):
        parts = list(value)
    elif isinstance(value, dict):
        parts = [*value.keys(), *value.values()]
    else:
        return f"a {type(value).__name__}"
    return next(filter(None, map(_unreadable, parts)), None)


def glue_names(namespace: dict, names: str) -> None:
    """Glue each of the space-separated ``names`` from ``namespace`` under its own name.

    Values must be plain: finite numbers, strings, None, and lists/tuples/dicts of them
    (numpy scalars and arrays are converted), so the website can read them back exactly.
    """
    for name in names.split():
        if name not in namespace:
            raise NameError(f"glue_names: no variable {name!r} in this notebook")
        value = _plain(namespace[name])
        problem = _unreadable(value)
        if problem is None:
            try:
                if ast.literal_eval(repr(value)) != value:
                    problem = f"a {type(value).__name__} whose repr reads back differently"
            except (ValueError, SyntaxError):
                problem = f"a {type(value).__name__} whose repr is not a literal"
        if problem:
            raise TypeError(f"glue_names: {name} is or holds {problem}; glue finite numbers, "
                            "strings, None, or lists/tuples/dicts of them")
        glue(name, value, display=False)
