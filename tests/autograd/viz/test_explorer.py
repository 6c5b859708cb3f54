"""viz.explore on the Python side: the graph sent to the page, and the kernel keeping the Python
Values in step with the page (the page itself: tests/browser/test_explorer_browser.py)."""

from __future__ import annotations

import math

import pytest

from autograd import Value, viz
from autograd.viz.explorer_page import MAX_VALUES, graph_spec, html_document
from tests.explorer_graphs import SWISH_JS, define_swish, neuron


def test_spec_grads_are_backwards_without_touching_grad() -> None:
    o, leaves = neuron()
    spec = graph_spec(o)
    assert all(v.grad == 0.0 for v in leaves.values())
    o.backward()
    by_name = {node["name"]: node for node in spec["nodes"]}
    for name, leaf in leaves.items():
        assert by_name[name]["grad"] == pytest.approx(leaf.grad, rel=1e-12)
        assert by_name[name]["editable"]
    assert spec["root"] == len(spec["nodes"]) - 1 and spec["missing"] == []
    assert spec["ops"]["tanh"]["math"].startswith("f = tanh x")
    assert all(edge["d"].startswith("M ") for edge in spec["edges"])


def test_unnamed_constants_are_not_editable() -> None:
    x = Value(3.0, label="x")
    spec = graph_spec(x**2 + 1)
    editable = [spec["nodes"][i]["name"] for i in spec["editable"]]
    assert editable == ["x"]


def test_nudging_from_python_updates_the_values_and_their_grads() -> None:
    o, leaves = neuron()
    explorer = viz.explore(o)
    explorer.set("w1", -2.0)
    assert leaves["w1"].data == -2.0
    expected = math.tanh(2.0 * -2.0 + 6.8813735870195432)
    assert o.data == pytest.approx(expected, rel=1e-15)
    assert leaves["w1"].grad == pytest.approx(2.0 * (1 - expected**2), rel=1e-12)
    assert explorer.leaves[explorer._editable.index(leaves["w1"])] == -2.0


def test_a_nudge_outside_a_domain_changes_nothing_and_says_why() -> None:
    x = Value(2.0, label="x")
    y = x.log()
    explorer = viz.explore(y)
    explorer.set(x, -1.0)
    assert x.data == 2.0 and y.data == math.log(2.0)
    assert "log: operand must be positive, got -1.0" in explorer.state["error"]


def test_errors_name_the_problem() -> None:
    o, _ = neuron()
    with pytest.raises(ValueError, match="explore: h must be a finite non-zero number, got 0"):
        viz.explore(o, h=0)
    with pytest.raises(TypeError, match="explore: root must be a Value, got float"):
        viz.explore(1.0)
    with pytest.raises(ValueError, match=r"explorer.set: 'nope' is not a leaf of this graph"):
        viz.explore(o).set("nope", 1.0)
    big = Value(0.0, label="x")
    for _ in range(MAX_VALUES):
        big = big + 1.0
    # Above the small explorer's size the big explorer takes it (its limit: test_big_explorer).
    assert type(viz.explore(big)).__name__ == "BigExplorer"


def test_the_widget_carries_a_static_picture_and_a_stable_repr() -> None:
    o, _ = neuron()
    explorer = viz.explore(o)
    bundle = explorer._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in data
    assert "0x" not in repr(explorer)


def test_html_document_is_self_contained() -> None:
    o, _ = neuron()
    page = html_document(graph_spec(o))
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page and "<script src" not in page
    assert "render({ model" in page


def test_without_dot_the_graph_is_laid_out_in_layers(monkeypatch) -> None:
    import autograd.viz.explorer_page as explorer

    monkeypatch.setattr(explorer.shutil, "which", lambda name: None)
    o, _ = neuron()
    spec = graph_spec(o)
    assert all(" L " in edge["d"] for edge in spec["edges"])
    xs = {node["name"]: node["x"] for node in spec["nodes"]}
    assert xs["x1"] < xs["x1*w1"] < xs["o"]


