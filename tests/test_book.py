"""Book-level checks: the table of contents, stripped notebooks, no copies of package code."""

import ast
import json
import re
import sys
from pathlib import Path

import expand_solutions
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    found = [toc["root"]]

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                found.append(entry["file"])
            walk(entry.get("sections", []))
            walk(entry.get("chapters", []))

    walk(toc.get("parts", []))
    return found


def code_cells(path: Path) -> list[dict]:
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_there_are_chapters():
    assert NOTEBOOKS, "chapters/ holds no notebook"


@pytest.mark.parametrize("entry", toc_files())
def test_every_toc_entry_exists(entry):
    assert any((ROOT / f"{entry}{ext}").exists() for ext in (".md", ".ipynb")), \
        f"{entry} is in _toc.yml but missing"


def test_every_chapter_and_page_is_in_the_toc():
    listed = set(toc_files())
    pages = [p for p in NOTEBOOKS] + sorted((ROOT / "book").rglob("*.md"))
    missing = [str(p.relative_to(ROOT)) for p in pages
               if str(p.relative_to(ROOT).with_suffix("")) not in listed]
    assert not missing, f"not in _toc.yml: {missing}"


def test_chapter_files_are_numbered_in_order():
    numbers = [int(p.name[:2]) for p in NOTEBOOKS]
    assert numbers == list(range(1, len(numbers) + 1)), f"chapter numbers {numbers}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stripped(path):
    for cell in code_cells(path):
        assert not cell.get("outputs") and cell.get("execution_count") is None, \
            f"{path.name}: commit notebooks without outputs (the book build executes them)"


