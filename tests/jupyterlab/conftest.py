"""A JupyterLab server on copies of the chapters, and Debian's chromium driven by Playwright.

JLAB_VENV (default: the project's .venv) holds ``jupyter lab`` and the kernel; JLAB_CHAPTERS
(default: every chapter) is a space-separated list of notebooks to check (see jlab.py).
"""

import os
from pathlib import Path

import jlab
import pytest


@pytest.fixture(scope="session")
def browser():
    if not Path(jlab.CHROMIUM).exists():
        pytest.skip("chromium is not installed "
                    "(as root, `make jupyterlab` installs Debian's chromium); "
                    "the JupyterLab checks did not run")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=jlab.CHROMIUM, headless=True,
                              args=jlab.CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def lab(browser):  # no chromium, no server: the skip comes first
    # under pytest-xdist (`make jupyterlab` runs two chapters at a time) each worker has its own
    # server, browser and log
    log = jlab.OUT / f"server-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.log"
    with jlab.jupyter_lab(jlab.VENV / "bin", jlab.CHAPTERS, log) as server:
        yield server
