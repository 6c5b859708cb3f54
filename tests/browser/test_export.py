"""viz.to_html files open from file:// in Chromium with the network off, and fit the window.

For a graph (draw_dot of notebook 01's neuron), the backward steps (the slider moves through
them) and the network view (2-16-16-1 and 784-16-16-10), at 1024 and 1440 px: the page never
scrolls sideways, each drawing lies inside the window (or in a box that scrolls to it), and the
network view's text is at least 8 px high. Screenshots go to test-artifacts/export/.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from .conftest import need
from .jupyterlab import neuron

pytestmark = pytest.mark.browser

WIDTHS = (1024, 1440)
MIN_TEXT_PX = 8.0

# Where each drawing sits and how big its text is, measured in the page.
MEASURE = """() => [...document.querySelectorAll('svg')].filter(s => s.getClientRects().length)
  .map(svg => {
    const rect = svg.getBoundingClientRect();
    const box = svg.parentElement;
    const scale = rect.width / svg.viewBox.baseVal.width;
    const sizes = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim())
      .map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
    const outer = box.getBoundingClientRect();
    const scrolls = box.scrollWidth > box.clientWidth
      && ['auto', 'scroll'].includes(getComputedStyle(box).overflowX);
    return {left: rect.left, right: rect.right, width: rect.width, boxLeft: outer.left,
            boxRight: outer.right, boxScrolls: scrolls, boxScrollWidth: box.scrollWidth,
            smallestText: Math.min(...sizes)};
  })"""


def moons_model():
    import nn
    from nn.data import make_moons

    X, y = make_moons(100, noise=0.1, seed=0)
    model = nn.MLP(2, [16, 16, 1], seed=0)
    nn.fit(model, X, y, loss="bce_logits", epochs=5, batch_size=20, progress=False)
    return model, X


@pytest.fixture(scope="module")
def exported(artifacts: Path) -> dict[str, Path]:
    """The files under test, written once into test-artifacts/export/."""
    need(
        shutil.which("dot") is not None, "Graphviz's dot is not installed: apt-get install graphviz"
    )
    import nn
    from autograd import draw_dot, viz

    folder = artifacts / "export"
    folder.mkdir(parents=True, exist_ok=True)
    root = neuron()
    model, X = moons_model()
    rng = random.Random(0)
    digits = nn.MLP(784, [16, 16, 10], seed=0)
    files = {
        "graph": viz.to_html(draw_dot(root), folder / "graph.html"),
        "steps": viz.to_html(viz.backward_frames(root), folder / "steps.html"),
        "network": viz.to_html(viz.draw_network(model, sample=X[0]), folder / "network.html"),
        "network-784": viz.to_html(
            viz.draw_network(digits, sample=[rng.random() for _ in range(784)]),
            folder / "network-784.html",
        ),
    }
    return files


def open_offline(browser, path: Path, width: int):
    """A page at ``width`` px showing ``path``; every request but file:// is refused and kept."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    refused: list[str] = []

    def route(request_route) -> None:
        url = request_route.request.url
        if url.startswith("file://"):
            request_route.continue_()
        else:
            refused.append(url)
            request_route.abort()

    page.route("**/*", route)
    page.goto(path.as_uri(), wait_until="load")
    return context, page, refused


def check_fits(page, width: int, name: str) -> list[dict]:
    page_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert page_width <= width, f"{name}: the page is {page_width} px wide in a {width} px window"
    drawings = page.evaluate(MEASURE)
    assert drawings, f"{name}: no drawing is shown"
    for d in drawings:
        inside = d["left"] >= -0.5 and d["right"] <= width + 0.5
        reachable = d["boxScrolls"] and d["boxLeft"] >= 0 and d["boxRight"] <= width + 0.5
        assert inside or reachable, f"{name} at {width} px: the drawing is cut off: {d}"
    return drawings


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["graph", "network", "network-784"])
def test_exported_picture_opens_offline_and_fits(browser, exported, artifacts, name, width) -> None:
    context, page, refused = open_offline(browser, exported[name], width)
    try:
        drawings = check_fits(page, width, name)
        page.screenshot(path=str(artifacts / "export" / f"{name}-{width}.png"), full_page=True)
        if name.startswith("network"):
            (d,) = drawings
            assert d["right"] <= width, f"{name}: the network view is cut at {width} px: {d}"
            assert d["smallestText"] >= MIN_TEXT_PX, f"{name}: text {d['smallestText']:.1f} px"
        assert not refused, f"{name} asked the network for {refused}"
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_exported_steps_slider_moves_through_the_frames(browser, exported, artifacts, width):
    context, page, refused = open_offline(browser, exported["steps"], width)
    try:
        frames = page.locator(".frame")
        count = frames.count()
        assert count == 6  # the seed and one step per op of the neuron (*, *, +, +, tanh)

        def shown() -> list[int]:
            return page.evaluate(
                "() => [...document.querySelectorAll('.frame')]"
                ".map((f, i) => f.getClientRects().length ? i : -1).filter(i => i >= 0)"
            )

        assert shown() == [0]
        check_fits(page, width, "steps 0")
        page.screenshot(path=str(artifacts / "export" / f"steps-0-{width}.png"), full_page=True)
        page.click("#next")
        assert shown() == [1]
        assert page.inner_text("#where") == f"step 1 of {count - 1}"
        slider = page.locator("#step")
        slider.fill(str(count - 1))  # what dragging to the end does: value set, "input" fired
        assert shown() == [count - 1]
        assert page.inner_text("#where") == f"step {count - 1} of {count - 1}"
        check_fits(page, width, f"steps {count - 1}")
        last = artifacts / "export" / f"steps-{count - 1}-{width}.png"
        page.screenshot(path=str(last), full_page=True)
        page.click("#back")
        assert shown() == [count - 2]
        assert not refused, f"the steps page asked the network for {refused}"
    finally:
        context.close()
