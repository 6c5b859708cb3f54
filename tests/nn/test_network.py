"""viz.draw_network (the network view of an nn model) and viz.to_html (self-contained pages)."""

from __future__ import annotations

import math
import re
import shutil
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import nn
from autograd import Value, draw_dot, viz
from nn.network import NEGATIVE, POSITIVE, NetworkView, _group_size

SVG = "{http://www.w3.org/2000/svg}"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")


def tree(view: NetworkView) -> ET.Element:
    return ET.fromstring(view.svg)  # well-formed XML, or this raises


def lines(view: NetworkView) -> list[ET.Element]:
    return list(tree(view).iter(f"{SVG}line"))


def line_titled(view: NetworkView, start: str) -> ET.Element:
    (found,) = [e for e in lines(view) if e.find(f"{SVG}title").text.startswith(start)]
    return found


def small_model() -> nn.MLP:
    """MLP(2, [2, 1]) with weights chosen by hand: layer 0 neuron 0 is 3*x0 - 0.5*x1 + 0.1."""
    model = nn.MLP(2, [2, 1], seed=0)
    weights = [[3.0, -0.5], [0.25, 1.0]]
    for neuron, ws in zip(model.layers[0].neurons, weights):
        for p, w in zip(neuron.w, ws):
            p.data = w
        neuron.b.data = 0.1
    for p, w in zip(model.layers[1].neurons[0].w, [-2.0, 0.0]):
        p.data = w
    return model


def test_one_node_per_input_and_neuron_and_one_line_per_weight() -> None:
    view = viz.draw_network(nn.MLP(3, [4, 2], seed=1))
    svg = tree(view)
    assert len(list(svg.iter(f"{SVG}rect"))) == 1 + 3  # the white background, then 3 inputs
    assert len(list(svg.iter(f"{SVG}circle"))) == 4 + 2
    assert len(lines(view)) == 3 * 4 + 4 * 2
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert (
        "3 inputs" in texts and "layer 0: 4 tanh" in texts and "output layer 1: 2 linear" in texts
    )
    assert {"x0", "x1", "x2", "out0", "out1"} <= set(texts)


def test_lines_are_coloured_by_sign_and_widened_by_magnitude() -> None:
    view = viz.draw_network(small_model())
    strong = line_titled(view, "x0 → layer 0, neuron 0")  # w = 3, the largest of its layer
    weak = line_titled(view, "x1 → layer 0, neuron 0")  # w = -0.5
    assert strong.get("stroke") == POSITIVE and weak.get("stroke") == NEGATIVE
    assert float(strong.get("stroke-width")) == pytest.approx(5.0)
    assert float(weak.get("stroke-width")) == pytest.approx(0.4 + 4.6 * 0.5 / 3, abs=0.01)
    assert "w = 3," in strong.find(f"{SVG}title").text


def test_grads_true_draws_each_weights_gradient() -> None:
    model = small_model()
    out = model([1.0, 2.0])
    out.backward()
    w = model.layers[0].neurons[0].w
    view = viz.draw_network(model, grads=True)
    line = line_titled(view, "x0 → layer 0, neuron 0")
    assert f"∂L/∂w = {w[0].grad:.6g}" in line.find(f"{SVG}title").text
    assert line.get("stroke") == (POSITIVE if w[0].grad > 0 else NEGATIVE)
    assert "gradient ∂L/∂w" in view.svg


def test_all_zero_gradients_are_pointed_out() -> None:
    view = viz.draw_network(small_model(), grads=True)
    assert "every gradient is 0: call backward() on a loss first." in view.svg
    assert all(e.get("stroke") == "#9a9a9a" for e in lines(view))


def test_sample_shows_each_neurons_activation_and_changes_no_grad() -> None:
    model = small_model()
    before = [p.grad for p in model.parameters()]
    view = viz.draw_network(model, sample=np.array([1.0, 2.0]))
    a0 = math.tanh(3 * 1.0 - 0.5 * 2.0 + 0.1)  # layer 0, neuron 0
    a1 = math.tanh(0.25 + 2.0 + 0.1)
    out = -2.0 * a0
    texts = [t.text for t in tree(view).iter(f"{SVG}text")]
    assert f"{a0:.2f}" in texts and f"{a1:.2f}" in texts
    assert f"{out:.2f}".replace("-", "−") in texts
    assert "1.00" in texts and "2.00" in texts  # the inputs
    assert [p.grad for p in model.parameters()] == before


