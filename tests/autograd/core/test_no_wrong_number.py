"""Issue 11, engine side: no wrong number, nothing lost, nothing hangs.

Each class of the issue has its tests here: higher derivatives, the backends' agreement at
every row's edge points and kinks, the non-finite policy, all-or-nothing backward under any
exception (KeyboardInterrupt included), Values as numbers, and explain on a long chain.
"""

from __future__ import annotations

import math
import random
import signal
import sys
import time

import numpy as np
import pytest

import autograd
from autograd import OPS, Constant, Value, grad, no_grad
from autograd.core.backends import FLOAT_MATH, VALUE_MATH, numpy_math
from autograd.core.ops import Op
from tests.conftest import op_inputs, sample_points

READABLE = sys.modules["autograd.core.backward"]
NUMPY_MATH = numpy_math()

# -- 1. higher derivatives ----------------------------------------------------------------------


def test_create_graph_inside_no_grad_gives_the_true_second_derivative():
    x = Value(3.0)
    y = x**3
    with no_grad():
        (dy,) = grad(y, [x], create_graph=True)
        (d2y,) = grad(dy, [x])
        (d2y_graph,) = grad(dy, [x], create_graph=True)
    assert (dy.data, d2y.data, d2y_graph.data) == (27.0, 18.0, 18.0)
    with no_grad():  # and a graph made inside no_grad is still a leaf: nothing depends on x
        z = x**3
    assert grad(z, [x], create_graph=True)[0].data == 0.0 and z.is_leaf


@pytest.mark.parametrize("c", [0, 0.0, 1, 2, 3])
def test_powers_differentiate_to_the_end_at_zero(c):
    x = Value(0.0)
    d = x**c
    expected = [float(math.factorial(int(c))) if k == c else 0.0 for k in range(1, 6)]
    for k in range(5):
        (d,) = grad(d, [x], create_graph=True)
        assert d.data == expected[k], f"d^{k + 1}/dx^{k + 1} x**{c} at 0"


def test_x_to_the_zero_at_zero_backward():
    x = Value(0.0)
    (x**0).backward()
    assert x.grad == 0.0


# -- 2. the backends agree at every row's edge points, kinks included -------------------------

# Points on each row's kinks, where a derivative is a convention of autograd/backends.py.
KINKS = {
    "relu": [(0.0,)],
    "abs": [(0.0,)],
    "leaky_relu": [(0.0, 0.01), (0.0, 0.2)],
    "pow": [(0.0, 0.0), (0.0, 1.0), (0.0, 2.0), (0.0, 3.0), (2.0, 0.0)],
    "pow_value": [(1.0, 0.0), (0.0, 2.0)],
    "scaled_log": [(0.0, 0.0), (1.0, 0.0)],
    "logsumexp": [(0.0, 0.0, 0.0), (5.0, 5.0, -5.0)],
}


def points_of(op: Op) -> list[tuple[float, ...]]:
    return sample_points(op, 3) + KINKS.get(op.name, [])


def first_derivatives(op: Op, point: tuple[float, ...]):
    """The row's local derivatives at ``point`` on floats, on Values and on NumPy, and the
    Value leaves and Value derivatives (to differentiate again)."""
    xs = [float(x) for x in point]
    on_floats = op.derivatives(FLOAT_MATH, op.forward(FLOAT_MATH, *xs), *xs)
    leaves = op_inputs(op, point)
    node = Value.apply(op, *leaves)
    on_values = op.derivatives(VALUE_MATH, node, *leaves)
    arrays = [np.asarray(x) for x in xs]
    on_numpy = op.derivatives(NUMPY_MATH, op.forward(NUMPY_MATH, *arrays), *arrays)
    return on_floats, on_values, on_numpy, leaves


def number(d) -> float:
    return d.data if isinstance(d, Value) else float(d)


def second_derivatives(d, leaves, m):
    """d(d)/d leaf for each leaf, backpropagating through the graph of ``d`` with the rules
    run on the backend ``m``."""
    if not isinstance(d, Value):
        return [0.0] * len(leaves)
    seed = Value(1.0) if m is VALUE_MATH else 1.0
    with autograd.enable_grad():
        grads = {node: g for node, g, _ in READABLE.backward_steps(d, seed, m)}
    return [number(grads.get(leaf, 0.0)) for leaf in leaves]


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)


