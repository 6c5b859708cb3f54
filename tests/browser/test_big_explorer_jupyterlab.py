"""The big explorer in JupyterLab, with a kernel: notebook 08 explores one document's loss of
the scalar GPT (76,879 Values, recorded with ``record_calls()``). A click opens a box, the
search finds a weight by label, real ArrowUp presses nudge it, and the grads read back from the
page equal Python's to 1e-9: the kernel's Values (which follow the page) and a fresh build of
the GPT with the nudged weight and ``backward()``. The call view of the same document fits the
output column at window widths 1024 and 1920 px.

Screenshots: test-artifacts/jupyterlab/08_big_explorer*.png, 08_by_call_<width>.png.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from . import jupyterlab as lab_steps

pytestmark = pytest.mark.browser

NOTEBOOK_08 = "08_gpt_from_scalars.ipynb"
EXPLORER_CELL = "document = viz.explore(loss)"
BY_CALL_CELL = 'draw_dot(loss, collapse="call")'
AGREE = 1e-9
SCALE = 1e-12
WEIGHT = "wq[0][0]"
MIN_TEXT_PX = 7.0

# Run in the kernel after the nudge: the page's leaf value as Python has it, the grads of the
# explored graph (set by the widget from the page's nudge), and a fresh build's.
_PYTHON_GRADS = """
import json as _json
from autograd import topological_order as _order
_kernel = [_v.grad for _v in _order(loss)]
for _p in params.values():
    _p.grad = 0.0  # the fresh build's backward() adds into the shared weights' grads
