"""Neuron, Layer, MLP: forward math, initialisation, names, scopes and state dicts."""

from __future__ import annotations

import math
import random
import re

import numpy as np
import pytest

import autograd
from autograd import Value, draw_dot
from nn import MLP, Layer, Module, Neuron


def _set(neuron: Neuron, weights: list[float], bias: float) -> None:
    for w, number in zip(neuron.w, weights, strict=True):
        w.data = number
    neuron.b.data = bias


@pytest.mark.parametrize(
    ("activation", "expected"),
    [
        ("tanh", math.tanh),
        ("sigmoid", lambda z: 1 / (1 + math.exp(-z))),
        ("relu", lambda z: max(0.0, z)),
        ("linear", lambda z: z),
    ],
)
def test_neuron_computes_activation_of_weighted_sum(activation, expected):
    neuron = Neuron(3, activation=activation, seed=0)
    _set(neuron, [0.5, -1.0, 2.0], 0.25)
    x = [1.0, 2.0, -0.5]
    z = 0.5 * 1.0 - 1.0 * 2.0 + 2.0 * -0.5 + 0.25
    assert neuron(x).data == pytest.approx(expected(z), abs=1e-15)


def test_weighted_sum_and_bias_are_one_affine_node_then_activation():
    neuron = Neuron(4, activation="tanh", seed=1)
    a = neuron([1.0, 2.0, 3.0, 4.0])
    assert a.op == "tanh"
    (z,) = a.parents
    assert z.op == "affine" and z.label == "z" and z.parents[-1] is neuron.b
    assert list(z.parents[:4]) == neuron.w
    assert [x.data for x in z.parents[4:8]] == [1.0, 2.0, 3.0, 4.0]


def test_neuron_gradients_follow_the_chain_rule():
    # dC/dw_i = dC/da * da/dz * dz/dw_i = 1 * sigmoid'(z) * x_i
    neuron = Neuron(2, activation="sigmoid", seed=0)
    _set(neuron, [0.3, -0.7], 0.1)
    x = [2.0, -1.0]
    a = neuron(x)
    a.backward()
    slope = a.data * (1 - a.data)
    assert [w.grad for w in neuron.w] == pytest.approx([slope * 2.0, slope * -1.0], rel=1e-12)
    assert neuron.b.grad == pytest.approx(slope, rel=1e-12)


def test_mlp_gradients_match_central_differences():
    model = MLP(3, [4, 3, 1], activation="tanh", seed=3)
    x = [0.5, -1.0, 2.0]

    def cost() -> Value:
        return (model(x) - 0.3) ** 2

    model.zero_grad()
    cost().backward()
    eps = 1e-6
    for name, p in model.named_parameters():
        analytic = p.grad
        original = p.data
        p.data = original + eps
        up = cost().data
        p.data = original - eps
        down = cost().data
        p.data = original
        assert analytic == pytest.approx((up - down) / (2 * eps), abs=1e-7), name


def test_same_seed_same_weights_and_different_seed_different_weights():
    assert MLP(2, [5, 1], seed=7).state_dict() == MLP(2, [5, 1], seed=7).state_dict()
    assert MLP(2, [5, 1], seed=7).state_dict() != MLP(2, [5, 1], seed=8).state_dict()
    assert Neuron(3, seed=random.Random(4)).state_dict() == Neuron(3, seed=4).state_dict()


def test_initialisations_stay_in_their_ranges():
    uniform = Layer(16, 50, seed=0)
    assert all(abs(p.data) <= 1 / 4 for n in uniform.neurons for p in n.w)
    xavier = Layer(16, 50, seed=0, init="xavier")
    bound = math.sqrt(6 / 66)
    weights = [w.data for n in xavier.neurons for w in n.w]
    assert all(abs(w) <= bound for w in weights) and max(map(abs, weights)) > 0.9 * bound
    he = Layer(50, 200, seed=0, init="he")
    weights = [w.data for n in he.neurons for w in n.w]
    std = math.sqrt(sum(w * w for w in weights) / len(weights))
    assert std == pytest.approx(math.sqrt(2 / 50), rel=0.05)
    assert all(n.b.data == 0.0 for n in he.neurons)