@pytest.mark.parametrize("op", list(OPS.values()), ids=lambda op: op.name)
def test_every_row_agrees_on_floats_values_and_numpy_to_the_second_derivative(op):
    checked = 0
    for point in points_of(op):
        try:
            on_floats, on_values, on_numpy, leaves = first_derivatives(op, point)
        except (ArithmeticError, ValueError):
            continue  # outside the domain (or an infinite derivative): refused on every path
        firsts = [[number(d) for d in ds] for ds in (on_floats, on_values, on_numpy)]
        assert all(map(close, firsts[0], firsts[1])), (op.name, point, firsts)
        assert all(map(close, firsts[0], firsts[2])), (op.name, point, firsts)
        for i, d in enumerate(on_values):
            try:
                seconds = [second_derivatives(d, leaves, m) for m in (FLOAT_MATH, VALUE_MATH)]
                seconds.append(second_derivatives(d, leaves, NUMPY_MATH))
            except (ArithmeticError, ValueError):
                continue  # a second derivative that is infinite there (sqrt-like at 0)
            for j in range(len(leaves)):
                row = [s[j] for s in seconds]
                assert close(row[0], row[1]) and close(row[0], row[2]), (op.name, point, i, j)
        checked += 1
    assert checked >= 2


@pytest.mark.parametrize(
    ("op", "point", "expected"),
    [
        ("relu", (0.0,), (0.0,)),
        ("abs", (0.0,), (0.0,)),
        ("leaky_relu", (0.0, 0.2), (0.2, 0.0)),
        ("pow", (0.0, 0.0), (0.0, 0.0)),
        ("pow", (0.0, 1.0), (1.0, 0.0)),
        ("scaled_log", (0.0, 0.0), (0.0, 0.0)),
    ],
)
def test_the_kink_conventions_on_every_backend(op, point, expected):
    for ds in first_derivatives(OPS[op], point)[:3]:
        assert tuple(number(d) for d in ds) == expected


# -- 3. non-finite numbers ---------------------------------------------------------------------


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan, float("1e400")])
def test_non_finite_numbers_never_enter_a_graph(bad):
    with pytest.raises(ValueError, match=r"Value got (inf|-inf|nan); .* every Value is finite"):
        Value(bad)
    x = Value(1.0)
    for make in (lambda: x + bad, lambda: bad * x, lambda: x - bad, lambda: autograd.sum([x, bad])):
        with pytest.raises(ValueError, match="every Value is finite"):
            make()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda x: x * 10, r"mul: the result for \(1e\+308, 10\.0\) is not a finite float"),
        (lambda x: 10.0 * x, r"mul: the result for \(10\.0, 1e\+308\)"),
        (lambda x: x + x, r"add: the result for \(1e\+308, 1e\+308\)"),
        (lambda x: x - (-x), r"sub: the result for \(1e\+308, -1e\+308\)"),
        (lambda x: x / 1e-10, r"div: the result for \(1e\+308, 1e-10\)"),
        (lambda x: x**2, r"pow: result overflows a float"),
        (lambda x: autograd.sum([x, x]), r"sum: the result for \(1e\+308, 1e\+308\)"),
        (lambda x: autograd.dot([x], [x]), r"dot: the result for \(1e\+308, 1e\+308\)"),
        (lambda x: autograd.affine([x], [2.0], x), r"affine: the result for"),
    ],
)
def test_a_forward_result_that_overflows_raises_naming_op_and_operands(make, message):
    x = Value(1e308)
    with pytest.raises(OverflowError, match=message):
        make(x)
    assert x.grad == 0.0 and x.is_leaf


@pytest.mark.parametrize("backward", [Value.backward, READABLE.stepwise_backward])
def test_a_gradient_that_overflows_raises_naming_the_op_and_changes_nothing(backward):
    x, w = Value(1e-308), Value(2.0)
    w.grad = 5.0
    loss = (x.log() * 1e10) + w * w
    with pytest.raises(OverflowError, match=r"the log node at \(1e-308\) is not a finite"):
        backward(loss)
    with pytest.raises(OverflowError, match=r"the log node at \(1e-308\)"):
        grad(loss, [x, w])
    assert (x.grad, w.grad, loss.grad) == (0.0, 5.0, 0.0)


def test_a_leaf_grad_that_would_overflow_when_accumulated_raises():
    x = Value(1.0)
    x.grad = 1.7e308
    y = x * 1e308
    for backward in (Value.backward, READABLE.stepwise_backward):
        with pytest.raises(OverflowError, match="not a finite number"):
            backward(y)
        assert x.grad == 1.7e308


