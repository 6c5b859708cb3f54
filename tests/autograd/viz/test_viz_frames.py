"""backward_frames: one drawing per step, grads that are the partial sums of backward."""

from __future__ import annotations

import itertools
import re
import shutil
import sys
import xml.etree.ElementTree as ET

import pytest

from autograd import Value, topological_order
from autograd.core.ops import OPS
from autograd.viz import backward_frames, write_frames

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` not installed")


def graph() -> tuple[Value, list[Value]]:
    """The notes' neuron, with a fan-out (x1 used twice) so grads really are sums."""
    x1, x2 = Value(2.0, label="x1"), Value(0.5, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    z = x1 * w1 + x2 * w2 + b + x1 * x1
    a = z.tanh()
    a.label = "a"
    return a, [x1, x2, w1, w2, b]


def test_one_frame_per_op_plus_the_seed():
    a, _ = graph()
    frames = backward_frames(a)
    inner = [v for v in topological_order(a) if not v.is_leaf]
    assert len(frames) == 1 + len(inner)
    assert [f.step for f in frames] == list(range(len(frames)))
    assert frames[0].current is None and frames[0].grads == {id(a): 1.0}
    assert [f.current for f in frames[1:]] == inner[::-1]


def test_each_step_adds_grad_times_local_derivative_to_the_inputs_only():
    a, _ = graph()
    frames = backward_frames(a)
    for before, after in itertools.pairwise(frames):
        node = after.current
        g = before.grads[id(node)]
        local = OPS[node.op].float_derivatives(node.data, *[p.data for p in node.parents])
        expected = dict(before.grads)
        for parent, d in zip(node.parents, local):
            expected[id(parent)] = expected.get(id(parent), 0.0) + g * d
        assert after.grads == expected


def test_last_frame_grads_equal_backward_and_no_grad_field_changes():
    a, leaves = graph()
    for leaf in leaves:
        leaf.grad = 100.0  # backward_frames must not touch (nor start from) these
    frames = backward_frames(a)
    assert all(leaf.grad == 100.0 for leaf in leaves)
    for leaf in leaves:
        leaf.grad = 0.0
    a.backward()
    for v in topological_order(a):
        assert frames[-1].grad_of(v) == pytest.approx(v.grad, abs=1e-12)


def test_a_node_grad_is_final_when_it_is_processed():
    a, _ = graph()
    frames = backward_frames(a)
    final = frames[-1]
    for frame in frames[1:]:
        assert frame.grad_of(frame.current) == final.grad_of(frame.current)


def test_frames_show_the_step_highlight_and_unreached_grads():
    a, _ = graph()
    frames = backward_frames(a)
    first, second = frames[0].source, frames[1].source
    assert "step 0 of 7: seed grad(a) = 1" in first
    assert "grad ?" in first and "grad 1.0000" in first
    assert "step 1 of 7: the tanh op that made a passes back its grad 1.0000" in second
    assert "#ff9f43" in second and "#c0392b" in second
    assert "grad ?" not in frames[-1].source


def test_frames_take_draw_options():
    a, _ = graph()
    frames = backward_frames(a, rankdir="TB", fmt=".2f", edge_labels=True)
    assert "rankdir=TB" in frames[3].source and "grad 1.00" in frames[3].source


@needs_dot
def test_frames_written_as_html_page(tmp_path):
    a, _ = graph()
    path = write_frames(backward_frames(a), tmp_path / "steps.html")
    page = path.read_text(encoding="utf-8")
    assert page.count("<svg") == 8 and page.count('class="frame') == 8
    assert page.count("<script>") == 1 and "<?xml" not in page
    body = page[page.index('<div class="frame') : page.index("<script>")]
    ET.fromstring(f"<div>{body}</div>")  # the inlined SVGs are well-formed


@needs_dot
def test_frames_written_as_gif(tmp_path):
    image_module = pytest.importorskip("PIL.Image", reason="Pillow is not installed")
    a, _ = graph()
    backward_frames(a, save=tmp_path / "steps.gif")
    with image_module.open(tmp_path / "steps.gif") as gif:
        assert gif.n_frames == 8


def test_write_frames_refuses_other_suffixes(tmp_path):
    a, _ = graph()
    with pytest.raises(ValueError, match=r"'steps.png' must end in .gif or .html"):
        write_frames(backward_frames(a), tmp_path / "steps.png")


def test_gif_without_pillow_names_the_pip_command(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    a, _ = graph()
    with pytest.raises(ImportError, match="pip install pillow"):
        write_frames(backward_frames(a), tmp_path / "steps.gif")


def test_step_backward_is_a_slider_widget():
    ipywidgets = pytest.importorskip("ipywidgets", reason="the [widgets] extra is not installed")
    from autograd.viz import step_backward

    a, _ = graph()
    box = step_backward(a)
    controls, view = box.children
    _play, slider = controls.children
    assert isinstance(slider, ipywidgets.IntSlider) and slider.max == 7
    if shutil.which("dot") is not None:
        slider.value = 4
        assert "step 4 of 7" in view.value


def test_step_backward_without_ipywidgets_names_the_pip_command(monkeypatch):
    from autograd.viz import step_backward

    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    a, _ = graph()
    with pytest.raises(ImportError, match=r"pip install 'seegrad\[widgets\]'"):
        step_backward(a)


def test_interactive_widget_and_its_hint(monkeypatch):
    from autograd.viz import interactive

    a, _ = graph()
    try:
        import graphviz_anywidget  # noqa: F401
    except ImportError:
        pass
    else:
        box = interactive(a, collapse=None)
        assert box.children[-1].dot_source.startswith("digraph {")
    monkeypatch.setitem(sys.modules, "graphviz_anywidget", None)
    with pytest.raises(ImportError, match=r"pip install 'seegrad\[widgets\]'"):
        interactive(a)


def test_an_undefined_derivative_stops_the_frames_with_the_op_named():
    y = Value(0.0, label="x").sqrt() * 2.0
    with pytest.raises(ZeroDivisionError, match=r"the derivative of sqrt at \(0.0\)"):
        backward_frames(y)


def test_captions_name_a_target_and_never_read_grad_of_a_bare_number():
    w = Value(-0.5, label="w")
    y = Value(1.0, label="y")
    cost = ((w * 0.8).sigmoid() - y) ** 2
    captions = [frame.caption for frame in backward_frames(cost)]
    assert any("grad(y) += " in c for c in captions)
    assert not any(re.search(r"grad\([-0-9.]+\)", c) for c in captions), captions
    bare = ((w * 0.8).sigmoid() - 1.0) ** 2  # an unnamed target: a constant, left out
    assert not any("grad(1)" in f.caption for f in backward_frames(bare))
