"""JupyterLab on 127.0.0.1, driven by Playwright with the system Chromium.

- ``test_probe_*`` proves the machinery today: start JupyterLab, open a notebook, run all cells,
  find a graph SVG in a widget's output, count its nodes, move a slider, see the highlight move.
  Each probe draws the neuron of notebook 01, a slider stepping through the backward order:
  ``html`` with Graphviz's ``dot`` in the kernel and an ipywidgets HTML widget, ``anywidget``
  with graphviz-anywidget (Graphviz compiled to WebAssembly, in the browser).
- ``test_01_*`` runs ``notebooks/01_values_and_graphs.ipynb`` and checks its real widgets
  (``autograd.viz.interactive`` and ``autograd.viz.step_backward``); skipped until
  ``autograd.viz`` exists.

Screenshots: test-artifacts/jupyterlab/*.png; the server's log: test-artifacts/jupyterlab/*.log.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from . import jupyterlab as lab_steps
from .conftest import ROOT

pytestmark = pytest.mark.browser

NOTEBOOK_01 = "01_values_and_graphs.ipynb"
PROBES = {"html": "probe_html_widget.ipynb", "anywidget": "probe_graphviz_anywidget.ipynb"}
# What notebook 01 must call, once autograd.viz is merged (each in a cell of its own).
INTERACTIVE_CALL = "viz.interactive(o"
STEP_CALL = "viz.step_backward(o"

PROBE_CELLS = [
    "import re\nimport subprocess\n\nimport ipywidgets as widgets\n\n"
    "from autograd import Value, topological_order",
    # The neuron cell of notebook 01, verbatim, is inserted here.
    """order = topological_order(o)
index = {id(node): i for i, node in enumerate(order)}


def dot_source(highlight):
    lines = ["digraph { rankdir=LR; node [fontname=Helvetica, fontsize=11];"]
    for i, node in enumerate(order):
        fill = "gold" if i == highlight else "white"
        text = f"{node.label} | data {node.data:.4f} | grad {node.grad:.4f}"
        lines.append(f'v{i} [shape=record, style=filled, fillcolor="{fill}", label="{text}"];')
        if node.op:
            lines.append(f'op{i} [label="{node.op}"]; op{i} -> v{i};')
            lines += [f"v{index[id(p)]} -> op{i};" for p in node.parents]
    return "\\n".join(lines + ["}"])


def svg(highlight):
    drawn = subprocess.run(["dot", "-Tsvg"], input=dot_source(highlight), capture_output=True,
                           text=True, check=True).stdout
    # Drop the size in points so the picture scales to the notebook's width.
    return re.sub(r' (width|height)="[0-9.]+pt"', "", drawn[drawn.index("<svg"):], count=2)""",
]
# The last cell of each probe: a slider stepping through the backward order (from o back to the
# leaves: step k highlights the k-th node visited), above a widget showing the graph.
PROBE_WIDGETS = {
    # SVG drawn by dot in the kernel, shown by an ipywidgets HTML widget.
    "html": """step = widgets.IntSlider(value=0, min=0, max=len(order) - 1, description="step")
picture = widgets.HTML(svg(len(order) - 1))
step.observe(lambda change: setattr(picture, "value", svg(len(order) - 1 - change["new"])),
             names="value")
widgets.VBox([step, picture])""",
    # DOT laid out in the browser by graphviz-anywidget (d3-graphviz), as autograd.viz may do.
    "anywidget": """from graphviz_anywidget import graphviz_widget_simple

step = widgets.IntSlider(value=0, min=0, max=len(order) - 1, description="step")
picture = graphviz_widget_simple(dot_source(len(order) - 1))
step.observe(
    lambda change: setattr(picture, "dot_source", dot_source(len(order) - 1 - change["new"])),
    names="value",
)
widgets.VBox([step, picture])""",
}


def probe_notebook(path: Path, widget: str) -> None:
    import nbformat

    source = nbformat.read(ROOT / "notebooks" / NOTEBOOK_01, as_version=4)
    (neuron,) = [c.source for c in source.cells if c.get("id") == "neuron"]
    cells = [PROBE_CELLS[0], neuron, *PROBE_CELLS[1:], PROBE_WIDGETS[widget]]
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nbformat.write(notebook, path)


@pytest.fixture(scope="module")
def lab(lab_server: lab_steps.JupyterLab) -> lab_steps.JupyterLab:
    for widget, name in PROBES.items():
        probe_notebook(lab_server.root / name, widget)
    return lab_server


def expected_nodes_by_hand() -> int:
    """A node per Value and one per operation, as the probe (and micrograd's drawing) draws."""
    from autograd import topological_order

    order = topological_order(lab_steps.neuron())
    return len(order) + sum(1 for node in order if node.op)


@pytest.mark.parametrize("widget", list(PROBES))
def test_probe_widget_in_jupyterlab(widget: str, lab, page, artifacts: Path) -> None:
    if widget == "anywidget":
        pytest.importorskip("graphviz_anywidget", reason="graphviz-anywidget is not installed")
    shots = artifacts / "jupyterlab"
    lab_steps.open_notebook(page, lab, PROBES[widget])
    lab_steps.run_all(page)
    widget_cell = lab_steps.cell(page, "widgets.VBox")
    svg = lab_steps.graph_svg(widget_cell)
    assert lab_steps.node_count(svg) == expected_nodes_by_hand() == 15

    first = lab_steps.settled_highlight(svg)
    assert first == ["o"], f"expected o highlighted first, got {first}"
    widget_cell.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / f"probe_{widget}_step0.png"))
    lab_steps.move_slider(widget_cell)
    second = lab_steps.settled_highlight(svg, unlike=first)
    page.screenshot(path=str(shots / f"probe_{widget}_step1.png"))
    assert second == ["n"], f"expected n highlighted after one step, got {second}"


def test_01_interactive_graph_and_step_through(lab, page, artifacts: Path) -> None:
    pytest.importorskip(
        "autograd.viz",
        reason="autograd.viz (interactive graph, step_backward) is not merged yet",
    )
    from autograd import draw_dot

    shots = artifacts / "jupyterlab"
    lab_steps.open_notebook(page, lab, NOTEBOOK_01)
    lab_steps.run_all(page)
    page.screenshot(path=str(shots / "01_after_run_all.png"))

    # The interactive graph draws the same nodes as draw_dot(o): count them in dot's own SVG.
    expected = draw_dot(lab_steps.neuron()).pipe(format="svg").decode().count('class="node"')
    assert expected >= 10  # at least one node per Value of the neuron
    interactive = lab_steps.cell(page, INTERACTIVE_CALL)
    svg = lab_steps.graph_svg(interactive)
    interactive.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "01_interactive.png"))
    assert lab_steps.node_count(svg) == expected

    step = lab_steps.cell(page, STEP_CALL)
    step_svg = lab_steps.graph_svg(step)
    step.scroll_into_view_if_needed()
    # The first frame may highlight o, or nothing yet (before the pass starts): either is fine.
    before = lab_steps.settled_highlight(step_svg, seconds=5)
    page.screenshot(path=str(shots / "01_step0.png"))
    lab_steps.move_slider(step)
    after = lab_steps.settled_highlight(step_svg, unlike=before)
    page.screenshot(path=str(shots / "01_step1.png"))
    assert after and after != before, f"the highlighted node did not change: {before} -> {after}"