def test_many_inputs_are_drawn_in_groups_that_sum_their_weights() -> None:
    model = nn.MLP(784, [16, 16, 10], seed=0)
    view = viz.draw_network(model, sample=[i / 784 for i in range(784)])
    assert len(lines(view)) == 28 * 16 + 16 * 16 + 16 * 10
    texts = [t.text for t in tree(view).iter(f"{SVG}text")]
    assert "x0–x27" in texts and "x756–x783" in texts
    assert "784 inputs (28 groups)" in texts
    title = line_titled(view, "x28–x55 → layer 0, neuron 3").find(f"{SVG}title").text
    total = math.fsum(p.data for p in model.layers[0].neurons[3].w[28:56])
    assert f"w = {total:.6g}," in title
    mean = sum(i / 784 for i in range(28, 56)) / 28
    assert f"{mean:.2f}" in texts
    assert "drawn in 28 groups of 28" in view.svg


@pytest.mark.parametrize(
    ("nin", "max_inputs", "size"),
    [(2, 30, 1), (30, 30, 1), (784, 30, 28), (64, 30, 4), (101, 30, 4), (31, 30, 2)],
)
def test_group_size_divides_the_inputs_when_it_can(nin: int, max_inputs: int, size: int) -> None:
    assert _group_size(nin, max_inputs) == size


def test_a_layer_and_a_neuron_draw_too() -> None:
    assert len(lines(viz.draw_network(nn.Layer(3, 2, seed=0)))) == 6
    assert len(lines(viz.draw_network(nn.Neuron(4, seed=0), sample=[0, 1, 2, 3]))) == 4


def test_the_view_displays_as_fitted_html_and_keeps_a_stable_repr() -> None:
    view = viz.draw_network(nn.MLP(2, [3, 1], seed=0))
    bundle = view._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}  # no SVG beside it doubling the notebook
    assert bundle["text/html"].count("<svg") == 1 and "max-width" in bundle["text/html"]
    assert view._repr_mimebundle_(include=["image/svg+xml"])["image/svg+xml"] == view.svg
    assert repr(view) == (
        "<network view of MLP(2, [3, 1], activation='tanh', output_activation='linear')>"
    )


def test_save_writes_svg_or_html(tmp_path) -> None:
    view = viz.draw_network(nn.MLP(2, [3, 1], seed=0))
    assert view.save(tmp_path / "net.svg").read_text() == view.svg
    assert "<!DOCTYPE html>" in view.save(tmp_path / "net.html").read_text()
    with pytest.raises(ValueError, match=r"'net\.png' must end in \.svg or \.html"):
        view.save(tmp_path / "net.png")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"model": "mlp"}, TypeError, "model must be an nn.MLP, nn.Layer or nn.Neuron, got str"),
        ({"sample": [1.0]}, ValueError, "sample has 1 numbers; the model takes 2"),
        ({"sample": np.zeros((5, 2))}, ValueError, r"shape \(5, 2\) \(pick a row: sample=X\[i\]\)"),
        ({"sample": 3.0}, TypeError, "sample must be one input row of 2 numbers, got float"),
        ({"sample": [1.0, float("nan")]}, ValueError, r"sample\[1\] must be a finite number"),
        ({"sample": [1.0, "a"]}, ValueError, r"sample\[1\] must be a finite number, got 'a'"),
        ({"max_inputs": 0}, ValueError, "max_inputs must be a positive int, got 0"),
        ({"fmt": "%d"}, ValueError, "fmt='%d' is not a format spec for floats"),
    ],
)
def test_bad_input_is_refused_with_a_message(kwargs, error, message) -> None:
    model = kwargs.pop("model", nn.MLP(2, [3, 1], seed=0))
    with pytest.raises(error, match=message):
        viz.draw_network(model, **kwargs)


