"""Issue 19.7: the words around a drawing agree with it (tooltips, names, captions)."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
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


NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven"}


def cells(notebook: str) -> dict[str, nbformat.NotebookNode]:
    path = Path(__file__).resolve().parents[3] / "notebooks" / notebook
    return {c.get("id"): c for c in nbformat.read(path, as_version=4).cells}


def test_notebook_06_promises_as_many_factors_as_the_explorer_shows():
    from autograd import explain

    found = cells("06_nudge_and_watch.ipynb")
    code = found["ab2920ee"].source.split("sigmoid_neuron =")[0]  # the neuron, not the widget
    space: dict = {"Value": Value}
    exec(code, space)
    text = str(explain(space["C"], space["w"]))  # what the explorer shows on clicking w
    (symbols,) = [line for line in text.splitlines() if "∂C/∂" in line]
    count = symbols.count("·") + 1
    assert f"{NUMBER_WORDS[count]} factors" in found["f34ee11c"].source, (text, count)


@needs_dot
def test_notebook_07_names_in_its_words_what_the_culprit_drawing_shows():
    """The text below the culprit's picture reads ∂ swish?/∂ z: the drawing must have a z."""
    found = cells("07_write_your_own_op.ipynb")
    names = re.findall(r"\\partial\s*([A-Za-z]\w*)", found["culprit-read"].source)
    assert names
    # In a process of its own: define_op adds rows to the op table.
    program = "\n".join(
        [
            found["imports"].source,
            found["mistake"].source,
            found["culprit"].source,
            "import json",
            "from autograd import topological_order",
            "order = topological_order(error.root)",
            "print(json.dumps(sorted(v.label for v in order if v.label)))",
        ]
    )
    labels = set(
        json.loads(
            subprocess.run(
                [sys.executable, "-c", program.replace("import matplotlib.pyplot as plt", "")],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "MPLBACKEND": "Agg"},
            ).stdout.splitlines()[-1]
        )
    )
    assert set(names) <= labels, (names, labels)


@needs_dot
def test_boxes_of_a_batch_loss_have_distinct_names():
    """Every neuron's w0 and every sample's x0 were boxes all called w0 and x0; captions called
    each sample's x0 "x0[layer 0 / neuron 0]"."""
    from autograd import topological_order
    from autograd.viz.text import value_names

    model = nn.MLP(2, [3, 3, 1], seed=0)
    loss = nn.mse_loss([model([0.5, -1.0]), model([1.0, 2.0])], [1.0, -1.0])
    loss.backward()
    names = value_names(topological_order(loss))
    inputs = sorted(n for n in names.values() if n.startswith("x"))
    assert inputs == ["x0[sample 0]", "x0[sample 1]", "x1[sample 0]", "x1[sample 1]"]
    svg = draw_dot(loss).pipe(format="svg", encoding="utf-8")
    firsts = re.findall(
        r'class="node">\s*<title>v\d+</title>(?:(?!</g>).)*?<text[^>]*>([^<]*)</text>', svg, re.S
    )
    labelled = [html.unescape(t).replace("\xa0", " ") for t in firsts if not t.startswith("data")]
    assert "w0[layer 1 / neuron 2]" in labelled and "x0[sample 1]" in labelled
    assert len(labelled) == len(set(labelled)), sorted(labelled)
    # In cluster boxes the box says where: the label alone.
    clustered = draw_dot(loss, cluster="module").pipe(format="svg", encoding="utf-8")
    assert ">w0[layer" not in clustered and ">w0<" in clustered
