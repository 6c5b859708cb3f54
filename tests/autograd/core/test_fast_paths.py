"""The engine's fast factories and float loop give exactly what the plain reference gives
(every node by ``make_node`` from its row, ``stepwise_backward``): graphs, numbers, errors and
gradients."""

from __future__ import annotations

import contextlib
import math
import operator
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import OPS, Constant, Value, dot, no_grad
from autograd.core import backward as reverse
from autograd.core import ops, value
from autograd.core.backward import stepwise_backward
from autograd.core.ops import FLOAT_MATH
from autograd.core.value import make_node, module_scope
from nn import layer_call


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


# -- the oracle test: what runs against the reference written plainly --------------------------
# The engine (operators, methods, nary, nn's layer call, the walk and the float loop) runs a
# random program; the reference runs it again with every node made by ``make_node`` from its
# row, each neuron called in its own module scope, the classic depth-first order and
# ``stepwise_backward`` (the teaching generator ``backward_steps`` applied). Graphs, numbers,
# errors, orders and gradients must be the same, to the bit.

METHODS = ["__neg__", "__abs__", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "softplus"]
METHODS += ["sin", "cos", "leaky_relu"]
OPERATORS = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "**": operator.pow,
}
MODULE = type("Layer", (), {"name": "layer 1"})()
CONTEXTS = {
    "plain": contextlib.nullcontext,
    "module": lambda: module_scope(MODULE),
    "no_grad": no_grad,
}
index = st.integers(0, 99)
instruction = st.tuples(
    st.sampled_from(sorted(CONTEXTS)),
    st.one_of(
        st.tuples(st.just("method"), st.sampled_from(METHODS), index),
        st.tuples(st.just("operator"), st.sampled_from(sorted(OPERATORS)), index, index),
        st.tuples(
            st.just("number"),
            st.sampled_from(sorted(OPERATORS)),
            index,
            st.one_of(st.floats(-3.0, 3.0), st.integers(-3, 3), st.sampled_from([1e300, 0.0])),
            st.booleans(),
        ),
        st.tuples(st.just("n-ary"), st.sampled_from(["sum", "dot", "affine"]), st.lists(index)),
        st.tuples(st.just("layer"), st.just("layer"), st.lists(index, min_size=1)),
    ),
)
programs = st.lists(instruction, min_size=1, max_size=14)
points = st.lists(st.floats(-2.0, 2.0), min_size=2, max_size=4)

ROW_OF_METHOD = {"__neg__": "neg", "__abs__": "abs"}
ROW_OF_OPERATOR = {"+": "add", "-": "sub", "*": "mul", "/": "div"}


def _constant(x):
    return x if isinstance(x, Value) else Constant(x)


def reference_method(x, name):
    """``x.name()`` with the node made by ``make_node`` from the row."""
    if name == "leaky_relu":
        return make_node(ops.LEAKY_RELU, (x, Constant(0.01)))
    return make_node(OPS[ROW_OF_METHOD.get(name, name)], (x,))


def reference_operator(symbol, x, y):
    """``x <symbol> y`` (a number on either side) by ``make_node`` from the row."""
    if symbol == "**":
        value_exponent = not isinstance(x, Value) or type(y) is Value  # 2 ** v: __rpow__
        row = ops.POW_VALUE if value_exponent else ops.POW
    else:
        row = OPS[ROW_OF_OPERATOR[symbol]]
    return make_node(row, (_constant(x), _constant(y)))


def reference_nary(name):
    """``autograd.sum``, ``dot`` or ``affine`` by ``make_node`` from the row."""
    if name == "sum":

        def total(values):
            if not values:
                raise ValueError("sum: needs at least one value")
            return make_node(ops.SUM, tuple(map(_constant, values)))

        total.__name__ = "sum"
        return total
    row = ops.DOT if name == "dot" else ops.AFFINE

    def weighted(weights, inputs, *bias):
        if len(weights) != len(inputs):
            raise ValueError(f"{row.name}: {len(weights)} weights but {len(inputs)} inputs")
        if not weights:
            raise ValueError(f"{row.name}: needs at least one pair")
        return make_node(row, tuple(map(_constant, (*weights, *inputs, *bias))))

    weighted.__name__ = name
    return weighted


