"""The ``{eval}`` role on the website, resolved from the page's glued values.

In JupyterLab, jupyterlab-myst evaluates ``{eval}`expr``` in the kernel. The book executes
chapters ahead of time into its cache (no kernel at render time), so here the same expression
is evaluated against the values the chapter glued under their own names
(``rnncourse.pages.glue_names``). An expression that names an unglued value, or fails, is a
build warning (an error under ``-W``).
"""

from __future__ import annotations

import ast

from docutils import nodes

SAFE_BUILTINS = {f.__name__: f for f in (abs, round, min, max, len, int, float, str, sum, sorted)}


def _glued_values(document) -> dict:
    renderer = document.get("nb_renderer")
    if renderer is None:
        return {}
    values = {}
    for key, output in renderer.renderer.nb_client.glue_data.items():
        text = output.get("data", {}).get("text/plain")
        try:
            values[key] = ast.literal_eval(text)
        except (ValueError, SyntaxError, TypeError):
            pass  # not a plain value: unusable from {eval}
    return values


def eval_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    document = inliner.document
    values = _glued_values(document)
    try:
        tree = ast.parse(text, mode="eval")
        missing = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
                         - values.keys() - SAFE_BUILTINS.keys())
        if missing:
            raise NameError(f"not glued on this page: {', '.join(missing)} "
                            "(rnncourse.pages.glue_names)")
        value = eval(compile(tree, "<eval>", "eval"), {"__builtins__": SAFE_BUILTINS}, values)
    except Exception as exc:  # noqa: BLE001 - reported as a build warning
        msg = inliner.reporter.warning(f"{{eval}} `{text}`: {type(exc).__name__}: {exc}",
                                       line=lineno)
        problem = inliner.problematic(rawtext, rawtext, msg)
        return [problem], [msg]
    return [nodes.inline(rawtext, str(value), classes=["eval-glue"])], []


def setup(app):
    app.setup_extension("myst_nb")  # so this role replaces myst-nb's kernel-only {eval}
    app.add_role("eval", eval_role, override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