def package_functions() -> set[str]:
    names = set()
    for module in (ROOT / "rnncourse").rglob("*.py"):
        tree = ast.parse(module.read_text())
        names |= {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    return {n for n in names if not n.startswith("_")}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_does_not_redefine_package_code(path):
    provided = package_functions()
    for cell in code_cells(path):
        tree = ast.parse(source(cell))
        defined = {n.name for n in ast.walk(tree)
                   if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        assert not defined & provided, \
            f"{path.name} redefines {defined & provided}: import it from rnncourse"


FORBIDDEN = {
    "a shell or pip command": re.compile(r"^\s*[!%](pip|conda|wget|curl)", re.M),
    "a download": re.compile(r"https?://|urlretrieve|urlopen|requests\.get|torch\.hub|load_dataset"),
    "an absolute path": re.compile(r"""["'](/(home|root|work|tmp|Users|mnt)/|[A-Za-z]:\\)"""),
}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_offline_and_portable(path):
    for cell in code_cells(path):
        for what, pattern in FORBIDDEN.items():
            assert not pattern.search(source(cell)), \
                f"{path.name} has {what}: {source(cell)[:80]!r}"


LITERAL_SEED = re.compile(r"\bseed\s*=\s*\d|default_rng\(\s*\d|"
                          r"manual_seed\(\s*\d|random\.seed\(\s*\d")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_takes_its_seed_from_a_parameters_cell(path):
    cells = code_cells(path)
    parameters = cells[0]
    assert "parameters" in parameters.get("metadata", {}).get("tags", []), \
        f"{path.name}: the first code cell must be tagged 'parameters' (papermill sets SEED there)"
    body = ast.parse(source(parameters)).body
    assert all(isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant) for n in body), \
        f"{path.name}: keep the parameters cell to plain assignments (papermill injects after it)"
    names = {t.id for n in body for t in n.targets if isinstance(t, ast.Name)}
    assert "SEED" in names, f"{path.name}: the parameters cell sets SEED"
    for cell in cells[1:]:
        assert not LITERAL_SEED.search(source(cell)), \
            f"{path.name}: derive every seed from SEED, not a literal: {source(cell)[:120]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_seeds_and_styles_in_its_setup(path):
    cells = code_cells(path)
    setup = source(cells[1])
    assert "np.random.seed(SEED)" in setup, f"{path.name}: seed numpy from SEED in the setup cell"
    assert "use_course_style()" in setup, \
        f"{path.name}: call use_course_style() in the setup cell"
    if any("torch" in source(c) for c in cells):
        assert "torch.manual_seed(SEED)" in setup, \
            f"{path.name}: seed torch from SEED in the setup cell"
    assert "matplotlib.use(" not in "".join(source(c) for c in cells), \
        "leave the inline backend alone"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_asserts_its_claims_and_has_exercises(path):
    cells = json.loads(path.read_text())["cells"]
    text = "".join(source(c) for c in cells)
    assert any("remove-input" in c.get("metadata", {}).get("tags", []) and "assert " in source(c)
               for c in cells), \
        f"{path.name}: needs a check cell (tag remove-input) that asserts its claims"
    assert "{exercise}" in text and "solution" in text, \
        f"{path.name}: needs exercises with solutions"
    assert "exercises.check_" in text, \
        f"{path.name}: at least one exercise is checked by rnncourse.exercises"
    assert "{cite" in text, f"{path.name}: cite the works it draws on"
    assert "## Summary" in text, f"{path.name}: end with a summary"


def test_build_fails_on_errors():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["execute"]["raise_on_error"] is True
    assert config["execute"]["execute_notebooks"] in ("force", "cache")


def test_every_chapter_has_an_instructor_guide_entry():
    guides = {p.stem for p in (ROOT / "book" / "instructor").glob("*.md")}
    missing = [p.stem for p in NOTEBOOKS if p.stem not in guides]
    assert not missing, f"no instructor-guide entry for {missing}"


# --- Chapters read the same in JupyterLab (jupyterlab-myst) as on the website (issue #10) ---
# JupyterLab shows Sphinx-only MyST raw or not at all, so chapters use what both render:
# {eval} over values glued with pages.glue_names, pages.show_source for package code, and
# solutions as one closed {solution} dropdown whose code is a fence (tests/expand_solutions.py
# turns the fences back into code cells for nbval). tests/jupyterlab checks the result in Lab.

sys.path.insert(0, str(ROOT / "book" / "_ext"))
from eval_glue import SAFE_BUILTINS, free_names  # noqa: E402  (the website's {eval} role)

BOOK_ONLY = {
    "{glue": "{eval} of a value glued with pages.glue_names (JupyterLab shows {glue} raw)",
    "{literalinclude}": "a code cell pages.show_source(module.NAME) tagged remove-input "
                        "(jupyterlab-myst drops {literalinclude} silently)",
    "{solution-start}": "one ::::{solution} markdown cell with the code in a ```python fence "
                        "(Run All would run a solution code cell)",
    "{solution-end}": "one ::::{solution} markdown cell with the code in a ```python fence",
}
EVAL = re.compile(r"\{eval\}`([^`]*)`")


def cells_of(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_uses_only_myst_that_jupyterlab_renders(path):
    found = [f"{marker} in cell {cell.get('id')}: use {instead}"
             for cell in cells_of(path) for marker, instead in BOOK_ONLY.items()
             if marker in source(cell)]
    assert not found, f"{path.name}:\n" + "\n".join(found)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_no_saved_eval_results(path):
    saved = [cell.get("id") for cell in cells_of(path)
             if "user_expressions" in cell.get("metadata", {})]
    assert not saved, (f"{path.name}: cells {saved} carry `user_expressions` metadata (saved "
                       "by jupyterlab-myst with {eval} results): strip it as you strip outputs")


def glued_names(path: Path) -> set[str]:
    """Every name the chapter glues with pages.glue_names(globals(), "a b c")."""
    names = set()
    for cell in code_cells(path):
        try:
            tree = ast.parse(source(cell))
        except SyntaxError:  # IPython syntax (magics): no glue_names call to read there
            continue
        for call in ast.walk(tree):
            func = getattr(call, "func", None)
            if not (isinstance(call, ast.Call) and getattr(func, "attr", getattr(func, "id", None))
                    == "glue_names"):
                continue
            assert len(call.args) == 2 and isinstance(call.args[1], ast.Constant) \
                and isinstance(call.args[1].value, str), \
                f"{path.name}: give glue_names its names as one literal string: " \
                f"{ast.unparse(call)[:100]}"
            names |= set(call.args[1].value.split())
    return names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_eval_names_only_values_the_chapter_glues(path):
    glued = glued_names(path)
    problems = []
    for cell in cells_of(path):
        if cell["cell_type"] != "markdown":
            continue
        for expression in EVAL.findall(source(cell)):
            try:
                names = free_names(ast.parse(expression.strip(), mode="eval"))
            except SyntaxError as err:
                problems.append(f"{{eval}}`{expression}` is not a Python expression: {err.msg}")
                continue
            missing = sorted(names - glued - SAFE_BUILTINS.keys())
            if missing:
                problems.append(f"{{eval}}`{expression}` names {', '.join(missing)}, "
                                "not glued with pages.glue_names")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_cells_showing_package_code_hide_their_input(path):
    shown = [cell.get("id") for cell in code_cells(path)
             if "show_source(" in source(cell)
             and "remove-input" not in cell.get("metadata", {}).get("tags", [])]
    assert not shown, (f"{path.name}: cells {shown} call pages.show_source: tag them "
                       "remove-input (the website shows the source, not the call)")


SOLUTION_BLOCK = re.compile(r"^(:{3,}|`{3,})\{solution\}[^\n]*\n(.*?)^\1\s*$", re.M | re.S)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_solutions_are_closed_dropdowns_with_valid_code(path):
    problems = []
    for cell in cells_of(path):
        if cell["cell_type"] != "markdown":
            continue
        for block in SOLUTION_BLOCK.finditer(source(cell)):
            if ":class: dropdown" not in block.group(2):
                problems.append(f"{block.group(0)[:60]!r}: add `:class: dropdown`")
        for code in expand_solutions.solution_code(source(cell)):
            try:
                ast.parse(code)
            except SyntaxError as err:
                problems.append(f"a solution fence is not valid Python: {err.msg}: "
                                f"{code[:60]!r}")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def test_expanded_solutions_run_from_the_chapters_folder_and_assert_their_checkers():
    solution = ("::::{solution} ex-a\n:class: dropdown\n\nProse.\n```python\nx = 1\n"
                "exercises.check_number(\n    'x', x, 1)\n```\n::::\n")
    nb = {"cells": [{"cell_type": "markdown", "id": "m", "metadata": {}, "source": solution},
                    {"cell_type": "code", "id": "c", "metadata": {}, "source": "y = 2\n",
                     "outputs": [], "execution_count": None}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    cells = expand_solutions.expand(nb, ROOT / "chapters", "ch.ipynb")["cells"]
    assert [c["id"] for c in cells[1:2] + cells[3:]] == ["m", "c"]
    assert f"os.chdir({str(ROOT / 'chapters')!r})" in source(cells[0])
    code = source(cells[2])
    assert cells[2]["metadata"]["tags"] == ["solution"] and code.startswith("x = 1\nassert (\n")
    namespace = {"exercises": type("E", (), {"check_number": staticmethod(lambda *a: False)})}
    with pytest.raises(AssertionError, match="ch.ipynb: a solution fails its checker"):
        exec(code, namespace)