def test_mlp_returns_a_value_for_one_output_and_a_list_otherwise():
    assert isinstance(MLP(2, [3, 1], seed=0)([1.0, 2.0]), Value)
    out = MLP(2, [3, 4], seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 4
    assert isinstance(Layer(2, 1, seed=0)([1.0, 2.0]), list)


def test_mlp_accepts_values_and_gradients_reach_inputs():
    x = [Value(1.0), Value(-2.0)]
    out = MLP(2, [3, 1], seed=0)(x)
    out.backward()
    assert any(v.grad != 0.0 for v in x)


def test_a_layer_behaves_as_a_list_of_neurons():
    layer = Layer(2, 3, seed=0)
    assert len(layer) == 3 and layer[1] is layer.neurons[1] and list(layer) == layer.neurons


def test_per_layer_activations():
    model = MLP(2, [3, 3, 2], activation=["relu", "sigmoid"], output_activation="tanh", seed=0)
    assert model.activations == ["relu", "sigmoid", "tanh"]
    assert repr(model) == (
        "MLP(2, [3, 3, 2], activation=['relu', 'sigmoid'], output_activation='tanh')"
    )


def test_named_parameters_have_dotted_names():
    model = MLP(2, [3, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names[:3] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b"]
    assert names[-1] == "layers.1.neurons.0.b"
    assert len(names) == len(model.parameters()) == 2 * 3 + 3 + 3 + 1
    assert [p for _, p in model.named_parameters()] == model.parameters()


def test_values_remember_the_module_call_that_made_them():
    model = MLP(2, [3, 1], seed=0)
    out = model([1.0, 2.0])
    assert [scope.name for scope in out.scope.path()] == ["MLP", "layer 1", "neuron 0"]
    hidden = out.parents[3]  # out = affine(w, h, b); its parents: w0-w2, h0-h2, b
    assert [scope.name for scope in hidden.scope.path()] == ["MLP", "layer 0", "neuron 0"]
    assert model.layers[0].neurons[2].name == "neuron 2"


def test_no_scope_under_no_grad():
    with autograd.no_grad():
        out = MLP(2, [3, 1], seed=0)([1.0, 2.0])
    assert out.scope is None and out.parents == ()


def test_zero_grad_clears_every_parameter():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 2.0]).backward()
    assert any(p.grad for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_state_dict_round_trip():
    source, target = MLP(3, [4, 2], seed=1), MLP(3, [4, 2], seed=2)
    state = source.state_dict()
    assert state["layers.0.neurons.3.w"] == [w.data for w in source.layers[0].neurons[3].w]
    assert state["layers.1.neurons.1.b"] == [source.layers[1].neurons[1].b.data]
    target.load_state_dict(state)
    assert target.state_dict() == state
    assert target([1.0, 2.0, 3.0])[1].data == source([1.0, 2.0, 3.0])[1].data


def _bad_states():
    good = MLP(2, [2, 1], seed=0).state_dict()
    missing = dict(good)
    del missing["layers.0.neurons.1.w"]
    extra = {**good, "layers.2.neurons.0.b": [0.0]}
    short = {**good, "layers.0.neurons.0.w": [1.0]}
    text = {**good, "layers.1.neurons.0.b": ["0.5"]}
    nan = {**good, "layers.1.neurons.0.b": [math.nan]}
    scalar = {**good, "layers.1.neurons.0.b": 0.5}
    return [
        (missing, "missing key(s): layers.0.neurons.1.w"),
        (extra, "unexpected key(s): layers.2.neurons.0.b"),
        (short, "'layers.0.neurons.0.w' has 1 number(s), expected 2"),
        (text, "'layers.1.neurons.0.b'[0] must be a finite number, got '0.5'"),
        (nan, "'layers.1.neurons.0.b'[0] must be a finite number, got nan"),
        (scalar, "'layers.1.neurons.0.b' must be a list of numbers, got float"),
        ([1, 2], "state dict must be a dict, got list"),
    ]


@pytest.mark.parametrize(("state", "message"), _bad_states())
def test_bad_state_dicts_raise_and_change_nothing(state, message):
    model = MLP(2, [2, 1], seed=5)
    before = model.state_dict()
    with pytest.raises(ValueError, match=re.escape(message)):
        model.load_state_dict(state)
    assert model.state_dict() == before


def test_load_state_dict_accepts_numpy_arrays():
    np = pytest.importorskip("numpy")
    source, target = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=1)
    target.load_state_dict({key: np.array(v) for key, v in source.state_dict().items()})
    assert target.state_dict() == source.state_dict()


def test_partial_failure_changes_nothing():
    # The bad entry is the last one: the earlier, good ones must not have been copied.
    model = MLP(2, [2, 1], seed=5)
    before = model.state_dict()
    state = {key: [0.0] * len(v) for key, v in before.items()}
    state["layers.1.neurons.0.b"] = [math.inf]
    with pytest.raises(ValueError):
        model.load_state_dict(state)
    assert model.state_dict() == before


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: Neuron(2, activation="softmax"), ValueError, "unknown activation 'softmax'"),
        (lambda: Neuron(0), ValueError, "Neuron needs nin >= 1 inputs, got 0"),
        (lambda: Neuron(2, init="zeros"), ValueError, "unknown init 'zeros'"),
        (lambda: Layer(2, 0), ValueError, "Layer needs nout >= 1 neurons, got 0"),
        (lambda: MLP(2, []), ValueError, "MLP needs a non-empty list of layer sizes"),
        (lambda: MLP(2, 3), ValueError, "MLP needs a non-empty list of layer sizes, got 3"),
        (
            lambda: MLP(2, [3, 3, 1], activation=["tanh"]),
            ValueError,
            "MLP has 2 hidden layer(s) but 1 activations",
        ),
        (lambda: MLP(2, [3, 1])([1.0]), ValueError, "MLP expects 2 inputs, got 1"),
        (lambda: Neuron(3)([1.0, 2.0]), ValueError, "Neuron expects 3 inputs, got 2"),
        (lambda: MLP(2, [3, 1])(1.0), TypeError, "MLP expects a list of 2 numbers or Values"),
        (lambda: MLP(2, [3, 1])(["a", 1]), TypeError, "MLP: input 0 must be a number or a Value"),
        (
            lambda: MLP(2, [3, 1])([[0.0, 1.0]] * 5),
            ValueError,
            "MLP expects one sample of 2 inputs, got 5 rows of 2 (a 2-D batch): call it on each "
            "row, [model(row) for row in X], or use nn.predict(model, X)",
        ),
        (
            lambda: Layer(2, 3)(np.zeros((2, 2))),
            ValueError,
            "Layer expects one sample of 2 inputs, got 2 rows of 2",
        ),
    ],
)
def test_construction_and_call_errors(make, error, message):
    with pytest.raises(error, match=re.escape(message)):
        make()


