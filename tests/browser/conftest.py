"""Serve the built site on 127.0.0.1 and drive Debian's chromium with Playwright.

Every request to a host other than the local server is blocked and recorded, so a page
that would need the internet fails its check.
"""

import functools
import http.server
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep the test output readable
        pass


@pytest.fixture(scope="session")
def site_url():
    if not (SITE / "index.html").exists():
        pytest.fail("no built site in _build/html: run `make build` first")
    handler = functools.partial(QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed "
                    "(as root, `make browser` installs Debian's chromium); "
                    "the browser checks did not run")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageLog:
    """What went wrong while a page loaded: blocked hosts, failed requests, JS errors."""

    def __init__(self):
        self.blocked, self.failed, self.errors = [], [], []


@pytest.fixture
def open_page(browser, site_url):
    """Open a site path in a fresh page; returns (page, log)."""
    contexts = []

    def _open(path: str):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page, log = context.new_page(), PageLog()

        def route(r):
            if urlparse(r.request.url).hostname == "127.0.0.1":
                r.continue_()
            else:
                log.blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("requestfailed", lambda req: log.failed.append(f"{req.url} ({req.failure})"))
        page.on("response",
                lambda res: res.status >= 400 and log.failed.append(f"{res.url} ({res.status})"))
        page.on("pageerror", lambda err: log.errors.append(str(err)))
        page.on("console", lambda msg: msg.type == "error" and log.errors.append(msg.text))
        page.goto(f"{site_url}/{path}", wait_until="load")
        return page, log

    yield _open
    for context in contexts:
        context.close()