def test_an_op_without_a_javascript_form_is_recomputed_by_the_kernel(define_op) -> None:
    swish = define_swish(define_op, "swish_explored")
    x = Value(0.5, label="x")
    y = swish(x) * 2.0
    explorer = viz.explore(y)
    assert explorer.spec["missing"] == ["swish_explored"]
    explorer.set("x", 1.5)
    state = explorer.state
    assert state["data"][-1] == y.data == pytest.approx(2 * 1.5 / (1 + math.exp(-1.5)))
    assert state["grad"][0] == x.grad and state["fd"][0] == pytest.approx(x.grad, abs=1e-3)


def test_add_js_form_lets_the_page_recompute_a_user_op(define_op) -> None:
    from autograd.viz import jsops

    define_swish(define_op, "swish_explored")
    jsops.add_js_form("swish_explored", *SWISH_JS)
    assert jsops.missing(["swish_explored", "mul"]) == []
    assert '"swish_explored": {' in jsops.table_source(jsops.known())
    with pytest.raises(ValueError, match="'swish_explored' already has a JavaScript form"):
        jsops.add_js_form("swish_explored", "x", "[1]")


def test_a_form_is_forgotten_with_its_op(define_op) -> None:
    from autograd.core.define import remove_op
    from autograd.viz import jsops

    op = define_swish(define_op, "swish_explored")
    jsops.add_js_form("swish_explored", *SWISH_JS)
    remove_op(op)
    assert jsops.js_form("swish_explored") is None
    again = define_swish(define_op, "swish_explored")
    assert jsops.missing([again.name]) == [again.name]


def _ends(d: str) -> tuple[tuple[float, float], tuple[float, float]]:
    numbers = [float(w) for w in d.replace("M", " ").replace("C", " ").replace("L", " ").split()]
    return (numbers[0], numbers[1]), (numbers[-2], numbers[-1])


def _box(spec: dict, name: str) -> tuple[float, float, float, float]:
    node = spec["nodes"][int(name[1:])]
    if name[0] == "v":
        return node["x"], node["y"], node["w"], node["h"]
    return node["ox"], node["oy"], node["ow"], node["oh"]


def _touches(point: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    x, y, w, h = box
    margin = 12.0  # an arrow ends a few px short of its head
    return abs(point[0] - x) <= w / 2 + margin and abs(point[1] - y) <= h / 2 + margin


@pytest.mark.parametrize("graph", ["neuron", "square"])
def test_every_edge_is_drawn_between_its_own_ends(graph: str) -> None:
    """dot -Tplain lists edges by tail: each drawn curve must join the edge's own two nodes."""
    if graph == "neuron":
        root = neuron()[0]
    else:
        x = Value(3.0, label="x")
        y = Value(2.0, label="y")
        root = x * x + (y * x) * y
    spec = graph_spec(root)
    for edge in spec["edges"]:
        start, end = _ends(edge["d"])
        assert _touches(start, _box(spec, edge["tail"])), edge
        assert _touches(end, _box(spec, edge["head"])), edge


def test_user_text_in_the_page_script_is_escaped_json() -> None:
    """Labels and an op's math reach the page as JSON with <, > and & as \\u escapes: the
    page's only '<script' and '</script' are its own (the browser side: test_export_script_text)."""
    a = Value(1.0, label="<!--<script>")
    b = Value(2.0, label="</script>&amp;")
    page = html_document(graph_spec(a * b))
    body = page.split("<script>", 1)[1].rsplit("</script>", 1)[0]
    assert "<!--" not in body and "</script" not in body.lower() and "<script" not in body
    assert '"\\u003c!--\\u003cscript\\u003e"' in body


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, True, "1.0"])
def test_set_refuses_a_value_that_is_not_a_finite_number_and_changes_nothing(bad) -> None:
    o, leaves = neuron()
    explorer = viz.explore(o)
    before = (list(explorer.leaves), leaves["w1"].data, o.data, leaves["w1"].grad)
    with pytest.raises(ValueError, match=r"explorer.set: the value of w1 must be a finite number"):
        explorer.set("w1", bad)
    assert (list(explorer.leaves), leaves["w1"].data, o.data, leaves["w1"].grad) == before


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan, 0, 0.0])
def test_explore_refuses_an_h_that_is_not_finite_and_non_zero(bad) -> None:
    o, leaves = neuron()
    with pytest.raises(ValueError, match="explore: h must be a finite non-zero number"):
        viz.explore(o, h=bad)
    assert leaves["w1"].grad == 0.0 and o.grad == 0.0  # nothing computed


