"""Graph mechanics: fan-out, constants, accumulation, order, depth, second derivatives."""

from __future__ import annotations

import math
import sys
import threading

import pytest

from autograd import Constant, Value, grad, no_grad, topological_order
from autograd import dot as vdot
from autograd import sum as vsum


def test_a_plus_a_has_two_parents_and_gradient_two() -> None:
    a = Value(3.0)
    b = a + a
    assert b.parents == (a, a)
    b.backward()
    assert a.grad == 2.0


def test_fan_out_through_two_levels() -> None:
    a = Value(-4.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0
    assert b.grad == 2.0


def test_constants_on_either_side() -> None:
    x = Value(3.0)
    for expr, expected_value, expected_grad in [
        (lambda: 2 + x, 5.0, 1.0),
        (lambda: x + 2, 5.0, 1.0),
        (lambda: 2 - x, -1.0, -1.0),
        (lambda: x - 2, 1.0, 1.0),
        (lambda: 2 * x, 6.0, 2.0),
        (lambda: x * 2, 6.0, 2.0),
        (lambda: 6 / x, 2.0, -6.0 / 9.0),
        (lambda: x / 2, 1.5, 0.5),
        (lambda: x**2, 9.0, 6.0),
        (lambda: 2**x, 8.0, 8.0 * math.log(2.0)),
        (lambda: -x, -3.0, -1.0),
        (lambda: abs(-x), 3.0, 1.0),
    ]:
        x.grad = 0.0
        out = expr()
        out.backward()
        assert out.data == pytest.approx(expected_value, rel=1e-15)
        assert x.grad == pytest.approx(expected_grad, rel=1e-15)


def test_numbers_become_constant_leaves() -> None:
    x = Value(1.0)
    out = 2 * x
    constant = out.parents[0]
    assert isinstance(constant, Constant) and constant.data == 2.0 and constant.op == ""


def test_value_exponent_uses_the_full_rule() -> None:
    x, y = Value(2.0), Value(3.0)
    out = x**y
    out.backward()
    assert out.op == "pow_value"
    assert x.grad == pytest.approx(12.0)
    assert y.grad == pytest.approx(8.0 * math.log(2.0))


def test_negative_base_with_integer_power() -> None:
    x = Value(-2.0)
    out = x**3
    out.backward()
    assert out.data == -8.0 and x.grad == 12.0


def test_a_value_used_by_two_nodes_sums_what_each_sends() -> None:
    x = Value(1.5)
    y = x * 2.0 + x * 3.0  # x is the first input of two different nodes
    y.backward()
    assert x.grad == 5.0


def test_backward_twice_doubles_leaf_gradients_and_resets_inner_nodes() -> None:
    x, w = Value(0.5), Value(-1.5)
    z = x * w
    out = z.tanh()
    out.backward()
    first = (x.grad, w.grad, z.grad)
    out.backward()
    assert (x.grad, w.grad) == pytest.approx((2 * first[0], 2 * first[1]), rel=1e-15)
    assert z.grad == first[2]  # set afresh, not accumulated
    assert out.grad == 1.0


def test_leaf_root_accumulates() -> None:
    x = Value(1.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_topological_order_puts_parents_first() -> None:
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d.exp()
    order = topological_order(e)
    position = {id(v): i for i, v in enumerate(order)}
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)]
    assert order[-1] is e and len(order) == 5


def test_million_node_chain_has_no_recursion_limit() -> None:
    x = Value(1.0)
    out = x
    for _ in range(1_000_000):
        out = out + 1e-6
    out.backward()
    assert x.grad == 1.0
    assert out.data == pytest.approx(2.0)
    assert sys.getrecursionlimit() < 1_000_000
    del out  # a long chain must also be freed without blowing the C stack


def test_deep_chain_second_derivative() -> None:
    x = Value(0.3)
    out = x
    for _ in range(2000):
        out = out * 1.0
    out = out**3
    (first,) = grad(out, [x], create_graph=True)
    (second,) = grad(first, [x])
    assert second.data == pytest.approx(6 * 0.3)


def test_grad_leaves_dot_grad_alone() -> None:
    x, y = Value(2.0), Value(-1.0)
    x.grad, y.grad = 7.0, 8.0
    out = x * y + x.exp()
    dx, dy = grad(out, [x, y])
    assert (dx.data, dy.data) == pytest.approx((-1.0 + math.exp(2.0), 2.0))
    assert (x.grad, y.grad, out.grad) == (7.0, 8.0, 0.0)


def test_grad_of_unused_input_is_zero() -> None:
    x, unused = Value(2.0), Value(5.0)
    assert grad(x * 3, [unused])[0].data == 0.0


def test_third_derivative_through_create_graph() -> None:
    x = Value(0.7)
    f = x.sin() * x.exp()
    (d1,) = grad(f, [x], create_graph=True)
    (d2,) = grad(d1, [x], create_graph=True)
    (d3,) = grad(d2, [x])
    # (sin x e^x)''' = 2 e^x (cos x - sin x)
    assert d3.data == pytest.approx(2 * math.exp(0.7) * (math.cos(0.7) - math.sin(0.7)))


def test_backward_through_create_graph_result_accumulates_into_leaves() -> None:
    x = Value(1.5)
    (d1,) = grad(x**3, [x], create_graph=True)
    d1.backward()
    assert x.grad == pytest.approx(6 * 1.5)


def test_no_grad_records_no_parents_and_restores() -> None:
    x = Value(2.0)
    with no_grad():
        y = x * 3
    assert y.op == "" and y.parents == ()
    assert (x * 3).parents != ()


def test_no_grad_as_decorator() -> None:
    @no_grad()
    def double(v: Value) -> Value:
        return v * 2

    assert double(Value(1.0)).parents == ()


def test_no_grad_is_per_thread() -> None:
    inside, started, release = {}, threading.Event(), threading.Event()

    def other_thread() -> None:
        started.wait()
        inside["parents"] = (Value(1.0) * 2).parents
        release.set()

    thread = threading.Thread(target=other_thread)
    thread.start()
    with no_grad():
        started.set()
        release.wait(5)
    thread.join()
    assert len(inside["parents"]) == 2


def test_sum_and_dot_are_single_nodes() -> None:
    w = [Value(1.0), Value(2.0), Value(3.0)]
    x = [Value(4.0), Value(5.0), Value(6.0)]
    s = vdot(w, x)
    assert s.op == "dot" and len(s.parents) == 6 and s.data == 32.0
    total = vsum([s, 1.0])
    total.backward()
    assert [v.grad for v in w] == [4.0, 5.0, 6.0]
    assert [v.grad for v in x] == [1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match="dot: 2 weights but 1 inputs"):
        vdot(w[:2], x[:1])
    with pytest.raises(ValueError, match="sum: needs at least one value"):
        vsum([])
    with pytest.raises(TypeError, match="sum: needs Values or numbers, got str"):
        vsum(["a"])


def test_repr_and_leaf_attributes() -> None:
    v = Value(2, label="w1")
    assert isinstance(v.data, float) and v.grad == 0.0 and v.op == "" and v.is_leaf
    assert repr(v) == "Value(data=2.0, grad=0.0, label='w1')"
    assert repr(Value(1.5)) == "Value(data=1.5, grad=0.0)"
    assert (v * v).op == "mul"


def test_graph_has_no_reference_cycles() -> None:
    import gc

    gc.collect()
    gc.disable()
    try:
        x = Value(1.0)
        out = (x * 2).tanh() + x
        out.backward()
        del out
        assert gc.collect() == 0
    finally:
        gc.enable()
