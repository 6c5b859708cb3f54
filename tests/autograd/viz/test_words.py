"""Issue 19.7: the words around a drawing agree with it (tooltips, names, captions)."""

from __future__ import annotations

import html
import re
import shutil

import pytest

import nn
from autograd import Value, draw_dot

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is missing")


def tooltips(svg: str) -> dict[str, str]:
    """Each node's id (its <title>) -> the tooltip a browser shows on hover."""
    found = {}
    for node in re.findall(r'<g id="node\d+" class="node">(.*?)</g>\n</g>', svg, re.DOTALL):
        name = re.search(r"<title>(.*?)</title>", node).group(1)
        tip = re.search(r'xlink:title="([^"]*)"', node)
        found[name] = html.unescape(tip.group(1)) if tip else name
    return found


@needs_dot
@pytest.mark.parametrize("collapse", [None, "neuron"])
def test_no_tooltip_shows_a_node_id(collapse):
    model = nn.MLP(2, [3, 1], seed=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    svg = draw_dot(loss, collapse=collapse).pipe(format="svg", encoding="utf-8")
    tips = tooltips(svg)
    assert tips
    for node, tip in tips.items():
        assert not re.search(r"\b[vom]\d+\b", tip), f"{node}'s tooltip: {tip!r}"


@needs_dot
def test_a_tooltip_names_the_value_and_its_numbers():
    x = Value(2.0, label="x")
    y = (x * 3.0).tanh()
    y.backward()
    tips = tooltips(draw_dot(y).pipe(format="svg", encoding="utf-8"))
    assert tips["v0"] == f"x\ndata 2.0000\ngrad {x.grad:.4f}"
    assert "the tanh op that makes" in tips["o3"]
