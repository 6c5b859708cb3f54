"""draw_dot: stable DOT text, roles, edge labels, module views, the size guard, bad options."""

from __future__ import annotations

import random
import re
import subprocess
import sys

import pytest

from autograd import Constant, Value, draw_dot
from autograd.core.ops import OPS
from autograd.core.value import module_scope
from tests.autograd.tiny_nn import MLP, Neuron


def small() -> Value:
    a, w = Value(2.0, label="a"), Value(-3.0, label="w")
    c = a * w + 1
    c.label = "c"
    c.backward()
    return c


def table(*fields: str) -> str:
    """The HTML-like label draw_dot gives a Value: its fields stacked, a rule between."""
    rows = "<HR/>".join(f"<TR><TD>{f}</TD></TR>" for f in fields)
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3">{rows}</TABLE>>'


def value_line(name: str, fill: str, *fields: str, tip: str) -> str:
    """A value's node statement; ``tip``: its tooltip's first line, the value's name (its
    numbers follow: a browser would show the node's id, v3, without one)."""
    numbers = "\\n".join(f for f in fields if f.startswith(("data", "grad")))
    return (
        f'\t{name} [label={table(*fields)} fillcolor="{fill}" margin=0 shape=box style=filled '
        f'tooltip="{tip}\\n{numbers}"]'
    )


def op_line(name: str, label: str, makes: str) -> str:
    return (
        f'\t{name} [label="{label}" height=0.25 margin="0.02,0.01" shape=ellipse '
        f'tooltip="the {label} op that makes {makes}" width=0.3]'
    )


EXPECTED_SMALL = "\n".join(
    [
        "digraph {",
        "\tgraph [fontname=Helvetica nodesep=0.2 ordering=in rankdir=LR ranksep=0.3]",
        "\tnode [fontname=Helvetica fontsize=11 height=0.3]",
        '\tedge [arrowsize=0.6 color="#555555" fontname=Helvetica fontsize=11]',
        value_line("v0", "#cfe3fa", "a", "data 2.0000", "grad -3.0000", tip="a"),
        value_line("v1", "#fbe7a1", "w", "data -3.0000", "grad 2.0000", tip="w"),
        value_line("v2", "#ffffff", "data -6.0000", "grad 1.0000", tip="a*w"),
        op_line("o2", "*", "a*w"),
        value_line("v3", "#e4e4e4", "data 1.0000", "grad 1.0000", tip="1"),
        value_line("v4", "#c7f0c2", "c", "data -5.0000", "grad 1.0000", tip="c"),
        op_line("o4", "+", "c"),
        "\t{",
        "\t\trank=same",
        "\t\tv0 -> v1 [style=invis]",  # the op's two leaves in order, a before w
        "\t}",
        "\to2 -> v2",
        "\tv0 -> o2",
        "\tv1 -> o2",
        "\to4 -> v4",
        "\tv2 -> o4",
        "\tv3 -> o4",
        "}",
        "",
    ]
)


def node_lines(source: str) -> dict[str, str]:
    """Node name -> its attribute text, for every node statement in DOT text."""
    found = re.findall(r"^\s*(\w+) \[(.*)\]$", source, flags=re.MULTILINE)
    return {name: attrs for name, attrs in found if name not in ("graph", "node", "edge")}


def test_dot_text_of_a_small_graph_is_exactly_as_expected_and_stable():
    assert draw_dot(small()).source == EXPECTED_SMALL
    assert draw_dot(small()).source == EXPECTED_SMALL


def test_roles_input_parameter_constant_output_have_their_colours():
    nodes = node_lines(draw_dot(small()).source)
    assert "#cfe3fa" in nodes["v0"]  # a: input
    assert "#fbe7a1" in nodes["v1"]  # w: parameter (by its label)
    assert "#e4e4e4" in nodes["v3"]  # the 1 in `+ 1`: constant
    assert "#c7f0c2" in nodes["v4"]  # c: output