_fresh = document_loss(doc, params, config)
_fresh.backward()
print(_json.dumps({
    "weight": params["wq"][0][0].data,
    "kernel": _kernel,
    "fresh": {_v.label: _v.grad for _v in _order(_fresh) if _v.label},
    "loss": _fresh.data,
}))
"""

_RUN_IN_KERNEL = """async (code) => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    let text = "";
    const future = kernel.requestExecute({code});
    future.onIOPub = (m) => { if (m.header.msg_type === "stream") text += m.content.text; };
    await future.done;
    return text;
}"""


def close(a: float, b: float) -> bool:
    return abs(a - b) <= AGREE * max(abs(a), abs(b), SCALE)


def kernel_json(page, code: str) -> dict:
    return json.loads(page.evaluate(_RUN_IN_KERNEL, code))


def test_big_explorer_in_jupyterlab_opens_nudges_and_matches_python(
    lab_server, page, artifacts: Path
) -> None:
    pytest.importorskip("anywidget", reason="needs the [widgets] extra")
    shots = artifacts / "jupyterlab"
    shots.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    lab_steps.open_notebook(page, lab_server, NOTEBOOK_08)
    lab_steps.run_all(page)

    # The call view fits the column at both ends of the usual window widths.
    code = lab_steps.notebook_cells(page).and_(page.locator(".jp-CodeCell"))
    by_call = code.filter(has_text=BY_CALL_CELL).first
    for width in (1024, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        by_call.scroll_into_view_if_needed()
        svg = by_call.locator(".jp-OutputArea-output svg").first
        svg.wait_for(timeout=lab_steps.WIDGET_SECONDS * 1000)
        page.wait_for_timeout(300)  # the layout after the resize
        drawn = svg.evaluate(
            """(s) => { const box = s.getBoundingClientRect();
                const column = s.closest('.jp-OutputArea-output').getBoundingClientRect();
                const text = s.querySelector('text');
                return {width: box.width, left: box.left, right: box.right,
                        columnLeft: column.left, columnRight: column.right,
                        textPx: text ? text.getBoundingClientRect().height : 0}; }"""
        )
        page.screenshot(path=str(shots / f"08_by_call_{width}.png"))
        print(f"call view in a {width} px window: {drawn}")
        assert drawn["left"] >= drawn["columnLeft"] - 1, (width, drawn)
        assert drawn["right"] <= drawn["columnRight"] + 1, (width, drawn)
        assert drawn["textPx"] >= MIN_TEXT_PX, (width, drawn)
        text = svg.text_content()
        for name in ("document_loss#1", "gpt#1", "gpt#9", "softmax"):
            assert name in text, (width, name)
    page.set_viewport_size({"width": 1440, "height": 900})

    explorer_cell = code.filter(has_text=EXPLORER_CELL).first
    explorer_cell.scroll_into_view_if_needed()
    widget = explorer_cell.locator(".seegrad-big-explorer")
    widget.wait_for(timeout=lab_steps.WIDGET_SECONDS * 1000)
    heads = widget.locator(".sg-box-head .sg-title")
    # Collapsed by call: the document's one call first, nothing open.
    assert heads.first.inner_text() == "document_loss #1"
    assert widget.locator(".sg-inside").count() == 0

    # A click opens a box.
    widget.locator(".sg-box-head", has_text="document_loss #1").click()
    assert {"gpt ×9", "softmax ×9"} <= set(heads.all_inner_texts()), heads.all_inner_texts()
    widget.locator(".sg-box-head", has_text="gpt ×9").click()
    widget.locator(".sg-box-head", has_text="gpt #2").click()
    assert "attention #2" in heads.all_inner_texts()
    explorer_cell.screenshot(path=str(shots / "08_big_explorer_open.png"))

    # Find the weight by its label, nudge it with real key presses.
    widget.locator(".sg-search").fill(WEIGHT)
    widget.locator(".sg-result", has_text=f"{WEIGHT} #").click()
    field = widget.locator(".sg-value-field")
    widget.locator(".sg-step").fill("0.05")
    start = float(field.input_value())
    field.focus()
    for _ in range(3):
        field.press("ArrowUp")
    assert field.evaluate("(node) => node === document.activeElement")
    el = widget.element_handle()
    shown = page.evaluate(
        """(el) => { const e = el.explorer;
            return {grad: Array.from(e.grad), data: Array.from(e.data), leaf: e.leaf,
                    nudges: Number(el.dataset.nudges), ms: Number(el.dataset.nudgeMs),
                    labels: e.labels}; }""",
        el,
    )
    assert shown["nudges"] == 3
    value = shown["data"][shown["leaf"]]
    assert shown["labels"][shown["leaf"]] == WEIGHT
    assert value == pytest.approx(start + 3 * 0.05, abs=1e-12)
    explorer_cell.screenshot(path=str(shots / "08_big_explorer_nudged.png"))

    # The kernel follows the page (the widget's nudged trait): wait until it has the value.
    page.wait_for_function(
        """async ([code, value]) => {
            const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
            let text = "";
            const future = kernel.requestExecute({code});
            future.onIOPub = (m) => { if (m.header.msg_type === "stream") text += m.content.text; };
            await future.done;
            return Number(text) === value;
        }""",
        arg=['print(repr(params["wq"][0][0].data))', value],
        timeout=30_000,
    )
    python = kernel_json(page, _PYTHON_GRADS)
    assert python["weight"] == value
    grads = shown["grad"]
    assert len(python["kernel"]) == len(grads) >= 35_000
    bad = [i for i, (a, b) in enumerate(zip(grads, python["kernel"])) if not close(a, b)]
    assert not bad, [(i, grads[i], python["kernel"][i]) for i in bad[:5]]
    labels = shown["labels"]
    weights = {label: grads[i] for i, label in enumerate(labels) if label}
    assert set(weights) == set(python["fresh"])
    bad = [k for k, g in weights.items() if not close(g, python["fresh"][k])]
    assert not bad, [(k, weights[k], python["fresh"][k]) for k in bad[:5]]
    assert abs(weights[WEIGHT]) > 1e-4  # a comparison that can fail
    assert close(shown["data"][-1], python["loss"])
    print(f"nudge in JupyterLab: {shown['ms']} ms (the last of 3)")