def test_saturating_rows_stay_finite_far_out():
    w = Value(2.0)
    out = (w * 1e300).tanh() + (w * -1e300).sigmoid() + (w * 1e300).softplus() * 0.0
    out.backward()
    assert math.isfinite(w.grad)


# -- 4. backward is all or nothing --------------------------------------------------------------


class Interrupt:
    """A one-input row whose derivative raises KeyboardInterrupt (a Ctrl-C mid-backward)."""

    def __init__(self) -> None:
        self.op = Op(
            "interrupt_probe",
            1,
            forward=lambda m, x: x,
            derivatives=self.derivatives,
            label="!",
            math="",
            syntax="",
            domain=((-1.0, 1.0),),
        )

    @staticmethod
    def derivatives(m, out, x):
        raise KeyboardInterrupt


def big_graph(middle: Op | None = None, n: int = 20_000):
    rng = random.Random(0)
    leaves = [Value(rng.uniform(-1, 1)) for _ in range(50)]
    for leaf in leaves:
        leaf.grad = 5.0
    y = leaves[0]
    for i in range(n):
        y = y * 0.999 + leaves[i % 50] * 0.001
        if middle is not None and i == n // 2:
            y = Value.apply(middle, y)
    return leaves, y


@pytest.mark.parametrize(
    "backward", [Value.backward, READABLE.stepwise_backward], ids=["float-loop", "stepwise"]
)
def test_an_interrupt_midway_leaves_every_grad_as_it_was(backward):
    leaves, root = big_graph(Interrupt().op)
    inner = READABLE.topological_order(root)
    before = [v.grad for v in inner]
    with pytest.raises(KeyboardInterrupt):
        backward(root)
    assert [v.grad for v in inner] == before
    assert all(leaf.grad == 5.0 for leaf in leaves)


def test_a_signal_during_a_large_backward_loses_nothing():
    _, root = big_graph(n=150_000)
    inner = READABLE.topological_order(root)
    before = [v.grad for v in inner]

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        interrupted = 0
        for delay in (0.02, 0.05, 0.1):
            signal.setitimer(signal.ITIMER_REAL, delay)
            try:
                root.backward()
            except KeyboardInterrupt:
                interrupted += 1
                assert [v.grad for v in inner] == before
            else:
                signal.setitimer(signal.ITIMER_REAL, 0)
                for v, old in zip(inner, before):  # completed: start again from the old grads
                    v.grad = old
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert interrupted >= 1


def test_an_error_in_a_derivative_restores_every_grad_on_both_engines():
    for backward in (Value.backward, READABLE.stepwise_backward):
        x, y = Value(0.0), Value(3.0)
        y.grad = 5.0
        out = y * 2 + x.sqrt()
        with pytest.raises(ZeroDivisionError, match=r"derivative of sqrt at \(0\.0\)"):
            backward(out)
        assert (x.grad, y.grad, out.grad) == (0.0, 5.0, 0.0)


# -- 5. Values as numbers -----------------------------------------------------------------------


def test_a_value_reads_as_its_number():
    v = Value(2.5)
    assert v.item() == 2.5 and float(v) == 2.5 and isinstance(float(v), float)
    assert f"{v:.3f}" == "2.500" and format(v, "") == str(v) == repr(v)
    assert math.sqrt(Value(4.0)) == 2.0


def test_values_order_by_data_and_compare_equal_by_identity():
    a, b, c = Value(1.0), Value(3.0), Value(2.0)
    assert a < b and b > c and a <= 1.0 and 3 >= b and not (a > 1)
    assert max([a, b, c]) is b and sorted([b, c, a]) == [a, c, b]
    assert min([a, b], key=float) is a
    twin = Value(1.0)
    assert a != twin and a == a and len({a, twin}) == 2 and hash(a) != hash(twin)
    with pytest.raises(TypeError, match="'<' not supported"):
        a < "1"  # noqa: B015
    with pytest.raises(TypeError):
        a < None  # type: ignore[operator]  # noqa: B015


def test_constants_order_too():
    assert Constant(2.0) > Value(1.0)


# -- 6. explain is linear on one long path ------------------------------------------------------


def test_explain_on_a_60k_op_chain_is_quick():
    x = Value(0.5, label="x")
    y = x
    for _ in range(60_000):
        y = y * 1.0000001
    start = time.process_time()
    explanation = autograd.explain(y, x)
    elapsed = time.process_time() - start
    assert explanation.n_paths == 1 and len(explanation.paths[0].links) == 60_000
    assert explanation.total == pytest.approx(grad(y, [x])[0].data)
    assert elapsed < 10.0  # copying the path at every step took 32 s here
