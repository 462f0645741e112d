"""The ``{eval}`` role on the website, resolved from the page's glued values.

In JupyterLab, jupyterlab-myst evaluates ``{eval}`expr``` in the kernel. The book executes
chapters ahead of time into its cache (no kernel at render time), so here the same expression
is evaluated against the values the chapter glued under their own names
(``rnncourse.pages.glue_names``). An expression that names an unglued value, or fails, is a
build warning (an error under ``-W``).

``glued_values`` and ``evaluate`` are the pure part (no Sphinx), tested in
``tests/test_eval_glue.py``; ``tests/test_book.py`` uses ``free_names`` to check, without a
build, that every ``{eval}`` of a chapter names only values the chapter glues.
"""

from __future__ import annotations

import ast

from docutils import nodes

SAFE_BUILTINS = {f.__name__: f for f in (abs, round, min, max, len, int, float, str, sum, sorted)}


def glued_values(glue_data: dict) -> dict:
    """The plain values among a page's glued outputs: ``{name: value}``.

    ``glue_data`` maps each glue key to its output (``{"data": {"text/plain": repr}}``); a value
    whose ``text/plain`` is not a Python literal (a figure, an object) is left out.
    """
    values = {}
    for key, output in glue_data.items():
        try:
            values[key] = ast.literal_eval(output.get("data", {}).get("text/plain"))
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            pass  # not a plain value: unusable from {eval}
    return values


def free_names(tree: ast.AST) -> set[str]:
    """The names an expression reads from outside (comprehension and lambda variables excluded)."""
    loaded, bound = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, ast.Store) else loaded).add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return loaded - bound


def evaluate(text: str, values: dict) -> str:
    """``text`` evaluated with ``values`` as its only variables and a few safe builtins, as str.

    Raises NameError naming every variable that is not in ``values`` (not glued on the page),
    ValueError for access to private attributes, and whatever the expression itself raises.
    """
    tree = ast.parse(text.strip(), mode="eval")
    private = sorted({n.attr for n in ast.walk(tree)
                      if isinstance(n, ast.Attribute) and n.attr.startswith("_")})
    if private:
        raise ValueError(f"private attributes are not allowed: {', '.join(private)}")
    missing = sorted(free_names(tree) - values.keys() - SAFE_BUILTINS.keys())
    if missing:
        raise NameError(f"not glued on this page: {', '.join(missing)} "
                        "(rnncourse.pages.glue_names)")
    # the values are globals, so that comprehensions (a scope of their own) see them too
    namespace = {**values, "__builtins__": SAFE_BUILTINS}
    return str(eval(compile(tree, "<eval>", "eval"), namespace))


def _page_values(document) -> dict:
    renderer = document.get("nb_renderer")
    if renderer is None:  # not a notebook page: nothing was glued
        return {}
    return glued_values(renderer.renderer.nb_client.glue_data)


def eval_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    try:
        value = evaluate(text, _page_values(inliner.document))
    except Exception as exc:  # noqa: BLE001 - reported as a build warning
        msg = inliner.reporter.warning(f"{{eval}} `{text}`: {type(exc).__name__}: {exc}",
                                       line=lineno)
        problem = inliner.problematic(rawtext, rawtext, msg)
        return [problem], [msg]
    return [nodes.inline(rawtext, value, classes=["eval-glue"])], []


def setup(app):
    app.setup_extension("myst_nb")  # so this role replaces myst-nb's kernel-only {eval}
    app.add_role("eval", eval_role, override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