def test_a_non_finite_weight_or_gradient_is_named() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    model.layers[1].neurons[0].w[2].data = float("inf")
    with pytest.raises(ValueError, match="layer 1, neuron 0, weight 2 is inf"):
        viz.draw_network(model)
    model = nn.MLP(2, [3, 1], seed=0)
    model.layers[0].neurons[1].b.grad = float("nan")
    with pytest.raises(ValueError, match="gradient of layer 0, neuron 1, bias is nan"):
        viz.draw_network(model)


def test_a_layer_of_the_wrong_width_is_refused() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    model.layers[1].neurons[0].w.pop()
    with pytest.raises(
        ValueError, match="layer 1, neuron 0 has 2 weights but its layer receives 3"
    ):
        viz.draw_network(model)


# -- to_html ----------------------------------------------------------------------------------


def self_contained(text: str) -> bool:
    """Nothing fetched from elsewhere: no external script, style sheet, image or font."""
    return not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//|@import|url\(\s*["']?http""", text)


def neuron_graph() -> Value:
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    out = (x * w).tanh()
    out.label = "out"
    out.backward()
    return out


def test_to_html_writes_the_network_view(tmp_path) -> None:
    path = viz.to_html(viz.draw_network(nn.MLP(2, [3, 1], seed=0)), tmp_path / "net.html")
    text = path.read_text()
    assert text.startswith("<!DOCTYPE html>") and text.count("<svg") == 1
    assert self_contained(text)


@needs_dot
def test_to_html_writes_a_graph_and_the_backward_steps(tmp_path) -> None:
    root = neuron_graph()
    graph = viz.to_html(draw_dot(root), tmp_path / "graph.html").read_text()
    assert graph.count("<svg") == 1 and self_contained(graph)
    frames = viz.backward_frames(root)
    steps = viz.to_html(frames, tmp_path / "steps.html").read_text()
    assert steps.count("<svg") == len(frames) == 3
    assert 'type="range"' in steps and self_contained(steps)


@needs_dot
def test_widgets_carry_a_static_picture_and_export(tmp_path) -> None:
    pytest.importorskip("ipywidgets")
    pytest.importorskip("graphviz_anywidget")
    root = neuron_graph()
    for widget, pictures in ((viz.step_backward(root), 3), (viz.interactive(root), 1)):
        bundle = widget._repr_mimebundle_()
        assert "application/vnd.jupyter.widget-view+json" in bundle
        assert bundle["text/html"].count("<svg") == 1
        page = viz.to_html(widget, tmp_path / "w.html").read_text()
        assert page.count("<svg") == pictures and self_contained(page)


def test_to_html_refuses_what_it_cannot_export(tmp_path) -> None:
    with pytest.raises(TypeError, match="cannot export a int; it takes draw_dot"):
        viz.to_html(3, tmp_path / "x.html")
    with pytest.raises(ValueError, match=r"'x\.svg' must end in \.html"):
        viz.to_html(viz.draw_network(nn.Neuron(2, seed=0)), tmp_path / "x.svg")


def test_a_view_plugs_in_with_to_html_document(tmp_path) -> None:
    class Custom:
        def to_html_document(self) -> str:
            return "<!DOCTYPE html><p>mine</p>"

    assert viz.to_html(Custom(), tmp_path / "c.html").read_text() == "<!DOCTYPE html><p>mine</p>"


@needs_dot
def test_a_saved_notebook_keeps_the_static_picture_and_drops_the_widget(tmp_path) -> None:
    pytest.importorskip("ipywidgets")
    nbformat = pytest.importorskip("nbformat")
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "run_notebooks.py"
    spec = importlib.util.spec_from_file_location("run_notebooks", script)
    run_notebooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run_notebooks)
    bundle = viz.step_backward(neuron_graph())._repr_mimebundle_()
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("viz.step_backward(out)")
    cell.outputs = [nbformat.v4.new_output("display_data", data=bundle)]
    notebook.cells = [cell]
    (output,) = run_notebooks.normalise(notebook).cells[0].outputs
    assert set(output.data) == {"text/plain", "text/html"}
    assert output.data["text/html"].count("<svg") == 1
