"""The eager fast paths (operators built from the rows, zero-gradient skip) behave like the
generic ``Value.apply`` path they replace."""

from __future__ import annotations

import math
import random

import pytest

import autograd
from autograd import OPS, Constant, Value, dot, no_grad
from autograd.ops import FLOAT_MATH
from autograd.value import module_scope


@pytest.mark.parametrize(("symbol", "name"), [("+", "add"), ("-", "sub"), ("*", "mul")])
def test_operators_equal_apply_of_the_row(symbol, name):
    x, y = Value(1.5), Value(-2.25)
    for left, right in [(x, y), (x, 3), (x, 0.5), (4, y), (0.25, y)]:
        out = eval(f"left {symbol} right")
        a = left if isinstance(left, Value) else Constant(left)
        b = right if isinstance(right, Value) else Constant(right)
        reference = Value.apply(OPS[name], a, b)
        assert out.data == reference.data
        assert out.op == name
        assert [type(p) for p in out.parents] == [type(a), type(b)]
        assert [p.data for p in out.parents] == [a.data, b.data]


def test_numbers_on_either_side_become_constants_and_nan_is_refused():
    x = Value(2.0)
    assert isinstance((x + 1.0).parents[1], Constant)
    assert isinstance((1.0 * x).parents[0], Constant)
    assert isinstance((x - 1).parents[1], Constant)
    with pytest.raises(ValueError, match="NaN"):
        x + math.nan
    with pytest.raises(TypeError, match="unsupported operand"):
        x * None  # type: ignore[operator]


def test_fast_operators_respect_no_grad_and_scope():
    x = Value(1.0)
    with no_grad():
        out = x * 2.0 + x
    assert out.op == "" and out.parents == () and out.data == 3.0
    with module_scope("layer"):
        tagged = x * x
    assert tagged.scope is not None and tagged.scope.module == "layer"
    assert (x * x).scope is None


def test_dot_behind_an_inactive_relu_gives_exact_zero_gradients():
    w = [Value(0.5), Value(-1.0)]
    b = Value(-10.0)
    x = [Value(1.0), Value(2.0)]
    hidden = (dot(w, x) + b).relu()  # inactive: its gradient is 0
    out = hidden + autograd.sum([w[0] * 3.0, b])
    out.backward()
    assert [v.grad for v in w] == [3.0, 0.0]
    assert b.grad == 1.0
    assert [v.grad for v in x] == [0.0, 0.0]


def test_sum_and_dot_accept_numbers_and_reject_other_things():
    x = Value(2.0)
    assert autograd.sum([x, 1.0, 2]).data == 5.0
    assert dot([x, 3.0], [1, x]).data == 8.0
    with pytest.raises(TypeError, match="dot: needs Values or numbers, got str"):
        dot([x], ["a"])  # type: ignore[list-item]


def reference_order(root):
    """The recursive-style search of the first core version (iterators on a stack)."""
    order, seen = [], {id(root)}
    stack = [(root, iter(root.parents))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append((parent, iter(parent.parents)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


@pytest.mark.parametrize("seed", range(30))
def test_topological_order_is_the_classic_depth_first_order(seed):
    rng = random.Random(seed)
    leaves = [Value(rng.uniform(0.5, 1.5)) for _ in range(4)]
    nodes = list(leaves)
    for _ in range(rng.randint(1, 40)):
        kind = rng.random()
        picks = [rng.choice(nodes) for _ in range(rng.randint(1, 5))]
        if kind < 0.3:
            nodes.append(picks[0] * picks[-1] + 0.5)
        elif kind < 0.5:
            nodes.append(picks[0].tanh())
        elif kind < 0.7:
            nodes.append(autograd.sum(picks))
        else:
            nodes.append(dot(picks, picks[::-1]))
    root = autograd.sum(nodes[-3:])
    assert [id(v) for v in autograd.topological_order(root)] == [
        id(v) for v in reference_order(root)
    ]


def reference_backward(root):
    """The first core version's backward: every node, every edge, in the classic order."""
    order = reference_order(root)
    for node in order:
        if node.parents:
            node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        if not node.parents:
            continue
        op = OPS[node.op]
        local = op.derivatives(FLOAT_MATH, node.data, *[p.data for p in node.parents])
        for parent, d in zip(node.parents, local, strict=True):
            parent.grad += node.grad * d


@pytest.mark.parametrize("seed", range(30))
def test_backward_gives_the_same_numbers_as_the_first_version(seed):
    def build(rng, leaves):
        nodes = list(leaves)
        for _ in range(40):
            picks = [rng.choice(nodes) for _ in range(rng.randint(1, 6))]
            kind = rng.random()
            if kind < 0.25:
                nodes.append((picks[0] * picks[-1] - 0.3).relu())
            elif kind < 0.45:
                nodes.append(picks[0].tanh() + picks[-1])
            elif kind < 0.7:
                nodes.append(autograd.sum(picks).relu())
            else:
                nodes.append(dot(picks, picks[::-1]) * 0.5)
        return autograd.sum(nodes[-4:])

    rng = random.Random(seed)
    points = [rng.uniform(-1.0, 1.0) for _ in range(5)]
    ours = [Value(x) for x in points]
    theirs = [Value(x) for x in points]
    build(random.Random(seed + 1000), ours).backward()
    reference_backward(build(random.Random(seed + 1000), theirs))
    assert [v.grad for v in ours] == [v.grad for v in theirs]


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("__neg__", "neg"),
        ("__abs__", "abs"),
        ("tanh", "tanh"),
        ("sigmoid", "sigmoid"),
        ("relu", "relu"),
        ("softplus", "softplus"),
        ("sin", "sin"),
        ("cos", "cos"),
    ],
)
def test_unary_methods_equal_apply_of_the_row(method, name):
    for number in (-1.25, 0.0, 0.75):
        x = Value(number)
        out = getattr(x, method)()
        reference = Value.apply(OPS[name], x)
        assert out.data == reference.data
        assert out.op == name and out.parents == (x,) and out.scope is None
        assert getattr(Value, method).__doc__
        with no_grad():
            plain = getattr(x, method)()
        assert plain.op == "" and plain.parents == () and plain.data == reference.data
        with module_scope("neuron"):
            tagged = getattr(x, method)()
        assert tagged.scope is not None and tagged.scope.module == "neuron"


def test_affine_is_dot_plus_bias_in_one_node():
    rng = random.Random(4)
    w = [Value(rng.uniform(-1.0, 1.0)) for _ in range(5)]
    x = [Value(rng.uniform(-1.0, 1.0)) for _ in range(5)]
    b = Value(0.125)
    z = autograd.affine(w, x, b)
    assert z.op == "affine" and z.parents == (*w, *x, b)
    assert z.data == (dot(w, x) + b).data
    z.tanh().backward()
    got = [v.grad for v in (*w, *x, b)]
    for v in (*w, *x, b):
        v.grad = 0.0
    (dot(w, x) + b).tanh().backward()
    assert got == [v.grad for v in (*w, *x, b)]
    assert autograd.affine([2.0], [x[0]], 1).data == 2.0 * x[0].data + 1.0
    with pytest.raises(ValueError, match="affine: 2 weights but 1 inputs"):
        autograd.affine(w[:2], x[:1], b)
    with pytest.raises(TypeError, match="affine: needs Values or numbers, got str"):
        autograd.affine([w[0]], [x[0]], "b")  # type: ignore[arg-type]
