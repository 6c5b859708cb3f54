"""Issue 19.7: ``to_html(viz.interactive(o))`` writes the interactive view (search, zoom, click
to light a node's ancestors and descendants), not the same file as ``draw_dot``. Real key
presses and clicks in the file opened from file://. Screenshot: test-artifacts/interactive-page.png.
"""

from __future__ import annotations

import pytest

from .conftest import offline_page

pytestmark = pytest.mark.browser

LIT = """() => [...document.querySelectorAll('g.node.sg-hit')]
  .map(n => n.querySelector('text').textContent.trim()).sort()"""


def test_the_exported_interactive_view_searches_zooms_and_lights(browser, artifacts, tmp_path):
    pytest.importorskip("graphviz_anywidget", reason="needs the [widgets] extra")
    from autograd import draw_dot, viz
    from autograd.viz.export import document

    from .jupyterlab import neuron

    o = neuron()
    assert document(viz.interactive(o)) != document(draw_dot(o))
    path = viz.to_html(viz.interactive(o), tmp_path / "interactive.html")
    with offline_page(browser, path, 1024) as page:
        search = page.locator("#sg-search")
        search.click()
        search.press_sequentially("w1")
        assert page.evaluate(LIT) == ["w1", "x1*w1", "x1*w1 + x2*w2"]
        assert page.locator("g.node.sg-dim").count() == page.locator("g.node").count() - 3
        search.fill("")
        search.press("Backspace")  # an input event with the field empty: nothing lit
        assert page.evaluate(LIT) == []

        svg = page.locator("div[class$='-box'] > svg")
        fitted = svg.bounding_box()["width"]
        page.locator("#sg-in").click()
        page.locator("#sg-in").click()
        assert svg.bounding_box()["width"] == pytest.approx(fitted * 1.5625, rel=0.02)
        page.locator("#sg-fit").click()
        assert svg.bounding_box()["width"] == pytest.approx(fitted, rel=0.01)

        page.locator("g.node", has_text="x2").first.click()
        lit = page.evaluate(LIT)
        assert lit == sorted(["x2", "*", "x2*w2", "+", "x1*w1 + x2*w2", "+", "n", "tanh", "o"])
        page.screenshot(path=str(artifacts / "interactive-page.png"))
