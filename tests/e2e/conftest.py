"""Real-browser harness: one Streamlit server per session, Chromium driven by Playwright.

Chromium is taken from $CHROMIUM, else /usr/bin/chromium, else Playwright's own download. When none is
found the browser tests skip, unless REQUIRE_BROWSER=1 (set by .ci/run), which makes that a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

# a phone's browser says it is one: pages size their fixed-size charts by it (ui.on_phone)
PHONE_USER_AGENT = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                    "Chrome/131.0.0.0 Mobile Safari/537.36")
ROOT = Path(__file__).resolve().parents[2]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _no_browser(why: str):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {why}")
    pytest.skip(why)


LOGS: dict[str, Path] = {}  # server url -> its log file, while it runs


@contextmanager
def streamlit_server(warmup: bool = False):
    """`streamlit run app.py` on a free port, yielded once it reports healthy; stopped afterwards. Without
    ``warmup`` the server computes each view when a test first opens it (ui/warmup.py has a test of its own)."""
    port = _free_port()
    log_path = ROOT / f".e2e-server-{port}.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true",
             f"--server.port={port}", "--server.address=127.0.0.1", "--browser.gatherUsageStats=false",
             "--server.fileWatcherType=none", "--server.runOnSave=false"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "PAGE_WARMUP": "1" if warmup else "0"},
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.time() + 60
            while True:
                try:
                    if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                        break
                except OSError:
                    pass
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("streamlit did not become healthy:\n" + log_path.read_text())
                time.sleep(0.25)
            LOGS[url] = log_path
            yield url
        finally:
            LOGS.pop(url, None)
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    log_path.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def server():
    with streamlit_server() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("playwright is not installed")
    exe = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        try:
            if Path(exe).exists():
                b = p.chromium.launch(executable_path=exe, args=ARGS)
            else:
                b = p.chromium.launch(args=ARGS)
        except Exception as exc:  # no browser on this machine
            _no_browser(f"no Chromium could be launched ({exc.__class__.__name__}: {str(exc)[:200]})")
        yield b
        b.close()


def _shared_page(browser, **context_options):
    """One tab for every test of this worker: each test navigates it to a fresh link (a new Streamlit session).

    A new browser context per test re-downloaded and re-compiled Streamlit's JavaScript on every page load;
    in one context a page load costs the renderer ~35% less CPU, and the browser is most of the suite's CPU.
    """
    context = browser.new_context(**context_options)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    return context, pg


@pytest.fixture(scope="session")
def page(browser):
    context, pg = _shared_page(browser, viewport={"width": 1400, "height": 1000})
    yield pg
    context.close()


@pytest.fixture(scope="session")
def phone_page(browser):
    context, pg = _shared_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                               user_agent=PHONE_USER_AGENT)
    yield pg
    context.close()