ENGINE = {
    "method": lambda x, name: getattr(x, name)(),
    "operator": lambda symbol, x, y: OPERATORS[symbol](x, y),
    "sum": autograd.sum,
    "dot": autograd.dot,
    "affine": autograd.affine,
    "layer": lambda neurons, inputs: layer_call.affine_layer(neurons, inputs),
    "order": autograd.topological_order,
    "backward": lambda root: root.backward(),
}
REFERENCE = {
    "method": reference_method,
    "operator": reference_operator,
    "sum": reference_nary("sum"),
    "dot": reference_nary("dot"),
    "affine": reference_nary("affine"),
    "layer": lambda neurons, inputs: reference_layer(neurons, inputs),
    "order": lambda root: reference_order(root),
    "backward": stepwise_backward,
}


def run(program, point, engine):
    """Run ``program`` on leaves at ``point`` with ``engine`` (ENGINE or REFERENCE): the
    Values made, and each instruction's outcome (its Value, or its error as (type, message))."""
    slots = [Value(x, label=f"x{i}") for i, x in enumerate(point)] + [Constant(0.5)]
    outcomes = []
    for context, (kind, name, *args) in program:
        try:
            with CONTEXTS[context]():
                if kind == "method":
                    out = engine["method"](slots[args[0] % len(slots)], name)
                elif kind == "operator":
                    x, y = (slots[i % len(slots)] for i in args)
                    out = engine["operator"](name, x, y)
                elif kind == "number":
                    x, number, reflected = slots[args[0] % len(slots)], args[1], args[2]
                    pair = (number, x) if reflected else (x, number)
                    out = engine["operator"](name, *pair)
                elif kind == "layer":
                    out = layer(engine["layer"], [slots[i % len(slots)] for i in args[0]])
                else:
                    out = n_ary(engine[name], [slots[i % len(slots)] for i in args[0]])
        except (ArithmeticError, ValueError, TypeError) as error:
            outcomes.append((type(error).__name__, str(error)))
            continue
        outcomes.append(out)
        slots.extend(out if isinstance(out, list) else [out])
    return slots, outcomes


NEURONS = [type("Neuron", (), {"name": f"neuron {k}"})() for k in range(4)]
ACTIVATIONS = [None, ops.TANH, ops.SIGMOID, ops.RELU]


