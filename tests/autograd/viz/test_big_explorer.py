"""The big explorer's spec and page (no browser): arrays equal to the graph, grads equal to
backward(), the size limit, and user text kept out of the markup."""

from __future__ import annotations

import time

import pytest

from autograd import Value, topological_order
from autograd.viz import big_explorer
from autograd.viz.big_explorer import BigExplorerPage, BigGraph, big_spec, decode, html_document
from tests.big_graphs import FIRST, mlp_batch_loss


def test_the_spec_holds_the_graph_and_its_grads():
    loss = mlp_batch_loss(3)
    order = topological_order(loss)
    spec = big_spec(loss)
    loss.backward()
    assert spec["n"] == len(order)
    assert list(decode(spec["data"], "<f8")) == [v.data for v in order]
    grads = decode(spec["grad"], "<f8")
    for v, g in zip(order, grads):
        assert g == pytest.approx(v.grad, rel=1e-12, abs=1e-15)
    start, parents = decode(spec["start"], "<i4"), decode(spec["parents"], "<i4")
    index = {id(v): i for i, v in enumerate(order)}
    for i, v in enumerate(order):
        assert list(parents[start[i] : start[i + 1]]) == [index[id(p)] for p in v.parents]
        assert spec["ops"][decode(spec["op"], "<i2")[i]] == v.op
    boxes, box = spec["boxes"], decode(spec["box"], "<i4")
    for i, v in enumerate(order):
        names = [s.name for s in v.scope.path()] if v.scope is not None else []
        chain = []
        b = int(box[i])
        while b != -1:
            chain.insert(0, boxes[b][0])
            b = boxes[b][1]
        assert chain == names


def test_python_recompute_matches_a_rebuilt_graph():
    graph = BigGraph(mlp_batch_loss(4))
    leaf = next(i for i, v in enumerate(graph.order) if v.label == FIRST)
    shown = graph.nudged(leaf, 0.25, 1e-3)
    rebuilt = mlp_batch_loss(4, first_weight=0.25)
    rebuilt.backward()
    order = topological_order(rebuilt)
    for x, g, v in zip(shown["data"], shown["grad"], order):
        assert x == pytest.approx(v.data, rel=1e-12, abs=1e-15)
        assert g == pytest.approx(v.grad, rel=1e-9, abs=1e-15)
    moved = mlp_batch_loss(4, first_weight=0.25 + 1e-3)
    assert shown["fd"] == pytest.approx((moved.data - rebuilt.data) / 1e-3, rel=1e-9)


def test_more_than_100_000_values_is_refused_naming_the_limit(monkeypatch):
    monkeypatch.setattr(big_explorer, "MAX_VALUES", 10)
    with pytest.raises(ValueError, match="up to 10 in the page"):
        big_spec(mlp_batch_loss(1))
    with pytest.raises(TypeError, match="must be a Value"):
        big_spec(3.0)


def test_labels_cannot_end_the_script():
    x = Value(1.0, label="</script><b>x</b>")
    y = x
    for _ in range(5):
        y = y * 2 + x
    page = html_document(big_spec(y))
    assert "</script><b>" not in page
    assert page.count("</script>") == 2


def test_a_60000_value_graph_exports_in_seconds_and_under_20_mb(tmp_path):
    from autograd import viz

    begin = time.perf_counter()
    loss = mlp_batch_loss(770)
    n = len(topological_order(loss))
    assert 55_000 <= n <= 65_000
    path = viz.to_html(BigExplorerPage(loss), tmp_path / "big.html")
    assert time.perf_counter() - begin < 30
    assert path.stat().st_size < 20e6


def test_explore_dispatches_big_graphs_to_the_big_explorer():
    pytest.importorskip("anywidget")
    from autograd import viz
    from autograd.viz.big_explorer_widget import BigExplorer

    widget = viz.explore(mlp_batch_loss(5))
    assert isinstance(widget, BigExplorer)
    assert "MLP" in widget._repr_mimebundle_()[0]["text/html"]
    leaf = next(i for i, v in enumerate(widget.graph.order) if v.label == FIRST)
    widget.nudged = {str(leaf): 0.25}  # what the page sends on a nudge
    expected = mlp_batch_loss(5, first_weight=0.25)
    expected.backward()
    for v, w in zip(widget.graph.order, topological_order(expected)):
        assert v.data == pytest.approx(w.data, rel=1e-12, abs=1e-15)
        assert v.grad == pytest.approx(w.grad, rel=1e-9, abs=1e-15)


def test_the_page_has_a_form_for_every_number_of_inputs_an_op_is_used_with():
    """An nn layer's neurons are affine ops of 17 and 33 inputs, sizes the op row is not tested
    at: the page's script must carry those forms (it once had only the tested size, and every
    nudge on an nn model failed with "affine of 17 inputs: no form")."""
    from tests.autograd.viz.test_jsops import run_in_node

    loss = mlp_batch_loss(1)
    spec = big_spec(loss)
    assert spec["missing"] == []
    order = topological_order(loss)
    cases = []
    for v in order:
        if v.op == "affine" and len(v.parents) not in {len(c["xs"]) for c in cases}:
            cases.append({"name": "affine", "xs": [p.data for p in v.parents], "out": v.data})
    assert sorted(len(c["xs"]) for c in cases) == [17, 33]  # w1*x1 + ... + b, 8 and 16 inputs
    shown = run_in_node(big_explorer.script(spec["arities"]).split("\nconst PAGE")[0], cases)
    for case, got in zip(cases, shown, strict=True):
        assert got["out"] == pytest.approx(case["out"], rel=1e-12)
