"""A real browser for the notebooks: Debian's Chromium, headless, driven by Playwright.

Every module here sets ``pytestmark = pytest.mark.browser``: `make test` deselects them and
`make test-browser` selects them. Playwright is given the system Chromium (``executable_path``),
so nothing is ever downloaded (never run ``playwright install``). Each browser gets a fresh
temporary profile.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import need

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# No GPU, no QUIC, and none of the background traffic a browser makes by itself.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    need(
        shutil.which(CHROMIUM) is not None,
        f"no Chromium at {CHROMIUM}: apt-get install chromium (or set CHROMIUM)",
    )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "playwright is not installed: make setup-browser")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@contextlib.contextmanager
def offline_page(browser, path: Path, width: int) -> Iterator[object]:
    """``path`` opened from file:// in a ``width`` x 900 window, every http(s) request refused
    (an exported page must need no network)."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.route("http*://**/*", lambda route: route.abort())
        page.goto(path.as_uri(), wait_until="load")
        yield page
    finally:
        context.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory, artifacts: Path) -> Iterator[object]:
    """One JupyterLab for the whole run, serving a copy of notebooks/ (running notebooks in
    JupyterLab must never touch the committed files); tests add notebooks to its root."""
    pytest.importorskip("jupyterlab", reason="needs the [browser] extra: make setup-browser")
    pytest.importorskip("ipywidgets", reason="needs the [browser] extra: make setup-browser")
    need(shutil.which("dot") is not None, "Graphviz's dot is needed: apt-get install graphviz")
    from .jupyterlab import JupyterLab

    root = tmp_path_factory.mktemp("lab-root")
    shutil.copytree(ROOT / "notebooks", root, dirs_exist_ok=True)
    server = JupyterLab(
        root, tmp_path_factory.mktemp("lab-home"), artifacts / "jupyterlab" / "server.log"
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()