def test_module_subclass_without_forward_says_so():
    class Empty(Module):
        pass

    with pytest.raises(NotImplementedError, match="Empty must define forward"):
        Empty()(1.0)
    assert Empty().parameters() == [] and Empty().state_dict() == {}


# -- the fast layer path: the same graph as calling each neuron ------------------------------


def _one_by_one(model: MLP, x: list[float]) -> Value:
    """The model's output through each neuron's own call (Neuron.forward, autograd.affine)."""
    out = [autograd.Constant(number, f"x{i}") for i, number in enumerate(x)]
    for layer in model.layers:
        with autograd.core.value.module_scope(layer):
            out = [neuron(out) for neuron in layer.neurons]
    return out[0]


def _moons_like_loss(model: MLP, forward, rows, labels) -> Value:
    scores = [forward(row) for row in rows]
    params = model.parameters()
    data_loss = autograd.sum([(1.0 - y * s).relu() for s, y in zip(scores, labels, strict=True)])
    return data_loss / len(rows) + 1e-4 * sum(p * p for p in params)


def _describe(root: Value) -> list[tuple]:
    """Every node's op, label, number of parents and scope path, in topological order."""
    return [
        (v.op, v.label, len(v.parents), [s.name for s in v.scope.path()] if v.scope else [])
        for v in autograd.topological_order(root)
    ]


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
def test_a_layer_makes_the_same_graph_and_gradients_as_its_neurons_one_by_one(activation):
    rng = random.Random(0)
    rows = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(20)]
    labels = [rng.choice([-1.0, 1.0]) for _ in rows]
    fast, slow = (MLP(2, [16, 16, 1], activation=activation, seed=1) for _ in range(2))
    fast_loss = _moons_like_loss(fast, fast, rows, labels)
    slow_loss = _moons_like_loss(slow, lambda x: _one_by_one(slow, x), rows, labels)
    with autograd.core.value.module_scope(slow):  # the model's own call adds the MLP scope
        slow_wrapped = _one_by_one(slow, rows[0])
    assert _describe(fast(rows[0])) == _describe(slow_wrapped)
    fast_loss.backward()
    slow_loss.backward()
    assert fast_loss.data == pytest.approx(slow_loss.data, abs=1e-12)
    for p, q in zip(fast.parameters(), slow.parameters(), strict=True):
        assert p.grad == pytest.approx(q.grad, abs=1e-12)
    assert any(p.grad != 0.0 for p in fast.parameters())


def test_each_neuron_of_a_layer_call_gets_a_scope_of_its_own():
    layer = Layer(2, 3, activation="tanh", seed=0)
    first, second = layer([1.0, 2.0]), layer([1.0, 2.0])
    scopes = [a.scope for a in first + second]
    assert len({id(s) for s in scopes}) == 6  # one per neuron per call
    assert [s.module for s in scopes] == layer.neurons * 2
    assert all(a.parents[0].scope is a.scope for a in first)  # z and a share the neuron's box
    assert [(a.label, a.parents[0].label) for a in first] == [("a", "z")] * 3
    assert first[0].scope.parent.module is layer


