"""Issue 19.5: a long chain of ops is drawn in rows read like text, not one row 2,800 px long."""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path

import pytest

import autograd.viz
from autograd import Value, draw_dot
from autograd.viz.fit import fit_width
from autograd.viz.rows import spine, wrap_rows

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is missing")


def chain(n: int) -> Value:
    """x through n ops: * 0.9, + 0.1, tanh in turn."""
    v = Value(0.5, label="x")
    for k in range(n):
        v = [lambda u: u * 0.9, lambda u: u + 0.1, lambda u: u.tanh()][k % 3](v)
    v.label = "out"
    v.backward()
    return v


def test_the_spine_is_the_longest_path_whatever_the_order_given():
    edges = [("a", "b"), ("b", "c"), ("k", "c"), ("c", "d")]
    assert spine(["d", "c", "k", "b", "a"], edges) == ["a", "b", "c", "d"]


def test_a_long_chain_wraps_and_a_short_or_branching_graph_does_not():
    names = [f"n{k}" for k in range(20)]
    path = list(itertools.pairwise(names))
    rows = wrap_rows(names, path, per_row=8)
    assert rows == [names[:8], names[8:16], names[16:]]
    assert wrap_rows(names[:12], path[:11], per_row=8) is None  # a row and a half: one row
    # Twenty inner nodes off a spine of 20 nodes: not a chain.
    side = [(f"s{k}", f"n{k}") for k in range(20)] + [(f"t{k}", f"s{k}") for k in range(20)]
    assert (
        wrap_rows(
            [*names, *(f"s{k}" for k in range(20)), *(f"t{k}" for k in range(20))], path + side
        )
        is None
    )


def test_wrap_rows_refuses_rows_of_one():
    with pytest.raises(ValueError, match="per_row must be at least 2"):
        wrap_rows(["a"], [], per_row=1)


def rows_of(svg: str) -> list[float]:
    """The distinct heights (y) of the op nodes' centres."""
    ys = re.findall(r'<title>o\d+</title>(?:(?!</g>).)*?<ellipse [^>]*cy="([-0-9.]+)"', svg, re.S)
    return sorted({round(float(y)) for y in ys})


@needs_dot
@pytest.mark.parametrize("ops", [14, 40])
def test_draw_dot_draws_a_long_chain_in_rows_that_fit_a_column(ops: int):
    svg = draw_dot(chain(ops)).pipe(format="svg", encoding="utf-8")
    width, _ = fit_width(svg)
    assert width < 800, f"a {ops}-op chain is {width:.0f} px wide"
    assert len(rows_of(svg)) >= ops // 4
    # The text, scaled into a 592 px column (JupyterLab at 1024 px with its file browser open).
    sizes = [float(s) for s in re.findall(r'font-size="([0-9.]+)"', svg)]
    assert min(sizes) * 592 / width * 4 / 3 >= 8


@needs_dot
def test_an_explicit_rankdir_and_a_short_graph_keep_one_row():
    one_row = draw_dot(chain(14), rankdir="LR")
    assert "rankdir=LR" in one_row.source
    assert fit_width(one_row.pipe(format="svg", encoding="utf-8"))[0] > 1500
    assert "rankdir=LR" in draw_dot(chain(5)).source


@needs_dot
@pytest.mark.parametrize("ops", [14, 40])
def test_the_explorer_lays_a_long_chain_out_in_rows(ops: int):
    from autograd.viz.explorer_page import graph_spec

    spec = graph_spec(chain(ops))
    assert spec["width"] < 700, f"a {ops}-op chain is {spec['width']:.0f} px wide in the explorer"
    rows = {round(node["y"]) for node in spec["nodes"] if node["op"]}
    assert len(rows) >= ops // 3
    # Every edge still has its path (the wrapped edges included).
    assert all(edge["d"].startswith("M ") for edge in spec["edges"])


@needs_dot
def test_the_step_views_current_node_carries_the_class_its_script_looks_for():
    from autograd.viz import backward_frames
    from autograd.viz.draw import CURRENT_CLASS

    frames = backward_frames(chain(3))
    for frame in frames:
        svg = frame.pipe(format="svg", encoding="utf-8").replace("&#45;", "-")
        assert svg.count(CURRENT_CLASS) == 1
    assert CURRENT_CLASS in (Path(autograd.viz.__file__).parent / "assets/step_view.js").read_text()


@needs_dot
def test_the_notes_neuron_with_edge_labels_is_legible_in_a_592_px_column():
    """Notebook 01's draw_dot(o, edge_labels=True) was 1,117 px: 7.8 px text scaled into the
    column JupyterLab has at 1024 px with its file browser open."""
    from tests.browser.jupyterlab import neuron

    svg = draw_dot(neuron(), edge_labels=True)._html_svg()
    width, _ = fit_width(svg)
    smallest = min(float(s) for s in re.findall(r'font-size="([0-9.]+)"', svg))
    assert smallest * 4 / 3 * 592 / width >= 8, f"{width:.0f} px wide"