def test_leaves_from_the_page_that_are_not_finite_change_nothing() -> None:
    o, leaves = neuron()
    explorer = viz.explore(o)
    explorer.leaves = [math.nan if v is leaves["w1"] else v.data for v in explorer._editable]
    assert leaves["w1"].data == -3.0 and "w1 must be a finite number" in explorer.state["error"]


def test_a_long_label_is_shortened_in_the_explorer() -> None:
    x = Value(1.0, label="x" * 100_000)
    spec = graph_spec(x * 2.0)
    assert len(spec["nodes"][0]["name"]) <= 80 and spec["nodes"][0]["name"].endswith("\u2026")
    assert spec["nodes"][0]["full"] == "x" * 100_000


def test_the_explorer_recomputes_each_node_with_its_own_row(define_op) -> None:
    """A row removed and defined again under the same name (a notebook cell run twice) does
    not change the numbers of nodes made before (issue 20.8, the explorer's part)."""
    from autograd.core.define import remove_op

    double = define_op("double_again", lambda m, x: 2.0 * x, lambda m, out, x: (2.0,), math="2x")
    x = Value(1.0, label="x")
    y = double(x)
    explorer = viz.explore(y)
    remove_op(double)
    define_op("double_again", lambda m, x: 5.0 * x, lambda m, out, x: (5.0,), math="5x")
    explorer.set("x", 3.0)
    assert y.data == 6.0 and x.grad == 2.0


def test_the_views_read_the_engines_reverse_loop(monkeypatch) -> None:
    """graph_spec and the kernel's recompute take their gradients from backward_steps."""
    from autograd.core import backward as engine
    from autograd.viz import replay

    calls = []
    real = engine.backward_steps

    def counted(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(replay, "backward_steps", counted)
    o, _ = neuron()
    graph_spec(o)
    viz.explore(o).set("w1", -2.0)
    assert calls and all(root is o for root in calls)


def test_an_unrun_explorer_cell_shows_a_hint_and_a_picture() -> None:
    """Issue 19.6: without the widget (an unrun or untrusted notebook) the output is a hint and
    the static drawing, not only ``<explorer of Value(...)>``."""
    import shutil

    o, _ = neuron()
    bundle = viz.explore(o)._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "run the cell" in data["text/plain"] and "<explorer of Value(" in data["text/plain"]
    assert "run the cell" in data["text/html"]
    if shutil.which("dot"):
        assert "<svg" in data["text/html"]


def test_both_explorers_share_one_forward_and_one_reverse_loop() -> None:
    """The pages' chain rule is written once (assets/graph.js, issue 21): neither explorer
    calls an op's forward or derivatives itself, and both pages carry the shared loops."""
    from importlib import resources

    from autograd.viz import big_explorer, explorer_page

    assets = resources.files("autograd.viz").joinpath("assets")
    shared = assets.joinpath("graph.js").read_text(encoding="utf-8")
    assert ".derivatives(" in shared and ".forward(" in shared
    for page in ("explore.js", "big_explorer.js"):
        text = assets.joinpath(page).read_text(encoding="utf-8")
        assert ".derivatives(" not in text and "row.forward(" not in text, page
    for script in (explorer_page.script(), big_explorer.script({"add": [2]})):
        assert "class GraphMath" in script