def test_a_layer_under_no_grad_makes_leaves_with_the_same_numbers():
    layer = Layer(3, 4, activation="sigmoid", seed=0)
    recorded = layer([0.5, -1.0, 2.0])
    with autograd.no_grad():
        plain = layer([0.5, -1.0, 2.0])
    assert [v.data for v in plain] == [v.data for v in recorded]
    assert all(v.parents == () and v.scope is None and v.is_leaf for v in plain)


def test_a_neuron_of_another_kind_in_a_layer_is_called_as_itself():
    class Doubled(Neuron):
        def forward(self, x):
            return super().forward(x) * 2.0

    layer = Layer(2, 2, activation="linear", seed=0)
    plain = [v.data for v in layer([1.0, 2.0])]
    layer.neurons[1] = Doubled(2, activation="linear", seed=0)
    layer.neurons[1].w = [Value(w.data) for w in layer.neurons[0].w]
    out = layer([1.0, 2.0])
    assert out[1].data == pytest.approx(2.0 * plain[0], abs=1e-15)
    assert out[1].op == "mul"
    # A neuron whose activation was changed after construction uses its own activation.
    layer.neurons[0].activation = "relu"
    assert layer([1.0, 2.0])[0].op == "relu"


def test_drawings_box_and_collapse_the_neurons_of_an_nn_mlp():
    model = MLP(2, [3, 1], activation="relu", seed=0)
    y = model([1.0, -2.0])
    y.backward()
    collapsed = draw_dot(y, collapse="neuron").source
    assert "layer 0 / neuron 2" in collapsed and "layer 1 / neuron 0" in collapsed
    boxed = draw_dot(y, cluster="module").source
    clusters = re.findall(r'subgraph cluster_\d+ \{\n[^\n]*label=(\w+|"[^"]*")', boxed)
    assert sorted(c.strip('"') for c in clusters) == sorted(
        ["MLP", "layer 1", "neuron 0", "layer 0", "neuron 0", "neuron 1", "neuron 2"]
    )


# -- seeds --------------------------------------------------------------------------------


def test_no_seed_draws_from_pythons_global_random():
    random.seed(1337)
    first = MLP(2, [4, 1]).state_dict()
    random.seed(1337)
    again = MLP(2, [4, 1]).state_dict()
    random.seed(1338)
    other = MLP(2, [4, 1]).state_dict()
    assert first == again != other
    random.seed(5)
    assert Neuron(3).state_dict() != Neuron(3).state_dict()  # one stream, drawn on


def test_a_seed_leaves_the_global_random_alone():
    random.seed(9)
    expected = random.random()
    random.seed(9)
    MLP(2, [4, 1], seed=0)
    assert random.random() == expected


def test_the_torch_bridge_does_not_import_the_modules_back():
    import ast
    import pathlib

    import nn.torch_bridge

    tree = ast.parse(pathlib.Path(nn.torch_bridge.__file__).read_text(encoding="utf-8"))
    imported = [
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    ]
    assert not any(name.endswith("module") for name in imported), imported


def test_a_layer_call_makes_each_neurons_scope_once_when_asked() -> None:
    """A layer's neurons are made together (one LayerCall for the call); each neuron's Scope
    appears when read: the same object for its z and a every time, one per neuron and call,
    inside the layer's call, and the graph still holds no reference cycle."""
    import gc

    from nn.layer_call import LayerCall

    layer = Layer(2, 4, activation="relu", seed=0)
    x = [Value(0.5), Value(-1.0)]
    first, second = layer(x), layer(x)
    assert all(type(a._scope) is LayerCall for a in first)  # made on demand, below
    scopes = [a.scope for a in first]
    assert [s.module for s in scopes] == layer.neurons
    assert all(s.parent is not None and s.parent.module is layer for s in scopes)
    assert all(a.scope is s and a.parents[0].scope is s for a, s in zip(first, scopes))
    assert len({id(s) for s in scopes}) == 4
    assert not {id(a.scope) for a in second} & {id(s) for s in scopes}  # another call
    shared = Layer(2, 4, seed=0)  # two neurons with one bias: a Scope each, made at once
    shared.neurons[1].b = shared.neurons[0].b
    outputs = shared(x)
    assert not any(type(a._scope) is LayerCall for a in outputs)
    assert [a.scope.module for a in outputs] == shared.neurons
    assert outputs[0].scope is not outputs[1].scope
    gc.collect()
    gc.disable()
    try:
        out = autograd.sum(layer(x)).relu()
        out.backward()
        assert out.parents[0].parents[0].scope.module is layer.neurons[0]
        del out
        assert gc.collect() == 0
    finally:
        gc.enable()
