"""The call view: draw_dot(root, collapse="call", depth=, open=) on recorded programs."""

from __future__ import annotations

import re
import shutil
import sys
import time
from pathlib import Path

import pytest

import autograd
from autograd import Value, draw_dot, record_calls

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "examples"))
import scalar_gpt

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")


def boxes(graph) -> list[str]:
    """The first line of every box's label, in DOT order."""
    return re.findall(r'^\s*c\d+ \[label="([^"\\]*)', graph.source, re.MULTILINE)


def label_of(graph, title: str) -> str:
    for m in re.finditer(r'^\s*c\d+ \[label="([^"]*)"', graph.source, re.MULTILINE):
        if m.group(1).startswith(title + "\\n"):
            return m.group(1)
    raise AssertionError(f"no box {title!r} in\n{graph.source}")


def softmax(xs: list[Value]) -> list[Value]:
    exps = [x.exp() for x in xs]
    total = sum(exps, Value(0.0))
    return [e / total for e in exps]


def scale(xs: list[Value], k: float) -> list[Value]:
    return [x * k for x in xs]


def heads(xs: list[Value]) -> Value:
    outs = [softmax(scale(xs, float(h + 1)))[0] for h in range(4)]
    return sum(outs, Value(0.0))


def program() -> tuple[Value, list[Value]]:
    xs = [Value(0.1 * i, label=f"x{i}") for i in range(3)]
    with record_calls():
        y = heads(xs) * 2.0
    y.backward()
    return y, xs


def test_depth_1_draws_one_box_per_top_call_with_counts_and_grad() -> None:
    y, _ = program()
    graph = draw_dot(y, collapse="call")
    assert sorted(boxes(graph)) == ["heads#1", "top level: own"]
    label = label_of(graph, "heads#1")
    # in: 3 inputs, 12 constants k, 5 zeros that start the sums; out: the sum of the heads
    assert "in 20 · out 1 ·" in label
    # per head: scale 3, exp 3, their sum 3 adds, p0 = e0 / total; then 4 adds of the heads
    made_in_heads = 4 * (3 + 3 + 3 + 1) + 4
    assert f"{made_in_heads} values" in label
    largest = max(
        abs(v.grad) for v in autograd.topological_order(y) if v.scope is not None and not v.is_leaf
    )
    assert f"max |grad| {largest:.3g}" in label


def test_depth_2_groups_repeated_calls_and_keeps_the_chain_between_them() -> None:
    y, _ = program()
    graph = draw_dot(y, collapse="call", depth=2)
    titles = boxes(graph)
    # scale#h feeds softmax#h, so the calls alternate and none group; the view says so
    assert titles.count("heads#1: own") == 1
    assert {"scale#1", "softmax#1", "scale#4", "softmax#4"} <= set(titles)
    assert "cluster_0" in graph.source and 'label="heads#1"' in graph.source


def independent() -> Value:
    xs = [Value(0.5), Value(-0.25)]
    with record_calls():
        probs = [softmax(xs) for _ in range(7)]
        out = sum((p[0] for p in probs), Value(0.0))
    out.backward()
    return out


def test_like_sibling_calls_are_one_box() -> None:
    graph = draw_dot(independent(), collapse="call")
    titles = boxes(graph)
    assert "softmax x7 (#1-#7)" in titles
    assert len([t for t in titles if t.startswith("softmax")]) == 1
    assert re.search(r"c\d+ -> c\d+ \[label=7\]", graph.source)  # 7 Values flow out of it


def test_open_draws_one_call_on_its_own_and_names_errors() -> None:
    y, _ = program()
    graph = draw_dot(y, collapse="call", open="heads/softmax#3")
    assert "inside heads#1/softmax#3" in graph.caption
    assert "from outside" in graph.source
    with pytest.raises(ValueError, match=r"names 4 calls .*add #n"):
        draw_dot(y, collapse="call", open="softmax")
    with pytest.raises(ValueError, match="names no call of this graph; calls include"):
        draw_dot(y, collapse="call", open="nothing#1")
    with pytest.raises(ValueError, match="depth must be an int >= 1"):
        draw_dot(y, collapse="call", depth=0)
    with pytest.raises(ValueError, match="go with collapse='call'"):
        draw_dot(y, open="heads")


def test_a_graph_without_calls_says_how_to_record_them() -> None:
    x = Value(1.0)
    with pytest.raises(ValueError, match=r"autograd\.record_calls\(\)"):
        draw_dot(x * 2.0, collapse="call")


def small_gpt() -> tuple[scalar_gpt.Params, list[int], scalar_gpt.Config]:
    names = scalar_gpt.load_names()
    tok = scalar_gpt.Tokenizer.from_names(names)
    config = scalar_gpt.Config(tok.vocab_size)
    return scalar_gpt.Params(config), tok.encode("isabella"), config


@needs_dot
def test_size_guard_names_record_calls_and_every_call_it_names_draws() -> None:
    params, tokens, config = small_gpt()
    loss = scalar_gpt.document_loss(tokens, params, config)
    with pytest.raises(ValueError) as refused:
        draw_dot(loss)
    message = str(refused.value)
    assert "with autograd.record_calls():" in message and "collapse='call'" in message
    # Run what it names: record, then draw by call.
    with autograd.record_calls():
        loss = scalar_gpt.document_loss(tokens, params, config)
    loss.backward()
    assert draw_dot(loss, collapse="call").pipe(format="svg")
    with pytest.raises(ValueError) as refused:
        draw_dot(loss)
    assert "draw_dot(root, collapse='call')" in str(refused.value)


@needs_dot
def test_scalar_gpt_document_draws_by_call_in_time_and_depth_2_shows_its_functions() -> None:
    params, tokens, config = small_gpt()
    with autograd.record_calls():
        loss = scalar_gpt.document_loss(tokens, params, config)
    loss.backward()
    assert len(autograd.topological_order(loss)) >= 35_000
    start = time.perf_counter()
    svg = draw_dot(loss, collapse="call").pipe(format="svg", encoding="utf-8")
    assert time.perf_counter() - start < 5.0
    for name in ("gpt#1", "softmax#", "document_loss#1: own"):
        assert name in svg
    width = float(re.search(r'<svg width="([\d.]+)pt"', svg).group(1))
    assert width <= 820  # pt (1,093 px); the HTML output scales it to the column
    deeper = draw_dot(loss, collapse="call", open="gpt#3", depth=1)
    titles = boxes(deeper)
    assert any(t.startswith("rmsnorm") for t in titles)
    assert any(t.startswith("linear") for t in titles)
    assert {"attention#3", "mlp#3"} <= set(titles)
    two = boxes(draw_dot(loss, collapse="call", depth=2))
    assert any(t.startswith("rmsnorm") for t in two) and any(t.startswith("linear") for t in two)
