"""Notebook 06 in JupyterLab with a kernel: nudge w1 in the explorer, read back the grads it
shows (equal to Python's backward() to 1e-9), and see the kernel's Values follow.

Screenshots: test-artifacts/jupyterlab/06_*.png.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tests.explorer_graphs import neuron

from . import jupyterlab as lab_steps
from .test_explorer_browser import AGREE, close

pytestmark = pytest.mark.browser

NOTEBOOK_06 = "06_nudge_and_watch.ipynb"
EXPLORER_CELL = "neuron = viz.explore(o)"


def test_nudging_the_explorer_in_jupyterlab_matches_backward_and_moves_the_kernel(
    lab_server, page, artifacts: Path
) -> None:
    pytest.importorskip("anywidget", reason="needs the [widgets] extra")
    shots = artifacts / "jupyterlab"
    page.set_viewport_size({"width": 1440, "height": 900})
    lab_steps.open_notebook(page, lab_server, NOTEBOOK_06)
    lab_steps.run_all(page)
    explorer_cell = lab_steps.cell(page, EXPLORER_CELL)
    widget = explorer_cell.locator(".seegrad-explorer")
    widget.wait_for(timeout=lab_steps.WIDGET_SECONDS * 1000)
    row = widget.locator(".sg-leaves tr", has=page.locator(".sg-leaf-name", has_text="w1"))
    # The notebook's next cell set w1 = -2 from Python: the widget followed.
    page.wait_for_function(
        "(field) => field.value === '-2'", arg=row.locator(".sg-value-field").element_handle()
    )

    # A real key press: in JupyterLab, Enter is also a notebook shortcut.
    field = row.locator(".sg-value-field")
    field.fill("-2.5")
    assert "press Enter to apply" in widget.locator(".sg-status").inner_text()
    field.press("Enter")
    assert "recomputed" in widget.locator(".sg-status").inner_text()
    assert field.evaluate("(node) => node === document.activeElement")
    expected, _ = neuron(w1=-2.5)
    expected.backward()
    leaves = {v.label: v for v in _leaves(expected)}
    shown = widget.locator(".sg-leaves tr[data-index]").evaluate_all(
        """rows => rows.map(row => [row.querySelector('.sg-leaf-name').innerText,
            Number(row.querySelector('.sg-grad').dataset.value)])"""
    )
    assert {name for name, _ in shown} == set(leaves)
    for name, grad in shown:
        assert close(grad, leaves[name].grad), (name, grad, leaves[name].grad, AGREE)

    widget.locator(".sg-leaf-name", has_text="w1").click()
    explorer_cell.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "06_explorer_nudged_w1.png"))
    explorer_cell.screenshot(path=str(artifacts / "explorer-enter.png"))

    # The kernel followed the page: w1.data, o.data and the grads of the Python graph.
    printed = page.wait_for_function(
        """async (code) => {
            const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
            let text = "";
            const future = kernel.requestExecute({code});
            future.onIOPub = (m) => { if (m.header.msg_type === "stream") text += m.content.text; };
            await future.done;
            return text.startsWith("-2.5") ? text : false;
        }""",
        arg="print(w1.data, o.data, w1.grad)",
        timeout=15_000,
    ).json_value()
    w1_data, o_data, w1_grad = (float(x) for x in printed.split())
    assert w1_data == -2.5
    assert math.isclose(o_data, expected.data, rel_tol=AGREE)
    assert math.isclose(w1_grad, leaves["w1"].grad, rel_tol=AGREE)

    # h applies on Enter too: the finite difference beside w1 moves with it.
    fd_before = float(row.locator(".sg-fd").get_attribute("data-value"))
    h_field = widget.locator(".sg-h")
    h_field.fill("0.5")
    h_field.press("Enter")
    fd_after = float(row.locator(".sg-fd").get_attribute("data-value"))
    x1, w1, b = 2.0, -2.5, 6.8813735870195432
    expected_fd = (math.tanh(x1 * (w1 + 0.5) + b) - math.tanh(x1 * w1 + b)) / 0.5
    assert fd_after != fd_before and close(fd_after, expected_fd), (fd_before, fd_after)
    h_field.fill("0")
    h_field.press("Enter")
    assert (
        "not applied: h must be a non-zero finite number"
        in widget.locator(".sg-status").inner_text()
    )

    live = lab_steps.cell(page, "compiled=True, live=True")
    live.scroll_into_view_if_needed()
    picture = live.locator(".jp-OutputArea-output svg").first
    assert "decision boundary" in picture.inner_html()
    live.locator(".jp-OutputArea-output").first.screenshot(
        path=str(shots / "06_fit_live_final.png")
    )


def _leaves(root):
    from autograd import topological_order

    return [v for v in topological_order(root) if v.is_leaf]
