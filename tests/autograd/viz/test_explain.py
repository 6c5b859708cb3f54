"""explain: every path's product of local derivatives, summed, is the gradient."""

from __future__ import annotations

import math

import pytest

import autograd
from autograd import Value, explain, grad, topological_order
from autograd.core.value import module_scope
from tests.autograd.tiny_nn import MLP


def neuron() -> tuple[Value, dict[str, Value]]:
    leaves = {
        "x1": Value(2.0, label="x1"),
        "x2": Value(0.0, label="x2"),
        "w1": Value(-3.0, label="w1"),
        "w2": Value(1.0, label="w2"),
        "b": Value(6.8813735870195432, label="b"),
    }
    z = leaves["x1"] * leaves["w1"] + leaves["x2"] * leaves["w2"] + leaves["b"]
    z.label = "z"
    a = z.tanh()
    a.label = "a"
    return a, leaves


def test_explain_is_exported():
    assert autograd.explain is explain


def test_the_notes_neuron_written_out():
    a, leaves = neuron()
    text = str(explain(a, leaves["w1"]))
    assert text.splitlines() == [
        "d a / d w1 by the chain rule: 1 path from w1 to a",
        "",
        "path 1: w1 → x1*w1 → x1*w1 + x2*w2 → z → a",
        "  ∂a/∂z · ∂z/∂(x1*w1 + x2*w2) · ∂(x1*w1 + x2*w2)/∂(x1*w1) · ∂(x1*w1)/∂w1",
        "  = 0.5000 × 1.0000 × 1.0000 × 2.0000",
        "  = 1.0000",
        "",
        "sum over the paths: d a / d w1 = 1.0000",
    ]


@pytest.mark.parametrize("name", ["x1", "x2", "w1", "w2", "b"])
def test_sum_of_path_products_is_the_gradient(name):
    a, leaves = neuron()
    a.backward()
    ex = explain(a, leaves[name])
    assert ex.n_paths == len(ex.paths) == 1
    (path,) = ex.paths
    assert path.product == pytest.approx(math.prod(k.derivative for k in path.links))
    assert ex.total == pytest.approx(leaves[name].grad, rel=1e-12, abs=1e-15)


def test_fan_out_gives_one_path_per_use():
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    y = x * x * w + x
    ex = explain(y, x)
    assert ex.n_paths == 3  # through each slot of x*x, and directly
    assert [p.product for p in ex.paths] == [-6.0, -6.0, 1.0]
    assert ex.total == grad(y, [x])[0].data == 2 * 2.0 * -3.0 + 1
    assert "x*x (as input 1)" in str(ex) and "x*x (as input 2)" in str(ex)


def test_explain_on_an_mlp_agrees_with_backward_for_every_parameter():
    model = MLP(2, [3, 2, 1], seed=3)
    y = model([Value(0.7, label="x1"), Value(-0.4, label="x2")])
    y.backward()
    for p in model.parameters():
        ex = explain(y, p)
        assert ex.n_paths == len(ex.paths) >= 1
        assert ex.total == pytest.approx(p.grad, rel=1e-9, abs=1e-12)


def test_too_many_paths_are_counted_not_listed():
    x = Value(1.01, label="x")
    c = x
    for _ in range(30):
        c = c * x + c  # each step doubles the paths to x, plus one
    with_grad = grad(c, [x])[0].data
    ex = explain(c, x)
    assert ex.paths is None and ex.n_paths == 2**31 - 1
    assert ex.total == with_grad
    assert "2,147,483,647 paths are too many to list (max_paths=64)" in str(ex)


def test_leaf_not_in_the_graph_and_root_itself():
    a, _ = neuron()
    q = Value(1.0, label="q")
    ex = explain(a, q)
    assert ex.n_paths == 0 and ex.total == 0.0 and ex.paths == []
    assert str(ex).endswith("a does not depend on q: d a / d q = 0")
    same = explain(a, a)
    assert same.n_paths == 1 and same.total == 1.0


def test_explain_leaves_grads_alone():
    a, leaves = neuron()
    explain(a, leaves["w1"])
    assert all(v.grad == 0.0 for v in topological_order(a))


def test_markdown_shows_labels_literally():
    x = Value(2.0, label="<b>*x*</b>|")
    y = x * 3.0
    md = explain(y, x)._repr_markdown_()
    assert "<b>" not in md and "&lt;b&gt;" in md
    assert "\\*x\\*" in md and "\\|" in md
    assert md.count("\n| ") == 2  # header and one path row


def test_explain_names_its_arguments():
    a, _ = neuron()
    with pytest.raises(TypeError, match="explain: leaf must be a Value, got float"):
        explain(a, 1.0)


def test_shared_labels_are_told_apart_by_their_module_call():
    class Unit:
        def __init__(self, name: str) -> None:
            self.name = name
            self.w = Value(0.5, label="w")

        def __call__(self, x: Value) -> Value:
            with module_scope(self):
                z = self.w * x
                z.label = "z"
                return z.tanh()

    first, second = Unit("unit 1"), Unit("unit 2")
    x = Value(1.0, label="x")
    y = second(first(x))
    y.backward()
    ex = explain(y, first.w)
    assert str(ex).splitlines()[2] == (
        "path 1: w[unit 1] → z[unit 1] → tanh(z[unit 1]) → z[unit 2] → tanh(z[unit 2])"
    )
    assert ex.total == pytest.approx(first.w.grad)


def test_an_undefined_derivative_on_a_path_names_the_op():
    x = Value(0.0, label="x")
    with pytest.raises(ZeroDivisionError, match=r"the derivative of sqrt at \(0.0\)"):
        explain(x.sqrt() + x, x)
