"""What a reader sees: every page of the built site, checked in a real browser."""

import re
from pathlib import Path

import pytest

from conftest import SCREENSHOTS, SITE

# sphinx-thebe's configuration script is included twice on every page, so the second copy
# redeclares a constant. It is harmless (thebe is not used) and outside this project's control.
HARMLESS_JS_ERRORS = [re.compile(r"Identifier 'THEBE_JS_URL' has already been declared")]

SPECIAL = {"genindex.html", "search.html", "index.html"}
PAGES = sorted(str(p.relative_to(SITE)) for p in SITE.rglob("*.html")
               if p.name not in SPECIAL and "_static" not in p.parts
               and "_sources" not in p.parts) \
    if SITE.exists() else []
CHAPTERS = [p for p in PAGES if p.startswith("chapters/")]


def wait_for_math(page) -> None:
    """Wait until MathJax has typeset the page, if the page loads MathJax."""
    if page.evaluate("() => !!document.querySelector('script[src*=\"mathjax\"]')"):
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                               timeout=10_000)
        page.evaluate("() => MathJax.startup.promise")


def real_errors(errors: list[str]) -> list[str]:
    return [e for e in errors if not any(h.search(e) for h in HARMLESS_JS_ERRORS)]


def test_site_has_the_chapters():
    assert CHAPTERS, "no chapter pages in _build/html/chapters"


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_offline_with_math_and_figures(open_page, path):
    page, log = open_page(path)
    page.wait_for_load_state("networkidle")
    assert not log.blocked, \
        f"{path} asked for other hosts (the site must work offline): {log.blocked[:5]}"
    assert not log.failed, \
        f"{path} had failed requests (is `make assets` missing?): {log.failed[:5]}"
    wait_for_math(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / (path.replace("/", "__").replace(".html", ".png"))),
                    full_page=True)

    assert not real_errors(log.errors), f"{path} raised JS errors: {real_errors(log.errors)[:5]}"
    assert page.locator("article h1").count() >= 1, f"{path} has no title"

    source = (SITE / path).read_text()
    if "\\(" in source or "\\[" in source:
        assert page.locator("mjx-container").count() > 0, f"{path}: math is not typeset"
    body = page.locator("article").inner_text()
    assert "$$" not in body and "\\begin{" not in body, f"{path}: raw LaTeX left on the page"

    widths = page.evaluate("() => [...document.querySelectorAll('article img')]"
                           ".map(i => i.naturalWidth)")
    assert all(w > 0 for w in widths), f"{path}: an image did not load ({widths})"


@pytest.mark.parametrize("path", CHAPTERS)
def test_chapter_has_its_parts(open_page, path):
    page, _ = open_page(path)
    headings = page.locator("article h2").all_inner_texts()
    for heading in ("Summary", "Exercises", "References"):
        assert any(heading in h for h in headings), f"{path} has no '{heading}' section: {headings}"
    assert page.locator("div.exercise").count() >= 2, f"{path}: fewer than two exercise blocks"
    assert page.locator("details.solution, div.solution").count() >= 2, \
        f"{path}: fewer than two solutions"
    assert page.locator("article img").count() >= 2, f"{path}: a chapter shows its figures"
    assert page.locator("a.reference.internal[href*='references']").count() >= 1, \
        f"{path}: no citations"
    launch = page.locator("a[href*='colab.research'], a[href*='mybinder']").count()
    assert launch == 0, f"{path}: a launch button that cannot work (no public home, no install)"


OVERFLOW_JS = (Path(__file__).parent / "overflow.js").read_text()


@pytest.mark.parametrize("path", PAGES)
def test_nothing_is_wider_than_the_column(open_page, path):
    """Code, outputs, equations, tables and figures fit the content column at 1280 px."""
    page, _ = open_page(path)
    page.wait_for_load_state("networkidle")
    wait_for_math(page)
    too_wide = page.evaluate(OVERFLOW_JS)
    assert not too_wide, f"{path}: {len(too_wide)} element(s) wider than the column: {too_wide[:8]}"


def test_widgets_render_without_a_kernel(open_page):
    page, log = open_page("chapters/01_gradient_descent.html")
    page.wait_for_selector(".widget-slider", timeout=20_000)
    assert page.locator(".widget-slider").count() >= 2, \
        "the learning-rate explorer's sliders render"
    assert not real_errors(log.errors) and not log.blocked


def test_search_finds_a_chapter_by_a_word_from_its_body(open_page):
    page, log = open_page("search.html?q=zigzag")
    page.wait_for_selector("#search-results li a", timeout=20_000)
    links = page.locator("#search-results li a").evaluate_all("els => els.map(e => e.href)")
    assert any("01_gradient_descent" in link for link in links), links
    assert not log.blocked
