"""The chapters as a learner reads them in JupyterLab: open, Run All, read (Chromium + Playwright).

Per chapter, after Run ▸ Run All Cells in the project's own JupyterLab (with jupyterlab-myst):
no error output and no page error, no request leaves 127.0.0.1; no raw MyST or unresolved
``{eval}`` left in the rendered markdown; every package object the chapter shows
(``pages.show_source(...)``) is visible as code; every solution is a closed dropdown that
opens on a click, and none ran; moving each slider redraws its figure.
Everything wrong with a chapter is reported at once. Screenshots and the time each step took
land in ``_build/jupyterlab/`` (``times.json``).
"""

from __future__ import annotations

import fcntl
import json
import re
import time
from pathlib import Path

import jlab
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

# Raw MyST a reader must never see, and jupyterlab-myst's own error markers.
RAW = re.compile(r"\{glue|\{eq\}|\{cite|\{ref\}|\{numref\}|\{exercise\}|\{solution|\{eval\}"
                 r"|\{literalinclude\}|:pyobject:|\{note\}|\{py:func\}|^\([a-z][a-z0-9_-]{2,}\)=\s*$"
                 r"|Unknown (Directive|Role)"
                 r"|\b\w+:\.\d+[a-z%]"  # a glue key with its format, left as text (jupyterlab-myst)
                 r"|f\"\{|f'\{"  # an {eval} f-string not evaluated (no kernel ran it)
                 r"|\bnp\.(float|int|bool)\w*\(", re.M)  # a numpy scalar shown unformatted
MARKDOWN = ".jp-MarkdownCell.jp-mod-rendered :is(.myst, .jp-RenderedMarkdown)"
EVAL_ERROR = f"{MARKDOWN} span[class*='e75c58']"  # jupyterlab-myst's red {eval} error
SOLUTIONS = f"{MARKDOWN} details:has(summary:has-text('Solution'))"
CHECKER_OUTPUT = re.compile(r"✔ Correct|✘ Not yet")  # rnncourse.exercises.report
# JupyterLab 4.6 renders a traceback as stderr text (not as application/vnd.jupyter.error)
OUTPUTS = ".jp-OutputArea-output"
ERRORS = (f"{OUTPUTS}[data-mime-type='application/vnd.jupyter.error'], "
          f"{OUTPUTS}[data-mime-type='application/vnd.jupyter.stderr']")
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\s*\w*(Error|Exception)\b", re.M)
EVAL = re.compile(r"\{eval\}`([^`]*)`")
CHAPTERS, OUT = jlab.CHAPTERS, jlab.OUT
RUN_ALL_TIMEOUT = 180  # seconds; a chapter's budget is 60 s, Lab and a loaded machine add to it


