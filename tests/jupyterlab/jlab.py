"""Start JupyterLab on 127.0.0.1 on a copy of some chapters and drive it with Playwright (sync API).

Used by ``test_jupyterlab.py``. The server is this project's own ``jupyter lab`` (``.venv``, or
``JLAB_VENV``), so it runs the pinned JupyterLab and jupyterlab-myst a learner gets from
``make lab``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

# Lab settings for a quiet, deterministic session: every cell in the DOM (no windowing, so
# every cell can be read), no news or update checks (they would go to the internet).
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
}

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook on screen

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "_build" / "jupyterlab"  # screenshots, times.json, server.log
# JLAB_VENV (default: the project's .venv) holds `jupyter lab` and the kernel; JLAB_CHAPTERS
# (default: every chapter) is a space-separated list of notebooks to check.
VENV = Path(os.environ.get("JLAB_VENV", ROOT / ".venv"))
CHAPTERS = [Path(p).resolve() for p in os.environ.get("JLAB_CHAPTERS", "").split()] \
    or sorted((ROOT / "chapters").glob("*.ipynb"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api(base: str, token: str, path: str, method: str = "GET"):
    request = urllib.request.Request(f"{base}/api/{path}?token={token}", method=method)
    with urllib.request.urlopen(request, timeout=10) as r:
        body = r.read()
    return json.loads(body) if body else None


def shutdown_kernels(base: str, token: str) -> None:
    """End every session's kernel (one chapter's kernel at a time keeps memory low)."""
    for session in _api(base, token, "sessions"):
        _api(base, token, f"sessions/{session['id']}", method="DELETE")


@contextlib.contextmanager
def jupyter_lab(bin_dir: Path, notebooks: list[Path], log: Path):
    """Run ``jupyter lab`` from bin_dir on a copy of the notebooks; yield (base_url, token).

    The copy keeps the chapters themselves safe from Lab's autosave (which would write outputs
    and jupyterlab-myst's ``user_expressions`` into them). Settings, workspaces and runtime
    files go to a temporary folder, so the user's own JupyterLab setup plays no part.
    """
    tmp = Path(tempfile.mkdtemp(prefix="rnncourse-jlab-"))
    root, settings = tmp / "root", tmp / "settings"
    root.mkdir()
    for nb in notebooks:
        shutil.copy(nb, root / nb.name)
    for name, value in SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    port, token = free_port(), secrets.token_hex(16)
    cmd = [str(bin_dir / "jupyter"), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           "--ServerApp.port_retries=0", "--LabApp.news_url=",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # keep the inline backend
    env.update(JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTERLAB_WORKSPACES_DIR=str(tmp / "ws"),
               JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), OMP_NUM_THREADS="1",
               PYDEVD_DISABLE_FILE_VALIDATION="1")
    log.parent.mkdir(parents=True, exist_ok=True)
    out = open(log, "w")  # closed in finally
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"jupyter lab did not start:\n{log.read_text()}") from None
                time.sleep(0.3)
        yield base, token
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        out.close()
        shutil.rmtree(tmp, ignore_errors=True)


def new_page(browser, width: int = 1280, height: int = 900):
    """A page whose requests to any host but 127.0.0.1 are blocked and recorded in page.blocked."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.blocked = []

    def route(r):
        if urlparse(r.request.url).hostname == "127.0.0.1":
            r.continue_()
        else:
            page.blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return page


def kernel_ready(page, base: str, token: str, name: str, timeout: float = 60) -> None:
    """Wait until the server has a session for the notebook whose kernel is idle.

    Polls with page.wait_for_timeout, never time.sleep: Playwright's sync API serves the page's
    routed requests only while it waits, so a sleep would stall JupyterLab itself.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(s["path"].endswith(name) and s.get("kernel")
               and s["kernel"]["execution_state"] == "idle"
               for s in _api(base, token, "sessions")):
            return
        page.wait_for_timeout(300)
    raise TimeoutError(f"no idle kernel for {name} after {timeout} s")


def open_notebook(page, base: str, token: str, name: str) -> None:
    page.goto(f"{base}/lab/tree/{name}?reset&token={token}")  # reset: no restored tabs
    page.wait_for_selector(f"{PANEL} .jp-Notebook .jp-Cell", timeout=60_000)
    kernel_ready(page, base, token, name)
    page.wait_for_selector(f"{PANEL} .jp-Notebook-ExecutionIndicator[data-status='idle']",
                           timeout=30_000)
    page.wait_for_timeout(500)  # let the frontend attach to the kernel


def wait_idle(page, timeout: float) -> None:
    """Wait until the notebook's kernel is idle and no cell is queued or running."""
    page.wait_for_function(
        """() => {
            const s = document.querySelector(
                '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
            const busy = [...document.querySelectorAll('.jp-Notebook .jp-InputPrompt')]
                .some(p => p.textContent.includes('*'));
            return s && s.getAttribute('data-status') === 'idle' && !busy;
        }""", timeout=timeout * 1000, polling=250)


def run_all(page, timeout: float) -> float:
    """Run ▸ Run All Cells from the menu, as a learner would; return the seconds it took."""
    page.click(f"{PANEL} .jp-Notebook")  # focus the notebook so the command is enabled
    page.click("#jp-MainMenu .lm-MenuBar-item:has-text('Run')")
    page.click(".lm-Menu-item:has-text('Run All Cells')")
    start = time.monotonic()
    page.wait_for_timeout(500)
    wait_idle(page, timeout)
    return time.monotonic() - start
