"""The documentation site (`make docs`) in Chromium from file://, with the network refused.

Every page loads with no console error and no request leaving file://; no internal link is
broken; on the nudge-and-watch page the embedded explorer, driven by real key presses, shows
the gradients Python computes. Screenshots go to test-artifacts/docs/.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag

import pytest

from autograd import Value

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "docs" / "_build" / "html"


@pytest.fixture(scope="module")
def site() -> Path:
    """The built site; built here (warnings as errors) when `make docs` has not run."""
    if not (SITE / "index.html").exists():
        subprocess.run(
            [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", "docs", str(SITE)],
            cwd=ROOT,
            check=True,
        )
    return SITE


def pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.parts)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        for key in ("href", "src"):
            if tag in ("a", "link", "script", "img") and values.get(key):
                self.links.append(values[key])


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_no_internal_link_is_broken(site: Path) -> None:
    parsed = {path: _parse(path) for path in pages(site)}
    assert len(parsed) >= 15, sorted(parsed)
    broken = []
    for path, links in parsed.items():
        for link in links.links:
            if re.match(r"^[a-z]+:", link):  # http:, mailto:, data:, javascript:
                continue
            target, fragment = urldefrag(link)
            target = target.split("?")[0]
            file = (path.parent / unquote(target)).resolve() if target else path
            if not file.exists():
                broken.append(f"{path.relative_to(site)} -> {link} (no file)")
            elif fragment and file.suffix == ".html":
                ids = parsed[file].ids if file in parsed else _parse(file).ids
                if unquote(fragment) not in ids:
                    broken.append(f"{path.relative_to(site)} -> {link} (no #{fragment})")
    assert not broken, "\n".join(broken)


def test_every_api_name_is_documented(site: Path) -> None:
    """Every public name of the contract (API.md) has an entry in the API reference."""
    text = "".join(p.read_text(encoding="utf-8") for p in (site / "api").glob("*.html"))
    names = [
        "Value", "no_grad", "grad", "gradcheck", "GradcheckError", "draw_dot", "compile",
        "Compiled", "sum", "dot", "affine", "explain", "Explanation", "define_op", "Op", "jvp",
        "check_op", "interactive", "step_backward", "backward_frames", "text_tree",
        "draw_network", "explore", "to_html", "Module", "Neuron", "Layer", "MLP", "SGD", "Adam",
        "mse_loss", "binary_cross_entropy", "cross_entropy", "hinge_loss", "softmax", "save",
        "load", "fit", "evaluate", "predict", "make_moons", "make_circles", "make_spirals",
        "make_blobs", "train_test_split", "batches", "load_digits", "load_mnist",
        "load_fashion_mnist", "record_calls",
    ]  # fmt: skip
    missing = [n for n in names if not re.search(rf'id="[\w.]*\b{n}"', text)]
    assert not missing, missing
    value = (site / "api" / "value.html").read_text(encoding="utf-8")
    assert "f = tanh x; f&#39; = 1 - tanh^2 x" in value or "f = tanh x; f' = 1 - tanh^2 x" in value


def _open(browser, path: Path, width: int = 1280):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    outside: list[str] = []
    errors: list[str] = []

    def refuse(route) -> None:
        outside.append(route.request.url)
        route.abort()

    page.route(lambda url: not url.startswith(("file:", "about:", "data:")), refuse)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_timeout(1500)  # MathJax typesets (and would fetch fonts) after load
    return context, page, outside, errors


def test_every_page_loads_offline_without_errors(browser, site: Path, artifacts: Path) -> None:
    folder = artifacts / "docs"
    folder.mkdir(exist_ok=True)
    problems = []
    for path in pages(site):
        context, page, outside, errors = _open(browser, path)
        try:
            if path.name == "index.html" and path.parent == site:
                page.screenshot(path=str(folder / "home.png"))
            if path == site / "api" / "value.html":
                page.screenshot(path=str(folder / "api_value.png"))
        finally:
            context.close()
        if outside or errors:
            problems.append(f"{path.relative_to(site)}: outside {outside}, errors {errors}")
    assert not problems, "\n".join(problems)


def _neuron_w1_grad(w1: float) -> tuple[float, float]:
    """d o / d w1 and d o / d x1 for notebook 06's first neuron at this w1."""
    x1, x2 = Value(2.0), Value(0.0)
    w, w2, b = Value(w1), Value(1.0), Value(6.8813735870195432)
    o = (x1 * w + x2 * w2 + b).tanh()
    o.backward()
    return w.grad, x1.grad


def test_nudging_a_leaf_on_the_nudge_and_watch_page(browser, site: Path, artifacts: Path) -> None:
    (path,) = (site / "notebooks").glob("06_*.html")
    context, page, outside, errors = _open(browser, path)
    try:
        assert page.locator("iframe.seegrad-view").count() >= 3
        frame_element = page.locator("iframe.seegrad-view").first
        frame_element.scroll_into_view_if_needed()
        frame = page.frame_locator("iframe.seegrad-view").first
        row = frame.locator(
            ".sg-leaves tr[data-index]", has=frame.locator(".sg-leaf-name", has_text="w1")
        )

        def grads() -> tuple[float, float]:
            w1 = float(row.locator(".sg-grad").get_attribute("data-value"))
            x1_row = frame.locator(
                ".sg-leaves tr[data-index]", has=frame.locator(".sg-leaf-name", has_text="x1")
            )
            return w1, float(x1_row.locator(".sg-grad").get_attribute("data-value"))

        before = grads()
        assert all(
            math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)
            for a, b in zip(before, _neuron_w1_grad(-3.0))
        )
        field = row.locator(".sg-value-field")
        field.click()
        page.keyboard.press("Control+A")
        page.keyboard.type("-2")
        page.keyboard.press("Enter")
        page.wait_for_timeout(200)
        after = grads()
        expected = _neuron_w1_grad(-2.0)
        assert after != before
        assert all(
            math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9) for a, b in zip(after, expected)
        ), (after, expected)
        frame_element.screenshot(path=str(artifacts / "docs" / "nudge_and_watch_after_nudge.png"))
        page.screenshot(path=str(artifacts / "docs" / "nudge_and_watch_page.png"))
    finally:
        context.close()
    assert not outside and not errors, (outside, errors)
