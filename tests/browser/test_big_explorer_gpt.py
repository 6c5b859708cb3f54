"""The big explorer on our scalar GPT (examples/scalar_gpt.py): one document's loss, recorded
with ``record_calls()``, written by ``viz.explore`` + ``viz.to_html`` and opened from file://
with the network refused. It starts collapsed by call, opens a box per click, finds weights by
label, lights a weight's paths to the loss, and recomputes on real key presses in under 100 ms
(median, the page's performance.now()), with grads equal to Python's to 1e-9.

"Python's" is checked two ways: every Value's data and grad against the page's arithmetic
redone in Python on the same graph (``BigGraph.nudged``), and every weight's grad and the loss
against a fresh build of the GPT with the nudged weight and ``backward()``. (A fresh build is
not node-for-node the same numbers: ``softmax`` subtracts max(logits).data, a constant taken
when the graph is built, so its inner Values shift; the weights' grads do not.)

Screenshots: test-artifacts/big-explorer-gpt-*.png.
"""

from __future__ import annotations

import re
import statistics
import time

import pytest

from autograd import topological_order, viz
from autograd.viz.big_explorer import BigGraph
from tests.big_graphs import gpt_document_loss

from .test_big_explorer import LATENCY_MS, open_offline

pytestmark = pytest.mark.browser

AGREE = 1e-9
SCALE = 1e-12  # below this |grad| counts as zero


def close(a: float, b: float, tolerance: float = AGREE) -> bool:
    return abs(a - b) <= tolerance * max(abs(a), abs(b), SCALE)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    loss = gpt_document_loss()
    begin = time.perf_counter()
    path = viz.to_html(viz.explore(loss), tmp_path_factory.mktemp("gpt") / "gpt.html")
    seconds = time.perf_counter() - begin
    print(f"explore + to_html: {seconds:.2f} s, {path.stat().st_size / 1e6:.2f} MB")
    assert seconds < 30
    assert path.stat().st_size < 20e6
    return loss, path


def titles(page) -> list[str]:
    return page.locator(".sg-box-head .sg-title").all_inner_texts()


def lit(page) -> list[str]:
    return page.locator(".sg-box.sg-lit > .sg-box-head .sg-title").all_inner_texts()


def find(page, label: str) -> None:
    """Type ``label`` in the search field and click the result that is exactly it."""
    page.locator(".sg-search").fill(label)
    result = page.locator(".sg-result", has_text=f"{label} #")
    assert result.count() == 1, page.locator(".sg-results").inner_text()
    result.click()


def press(page, key: str, times: int) -> list[float]:
    """Real key presses in the value field; the page's own time of each recompute (ms)."""
    field = page.locator(".sg-value-field")
    field.focus()
    out = []
    for _ in range(times):
        before = page.evaluate("document.getElementById('explorer').dataset.nudges || '0'")
        field.press(key)
        after = page.evaluate("document.getElementById('explorer').dataset.nudges")
        assert int(after) == int(before) + 1, "the key press did not recompute"
        out.append(float(page.evaluate("document.getElementById('explorer').dataset.nudgeMs")))
    return out


def read_back(page) -> dict:
    return page.evaluate(
        """() => { const e = document.getElementById('explorer').explorer;
            return {data: Array.from(e.data), grad: Array.from(e.grad), fd: e.fd, h: e.h,
                    leaf: e.leaf, label: e.labels[e.leaf]}; }"""
    )


def check_against_python(loss, page, nudged: dict[str, float]) -> None:
    """The page's numbers after the nudges in ``nudged`` (label -> value) are Python's."""
    shown = read_back(page)
    graph = BigGraph(loss)
    index = {v.label: i for i, v in enumerate(graph.order) if v.label}
    assert shown["data"][index[shown["label"]]] == nudged[shown["label"]]
    for label, value in nudged.items():  # the page keeps every nudge
        assert shown["data"][index[label]] == value
    # 1. The page's arithmetic, redone in Python on this graph: every data and grad, and fd.
    kept = graph.data()
    try:
        for label, value in nudged.items():
            graph.order[index[label]].data = value
        mirror = graph.nudged(shown["leaf"], nudged[shown["label"]], shown["h"])
    finally:
        for v, x in zip(graph.order, kept):
            v.data = x
    bad = [i for i, (a, b) in enumerate(zip(shown["grad"], mirror["grad"])) if not close(a, b)]
    assert not bad, [(i, shown["grad"][i], mirror["grad"][i]) for i in bad[:5]]
    bad = [i for i, (a, b) in enumerate(zip(shown["data"], mirror["data"])) if not close(a, b)]
    assert not bad, [(i, shown["data"][i], mirror["data"][i]) for i in bad[:5]]
    assert close(shown["fd"], mirror["fd"])
    # 2. A fresh GPT with the nudged weights and backward(): the loss and every weight's grad.
    fresh = gpt_document_loss(set_to=nudged)
    fresh.backward()
    assert close(shown["data"][-1], fresh.data)
    weights = {v.label: v for v in topological_order(fresh) if v.label}
    assert set(weights) == set(index)
    bad = [k for k in index if not close(shown["grad"][index[k]], weights[k].grad)]
    assert not bad, [(k, shown["grad"][index[k]], weights[k].grad) for k in bad[:5]]
    assert any(abs(weights[k].grad) > 1e-3 for k in nudged)  # a test that can fail


