"""Copies of the chapters in which every solution is a code cell again, for nbval (`make nbval`).

A solution is Markdown in the chapter (one ``::::{solution}`` holding prose and a ```python
fence): JupyterLab shows it as a closed dropdown and Run All never runs it, and the book does not
run it either. So that every solution is still executed and checked, each copy gets:

- after a markdown cell, one code cell (tag ``solution``) per ```python fence of its solutions;
- in those cells, each top-level call of an answer checker (``exercises.check_...(...)``, which
  prints its verdict and returns True or False) becomes ``assert exercises.check_...(...)``, so a
  wrong solution fails nbval instead of printing "Not yet";
- a first cell that changes to the chapters folder: nbval starts the kernel in the copy's folder,
  while the book, papermill and JupyterLab run a chapter from ``chapters/``; relative paths
  behave as they do there.

usage: python tests/expand_solutions.py OUT_DIR CHAPTER.ipynb...
"""

from __future__ import annotations

import ast
import json
import re
import sys
import uuid
from pathlib import Path

SOLUTION = re.compile(r"^(:{3,}|`{3,})\{solution\}.*?^\1\s*$", re.M | re.S)
FENCE = re.compile(r"^```python\n(.*?)^```\s*$", re.M | re.S)


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def solution_code(markdown: str) -> list[str]:
    """The ```python fences inside the {solution} directives of a markdown cell."""
    return [code for block in SOLUTION.finditer(markdown)
            for code in FENCE.findall(block.group(0))]


def _is_checker_call(node: ast.stmt) -> bool:
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return False
    func = node.value.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name.startswith("check_")


def assert_checkers(code: str, label: str) -> str:
    """Turn each top-level ``check_...(...)`` expression of ``code`` into an assert."""
    tree = ast.parse(code)  # a solution that is not valid Python fails here, loudly
    lines = code.splitlines(keepends=True)
    for node in reversed(tree.body):
        if _is_checker_call(node):
            first, last = node.lineno - 1, node.end_lineno - 1
            call = "".join(lines[first:last + 1]).rstrip("\n")
            lines[first:last + 1] = [f"assert (\n{call}\n), {label!r}\n"]
    return "".join(lines)


def code_cell(code: str, tags: list[str]) -> dict:
    return {"cell_type": "code", "id": uuid.uuid4().hex[:8], "metadata": {"tags": tags},
            "execution_count": None, "outputs": [], "source": code.splitlines(keepends=True)}


def expand(nb: dict, workdir: Path, name: str = "the chapter") -> dict:
    """A copy of ``nb`` whose solutions are asserted code cells, run from ``workdir``."""
    cells = [code_cell(f"import os\nos.chdir({str(workdir.resolve())!r})\n", ["nbval-workdir"])]
    for cell in nb["cells"]:
        cells.append(cell)
        if cell["cell_type"] != "markdown":
            continue
        for i, code in enumerate(solution_code(source(cell)), 1):
            label = f"{name}: a solution fails its checker (cell {cell.get('id')}, fence {i})"
            cells.append(code_cell(assert_checkers(code, label), ["solution"]))
    return {**nb, "cells": cells}


def main(out_dir: str, chapters: list[str]) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for chapter in map(Path, chapters):
        nb = expand(json.loads(chapter.read_text()), chapter.parent, chapter.name)
        (out / chapter.name).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
        count = sum("solution" in c["metadata"].get("tags", []) for c in nb["cells"])
        print(f"{out / chapter.name}: {count} solution cell(s)")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