def test_a_named_number_is_drawn_as_an_input():
    from autograd import Constant

    x = Constant(0.5, label="x0")  # how nn feeds plain numbers to a network
    nodes = node_lines(draw_dot(x * Value(2.0, label="w") + 1).source)
    assert "#cfe3fa" in nodes["v0"]  # x0: input, not constant
    assert "#e4e4e4" in nodes["v3"]  # the unnamed 1: constant


def test_params_option_overrides_the_label_rule():
    c = small()
    a = c.parents[0].parents[0]
    nodes = node_lines(draw_dot(c, params=[a]).source)
    assert "#fbe7a1" in nodes["v0"] and "#cfe3fa" in nodes["v1"]


def test_module_parameters_are_parameters_whatever_their_labels():
    neuron = Neuron(2, "neuron 1", random.Random(0))
    out = neuron([Value(1.0, label="x1"), Value(2.0, label="x2")])
    nodes = node_lines(draw_dot(out).source)
    fills = [re.search(r'fillcolor="(#\w+)"', nodes[name])[1] for name in nodes if name[0] == "v"]
    assert fills.count("#fbe7a1") == 3  # two weights and the bias
    assert fills.count("#cfe3fa") == 2  # x1, x2


def test_edge_labels_are_the_local_derivatives_from_the_op_table():
    x1, w1 = Value(2.0, label="x1"), Value(-3.0, label="w1")
    z = x1 * w1
    a = z.tanh()
    source = draw_dot(a, edge_labels=True, fmt=".6f").source
    (d_tanh,) = OPS["tanh"].float_derivatives(a.data, z.data)
    style = 'fontcolor="#1f4e9c"]'
    assert f"v2 -> o3 [label={d_tanh:.6f} {style}" in source
    assert f"v0 -> o2 [label=-3.000000 {style}" in source  # d(x1*w1)/dx1 = w1
    assert f"v1 -> o2 [label=2.000000 {style}" in source  # d(x1*w1)/dw1 = x1
    assert "o2 -> v2\n" in source  # the op's own output edge has no label


def test_repeated_parent_gets_one_edge_per_use():
    a = Value(3.0, label="a")
    b = a * a
    source = draw_dot(b, edge_labels=True).source
    assert source.count("v0 -> o1 [label=3.0000 fontcolor") == 2


def test_number_format_option_tiny_numbers_and_no_negative_zero():
    """A number the format would show as zero without being 0 reads in two significant digits
    (a vanishing gradient stays visible); 0 itself, -0 included, reads 0."""
    v = Value(-1e-9, label="tiny") * 1.0
    source = draw_dot(v, fmt=".2f").source
    assert "data -1e-09" in source and "data 0.00" not in source
    assert "data 1.00" in source
    source = draw_dot(Value(-0.0, label="zero") * 1.0, fmt=".2f").source
    assert "data 0.00" in source and "-0.00" not in source


def test_record_fields_are_stacked_in_every_direction():
    source = draw_dot(small(), rankdir="TB").source
    assert "rankdir=TB" in source
    stacked = "<TD>a</TD></TR><HR/><TR><TD>data 2.0000</TD></TR><HR/><TR><TD>grad -3.0000</TD>"
    assert stacked in source and stacked in draw_dot(small()).source


