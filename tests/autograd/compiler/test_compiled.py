"""autograd.compile: the batched program equals eager Values, row by row and in its gradients."""

from __future__ import annotations

import random
import subprocess
import sys

import numpy as np
import pytest

import autograd
from autograd import OPS, Constant, Value, dot, no_grad
from autograd.compiler import TraceError
from autograd.compiler.steps import MatmulStep

TOL = {"rtol": 1e-12, "atol": 1e-12}


def eager_rows(fn, batch) -> np.ndarray:
    with no_grad():
        return np.array([fn([Value(float(x)) for x in row]).data for row in batch])


def eager_grads(fn, batch, params, reduction="mean") -> tuple[float, np.ndarray]:
    """Eager reference: sum (or mean) of fn over the rows, then backward()."""
    saved = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    outs = [fn([Value(float(x)) for x in row]) for row in batch]
    total = autograd.sum(outs)
    if reduction == "mean":
        total = total * (1.0 / len(batch))
    total.backward()
    grads = np.array([p.grad for p in params])
    for p, g in zip(params, saved, strict=True):
        p.grad = g
    return total.data, grads


def compiled_grads(compiled, batch, params, reduction="mean") -> tuple[float, np.ndarray]:
    saved = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    reduced = compiled.backward(batch, reduction=reduction)
    grads = np.array([p.grad for p in params])
    for p, g in zip(params, saved, strict=True):
        p.grad = g
    return reduced, grads