def shown_objects(chapter: Path) -> list[str]:
    """Names of the package objects the chapter shows (and, before conversion, includes)."""
    cells = json.loads(chapter.read_text())["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    names = (re.findall(r"show_source\(\s*([\w.]+)", code)
             + re.findall(r"^:pyobject:\s*([\w.]+)", markdown, re.M))  # the book-only way
    return [name.split(".")[-1] for name in names]


def record(name: str, **seconds: float) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    times = OUT / "times.json"
    with open(OUT / "times.lock", "w") as lock:  # two workers may record at once
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = json.loads(times.read_text()) if times.exists() else {}
        data[name] = {k: round(v, 1) for k, v in seconds.items()}
        times.write_text(json.dumps(data, indent=1) + "\n")


def eval_expressions(chapter: Path) -> set[str]:
    cells = json.loads(chapter.read_text())["cells"]
    return {e.strip() for c in cells if c["cell_type"] == "markdown"
            for e in EVAL.findall("".join(c["source"]))}


def error_outputs(page) -> list[str]:
    outputs = page.locator(ERRORS)
    texts = [outputs.nth(i).inner_text() for i in range(outputs.count())]
    return [text[:1500] for text in texts if TRACEBACK.search(text)]


def unresolved_evals(page, chapter: Path) -> list[str]:
    """{eval} expressions shown as the expression (jupyterlab-myst's code) instead of a value.

    Until the kernel has evaluated them, and when evaluating a cell's expressions fails,
    jupyterlab-myst shows each as inline code holding the expression.
    """
    expressions = eval_expressions(chapter)
    code = page.locator(f"{MARKDOWN} code")
    shown = {code.nth(i).inner_text().strip() for i in range(code.count())}
    return sorted(shown & expressions)


def raw_myst(page) -> list[str]:
    found = []
    markdown = page.locator(MARKDOWN)
    for i in range(markdown.count()):
        text = re.sub(r"[ \t\u200b]*\n[ \t\u200b]*", "\n", markdown.nth(i).inner_text())
        found += [f"markdown #{i}: ..." + " ".join(text[max(0, m.start() - 60):m.end() + 40]
                                                     .split()) for m in RAW.finditer(text)]
    return found


def missing_sources(page, chapter: Path) -> list[str]:
    problems = []
    for name in shown_objects(chapter):
        code = page.locator(f"{OUTPUTS} code",
                            has_text=re.compile(rf"(def|class) {name}\b"))
        if not code.count():
            problems.append(f"the source of {name} is not shown")
            continue
        code.first.scroll_into_view_if_needed()
        if not code.first.is_visible():
            problems.append(f"the source of {name} is not visible")
    return problems


def solution_problems(page, shots: Path) -> list[str]:
    problems = []
    ran = page.locator(OUTPUTS, has_text=CHECKER_OUTPUT)
    if ran.count():
        problems.append("Run All ran a solution: an output says "
                        + repr(ran.first.inner_text()[:80]))
    solutions = page.locator(SOLUTIONS)
    opened = [i for i in range(solutions.count())
              if solutions.nth(i).get_attribute("open") is not None]
    if opened:
        problems.append(f"solution dropdown(s) {opened} are open before a click")
    if solutions.count():
        first = solutions.first
        first.locator("summary").click()
        page.wait_for_timeout(300)
        if first.get_attribute("open") is None:
            problems.append("clicking a solution does not open it")
        first.screenshot(path=str(shots / "solution_open.png"))
    return problems


def _figure_src(page, box) -> str | None:
    """The explorer's figure once it stops changing (each key press redraws it)."""
    settled, last = 0, None
    while settled < 4:
        page.wait_for_timeout(250)
        src = box.locator("img").first.get_attribute("src")
        settled, last = (settled + 1, last) if src == last else (0, src)
    return last


def _move(page, box, key: str, src: str | None) -> bool:
    """Press key five times on the slider's handle; True if the figure then changed from src."""
    handle = box.locator(".widget-slider .noUi-handle").first
    handle.focus()
    for _ in range(5):
        handle.press(key)
    try:
        page.wait_for_function("([el, src]) => { const i = el.querySelector('img'); "
                               "return i && i.getAttribute('src') !== src; }",
                               arg=[box.element_handle(), src], timeout=20_000)
    except PlaywrightTimeout:
        return False
    return True


def slider_problems(page, shots: Path) -> list[str]:
    """Move the first slider of every explorer: each move must redraw a different figure.

    The first view is drawn differently from a redraw (the same figure encodes to other bytes),
    so the check compares two redraws: five steps right, then five steps back.
    """
    problems = []
    boxes = page.locator(f"{OUTPUTS} .widget-vbox:has(> .widget-hbox .widget-slider)")
    for i in range(boxes.count()):
        box = boxes.nth(i)
        if not box.locator("img").count():
            problems.append(f"explorer {i} shows no figure")
            continue
        box.locator("img").first.scroll_into_view_if_needed()
        first = box.locator("img").first.get_attribute("src")
        if not _move(page, box, "ArrowRight", first):
            problems.append(f"explorer {i}: moving its slider does not change its figure")
            continue
        moved = _figure_src(page, box)
        box.screenshot(path=str(shots / f"slider_{i}_moved.png"))
        if not _move(page, box, "ArrowLeft", moved):
            problems.append(f"explorer {i}: moving its slider does not change its figure")
            continue
        _figure_src(page, box)
    return problems


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_chapter_reads_in_jupyterlab(browser, lab, chapter):
    base, token = lab
    shots = OUT / chapter.stem
    shots.mkdir(parents=True, exist_ok=True)
    page = jlab.new_page(browser)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        t0 = time.monotonic()
        jlab.open_notebook(page, base, token, chapter.name)
        t_open = time.monotonic() - t0
        t_run = jlab.run_all(page, timeout=RUN_ALL_TIMEOUT)
        page.wait_for_timeout(1000)  # the last markdown cells render after the kernel is idle
        t_checks = time.monotonic()
        page.screenshot(path=str(shots / "end.png"), full_page=True)

        problems = []  # every check runs; the test fails at the end with all that went wrong
        tracebacks = error_outputs(page)
        if tracebacks:
            problems.append(f"{len(tracebacks)} error output(s), the first:\n" + tracebacks[0])
        if not page.locator(MARKDOWN).count():
            problems.append("no rendered markdown")
        raw = raw_myst(page)
        if raw:
            problems.append(f"{len(raw)} raw MyST in rendered markdown:\n" + "\n".join(raw[:15]))
        unresolved = unresolved_evals(page, chapter)
        if unresolved:
            problems.append(f"{len(unresolved)} {{eval}} not evaluated: {unresolved[:10]}")
        eval_errors = page.locator(EVAL_ERROR)
        if eval_errors.count():
            problems.append(f"{eval_errors.count()} {{eval}} failed, the first: "
                            + eval_errors.first.inner_text())
        problems += missing_sources(page, chapter)
        problems += solution_problems(page, shots)
        problems += slider_problems(page, shots)
        if page.blocked:
            problems.append(f"requests left 127.0.0.1: {page.blocked[:5]}")
        if errors:
            problems.append(f"page errors: {errors[:5]}")
        record(chapter.stem, open_s=t_open, run_all_s=t_run,
               checks_s=time.monotonic() - t_checks, total_s=time.monotonic() - t0)
    finally:
        page.context.close()
        jlab.shutdown_kernels(base, token)
    assert not problems, f"{chapter.name} in JupyterLab:\n" + "\n\n".join(problems)