def test_show_grad_false_leaves_out_the_grad_field():
    assert "grad" not in "".join(node_lines(draw_dot(small(), show_grad=False).source).values())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rankdir": "XY"}, "rankdir must be one of LR, RL, TB, BT"),
        ({"fmt": "%d"}, "not a format spec"),
        ({"cluster": "layer"}, "cluster must be None or 'module'"),
        ({"collapse": 0}, "collapse must be a module class name"),
        ({"max_nodes": 0}, "max_nodes must be a positive int"),
    ],
)
def test_bad_options_are_named(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        draw_dot(small(), **kwargs)


def test_root_must_be_a_value():
    with pytest.raises(TypeError, match="root must be a Value, got float"):
        draw_dot(1.0)


def test_size_guard_says_how_many_and_what_to_do():
    x = Value(1.0, label="x")
    for _ in range(200):
        x = x * 1.0
    # 1 leaf + 200 products + 200 constants
    with pytest.raises(ValueError) as info:
        draw_dot(x)
    message = str(info.value)
    assert "401 nodes" in message and "max_nodes=300" in message
    assert "draw a Value nearer the inputs" in message and "max_nodes=401" in message
    assert len(node_lines(draw_dot(x, max_nodes=401).source)) == 401 + 200


def mlp_output(nouts: list[int]) -> Value:
    model = MLP(2, nouts, seed=1)
    y = model([Value(0.5, label="x1"), Value(-1.0, label="x2")])
    y.backward()
    return y


def test_collapsed_2_16_16_1_mlp_is_under_50_nodes():
    y = mlp_output([16, 16, 1])
    with pytest.raises(ValueError, match="collapse="):
        draw_dot(y)
    nodes = node_lines(draw_dot(y, collapse="neuron").source)
    assert len(nodes) == 2 + 16 + 16 + 1 < 50
    labels = " ".join(nodes.values())
    assert "layer 1 / neuron 16" in labels and "layer 3 / neuron 1" in labels
    assert f"data {y.data:.4f}\u00a0\u00a0grad 1.0000" in labels  # the output neuron shows y


def test_collapse_by_layer_and_by_depth_agree():
    y = mlp_output([3, 1])
    by_name = draw_dot(y, collapse="layer").source
    assert by_name == draw_dot(y, collapse=2).source
    nodes = node_lines(by_name)
    assert len(nodes) == 2 + 2  # x1, x2 and two layers
    assert "out 3: data" in nodes["m0"]


def test_collapsed_module_edges_are_deduplicated():
    y = mlp_output([3, 1])
    source = draw_dot(y, collapse="neuron").source
    visible = "\n".join(line for line in source.splitlines() if "style=invis" not in line)
    edges = re.findall(r"^\s*(\w+) -> (\w+)", visible, flags=re.MULTILINE)
    assert len(edges) == len(set(edges)) == 2 * 3 + 3


def test_cluster_boxes_nest_along_the_scope_path():
    y = mlp_output([2, 1])
    source = draw_dot(y, cluster="module").source
    clusters = re.findall(r'subgraph cluster_\d+ \{\n[^\n]*label=(\w+|"[^"]*")', source)
    # In order of first appearance in the topological order (layer 2's weights come first).
    names = [c.strip('"') for c in clusters]
    assert names == ["mlp", "layer 2", "neuron 1", "layer 1", "neuron 1", "neuron 2"]
    # Each neuron's weights sit in its box; the inputs, used by two neurons of layer 1, sit in
    # layer 1's box, outside both neurons' boxes.
    neuron_box = source.split('label="neuron 1"')[1].split("\t\t\t}\n")[0]
    assert neuron_box.count("#fbe7a1") == 3 and "x1" not in neuron_box
    layer_1 = source.split('label="layer 1"')[1]
    assert layer_1.index("<TD>x1</TD>") < layer_1.index("subgraph")


def test_collapse_and_cluster_together():
    y = mlp_output([3, 1])
    source = draw_dot(y, collapse="neuron", cluster="module").source
    assert source.count("subgraph cluster_") == 3  # mlp, layer 1, layer 2
    assert "<TD>neuron 1</TD>" in source


def test_a_scope_without_a_module_name_uses_its_class_name():
    class Block:
        def __call__(self, x: Value) -> Value:
            with module_scope(self):
                return (x * 2.0).relu()

    y = Block()(Value(1.0, label="x"))
    assert "<TD>Block</TD>" in draw_dot(y, collapse="block").source
    assert "label=Block" in draw_dot(y, cluster="module").source


def test_constant_inside_a_collapsed_module_is_folded_in():
    class Double:
        name = "double"

        def __call__(self, x: Value) -> Value:
            with module_scope(self):
                return x * Constant(2.0)

    y = Double()(Value(1.5, label="x"))
    nodes = node_lines(draw_dot(y, collapse="double").source)
    assert set(nodes) == {"v0", "m0"}


def test_import_autograd_does_not_load_graphviz_or_widgets():
    heavy = ["graphviz", "numpy", "ipywidgets", "graphviz_anywidget", "PIL"]
    code = f"import sys, autograd, autograd.viz; sys.exit(any(m in sys.modules for m in {heavy}))"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
    code = "import sys, autograd; autograd.draw_dot; sys.exit('graphviz' not in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_a_module_without_a_usable_parameters_method_falls_back_to_labels():
    class Odd:
        parameters = 3  # not callable

        def __call__(self, x: Value) -> Value:
            with module_scope(self):
                return x * Value(2.0, label="w")

    nodes = node_lines(draw_dot(Odd()(Value(1.0, label="x"))).source)
    assert "#cfe3fa" in nodes["v0"] and "#fbe7a1" in nodes["v1"]


def test_collapse_that_matches_nothing_says_what_there_is():
    with pytest.raises(ValueError, match=r"collapse='nueron' matches nothing.*layer, mlp, neuron"):
        draw_dot(mlp_output([2, 1]), collapse="nueron")
    with pytest.raises(ValueError, match="no Value in it was made inside a module call"):
        draw_dot(small(), collapse="neuron")


def test_an_undefined_local_derivative_is_labelled_not_raised():
    y = Value(0.0, label="x").sqrt()  # d sqrt(x)/dx is infinite at 0
    assert "v0 -> o1 [label=undefined fontcolor" in draw_dot(y, edge_labels=True).source


def batch_loss(samples: int, nouts: list[int]) -> Value:
    """The moons demo's loss over ``samples`` points, one model call per point."""
    import nn
    from nn.data import make_moons

    X, y = make_moons(samples, noise=0.1, seed=0)
    model = nn.MLP(2, nouts, seed=0)
    loss = nn.mse_loss([model(list(row)) for row in X], [2.0 * t - 1.0 for t in y])
    loss.backward()
    return loss


@pytest.mark.parametrize("samples", [2, 100])
def test_size_guard_names_only_calls_that_work(samples):
    loss = batch_loss(samples, [16, 16, 1])
    refused = []
    for options in ({}, {"collapse": "neuron"}, {"collapse": "layer"}):
        try:
            draw_dot(loss, **options)
        except ValueError as error:
            refused.append(str(error))
    assert refused
    for message in refused:
        calls = re.findall(r"draw_dot\(root, ([^)]*)\)", message)
        assert calls, message
        for call in calls:
            options = eval(f"dict({call})")  # the message's own words, run as code
            assert len(node_lines(draw_dot(loss, **options).source)) <= 300
    assert "sample=0, collapse='neuron'" in refused[0]
    if samples == 100:
        assert "collapse='sample'" in refused[0]


def test_a_batch_loss_collapsed_by_sample_has_a_node_per_sample():
    loss = batch_loss(100, [16, 16, 1])
    graph = draw_dot(loss, collapse="sample")
    nodes = node_lines(graph.source)
    samples = [n for n, attrs in nodes.items() if "sample " in attrs]
    assert len(samples) == 100 and len(nodes) < 110
    assert "<TD>sample 7: MLP</TD></TR><HR/><TR><TD>x0 " in graph.source  # its inputs
    assert "337 parameters used inside several collapsed nodes are not drawn" in graph.caption


def test_sample_draws_one_term_of_a_batch_loss():
    loss = batch_loss(4, [3, 1])
    graph = draw_dot(loss, sample=2)
    assert graph.root is not loss and graph.root in loss.parents[0].parents
    assert "sample 2 of 4" in graph.caption and "sums over all 4 samples" in graph.caption
    assert len(node_lines(graph.source)) < len(node_lines(draw_dot(loss, max_nodes=999).source))


@pytest.mark.parametrize(
    ("sample", "message"),
    [
        (4, "sample=4 is out of range: this graph has 4 samples (model calls), numbered 0 to 3"),
        (-1, "sample=-1 is out of range"),
        ("0", "sample must be an int, got '0'"),
    ],
)
def test_sample_out_of_range_is_named(sample, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        draw_dot(batch_loss(4, [3, 1]), sample=sample)


def test_sample_of_a_graph_without_model_calls_says_what_it_needs():
    with pytest.raises(ValueError, match="need a graph made by calling a model"):
        draw_dot(small(), sample=0)
