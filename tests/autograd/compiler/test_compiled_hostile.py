"""Issue 20's compile items: the node's own row, rules that fail on NumPy, never a number eager
would not give (infinite loss or gradient), and batches that are not real numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
from autograd import Value, define_op, remove_op


def test_an_old_node_keeps_its_own_row_after_a_redefinition():
    """Re-running a notebook cell: remove_op, then the same name with another rule."""
    old = define_op("twice_or_five", forward=lambda m, x: 2.0 * x,
                    derivatives=lambda m, out, x: (2.0,))  # fmt: skip
    try:
        remove_op("twice_or_five")
        define_op("twice_or_five", forward=lambda m, x: 5.0 * x,
                  derivatives=lambda m, out, x: (5.0,))  # fmt: skip
        w = Value(1.0)
        compiled = autograd.compile(lambda v: old(v[0] * w), 1)
        assert old(Value(1.0)).data == 2.0  # eager uses the old row
        np.testing.assert_allclose(compiled(np.array([[1.0], [3.0]])), [2.0, 6.0])
        w.grad = 0.0
        compiled.backward(np.array([[1.0]]))
        assert w.grad == 2.0
    finally:
        remove_op("twice_or_five")


@pytest.mark.parametrize(
    ("forward", "derivatives", "rule"),
    [
        (lambda m, x: math.exp(x), lambda m, out, x: (out,), "forward"),
        (lambda m, x: x * x, lambda m, out, x: (2 * x if x > 0 else 0.0,), "derivatives"),
    ],
)
def test_a_rule_that_fails_on_numpy_names_the_op(forward, derivatives, rule):
    op = define_op("floats_only", forward=forward, derivatives=derivatives)
    try:
        w = Value(0.5)
        compiled = autograd.compile(lambda v: op(v[0] * w), 1)
        w.grad = 0.25
        with pytest.raises(
            TypeError,
            match=rf"compiled floats_only: its {rule} rule.*m\. functions.*compiled=False",
        ):
            compiled.backward(np.array([[0.5], [1.0]]))
        assert w.grad == 0.25
    finally:
        remove_op("floats_only")


def eager_error(fn, rows, params):
    outs = [fn([Value(float(x)) for x in row]) for row in rows]
    autograd.sum(outs).backward()


def test_an_infinite_loss_raises_as_eager_and_changes_no_grad():
    w = Value(1e308, label="w")
    fn = lambda v: v[0] * w  # noqa: E731
    X = np.array([[1.0], [1.0]])
    w.grad = 0.5
    with pytest.raises(OverflowError):
        eager_error(fn, X, [w])
    assert w.grad == 0.5
    compiled = autograd.compile(fn, 1)
    with pytest.raises(OverflowError, match=r"not a finite float.*no gradient was changed"):
        compiled.backward(X, reduction="sum")
    assert w.grad == 0.5


def test_an_infinite_gradient_raises_as_eager_and_changes_no_grad():
    w = Value(0.3)
    fn = lambda v: (v[0] * w * 1e300).sin() * 1e10  # noqa: E731
    X = np.array([[1.0], [1.0]])
    with pytest.raises(OverflowError):
        eager_error(fn, X, [w])
    assert w.grad == 0.0
    compiled = autograd.compile(fn, 1)
    with pytest.raises(OverflowError, match=r"not a finite number.*no gradient was changed"):
        compiled.backward(X)
    assert w.grad == 0.0


def test_accumulating_into_grad_never_gives_inf():
    w = Value(1.0)
    w.grad = 1.7e308
    compiled = autograd.compile(lambda v: v[0] * w, 1)
    with pytest.raises(OverflowError, match=r"\.grad.*not finite"):
        compiled.backward(np.array([[1e308]]), reduction="sum")
    assert w.grad == 1.7e308


def test_a_derivative_error_is_eagers_own():
    w = Value(1.0)
    fn = lambda v: (v[0] * w).sqrt()  # noqa: E731
    with pytest.raises(ZeroDivisionError):
        eager_error(fn, [[0.0]], [w])
    compiled = autograd.compile(fn, 1)
    with pytest.raises(ZeroDivisionError, match=r"derivative of sqrt.*row 1"):
        compiled.backward(np.array([[4.0], [0.0]]))


@pytest.mark.parametrize(
    "batch",
    [np.array([[1.0 + 2.0j]]), np.array([["1.5"]]), [["1.5"]], np.array([[True]])],
)
def test_complex_strings_and_bools_are_refused(batch):
    compiled = autograd.compile(lambda v: v[0] * 2.0, 1)
    with pytest.raises(TypeError, match="real numbers"):
        compiled(batch)
    with pytest.raises(TypeError, match="real numbers"):
        compiled.backward(batch)


def test_a_nan_behind_a_relu_is_found_not_masked():
    """exp(800) overflows to inf, inf - inf is NaN, and relu must not turn that NaN into 0:
    eager raises on exp(800), so the compiled program raises too, naming exp, instead of
    returning a number (800.0) eager never gives."""
    compiled = autograd.compile(lambda v: (v[0].exp() - v[0].exp()).relu() + v[0], 1)
    assert compiled(np.array([[0.5]]))[0] == 0.5
    with pytest.raises(OverflowError, match="exp"):
        compiled(np.array([[800.0]]))
    with pytest.raises(OverflowError, match="exp"):
        Value(800.0).exp()


def test_an_overflow_a_later_op_hides_is_still_refused():
    """1 / (1 + exp(800)) is 0 on NumPy, but eager refuses exp(800): the compiled program
    checks every node it computed, not only its outputs, and raises eager's error."""
    compiled = autograd.compile(lambda v: 1.0 / (1.0 + (-v[0]).exp()), 1)
    assert compiled(np.array([[0.0]]))[0] == 0.5
    with pytest.raises(OverflowError, match=r"compiled exp, batch row 1: exp: result overflows"):
        compiled(np.array([[0.0], [-800.0]]))
    with pytest.raises(OverflowError, match="compiled exp"):
        compiled.value_and_grad(np.array([[-800.0]]))
    with pytest.raises(OverflowError, match=r"^exp: result overflows"):
        (1.0 / (1.0 + (-Value(-800.0)).exp()))
