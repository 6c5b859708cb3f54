"""The eager fast paths (operators built from the rows, zero-gradient skip) behave like the
generic ``Value.apply`` path they replace."""

from __future__ import annotations

import math

import pytest

import autograd
from autograd import OPS, Constant, Value, dot, no_grad
from autograd.value import Scope, _state


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
    token = _state.set(Scope("layer", None))
    try:
        tagged = x * x
    finally:
        _state.reset(token)
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
