"""The ``bilinear`` declaration (issue 21.2): the rows ``dot`` and ``affine`` get their rules
and their parents' layout from one :class:`Bilinear`, and every user reads it.

The test edits the declaration in one place (the layout: w1, x1, w2, x2, ... instead of
w1..wn, x1..xn) and checks that every user follows: the node makers (``autograd.dot``,
``autograd.affine``, ``nn.Layer``'s fast path), the float reverse loop, the teaching loop,
``autograd.compile`` (a layer's matrix product and a stacked dot) and the browser's generated
forms. A user that kept its own copy of the layout would give wrong numbers here.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

import autograd
import nn
from autograd import OPS, Value
from autograd.core.backward import stepwise_backward
from autograd.core.ops import Bilinear
from autograd.viz import jsgen


def _interleaved_parents(self, weights, inputs, bias=None):
    pairs = tuple(p for pair in zip(weights, inputs, strict=True) for p in pair)
    return (*pairs, bias) if self.bias else pairs


def _interleaved_split(self, parents):
    n = len(parents) >> 1
    return parents[0 : 2 * n : 2], parents[1 : 2 * n : 2], parents[-1] if self.bias else None


@pytest.fixture(params=["as written", "interleaved"])
def layout(request, monkeypatch):
    if request.param == "interleaved":
        monkeypatch.setattr(Bilinear, "parents", _interleaved_parents)
        monkeypatch.setattr(Bilinear, "split", _interleaved_split)
    return request.param


def _leaves(numbers, name):
    return [Value(x, f"{name}{i}") for i, x in enumerate(numbers)]


def test_the_node_makers_lay_out_the_parents_by_the_declaration(layout):
    w, x, b = _leaves([1.0, 2.0], "w"), _leaves([3.0, 4.0], "x"), Value(0.5, "b")
    expected = (w[0], x[0], w[1], x[1]) if layout == "interleaved" else (*w, *x)
    assert autograd.dot(w, x).parents == expected
    assert autograd.affine(w, x, b).parents == (*expected, b)
    layer = nn.Layer(2, 5, activation="tanh", seed=0)  # more than three neurons: a LayerCall
    outs = layer(x)
    for neuron, out in zip(layer.neurons, outs, strict=True):
        z = out.parents[0]
        weights, inputs, bias = OPS["affine"].bilinear.split(z.parents)
        assert list(weights) == neuron.w and list(inputs) == x and bias is neuron.b
        assert out.scope.module is neuron  # the LayerCall finds the neuron by its bias


def test_forward_and_both_reverse_loops_follow_the_declaration(layout):
    w, x, b = _leaves([1.5, -2.0, 0.25], "w"), _leaves([3.0, 0.5, -4.0], "x"), Value(0.5, "b")
    out = autograd.affine(w, x, b)
    assert out.data == math.fsum([1.5 * 3.0, -2.0 * 0.5, 0.25 * -4.0]) + 0.5
    (out * 2.0).backward()  # the float loop
    assert [v.grad for v in w] == [2.0 * v.data for v in x]
    assert [v.grad for v in x] == [2.0 * v.data for v in w]
    assert b.grad == 2.0
    fresh = _leaves([1.5, -2.0], "w"), _leaves([3.0, 0.5], "x")
    stepwise_backward(autograd.dot(*fresh))  # the teaching loop, through the row's rules
    assert [v.grad for v in fresh[0]] == [3.0, 0.5] and [v.grad for v in fresh[1]] == [1.5, -2.0]


def test_compile_follows_the_declaration(layout):
    layer = nn.Layer(3, 4, activation="linear", seed=1)  # parameter weights: one matrix product
    shift = _leaves([0.5, -1.0, 2.0], "s")  # a dot of two row Values: a stacked step

    def f(xs):
        z = layer(xs)
        return autograd.sum(z) + autograd.dot(
            [x * x for x in xs], [x + s for x, s in zip(xs, shift)]
        )

    X = np.random.default_rng(0).normal(size=(5, 3))
    compiled = autograd.compile(f, 3)
    params = [*layer.parameters(), *shift]
    eager = []
    for row in X.tolist():
        out = f([Value(v) for v in row])
        eager.append(out.data)
        out.backward()
    expected_grads = [p.grad / len(X) for p in params]  # the mean over the batch
    for p in params:
        p.grad = 0.0
    np.testing.assert_allclose(compiled(X), eager, rtol=1e-12)
    compiled.backward(X)
    np.testing.assert_allclose([p.grad for p in params], expected_grads, rtol=1e-12, atol=1e-14)


def test_the_browser_forms_follow_the_declaration(layout):
    forms = jsgen.generate(OPS["affine"], 5)
    if layout == "interleaved":
        assert "(xs[0] * xs[1])" in forms.forward and "(xs[2] * xs[3])" in forms.forward
        assert forms.derivatives == "return [xs[1], xs[0], xs[3], xs[2], 1.0];"
    else:
        assert "(xs[0] * xs[2])" in forms.forward and "(xs[1] * xs[3])" in forms.forward
        assert forms.derivatives == "return [xs[2], xs[3], xs[0], xs[1], 1.0];"
    assert forms.forward.endswith("+ xs[4]);")


def test_the_rows_rules_are_the_declarations():
    for name, bias in (("dot", False), ("affine", True)):
        op = OPS[name]
        assert op.bilinear == Bilinear(bias=bias)
        assert op.forward == op.bilinear.forward and op.derivatives == op.bilinear.derivatives
        assert op.label == op.bilinear.label and op.math == op.bilinear.math
    rng = random.Random(0)
    xs = [rng.uniform(-2.0, 2.0) for _ in range(7)]
    assert (
        OPS["affine"].float_forward(*xs)
        == math.fsum(a * c for a, c in zip(xs[:3], xs[3:6])) + xs[6]
    )