def test_gpt_page_starts_by_call_opens_finds_lights_and_nudges_fast(exported, browser, artifacts):
    loss, path = exported
    originals = {v.label: v.data for v in topological_order(loss) if v.label}
    context, page, requested, errors = open_offline(browser, path)
    try:
        # Collapsed by call: the document's one call, and the leaves, nothing open.
        top = titles(page)
        assert top[0] == "document_loss #1", top
        assert len(top) == 3 and "leaves: parameters and inputs" in top[1], top
        assert page.locator(".sg-inside").count() == 0
        page.screenshot(path=str(artifacts / "big-explorer-gpt-start.png"), full_page=True)

        # A click opens a box: the per-position gpt calls and the softmaxes, then one gpt.
        page.locator(".sg-box-head", has_text="document_loss #1").click()
        assert {"gpt ×9", "softmax ×9"} <= set(titles(page)), titles(page)
        where = page.locator(".sg-where").first  # the file's name and line, its path on hover
        assert re.fullmatch(r"scalar_gpt\.py:\d+", where.inner_text()), where.inner_text()
        assert where.get_attribute("title").endswith(
            "examples/scalar_gpt.py:" + where.inner_text()[14:]
        )
        page.locator(".sg-box-head", has_text="gpt ×9").click()
        page.locator(".sg-box-head", has_text="gpt #3").click()
        inside = titles(page)
        assert {"rmsnorm ×4", "attention #3", "mlp #3"} <= set(inside), inside
        assert any(t.startswith("linear #") for t in inside), inside

        # Search by label, pick: a position embedding of position 2 (the third) reaches the
        # loss through gpt #3 and, by the key/value cache, every later position; not before.
        find(page, "wpe[2][0]")
        shown = set(lit(page))
        assert {"document_loss #1", "gpt ×9", "gpt #3", "gpt #9"} <= shown, shown
        assert not {"gpt #1", "gpt #2"} & shown, shown
        assert page.locator(".sg-row.sg-picked").count() == 1
        page.evaluate("document.querySelector('.sg-tree').scrollTop = 0")  # the lit boxes
        page.screenshot(path=str(artifacts / "big-explorer-gpt-lit.png"), full_page=True)
        # A click on a parameter's row (a neighbour in the list) picks it and lights its paths.
        page.locator(".sg-row.sg-leaf", has_text="wpe[2][1]").first.click()
        assert page.locator(".sg-row.sg-picked .sg-row-name").inner_text() == "wpe[2][1]"
        assert page.locator(".sg-info").inner_text().startswith("wpe[2][1] ")
        shown = set(lit(page))
        assert {"gpt #3", "gpt #9"} <= shown and not {"gpt #1", "gpt #2"} & shown, shown

        # Real key presses: a few weights, several nudges each.
        page.locator(".sg-step").fill("0.01")
        times: list[float] = []
        nudged: dict[str, float] = {}
        for label, presses in (("wpe[2][0]", 5), ("wq[0][0]", 3), ("lm_head[5][3]", 3)):
            find(page, label)
            times += press(page, "ArrowUp", presses)
            nudged[label] = read_back(page)["data"][
                int(page.locator(".sg-value-field").get_attribute("data-index"))
            ]
            assert nudged[label] == pytest.approx(originals[label] + presses * 0.01, abs=1e-12)
            check_against_python(loss, page, nudged)
        times += press(page, "ArrowDown", 3)
        nudged["lm_head[5][3]"] = read_back(page)["data"][
            int(page.locator(".sg-value-field").get_attribute("data-index"))
        ]
        assert nudged["lm_head[5][3]"] == pytest.approx(originals["lm_head[5][3]"], abs=1e-12)
        check_against_python(loss, page, nudged)
        page.screenshot(path=str(artifacts / "big-explorer-gpt-nudged.png"), full_page=True)
        median = statistics.median(times)
        print(
            f"GPT nudges ({len(topological_order(loss)):,} Values): median {median:.1f} ms, {times}"
        )
        assert median < LATENCY_MS, times
        assert not errors, errors
        assert not requested, requested
    finally:
        context.close()


def test_gpt_page_layout_found_weight_in_a_window_info_above_field_wide(
    exported, browser, artifacts
):
    """What the screenshots showed wrong: the picked Value's note sat below the tree (it says
    "lit in the boxes below") and showed as an empty bar before any pick; finding a weight deep
    in the list rendered every row before it (thousands); the value field cut off 17 digits."""
    _, path = exported
    context, page, requested, errors = open_offline(browser, path)
    try:
        order = page.evaluate(
            """() => [...document.querySelectorAll('#explorer > div')].map(d => d.className)"""
        )
        assert order.index("sg-info") < order.index("sg-tree"), order
        assert not page.locator(".sg-info").is_visible()  # nothing picked: no empty bar
        find(page, "lm_head[5][3]")
        assert page.locator(".sg-info").is_visible()
        listing = page.locator(".sg-box[data-key='v:parameters']")
        rows = listing.locator(".sg-row")
        assert 1 <= rows.count() <= 50, rows.count()
        assert listing.locator(".sg-row.sg-picked .sg-row-name").inner_text() == "lm_head[5][3]"
        earlier = listing.locator(".sg-earlier")
        assert earlier.count() == 1
        first = rows.first.get_attribute("data-index")
        earlier.click()
        assert rows.count() > 50 and rows.first.get_attribute("data-index") != first
        assert listing.locator(".sg-row.sg-picked").count() == 1  # still shown, still picked
        field = page.locator(".sg-value-field")
        field.focus()
        field.press("ArrowDown")
        assert len(field.input_value()) >= 17
        assert field.evaluate("(f) => f.scrollWidth <= f.clientWidth"), field.input_value()
        page.screenshot(path=str(artifacts / "big-explorer-gpt-found.png"))
        assert not errors, errors
        assert not requested, requested
    finally:
        context.close()