def layer(function, picks):
    """Four neurons on the first half of ``picks``, weights and biases from the rest (a layer
    of more than three: the fast layer then records one LayerCall, unless biases repeat)."""
    n = max(1, len(picks) // 2)
    inputs = picks[:n]
    neurons = [
        (NEURONS[k], (picks[k:] + picks)[:n], picks[-1 - k % len(picks)], ACTIVATIONS[k + n & 3])
        for k in range(4)
    ]
    return function(neurons, inputs)


def reference_layer(neurons, inputs):
    """What nn's ``affine_layer`` stands for: each neuron's call, one after the other."""
    out = []
    for module, weights, bias, activation in neurons:
        with module_scope(module):
            node = REFERENCE["affine"](weights, inputs, bias)
            node.label = "z"
            if activation is not None:
                node = make_node(activation, (node,))
                node.label = "a"
        out.append(node)
    return out


def n_ary(function, picks):
    half = picks[: max(1, len(picks) // 2)]
    if function.__name__ == "sum":
        return function(picks)
    if function.__name__ == "dot":
        return function(half, half[::-1])
    return function(half, half[::-1], picks[-1] if picks else 1.0)


def describe(root, outcomes):
    """Everything observable about the graph of ``root`` and the outcomes, by position."""
    order = reference_order(root)
    position = {id(v): i for i, v in enumerate(order)}
    nodes = [
        (
            type(v).__name__,
            v.op,
            v.data.hex(),
            v.label,
            tuple(position[id(p)] for p in v.parents),
            tuple(s.name for s in v.scope.path()) if v.scope else (),
        )
        for v in order
    ]
    results = [
        o
        if isinstance(o, tuple)
        else [position.get(id(v), "outside") for v in o]
        if isinstance(o, list)
        else position.get(id(o), "outside")
        for o in outcomes
    ]
    return nodes, results


def outcome_of_backward(root, backward):
    """The gradients after each of two backward passes (the second sets inner gradients afresh
    and adds to the leaves'), or the error and the gradients left by it."""
    order = reference_order(root)
    passes = []
    for _ in range(2):
        try:
            backward(root)
        except (ArithmeticError, ValueError) as error:
            return (type(error).__name__, str(error), passes, [v.grad for v in order])
        passes.append([v.grad for v in order])
    return passes


def root_or_error(total, slots):
    """Σ of the slots, the root both engines differentiate; or the error its forward raises
    (slots near 1e308 overflow the sum), which both engines must raise alike."""
    try:
        return total(slots), None
    except (OverflowError, ValueError) as error:
        return None, (type(error).__name__, str(error))


def differences(program, point):
    """What differs between the engine and the reference on ``program`` (empty: all the
    same): graphs, numbers, errors, topological order, gradients."""
    outcome = {}
    for name, engine in (("engine", ENGINE), ("reference", REFERENCE)):
        slots, outcomes = run(program, point, engine)
        root, error = root_or_error(engine["sum"], slots)
        if root is None:
            outcome[name] = error
            continue
        graph = describe(root, outcomes)
        position = {id(v): i for i, v in enumerate(reference_order(root))}
        order = [position[id(v)] for v in engine["order"](root)]
        outcome[name] = (graph, order, outcome_of_backward(root, engine["backward"]))
    ours, theirs = outcome["engine"], outcome["reference"]
    if not isinstance(ours, tuple) or not isinstance(ours[0], tuple) or len(ours) != 3:
        return [] if ours == theirs else [("Σ slots", ours, theirs)]
    if not (isinstance(theirs, tuple) and len(theirs) == 3 and isinstance(theirs[0], tuple)):
        return [("Σ slots", ours, theirs)]
    kinds = ("graph", "topological order", "gradients")
    return [(kind, a, b) for kind, a, b in zip(kinds, ours, theirs) if a != b]


@settings(max_examples=300, deadline=None)
@given(program=programs, point=points)
def test_the_engine_builds_and_differentiates_exactly_like_the_reference(program, point):
    assert differences(program, point) == []


PROGRAM = [
    ("plain", ("operator", "*", 0, 1)),
    ("module", ("method", "cos", 2, 0)),
    ("plain", ("n-ary", "affine", [0, 1, 3, 2, 4])),
    ("plain", ("method", "relu", 5, 0)),
]


@pytest.mark.parametrize(
    ("name", "wrong"),
    [
        ("__mul__", value._operator(ops.ADD, operator.add)),
        ("__rmul__", value._operator(ops.MUL, operator.mul)),
        ("cos", value._method(ops.SIN, math.sin)),
        # the C function beside a row computes something else than the row's forward
        ("__mul__", value._operator(ops.MUL, operator.add)),
        ("cos", value._method(ops.COS, math.sin)),
    ],
)
def test_the_oracle_test_fails_when_an_operator_is_wrong(name, wrong, monkeypatch):
    program = [*PROGRAM, ("plain", ("number", "*", 1, 2.0, True))]
    assert differences(program, [0.5, -1.5]) == []
    monkeypatch.setattr(Value, name, wrong)
    assert differences(program, [0.5, -1.5])


def test_the_oracle_test_fails_when_the_walk_or_the_float_loop_is_wrong(monkeypatch):
    real_walk = reverse._walk

    def walk_losing_a_node(root, order, leaves):
        real_walk(root, order, leaves)
        del order[len(order) // 2]

    monkeypatch.setattr(reverse, "_walk", walk_losing_a_node)
    found = differences(PROGRAM, [0.5, -1.5])
    assert [kind for kind, *_ in found] == ["topological order", "gradients"]
    monkeypatch.undo()

    def backward_that_overwrites(root):  # = instead of += at fan-in
        order = reference_order(root)
        for node, g, _ in reverse.backward_steps(root):
            node.grad = g
        for node in order[:1]:
            node.grad *= 2.0

    monkeypatch.setattr(value, "backward", backward_that_overwrites)
    assert [kind for kind, *_ in differences(PROGRAM, [0.5, -1.5])] == ["gradients"]


def test_the_oracle_test_fails_when_the_layer_call_is_wrong(monkeypatch):
    program = [("plain", ("layer", "layer", [0, 1, 2, 3]))]
    assert differences(program, [0.5, -1.5]) == []
    real = layer_call.affine_layer

    def layer_forgetting_its_modules(neurons, inputs):
        out = real(neurons, inputs)
        for node in out:
            node._scope = None
        return out

    monkeypatch.setattr(layer_call, "affine_layer", layer_forgetting_its_modules)
    assert [kind for kind, *_ in differences(program, [0.5, -1.5])] == ["graph"]
