"""draw_dot through Graphviz: hostile labels stay text, and a missing `dot` never crashes a
notebook."""

from __future__ import annotations

import math
import shutil
import sys
import xml.etree.ElementTree as ET

import graphviz
import pytest

from autograd import Value, draw_dot, topological_order
from autograd.core.value import module_scope
from autograd.viz.graph import DotNotFoundError

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` not installed")
SVG = "{http://www.w3.org/2000/svg}"

HOSTILE = [
    'say "hi"',
    "back\\slash",
    '\\"',
    "ends with \\",
    "{braces}|bar<angle>",
    "<b>bold</b>",
    "<script>alert(1)</script>",
    "<>",
    "javascript:alert(1)",
    "&amp; &lt; &#60;",
    "\\N \\G \\n \\l \\L",
    "two  spaces",
    "line one\nline two",
    "<<table><tr><td>x</td></tr></table>>",
    "node",
    "subgraph",
    "-> v0 [color=red]",
    "a; b -> c",
]


def svg_of(graph: graphviz.Digraph) -> ET.Element:
    return ET.fromstring(graph.pipe(format="svg", encoding="utf-8"))


def node_texts(svg: ET.Element) -> dict[str, str]:
    """Node name (its SVG <title>) -> all its text lines joined by newlines."""
    out = {}
    for group in svg.iter(f"{SVG}g"):
        if group.get("class") in ("node", "cluster"):
            title = group.find(f"{SVG}title").text
            lines = [t.text or "" for t in group.iter(f"{SVG}text")]
            # No-break spaces keep spaces (shown as typed).
            out[title] = "\n".join(lines).replace("\xa0", " ")
    return out


def assert_safe(svg: ET.Element) -> None:
    for element in svg.iter():
        assert element.tag not in (f"{SVG}script", "script", f"{SVG}foreignObject")
        for name, value in element.attrib.items():
            if name == "{http://www.w3.org/1999/xlink}title":
                continue  # a tooltip: text shown on hover, never followed (the label as typed)
            assert "javascript:" not in value.lower(), (element.tag, name, value)
            assert not name.endswith("href"), (element.tag, name, value)


@needs_dot
@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_value_label_is_shown_as_typed(text):
    x = Value(1.0, label=text)
    y = x * 2.0
    y.label = text
    svg = svg_of(draw_dot(y))
    assert_safe(svg)
    texts = node_texts(svg)
    # Node names are ours (v0, o1, ...); the label is text inside the node.
    assert set(texts) == {"v0", "v1", "o2", "v2"}
    assert texts["v0"].startswith(text.strip() + "\n") or texts["v0"].startswith(text + "\n")
    assert "data 1.0000" in texts["v0"]
    # Nothing invisible added: copying the label from the picture gives the typed text.
    assert "\u2060" not in "".join(texts.values())


@needs_dot
@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_all_hostile_labels_at_once_through_every_view(rankdir):
    class Box:
        def __init__(self, name: str) -> None:
            self.name = name

        def __call__(self, xs: list[Value]) -> Value:
            with module_scope(self):
                return sum(xs[1:], xs[0]) * 1.0

    xs = [Value(float(k), label=text) for k, text in enumerate(HOSTILE)]
    y = Box("<script>alert('box')</script> & \\N")(xs)
    for options in ({}, {"cluster": "module"}, {"collapse": "box"}, {"edge_labels": True}):
        svg = svg_of(draw_dot(y, rankdir=rankdir, **options))
        assert_safe(svg)
        shown = "\n".join(node_texts(svg).values())
        for text in HOSTILE if "collapse" not in options else []:
            for line in text.split("\n"):
                assert line.strip() in shown, (options, line)
        if "cluster" in options or "collapse" in options:
            assert "<script>alert('box')</script> & \\N" in shown


@needs_dot
def test_hostile_labels_in_step_frames_and_their_captions():
    from autograd.viz import backward_frames

    xs = [Value(1.0, label=text) for text in HOSTILE]
    y = sum(xs[1:], xs[0]).tanh()
    captions = []
    for frame in backward_frames(y):
        svg = svg_of(frame)
        assert_safe(svg)
        caption = "\n".join(t.text or "" for t in svg.find(f"{SVG}g").findall(f"{SVG}text"))
        assert caption.startswith(f"step {frame.step} of ")
        captions.append(caption)
    assert any("grad(<<table><tr><td>x</td></tr></table>>) += " in c for c in captions)
    assert any("grad(<script>alert(1)</script>) += " in c for c in captions)


@needs_dot
def test_svg_of_the_notes_neuron_parses_and_reads():
    x1, w1 = Value(2.0, label="x1"), Value(-3.0, label="w1")
    a = (x1 * w1 + 6.8813735870195432).tanh()
    a.label = "a"
    a.backward()
    texts = node_texts(svg_of(draw_dot(a)))
    assert texts["v0"] == "x1\ndata 2.0000\ngrad -1.5000"
    last = len(topological_order(a)) - 1
    assert texts[f"v{last}"] == "a\ndata 0.7071\ngrad 1.0000"
    assert texts[f"o{last}"] == "tanh"


@needs_dot
def test_jupyter_svg_shrinks_to_the_page_width():
    wide = Value(1.0, label="x")
    for _ in range(12):
        wide = (wide * 1.5).tanh()
    svg = draw_dot(wide, rankdir="LR").svg()  # one row (the default wraps it)
    root = ET.fromstring(svg[svg.index("<svg") :])
    assert root.get("style") == "max-width: 100%; height: auto"
    assert root.get("viewBox")  # the proportions survive the scaling
    assert float(root.get("width").removesuffix("pt")) > 1000  # wide enough to need it


@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    """A PATH on which there is no `dot`."""
    monkeypatch.setenv("PATH", str(tmp_path))
    assert shutil.which("dot") is None


def neuron() -> Value:
    x1, w1 = Value(2.0, label="x1"), Value(-0.3, label="w1")
    a = (x1 * w1).tanh()
    a.label = "a"
    a.backward()
    return a


def test_without_dot_render_and_pipe_raise_with_the_install_hint(no_dot, tmp_path):
    graph = draw_dot(neuron())
    for call in (lambda: graph.pipe(format="svg"), lambda: graph.render(tmp_path / "g")):
        with pytest.raises(DotNotFoundError) as info:
            call()
        message = str(info.value)
        assert "`dot` program was not found" in message
        assert "apt-get install graphviz" in message and "brew install graphviz" in message
        assert "conda install" in message
        # Still the exception graphviz users already catch.
        assert isinstance(info.value, graphviz.ExecutableNotFound)


def test_without_dot_or_widgets_jupyter_shows_a_text_tree(no_dot, monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz_anywidget", None)  # import fails
    bundle = draw_dot(neuron())._repr_mimebundle_()
    text = bundle["text/plain"]
    d = 1 - math.tanh(-0.6) ** 2
    assert text.splitlines()[0] == f"a  [tanh]  data {math.tanh(-0.6):.4f}  grad 1.0000"
    assert f"└─ x1*w1  [*]  data -0.6000  grad {d:.4f}" in text
    assert f"   ├─ x1  [leaf]  data 2.0000  grad {-0.3 * d:.4f}" in text
    assert f"   └─ w1  [leaf]  data -0.3000  grad {2 * d:.4f}" in text
    assert "apt-get install graphviz" in text.splitlines()[-1]
    assert "&lt;" not in text and "<pre>" in bundle["text/html"]


def test_text_tree_escapes_html_in_its_html_form(no_dot, monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz_anywidget", None)
    y = Value(1.0, label="<script>x</script>") * 2.0
    bundle = draw_dot(y)._repr_mimebundle_()
    assert "<script>" not in bundle["text/html"]
    assert "&lt;script&gt;x&lt;/script&gt;" in bundle["text/html"]


def test_without_dot_jupyter_falls_back_to_the_widget(no_dot):
    pytest.importorskip("graphviz_anywidget", reason="the [widgets] extra is not installed")
    bundle = draw_dot(neuron())._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"].startswith("a  [tanh]")


def test_text_tree_writes_a_shared_value_once():
    from autograd.viz import text_tree

    a = Value(3.0, label="a")
    b = a * 2.0
    b.label = "b"
    c = b + b
    lines = text_tree(c).splitlines()
    assert lines == [
        "b + b  [+]  data 12.0000  grad 0.0000",
        "├─ b  [*]  data 6.0000  grad 0.0000",
        "│  ├─ a  [leaf]  data 3.0000  grad 0.0000",
        "│  └─ 2  [constant]  data 2.0000  grad 0.0000",
        "└─ b  (see above)",
    ]
    assert text_tree(c, max_lines=2).splitlines()[-1] == "... (cut at 2 lines)"


def _top_to_bottom(svg: ET.Element, labels: set[str]) -> list[list[str]]:
    """For each column of nodes (same x), the first label lines found in ``labels``, top first."""
    columns: dict[int, list[tuple[float, str]]] = {}
    for group in svg.iter(f"{SVG}g"):
        if group.get("class") != "node":
            continue
        text = group.find(f"{SVG}text")
        if text is not None and text.text in labels:
            x, y = float(text.get("x")), float(text.get("y"))
            columns.setdefault(round(x / 40), []).append((y, text.text))
    return [[name for _, name in sorted(column)] for _, column in sorted(columns.items())]


@needs_dot
@pytest.mark.parametrize("options", [{}, {"cluster": "module"}])
def test_weights_are_drawn_in_their_natural_order(options):
    import nn

    model = nn.MLP(2, [3, 3, 1], seed=0)
    out = model([1.0, -0.5])
    out.backward()
    svg = svg_of(draw_dot(out, **options))
    for column in _top_to_bottom(svg, {"w0", "w1", "w2", "b"}):
        # Read down a column: each neuron's leaves come as w0, w1, (w2,) b, neuron after neuron.
        for run in " ".join(column).replace(" w0", "\nw0").split("\n"):
            names = run.split()
            assert names == sorted(names, key=lambda n: (n == "b", n)), (options, column)


@needs_dot
def test_a_models_inputs_sit_left_of_its_weights_in_the_first_layers_box():
    import nn

    model = nn.MLP(2, [3, 1], seed=0)
    out = model([1.0, -0.5])
    source = draw_dot(out, cluster="module").source
    layer_0 = source.split('label="layer 0"')[1].split("subgraph cluster_")[0]
    assert "<TD>x0</TD>" in layer_0 and "<TD>x1</TD>" in layer_0


LONG_LABELS = {
    "20,000 characters": "a" * 20_000,
    "4,000 ampersands": "&" * 4_000,
    "9,000 backslashes": "\\" * 9_000,
    "100,000 characters": "b" * 100_000,
    "long lines and many": ("x\\N&<> " * 40 + "\n") * 500,
}


@needs_dot
@pytest.mark.parametrize("name", list(LONG_LABELS))
def test_a_long_label_is_drawn_shortened_with_the_full_text_in_its_tooltip(name):
    text = LONG_LABELS[name]
    x = Value(1.0, label=text)
    y = (x * 2.0).tanh()
    y.label = text
    for view in (draw_dot(y), draw_dot(y, edge_labels=True)):
        svg = svg_of(view)
        shown = node_texts(svg)["v0"]
        first = shown.split("\n")[0]
        assert first.endswith("\u2026") and text.startswith(first[:-1].replace("\xa0", " "))
        assert len(shown) < 1_000
        tips = [a.get("{http://www.w3.org/1999/xlink}title") for a in svg.iter(f"{SVG}a")]
        assert any(tip and tip.startswith(text[:500].split("\n")[0][:50]) for tip in tips)
    from autograd.viz import backward_frames

    assert svg_of(backward_frames(y)[-1]) is not None  # a frame's caption names the label


def test_shorten_keeps_short_text_and_marks_each_cut():
    from autograd.viz.escape import shorten

    assert shorten("w1") == "w1" and shorten("a\nb") == "a\nb"
    assert shorten("x" * 100, 10) == "x" * 9 + "\u2026"
    assert shorten("\n".join("abc" for _ in range(20)), 80, 3) == "abc\nabc\n\u2026"


@needs_dot
def test_a_shortened_labels_tooltip_is_the_typed_text():
    text = "\\N x\\ &amp; <b> \\\\ " * 10 + "end\\"
    x = Value(1.0, label=text)
    svg = svg_of(draw_dot(x * 2.0))
    tips = [a.get("{http://www.w3.org/1999/xlink}title") for a in svg.iter(f"{SVG}a")]
    # The label as typed, then the value's numbers.
    assert any(tip.replace("\xa0", " ").startswith(text + "\n") for tip in tips if tip), tips
