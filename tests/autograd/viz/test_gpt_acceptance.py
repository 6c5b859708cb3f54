"""Issue 18's acceptance on our scalar GPT (examples/scalar_gpt.py), one document recorded with
``record_calls()``: the call view names the functions, ``depth=2`` puts rmsnorm and linear
inside each gpt call, and ``viz.explore`` plus ``viz.to_html`` write a self-contained page of
under 20 MB in under 30 s. (The nudge in Chromium: tests/browser/test_big_explorer_gpt.py.)
"""

from __future__ import annotations

import re
import shutil
import time

import pytest

from autograd import draw_dot, topological_order, viz
from autograd.viz.big_explorer import big_spec, decode
from tests.big_graphs import gpt_document_loss

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")


@pytest.fixture(scope="module")
def loss():
    loss = gpt_document_loss()
    loss.backward()
    return loss


def clusters(source: str) -> dict[str, list[str]]:
    """Each cluster's label -> the first label line of the boxes inside it (DOT text)."""
    found: dict[str, list[str]] = {}
    for block in re.finditer(r"subgraph cluster_\d+ \{(.*?)\n\t\}", source, re.DOTALL):
        body = block.group(1)
        name = re.search(r' label="([^"]*)"', body).group(1)
        found[name] = re.findall(r'^\s*c\d+ \[label="([^"\\]*)', body, re.MULTILINE)
    return found


def test_the_document_is_at_least_35000_values(loss) -> None:
    assert len(topological_order(loss)) >= 35_000


@needs_dot
def test_by_call_draws_under_5_s_and_names_the_functions(loss) -> None:
    begin = time.perf_counter()
    svg = draw_dot(loss, collapse="call").pipe(format="svg", encoding="utf-8")
    seconds = time.perf_counter() - begin
    assert seconds < 5.0, seconds
    for name in ("document_loss#1", "gpt#1", "gpt#9", "softmax"):
        assert name in svg, name


def test_depth_2_shows_rmsnorm_and_linear_inside_every_gpt_call(loss) -> None:
    found = clusters(draw_dot(loss, collapse="call", depth=2).source)
    gpts = sorted(name for name in found if re.fullmatch(r"gpt#\d+", name))
    assert gpts == sorted(f"gpt#{k}" for k in range(1, 10))  # one per position
    for name in gpts:
        inside = found[name]
        assert sum(t.startswith("rmsnorm") for t in inside) == 4, (name, inside)  # 4 per gpt
        assert any(t.startswith("linear") for t in inside), (name, inside)  # lm_head
        assert any(t.startswith("attention") for t in inside), (name, inside)
        assert any(t.startswith("mlp") for t in inside), (name, inside)


def test_depth_1_keeps_rmsnorm_and_linear_folded_inside_gpt(loss) -> None:
    source = draw_dot(loss, collapse="call", depth=1).source
    titles = re.findall(r'^\s*c\d+ \[label="([^"\\]*)', source, re.MULTILINE)
    assert titles and not any(t.startswith(("rmsnorm", "linear")) for t in titles), titles


def test_explore_and_to_html_under_30_s_self_contained_under_20_mb(loss, tmp_path) -> None:
    begin = time.perf_counter()
    explorer = viz.explore(loss)
    path = viz.to_html(explorer, tmp_path / "gpt.html")
    seconds = time.perf_counter() - begin
    assert seconds < 30.0, seconds
    size = path.stat().st_size
    assert size < 20e6, size
    text = path.read_text(encoding="utf-8")
    # Self-contained: nothing fetched (no external script, style, image or font).
    assert not re.search(r"<(script|link|img|iframe)[^>]*\s(src|href)\s*=", text, re.IGNORECASE)
    assert "@import" not in text and "url(http" not in text


def test_the_explorer_groups_every_computed_value_by_its_call(loss) -> None:
    spec = big_spec(loss)
    assert [b[0] for b in spec["boxes"] if b[1] == -1] == ["document_loss"]
    assert (
        sum(b[0] == "gpt" and spec["boxes"][b[1]][0] == "document_loss" for b in spec["boxes"]) == 9
    )
    box, op = decode(spec["box"], "<i4"), decode(spec["op"], "<i2")
    assert (box[op != 0] >= 0).all()  # every op node made inside a recorded call
