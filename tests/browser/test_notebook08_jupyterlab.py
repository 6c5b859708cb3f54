"""Notebook 08 ("A GPT from scalars") runs clean in JupyterLab and shows its call views."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import jupyterlab as lab_steps

pytestmark = pytest.mark.browser

NOTEBOOK_08 = "08_gpt_from_scalars.ipynb"


def test_08_runs_and_draws_the_document_by_call(lab_server, page, artifacts: Path) -> None:
    shots = artifacts / "jupyterlab"
    shots.mkdir(parents=True, exist_ok=True)
    lab_steps.open_notebook(page, lab_server, NOTEBOOK_08)
    lab_steps.run_all(page)  # fails on any error output
    code = lab_steps.notebook_cells(page).and_(page.locator(".jp-CodeCell"))
    by_call = code.filter(has_text='draw_dot(loss, collapse="call")').first
    by_call.scroll_into_view_if_needed()
    svg = by_call.locator(".jp-OutputArea svg").first
    svg.wait_for(timeout=60_000)
    page.screenshot(path=str(shots / "08_by_call.png"))
    text = svg.text_content()
    for name in ("gpt#1", "gpt#9", "softmax#5", "document_loss#1: own"):
        assert name in text
    width = svg.evaluate("s => s.getBoundingClientRect().width")
    column = by_call.evaluate("c => c.getBoundingClientRect().width")
    assert 0 < width <= column  # scaled to the column
    attention = code.filter(has_text='open="gpt#3/attention#3"').first
    attention.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "08_attention.png"))
    assert "linear x3" in attention.locator(".jp-OutputArea svg").first.text_content()
    last = code.filter(has_text='mode="random"').first
    assert "True" in last.locator(".jp-OutputArea").text_content()
