"""Start JupyterLab on 127.0.0.1 and drive notebooks in it with Playwright.

Only the standard library is imported here, so `make test` can import :func:`neuron` without
JupyterLab or a browser.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

# How long anything in JupyterLab may take before the test says what it was waiting for.
START_SECONDS = 120
RUN_ALL_SECONDS = 240
WIDGET_SECONDS = 60

# Settings a fresh user would have, minus what would slow or disturb a test: no news toast,
# every cell in the DOM (no windowing), no confirmation on closing.
USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/application-extension/top-bar.jupyterlab-settings": {},
}
SERVER_CONFIG = {
    "LabApp": {
        "news_url": None,
        "extension_manager": "readonly",
        "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
        "expose_app_in_browser": True,  # window.jupyterapp: run commands, await the kernel
    },
}


def neuron():
    """The neuron of notebook 01 (its cell ``neuron``), after ``o.backward()``; returns ``o``.

    The browser tests expect the graph widgets of 01 to draw exactly this graph.
    """
    from autograd import Value

    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1_x2w2 = x1w1 + x2w2
    x1w1_x2w2.label = "x1*w1 + x2*w2"
    n = x1w1_x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class JupyterLab:
    """A JupyterLab server on 127.0.0.1 serving ``root``, with its own config and settings.

    Its output goes to ``log``. :meth:`stop` ends the server and its kernels (one process
    group), and is safe to call twice.
    """

    def __init__(self, root: Path, home: Path, log: Path) -> None:
        self.root, self.home, self.log = root, home, log
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, notebook: str) -> str:
        """The notebook alone in a fresh workspace of its own (no tabs left from other tests)."""
        workspace = Path(notebook).stem
        return f"{self.base}/lab/workspaces/{workspace}/tree/{notebook}?reset&token={self.token}"

    def start(self) -> None:
        config, runtime, settings = (self.home / d for d in ("config", "runtime", "settings"))
        for name, value in USER_SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value))
        config.mkdir(parents=True, exist_ok=True)
        runtime.mkdir(parents=True, exist_ok=True)
        (config / "jupyter_server_config.json").write_text(json.dumps(SERVER_CONFIG))
        env = dict(
            os.environ,
            JUPYTER_CONFIG_DIR=str(config),
            JUPYTER_RUNTIME_DIR=str(runtime),
            IPYTHONDIR=str(self.home / "ipython"),
            MPLCONFIGDIR=str(self.home / "matplotlib"),
        )
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            "--ServerApp.allow_root=True",  # CI runs as root
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={self.home / 'workspaces'}",
        ]
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("w") as log:
            # A session of its own, so stop() can end the server and its kernels together.
            self.process = subprocess.Popen(
                command,
                cwd=self.root,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        request = urllib.request.Request(
            f"{self.base}/api/status", headers={"Authorization": f"token {self.token}"}
        )
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited at start:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"JupyterLab did not answer in {START_SECONDS} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)  # the server shuts its kernels down on SIGTERM
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


# --- Playwright steps -------------------------------------------------------------------------

_RUN_ALL = """async (limit) => {
    const app = window.jupyterapp;
    const panel = app.shell.currentWidget;
    await panel.context.ready;
    await panel.sessionContext.ready;
    const timeout = new Promise((_, fail) =>
        setTimeout(() => fail(new Error(`run all took over ${limit} ms`)), limit));
    const ran = app.commands.execute("notebook:run-all-cells");
    return await Promise.race([ran, timeout]);
}"""

_ERRORS = """() => [...window.jupyterapp.shell.currentWidget.node.querySelectorAll(
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
    .map(node => node.innerText).filter(text => /Error|Traceback/.test(text))"""

_CELL_INDEX = """(marker) => window.jupyterapp.shell.currentWidget.content.widgets
    .findIndex(cell => cell.model.sharedModel.getSource().includes(marker))"""

# A node is highlighted when its outline differs from most nodes of the same shape: works for
# a fill colour, a thicker stroke or a CSS class, whatever the drawing uses.
_HIGHLIGHTED = """(svg) => {
    const shapes = 'polygon, ellipse, path, rect, circle';
    const nodes = [...svg.querySelectorAll('g.node')].map(node => {
        const shape = node.querySelector(shapes);
        const look = shape ? getComputedStyle(shape) : null;
        const kind = shape ? shape.tagName : 'none';
        const signature = look ? [look.fill, look.stroke, look.strokeWidth, look.opacity,
                                  getComputedStyle(node).opacity].join('|') : '';
        // Named by the first line of its label, as a reader sees it (some renderers drop titles).
        const text = node.querySelector('text');
        return {kind, signature, title: text ? text.textContent.trim() : node.id};
    });
    const counts = {};
    for (const n of nodes) {
        counts[n.kind] = counts[n.kind] || {};
        counts[n.kind][n.signature] = (counts[n.kind][n.signature] || 0) + 1;
    }
    const usual = {};
    for (const [kind, bySignature] of Object.entries(counts)) {
        usual[kind] = Object.entries(bySignature).sort((a, b) => b[1] - a[1])[0][0];
    }
    return nodes.filter(n => n.signature !== usual[n.kind]).map(n => n.title).sort();
}"""


def open_notebook(page, lab: JupyterLab, name: str) -> None:
    page.goto(lab.url(name), wait_until="domcontentloaded")
    page.wait_for_function(
        "(name) => window.jupyterapp && window.jupyterapp.shell.currentWidget"
        " && window.jupyterapp.shell.currentWidget.context"
        " && window.jupyterapp.shell.currentWidget.context.path.endsWith(name)",
        arg=name,
        timeout=START_SECONDS * 1000,
    )
    notebook_cells(page).first.wait_for(timeout=START_SECONDS * 1000)
    # The file browser is not under test: give the notebook the whole width.
    page.evaluate("() => window.jupyterapp.shell.collapseLeft()")


def notebook_cells(page):
    """The cells of the notebook in the main area (not of a notebook in a hidden tab)."""
    panel = page.evaluate("() => window.jupyterapp.shell.currentWidget.id")
    return page.locator(f"[id='{panel}'] .jp-Notebook .jp-Cell")


def run_all(page) -> None:
    """Run every cell (Run > Run All Cells) and wait for the last; fail on an error output."""
    ok = page.evaluate(_RUN_ALL, RUN_ALL_SECONDS * 1000)
    errors = page.evaluate(_ERRORS)
    if errors or ok is False:
        raise AssertionError("a cell raised in JupyterLab:\n" + "\n---\n".join(errors))


def cell(page, marker: str):
    """The cell whose source contains ``marker``."""
    index = page.evaluate(_CELL_INDEX, marker)
    if index < 0:
        raise AssertionError(
            f"no cell of the open notebook contains {marker!r}; notebooks/README.md says which "
            "cells the browser check expects"
        )
    return notebook_cells(page).nth(index)


def graph_svg(cell_locator):
    """The first SVG with graph nodes in the cell's output, once it has drawn."""
    svg = cell_locator.locator(".jp-OutputArea svg:has(g.node)").first
    svg.wait_for(timeout=WIDGET_SECONDS * 1000)
    return svg


def node_count(svg) -> int:
    return svg.locator("g.node").count()


def highlighted(svg) -> list[str]:
    """The first label line of each highlighted node, sorted."""
    return svg.evaluate(_HIGHLIGHTED)


def move_slider(cell_locator, presses: int = 1) -> None:
    """Press the right arrow on the cell's slider, as a user would with the keyboard."""
    handle = cell_locator.locator(".widget-slider .noUi-handle, input[type=range]").first
    handle.wait_for(timeout=WIDGET_SECONDS * 1000)
    handle.focus()
    for _ in range(presses):
        handle.press("ArrowRight")


def settled_highlight(svg, unlike: list[str] | None = None, seconds: float = 15) -> list[str]:
    """The highlighted nodes once some are highlighted, they differ from ``unlike``, and two reads
    0.2 s apart agree (or what is highlighted when ``seconds`` run out).

    A widget redraws in steps (the SVG replaced, then styled): one read may catch it between two
    pictures, with nothing highlighted.
    """
    deadline = time.monotonic() + seconds
    previous = highlighted(svg)
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = highlighted(svg)
        if now and now == previous and now != unlike:
            return now
        previous = now
    return previous