def assert_same(fn, batch, params, reduction="mean", compiled=None):
    """Compiled forward, reduced output and parameter gradients all equal eager's."""
    compiled = compiled or autograd.compile(fn, batch.shape[1])
    np.testing.assert_allclose(compiled(batch), eager_rows(fn, batch), **TOL)
    reduced, grads = compiled_grads(compiled, batch, params, reduction)
    eager_reduced, eager = eager_grads(fn, batch, params, reduction)
    assert reduced == pytest.approx(eager_reduced, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(grads, eager, **TOL)
    return compiled


# -- every row of the op table ----------------------------------------------------------------


def op_batch(op, rng: random.Random, rows: int = 9) -> np.ndarray:
    arity = len(op.domain)
    X = [[rng.uniform(low, high) for low, high in op.domain] for _ in range(rows)]
    X += [list(point) for point in op.edge_points if len(point) == arity]
    return np.array(X)


@pytest.mark.parametrize("name", list(OPS))
def test_every_op_row_forward_and_gradients(name):
    op = OPS[name]
    arity = len(op.domain)
    # One parameter scales each input, so the gradient of the parameters is the op's
    # derivative times the input: every derivative of the row is exercised.
    params = [Value(1.0, label=f"p{i}") for i in range(arity)]

    def fn(xs):
        return Value.apply(op, *[x * p for x, p in zip(xs, params, strict=True)])

    X = op_batch(op, random.Random(name))
    compiled = assert_same(fn, X, params)
    # Parameters are read afresh on every call.
    for p in params:
        p.data = 2.0  # keeps every input in its domain (integer exponents stay integer)
    assert_same(fn, X, params, compiled=compiled)
    assert_same(fn, X, params, compiled=compiled, reduction="sum")


class _Token:
    """An opaque stand-in for an input: shows which input a derivative rule hands back."""

    def __init__(self, index: int) -> None:
        self.index = index


def declared_structure_holds(op) -> bool:
    """The row's own rules agree with what it declares (``additive``; ``bilinear`` with its
    ``bias``, whose declaration makes the rules: this checks the declaration), for 1 and 3
    terms: the derivatives by their shape, the forward on random arrays."""
    from autograd.compiler import NUMPY_MATH

    rng = np.random.default_rng(0)
    for n in (1, 3):
        for declared in ("additive", "bilinear"):
            if not getattr(op, declared):
                continue
            bias = bool(op.bilinear and op.bilinear.bias)
            arity = n if declared == "additive" else 2 * n + bias
            xs = [rng.uniform(-1.0, 1.0, size=(3, 4)) for _ in range(arity)]
            try:
                local = op.derivatives(NUMPY_MATH, None, *[_Token(i) for i in range(arity)])
                out = op.forward(NUMPY_MATH, *xs)
            except (TypeError, IndexError):
                return False
            if declared == "additive":
                if list(local) != [1.0] * n:
                    return False
                expected = np.sum(xs, axis=0)
            else:
                tokens = [d.index if isinstance(d, _Token) else None for d in local[: 2 * n]]
                if tokens != [(i + n) % (2 * n) for i in range(2 * n)]:
                    return False
                if bias and local[-1] != 1.0:
                    return False
                expected = np.einsum("ikb,ikb->kb", np.stack(xs[:n]), np.stack(xs[n : 2 * n]))
                expected = expected + (xs[-1] if bias else 0.0)
            if np.shape(out) != expected.shape or not np.allclose(out, expected, 1e-12, 1e-12):
                return False
    return True


@pytest.mark.parametrize("name", [name for name, op in OPS.items() if op.additive or op.bilinear])
def test_declared_structure_matches_the_rules(name):
    assert declared_structure_holds(OPS[name])


def stacked_declaration_holds(op) -> bool:
    """A row's ``stacked`` declaration computes what its own rules compute, on stacked random
    arrays (1 and 10 inputs, magnitudes up to 1e4, where a missing shift would overflow)."""
    from autograd.compiler import NUMPY_MATH

    rng = np.random.default_rng(1)
    for n in (1, 10):
        for scale in (1.0, 1e4):
            xs = rng.uniform(-scale, scale, size=(n, 3, 4))
            out = op.forward(NUMPY_MATH, *xs)
            local = np.stack([np.broadcast_to(d, out.shape) for d in op.derivatives(
                NUMPY_MATH, out, *xs)])  # fmt: skip
            stacked_out = op.stacked.forward(np, xs)
            stacked_local = op.stacked.derivatives(np, stacked_out, xs)
            if not (np.allclose(stacked_out, out, 1e-13, 1e-13) and stacked_local.shape == xs.shape
                    and np.allclose(stacked_local, local, 1e-13, 1e-13)):  # fmt: skip
                return False
    return True


@pytest.mark.parametrize("name", [name for name, op in OPS.items() if op.stacked])
def test_stacked_declaration_matches_the_rules(name):
    assert stacked_declaration_holds(OPS[name])


def test_a_wrong_stacked_declaration_is_caught_and_compile_uses_the_declaration():
    """The check can fail (softmax's derivatives off by a factor), and a program with a
    ``logsumexp`` node runs it as one StackedStep whose numbers are the eager ones."""
    import dataclasses

    from autograd.compiler.steps import StackedStep
    from autograd.core.ops import Stacked

    good = OPS["logsumexp"].stacked
    wrong = Stacked(good.forward, lambda np, out, xs: 2.0 * np.exp(xs - out))
    assert not stacked_declaration_holds(dataclasses.replace(OPS["logsumexp"], stacked=wrong))

    w = [Value(0.3 * i - 0.5) for i in range(4)]

    def loss(v):
        z = [w[i] * v[i] for i in range(4)]
        return autograd.logsumexp(z) - z[1]

    X = np.random.default_rng(2).uniform(-3, 3, size=(6, 4))
    compiled = autograd.compile(loss, 4)
    assert any(type(step) is StackedStep for step in compiled.steps)
    flat = np.zeros(len(compiled.parameters))
    total, _ = compiled.value_and_grad(X, grads=flat, reduction="sum")
    eager_total = 0.0
    for p in w:
        p.grad = 0.0
    for row in X:
        out = loss([Constant(float(x)) for x in row])
        out.backward()
        eager_total += out.data
    assert total == pytest.approx(eager_total, rel=1e-12)
    np.testing.assert_allclose(flat, [p.grad for p in compiled.parameters], rtol=1e-12)


def test_a_wrong_declaration_is_caught():
    """The check above can fail (``dot`` declared additive), and a bilinear declaration that is
    not where the row's rules come from is refused when the row is made."""
    import dataclasses

    from autograd.core.ops import Bilinear

    assert not declared_structure_holds(dataclasses.replace(OPS["dot"], additive=True))
    with pytest.raises(ValueError, match="are its declaration's"):
        dataclasses.replace(OPS["sum"], bilinear=Bilinear())
    with pytest.raises(ValueError, match="are its declaration's"):
        dataclasses.replace(OPS["affine"], bilinear=Bilinear(bias=False))


def test_only_n_ary_rows_declare_structure():
    import dataclasses

    from autograd.core.ops import Bilinear

    with pytest.raises(ValueError, match="n-ary"):
        dataclasses.replace(OPS["mul"], additive=True)
    with pytest.raises(ValueError, match="n-ary"):
        dataclasses.replace(OPS["dot"], arity=4)
    assert OPS["dot"].bilinear == Bilinear() and OPS["affine"].bilinear == Bilinear(bias=True)


# -- networks built from Values -----------------------------------------------------------------

ACTIVATIONS = {
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "relu": Value.relu,
    "leaky_relu": lambda v: v.leaky_relu(0.1),
    "softplus": Value.softplus,
    "sin": Value.sin,
    "linear": lambda v: v,
}


class TinyMLP:
    def __init__(self, nin: int, sizes: list[int], activation: str, seed: int = 0) -> None:
        rng = random.Random(seed)
        self.activation = ACTIVATIONS[activation]
        self.layers = [
            [
                (
                    [Value(rng.uniform(-1.0, 1.0)) for _ in range(fan_in)],
                    Value(rng.uniform(-0.5, 0.5)),
                )
                for _ in range(fan_out)
            ]
            for fan_in, fan_out in zip([nin, *sizes], sizes, strict=False)
        ]

    def parameters(self) -> list[Value]:
        return [v for layer in self.layers for w, b in layer for v in [*w, b]]

    def __call__(self, xs: list) -> list[Value]:
        for i, layer in enumerate(self.layers):
            out = [dot(w, xs) + b for w, b in layer]
            xs = out if i == len(self.layers) - 1 else [self.activation(v) for v in out]
        return xs


def mse(outputs, targets):
    return autograd.sum([(o - t) ** 2 for o, t in zip(outputs, targets, strict=True)])


def hinge(score, label):
    return (1.0 - label * score).relu()


def binary_cross_entropy(score, label):
    p = score.sigmoid()
    return -(label * p.log() + (1.0 - label) * (1.0 - p).log())


def cross_entropy(logits, one_hot):
    """-log softmax(logits)[target], with the target given as one-hot inputs."""
    log_total = autograd.sum([v.exp() for v in logits]).log()
    return log_total - autograd.sum([t * v for t, v in zip(one_hot, logits, strict=True)])


def l2(params):
    return autograd.sum([p * p for p in params])


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("loss", ["mse", "hinge", "bce", "cross_entropy"])
def test_mlp_with_every_activation_and_loss(activation, loss):
    rng = np.random.default_rng(1)
    batch, nin, nout = 13, 3, 4
    model = TinyMLP(nin, [5, nout] if loss in ("mse", "cross_entropy") else [5, 1], activation)
    params = model.parameters()
    X = rng.normal(size=(batch, nin))
    if loss == "mse":
        targets = rng.normal(size=(batch, nout))

        def fn(v):
            return mse(model(v[:nin]), v[nin:])

    elif loss == "cross_entropy":
        targets = np.eye(nout)[rng.integers(0, nout, size=batch)]

        def fn(v):
            return cross_entropy(model(v[:nin]), v[nin:]) + 1e-3 * l2(params)

    else:
        targets = rng.choice([-1.0, 1.0] if loss == "hinge" else [0.0, 1.0], size=(batch, 1))
        loss_fn = hinge if loss == "hinge" else binary_cross_entropy

        def fn(v):
            return loss_fn(model(v[:nin])[0], v[nin]) + 1e-3 * l2(params)

    data = np.hstack([X, targets])
    compiled = assert_same(fn, data, params)
    assert_same(fn, data, params, compiled=compiled, reduction="sum")
    # A few SGD steps through the compiled program; it keeps matching eager.
    for _ in range(3):
        for p in params:
            p.grad = 0.0
        compiled.backward(data)
        for p in params:
            p.data -= 0.1 * p.grad
    assert_same(fn, data, params, compiled=compiled)


def test_layers_become_matrix_products():
    model = TinyMLP(4, [6, 3], "tanh")
    compiled = autograd.compile(lambda v: autograd.sum(model(v)), 4)
    assert sum(isinstance(step, MatmulStep) for step in compiled.steps) == 2
    assert len(compiled.parameters) == len(model.parameters())


def test_dot_of_inputs_with_inputs_and_shared_weights():
    w = Value(0.7)
    params = [w]

    def fn(v):
        # a dot over inputs on both sides (not a matrix product), a weight used many times
        return dot(v[:2], v[2:]) + dot([w, w, w], [v[0], v[1], v[0]]) * w + (w * v[0]) * (w * v[1])

    X = np.random.default_rng(2).normal(size=(6, 4))
    assert_same(fn, X, params)


def test_backward_accumulates_like_eager():
    model = TinyMLP(2, [3, 1], "tanh")
    params = model.parameters()
    compiled = autograd.compile(lambda v: model(v)[0], 2)
    X = np.random.default_rng(3).normal(size=(5, 2))
    for p in params:
        p.grad = 0.0
    compiled.backward(X, reduction="sum")
    once = [p.grad for p in params]
    compiled.backward(X, reduction="sum")
    np.testing.assert_allclose([p.grad for p in params], 2 * np.array(once), rtol=1e-12)


def test_mean_is_sum_over_batch():
    model = TinyMLP(2, [3, 1], "relu")
    params = model.parameters()
    compiled = autograd.compile(lambda v: model(v)[0] ** 2, 2)
    X = np.random.default_rng(4).normal(size=(8, 2))
    total, grads_sum = compiled_grads(compiled, X, params, "sum")
    mean, grads_mean = compiled_grads(compiled, X, params, "mean")
    assert mean == pytest.approx(total / 8, rel=1e-12)
    np.testing.assert_allclose(grads_mean, grads_sum / 8, rtol=1e-12, atol=1e-15)


def test_outputs_that_ignore_the_inputs_or_are_leaves():
    w = Value(1.5)
    X = np.random.default_rng(5).normal(size=(4, 2))
    # Only parameters: the same number for every row; its gradient is summed over the batch.
    assert_same(lambda v: w * w + 1.0, X, [w])
    assert_same(lambda v: w, X, [w])
    assert_same(lambda v: v[1], X, [w])
    assert_same(lambda v: v[0] * w + w.exp(), X, [w])


def test_several_outputs_give_one_column_each():
    model = TinyMLP(3, [4, 3], "tanh")
    compiled = autograd.compile(model, 3)
    X = np.random.default_rng(6).normal(size=(5, 3))
    with no_grad():
        eager = np.array([[v.data for v in model([Value(x) for x in row])] for row in X])
    np.testing.assert_allclose(compiled(X), eager, **TOL)
    with pytest.raises(ValueError, match="backward needs fn to return one Value; it returns 3"):
        compiled.backward(X)
    # A list of one is still a list: shape (batch, 1).
    assert autograd.compile(lambda v: [v[0] * 2.0], 1)(np.ones((4, 1))).shape == (4, 1)


def test_constants_are_not_parameters():
    w = Value(2.0)
    compiled = autograd.compile(lambda v: v[0] * w + Constant(3.0) * v[1] + 4.0, 2)
    assert compiled.parameters == [w]


def test_compile_inside_no_grad_still_traces():
    w = Value(0.5)
    with no_grad():
        compiled = autograd.compile(lambda v: (v[0] * w).tanh(), 1)
    X = np.array([[0.3], [-1.0]])
    assert_same(lambda v: (v[0] * w).tanh(), X, [w], compiled=compiled)


# -- errors -------------------------------------------------------------------------------------


def test_domain_error_names_the_op_and_the_row():
    compiled = autograd.compile(lambda v: (v[0] * v[1]).log(), 2)
    X = np.array([[1.0, 2.0], [0.5, 0.5], [-1.0, 3.0], [2.0, 2.0]])
    with pytest.raises(ValueError, match=r"log.*row 2.*positive"):
        compiled(X)
    with pytest.raises(ZeroDivisionError, match=r"div.*row 1.*division by zero"):
        autograd.compile(lambda v: v[0] / v[1], 2)(np.array([[1.0, 2.0], [1.0, 0.0]]))


def test_non_finite_derivative_changes_no_gradient():
    w = Value(1.0)
    compiled = autograd.compile(lambda v: (v[0] * w).sqrt(), 1)
    w.grad = 0.25
    with pytest.raises(ZeroDivisionError, match=r"derivative of sqrt.*row 1"):
        compiled.backward(np.array([[4.0], [0.0], [1.0]]))
    assert w.grad == 0.25


def test_a_branch_on_an_input_is_refused_whatever_the_points():
    """The issue's example: eager gives 30 at x = 10; a program frozen at the trace point
    would give 20. Refused at compile time, naming the input, the read and the line."""
    with pytest.raises(TraceError, match=r"input 0 \(x0\).*reading \.data.*test_compiled\.py"):
        autograd.compile(lambda v: v[0] * 2 if v[0].data < 5 else v[0] * 3, 1)
    with pytest.raises(TraceError, match=r"input 0"):
        autograd.compile(lambda v: v[0] * 2 if v[0].data > 1e9 else v[0] * 3, 1)


def test_a_parameters_number_is_refused():
    w = Value(2.0, label="w")
    with pytest.raises(TraceError, match=r"parameter 'w'.*use the Value itself"):
        autograd.compile(lambda v: v[0] * w.data, 1)
    # The guard is gone afterwards: eager reads work, and w.data is a plain slot again.
    assert w.data == 2.0
    assert type(Value.__dict__["data"]).__name__ == "member_descriptor"
    compiled = autograd.compile(lambda v: v[0] * w, 1)
    w.data = 5.0
    np.testing.assert_allclose(compiled(np.array([[3.0]])), [15.0])


@pytest.mark.parametrize(
    "fn",
    [
        lambda v, w: Value(v[0].data) * w,
        lambda v, w: v[0].data * w,
        lambda v, w: (v[0] * w).data * v[0],
        lambda v, w: v[0] * float(f"{v[1].data:.3f}"),
        lambda v, w: v[0] * max(x.data for x in v),
        lambda v, w: v[0] * (1.0 if (v[0] + w).data > 0 else 2.0),
        lambda v, w: v[0] * float(v[1]),
        lambda v, w: v[0] * v[1].item(),
        lambda v, w: v[0] if v[0] > v[1] else v[1],
        lambda v, w: max(v) * w,
        lambda v, w: v[0] * float(f"{v[1]:.3f}"),
        lambda v, w: v[0] if w > 0 else -v[0],
    ],
)
def test_every_number_read_while_tracing_is_refused(fn):
    w = Value(0.5)
    with pytest.raises(TraceError, match=r"while being traced"):
        autograd.compile(lambda v: fn(v, w), 2)


def test_other_threads_read_numbers_while_a_trace_runs():
    import threading

    w = Value(0.25)
    seen = []

    def fn(v):
        reader = threading.Thread(target=lambda: seen.append(w.data))
        reader.start()
        reader.join()
        return v[0] * w

    autograd.compile(fn, 1)
    assert seen == [0.25]


def test_trace_failure_suggests_an_example():
    with pytest.raises(TraceError, match=r"example="):
        autograd.compile(lambda v: (v[0] - 1.0).log(), 1)
    compiled = autograd.compile(lambda v: (v[0] - 1.0).log(), 1, example=[3.0])
    np.testing.assert_allclose(compiled(np.array([[3.0], [2.0]])), np.log([2.0, 1.0]))


def test_bad_arguments():
    compiled = autograd.compile(lambda v: v[0] + v[1], 2)
    with pytest.raises(ValueError, match=r"shape \(batch, 2\).*\(3,\)"):
        compiled(np.zeros(3))
    with pytest.raises(ValueError, match="reduction must be 'mean' or 'sum'"):
        compiled.backward(np.zeros((2, 2)), reduction="max")
    with pytest.raises(ValueError, match="NaN or an infinity in row 1"):
        compiled(np.array([[0.0, 1.0], [np.nan, 0.0]]))
    with pytest.raises(
        TypeError, match=r"must return one Value \(or a list of Values\), got float"
    ):
        autograd.compile(lambda v: 1.0, 2)
    with pytest.raises(TypeError, match="got a list of Value, float"):
        autograd.compile(lambda v: [v[0], 2.0], 2)
    with pytest.raises(ValueError, match="n_inputs"):
        autograd.compile(lambda v: v[0], -1)


def test_import_autograd_does_not_import_numpy():
    code = "import sys, autograd; assert 'numpy' not in sys.modules; autograd.compile"
    subprocess.run([sys.executable, "-c", code], check=True)


class AffineMLP(TinyMLP):
    """TinyMLP with each neuron one ``affine`` node instead of ``dot`` then ``+ b``."""

    def __call__(self, xs: list) -> list[Value]:
        for i, layer in enumerate(self.layers):
            out = [autograd.affine(w, xs, b) for w, b in layer]
            xs = out if i == len(self.layers) - 1 else [self.activation(v) for v in out]
        return xs


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_affine_layers_become_matrix_products_plus_bias(activation):
    model = AffineMLP(4, [6, 3], activation, seed=3)
    params = model.parameters()
    compiled = autograd.compile(lambda v: autograd.sum(model(v)), 4)
    assert sum(isinstance(step, MatmulStep) for step in compiled.steps) == 2
    assert len(compiled.parameters) == len(params)
    X = np.random.default_rng(0).uniform(-1.0, 1.0, size=(7, 4))
    assert_same(lambda v: autograd.sum(model(v)), X, params, compiled=compiled)
    # Same numbers as the dot-then-add network with the same weights.
    reference = TinyMLP(4, [6, 3], activation, seed=3)
    for p, q in zip(reference.parameters(), params, strict=True):
        p.data = q.data
    np.testing.assert_allclose(
        compiled(X), eager_rows(lambda v: autograd.sum(reference(v)), X), rtol=1e-13
    )


def test_affine_with_a_shared_bias_and_a_constant_bias():
    w = [[Value(0.5), Value(-1.5)], [Value(2.0), Value(0.25)]]
    shared = Value(0.3)

    def fn(v):
        first = [autograd.affine(row, v[:2], shared) for row in w]
        second = autograd.affine(w[0], v[:2], 0.75)
        return autograd.sum([*first, second]).tanh()

    params = [*w[0], *w[1], shared]
    X = np.random.default_rng(1).uniform(-1.0, 1.0, size=(5, 2))
    assert_same(fn, X, params)


def test_a_layer_whose_weights_are_also_read_elsewhere():
    """An L2 penalty reads the weights of the layers too: their gradient is accumulated, not
    written by the layer's product alone."""
    model = AffineMLP(3, [4, 2], "tanh", seed=2)
    params = model.parameters()

    def fn(v):
        return autograd.sum(model(v)) + 0.1 * autograd.sum([p * p for p in params])

    compiled = autograd.compile(fn, 3)
    assert not any(step.weights.sole for step in compiled.steps if isinstance(step, MatmulStep))
    assert_same(
        fn, np.random.default_rng(3).uniform(-1.0, 1.0, size=(6, 3)), params, compiled=compiled
    )
    alone = autograd.compile(lambda v: autograd.sum(model(v)), 3)
    assert all(step.weights.sole for step in alone.steps if isinstance(step, MatmulStep))


def test_the_flat_parameter_array_follows_the_order_given():
    model = AffineMLP(3, [4, 2], "relu", seed=4)
    params = model.parameters()[::-1]  # not the graph's order: weights read by index
    compiled = autograd.compile(lambda v: autograd.sum(model(v)), 3, parameters=params)
    assert compiled.parameters == params
    X = np.random.default_rng(5).uniform(-1.0, 1.0, size=(6, 3))
    flat = compiled.parameter_values()
    grads = np.empty_like(flat)
    loss, outputs = compiled.value_and_grad(X, flat, grads, reduction="sum")
    eager_loss, eager = eager_grads(lambda v: autograd.sum(model(v)), X, params, "sum")
    assert loss == pytest.approx(eager_loss, rel=1e-12)
    np.testing.assert_allclose(grads, eager, **TOL)
    assert outputs.shape == (1, 6)
    flat *= 2.0  # the array is what the program reads, not the Values
    assert not np.allclose(compiled.value_and_grad(X, flat)[1][0], compiled(X))


def test_a_used_gradient_array_gives_the_gradient_of_a_fresh_one():
    """value_and_grad zeroes only the entries its backward pass does not write whole (a
    layer's sole weights are written with out=): a gradient array full of old numbers, or of
    NaN, comes back equal to a fresh one, biases and shared entries included."""
    model = TinyMLP(4, [6, 3], "tanh")

    def fn(v):
        out = model(v)
        return autograd.sum(out) * out[0]

    compiled = autograd.compile(fn, 4)
    assert any(s.writes_weight_grads() for s in compiled.steps if isinstance(s, MatmulStep))
    X = np.random.default_rng(5).normal(size=(7, 4))
    P = compiled.parameter_values()
    fresh = np.zeros(len(P))
    compiled.value_and_grad(X, P, fresh)
    for old in (7.0, np.nan):
        used = np.full(len(P), old)
        compiled.value_and_grad(X, P, used)
        np.testing.assert_array_equal(used, fresh)
    assert np.count_nonzero(fresh) > len(P) // 2


def test_all_finite_settles_overflowing_sums_and_bad_numbers():
    from autograd.compiler.steps import all_finite

    big = np.full(10, 1e308)  # finite numbers whose sum overflows
    assert all_finite(big) and all_finite(np.zeros((3, 4)))
    for bad in (np.inf, -np.inf, np.nan):
        for array in (np.array([1.0, bad, -np.inf if bad == np.inf else 2.0]), big.copy()):
            array[-1] = bad
            assert not all_finite(array)
