"""`Value`: one float, and the record of the operation that made it.

``a * b`` calls ``Value.__mul__``, which calls ``Value.apply(MUL, a, b)``: the ``mul`` row of
the op table computes the number, and the new Value remembers the row and its parents. That
record is the whole graph; :mod:`autograd.backward` walks it back with the chain rule.

This is the readable engine. :mod:`autograd.fast` installs faster equivalents of the busiest
parts (checked against these by tests); nothing here depends on them.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Callable, Iterable, Sequence

from . import ops
from .backends import FLOAT_MATH, VALUE_MATH
from .backward import backward, backward_steps
from .ops import OPS, Op
from .scope import (
    Scope,
    call_in_scope,
    current_scope,
    enable_grad,
    is_recording,
    module_scope,
    no_grad,
)

__all__ = [
    "OPS",
    "Constant",
    "Scope",
    "Value",
    "affine",
    "call_in_scope",
    "dot",
    "enable_grad",
    "grad",
    "is_recording",
    "logsumexp",
    "module_scope",
    "no_grad",
    "scaled_log",
    "sum",
]


def _method(op: Op) -> Callable[[Value], Value]:
    """The method ``x.f()`` for a one-input row: ``Value.apply(op, x)``, documented by the row."""

    def method(self: Value) -> Value:
        return Value.apply(op, self)

    method.__name__, method.__doc__ = op.name, op.math
    return method


def _operator(op: Op, reflected: bool = False) -> Callable[[Value, object], Value]:
    """The operator ``x <op> y`` (``y <op> x`` when ``reflected``), a number made a Constant."""

    def method(self: Value, other: object) -> Value:
        other = _as_value(other)
        if other is None:
            return NotImplemented  # Python then tries the other side, or raises TypeError
        return Value.apply(op, other, self) if reflected else Value.apply(op, self, other)

    method.__doc__ = op.math
    return method


class Value:
    """A scalar in a computation graph.

    ``data`` is the number, ``grad`` is d(root)/d(this) after ``root.backward()``, ``label`` is a
    name for drawings, ``op`` names the operation that made it ("" for a leaf) and ``parents``
    are its inputs, in order (``a + a`` has two parents). ``data`` is always finite.

    ``==`` and ``hash`` are by identity (a Value is a graph node, and graphs keep Values in sets
    and dicts); ``<``, ``<=``, ``>``, ``>=`` compare ``data``, so ``max`` and ``sorted`` work.
    """

    __slots__ = ("_op", "_parents", "_scope", "data", "grad", "label")

    def __init__(self, data: float, label: str = "") -> None:
        self.data = as_finite_float(data)
        self.grad = 0.0
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}")
        self.label = label
        self._op: Op | None = None  # the row that made this Value; None for a leaf
        self._parents: tuple[Value, ...] = ()
        self._scope: Scope | None = None

    @staticmethod
    def apply(op: Op, *parents: Value) -> Value:
        """The node ``op(*parents)``: check the domain, compute the number with the row, and
        (unless inside ``no_grad``) record the row and the parents."""
        xs = [p.data for p in parents]
        if op.check is not None:
            op.check(*xs)  # raises, naming the op, before anything is made
        try:
            data = op.forward(FLOAT_MATH, *xs)
        except (OverflowError, ValueError) as error:
            raise op.not_finite(xs) from error
        if not math.isfinite(data):
            raise op.not_finite(xs)
        out = Value(data)
        if is_recording():
            out._op, out._parents, out._scope = op, parents, current_scope()
        return out

    @property
    def op(self) -> str:
        """Name of the op that made this Value ("" for a leaf)."""
        return self._op.name if self._op is not None else ""

    @property
    def parents(self) -> tuple[Value, ...]:
        """The inputs of the op that made this Value, in order."""
        return self._parents

    @property
    def scope(self) -> Scope | None:
        """The innermost nn module call that made this Value, if any."""
        return self._scope

    @property
    def is_leaf(self) -> bool:
        return self._op is None

    def backward(self) -> None:
        """Backpropagate from this Value (seeded with 1.0); see :func:`autograd.backward`."""
        backward(self)

    # -- each op is its row applied: a number on either side becomes a Constant leaf ---------

    __add__, __radd__ = _operator(ops.ADD), _operator(ops.ADD, reflected=True)
    __sub__, __rsub__ = _operator(ops.SUB), _operator(ops.SUB, reflected=True)
    __mul__, __rmul__ = _operator(ops.MUL), _operator(ops.MUL, reflected=True)
    __truediv__, __rtruediv__ = _operator(ops.DIV), _operator(ops.DIV, reflected=True)
    __rpow__ = _operator(ops.POW_VALUE, reflected=True)
    __neg__, __abs__ = _method(ops.NEG), _method(ops.ABS)
    exp, log, sqrt = _method(ops.EXP), _method(ops.LOG), _method(ops.SQRT)
    tanh, sigmoid, softplus = _method(ops.TANH), _method(ops.SIGMOID), _method(ops.SOFTPLUS)
    relu, sin, cos = _method(ops.RELU), _method(ops.SIN), _method(ops.COS)

    def __pow__(self, other: Value | float) -> Value:
        """x ** c for a number c (the ``pow`` row), x ** y for a Value y (``pow_value``)."""
        exponent_is_value = isinstance(other, Value) and not isinstance(other, Constant)
        exponent = _as_value(other)
        if exponent is None:
            return NotImplemented
        return Value.apply(ops.POW_VALUE if exponent_is_value else ops.POW, self, exponent)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        return Value.apply(ops.LEAKY_RELU, self, Constant(slope))

    leaky_relu.__doc__ = ops.LEAKY_RELU.math

    def __pos__(self) -> Value:
        return self

    # -- a Value as a number -------------------------------------------------------------------

    def item(self) -> float:
        """The number, ``data`` (as ``tensor.item()`` in PyTorch)."""
        return self.data

    def __float__(self) -> float:
        return self.data

    def __format__(self, spec: str) -> str:
        return format(self.data, spec) if spec else repr(self)

    def __lt__(self, other: Value | float) -> bool:
        return _compare(operator.lt, self, other)

    def __le__(self, other: Value | float) -> bool:
        return _compare(operator.le, self, other)

    def __gt__(self, other: Value | float) -> bool:
        return _compare(operator.gt, self, other)

    def __ge__(self, other: Value | float) -> bool:
        return _compare(operator.ge, self, other)

    __eq__ = object.__eq__  # by identity: see the class docstring
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"


class Constant(Value):
    """A number that entered the graph from an expression such as ``2 * x``.

    A leaf like any other, but not a parameter: ``compile`` does not treat it as trainable and
    drawings mark it as a constant.
    """

    __slots__ = ()


def as_finite_float(data: object, what: str = "Value") -> float:
    """``data`` as a float; a non-number raises TypeError, NaN or an infinity ValueError."""
    if isinstance(data, bool) or not isinstance(data, (float, int, numbers.Real)):
        raise TypeError(f"{what} needs an int or float, got {type(data).__name__}: {data!r:.60}")
    number = float(data)
    if not math.isfinite(number):
        raise ValueError(
            f"{what} got {number}; a NaN or an infinity would make NaN gradients "
            "(inf - inf, 0 * inf), so every Value is finite"
        )
    return number


def _as_value(x: object) -> Value | None:
    """``x`` itself if a Value, a Constant leaf if a number, None for anything else."""
    if isinstance(x, Value):
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return None
    return Constant(x)


def _compare(compare: Callable[[float, float], bool], x: Value, y: object) -> bool:
    """``compare`` on the numbers of ``x`` and ``y`` (a Value or a number)."""
    if isinstance(y, Value):
        return compare(x.data, y.data)
    if isinstance(y, bool) or not isinstance(y, numbers.Real):
        return NotImplemented
    return compare(x.data, y)


def _values(values: Iterable[object], where: str) -> tuple[Value, ...]:
    out = tuple(_as_value(v) for v in values)
    for v, value in zip(values, out):  # type: ignore[arg-type]
        if value is None:
            raise TypeError(f"{where}: needs Values or numbers, got {type(v).__name__}")
    return out  # type: ignore[return-value]


def sum(values: Iterable[Value | float]) -> Value:  # noqa: A001  (mirrors the builtin)
    """One n-ary node for x1 + ... + xn (d/dxi = 1): smaller graphs than a chain of ``+``."""
    parents = _values(list(values), "sum")
    if not parents:
        raise ValueError("sum: needs at least one value")
    return Value.apply(ops.SUM, *parents)


def dot(weights: Sequence[Value | float], inputs: Sequence[Value | float]) -> Value:
    """One node for w1*x1 + ... + wn*xn (d/dwi = xi, d/dxi = wi)."""
    return _weighted_sum(ops.DOT, weights, inputs, ())


def affine(
    weights: Sequence[Value | float], inputs: Sequence[Value | float], bias: Value | float
) -> Value:
    """One node for w1*x1 + ... + wn*xn + b (d/dwi = xi, d/dxi = wi, d/db = 1): a neuron's
    pre-activation, one node instead of a ``dot`` and a ``+``."""
    return _weighted_sum(ops.AFFINE, weights, inputs, (bias,))


def logsumexp(values: Iterable[Value | float]) -> Value:
    """One node for ln(e^x1 + ... + e^xn) (d/dxi = softmax_i), finite for any inputs: the
    stable core of cross-entropy and softmax."""
    parents = _values(list(values), "logsumexp")
    if not parents:
        raise ValueError("logsumexp: needs at least one value")
    return Value.apply(ops.LOGSUMEXP, *parents)


def scaled_log(x: Value | float, c: float) -> Value:
    """c * ln x, 0 when c = 0 even at x = 0 (d/dx = c / x): a term of weight 0 adds nothing, as
    in binary cross-entropy. ``c`` is held constant: no gradient flows to it, even when it is a
    Value (a target that ``compile`` feeds as an input column)."""
    x_value, c_value = _values([x, c], "scaled_log")
    return Value.apply(ops.SCALED_LOG, x_value, c_value)


def _weighted_sum(op: Op, weights: Sequence, inputs: Sequence, bias: tuple) -> Value:
    """The node of ``dot`` (no bias) or ``affine`` (one bias): parents w..., x..., [b]."""
    if len(weights) != len(inputs):
        raise ValueError(f"{op.name}: {len(weights)} weights but {len(inputs)} inputs")
    if not weights:
        raise ValueError(f"{op.name}: needs at least one pair")
    return Value.apply(op, *_values([*weights, *inputs, *bias], op.name))


def grad(output: Value, inputs: Sequence[Value], create_graph: bool = False) -> list[Value]:
    """d output / d input for each input, leaving every ``.grad`` untouched (0 for an input
    ``output`` does not depend on).

    With ``create_graph=True`` the derivative rules run on Values, so each result is itself a
    differentiable Value (``grad`` of a ``grad`` is a second derivative); that graph is
    recorded even inside ``no_grad``.
    """
    for what, v in [("output", output), *((f"inputs[{i}]", x) for i, x in enumerate(inputs))]:
        if not isinstance(v, Value):
            raise TypeError(f"grad: {what} must be a Value, got {type(v).__name__}")
    if not create_graph:
        grads = {node: g for node, g, _ in backward_steps(output)}
        return [Value(grads.get(x, 0.0)) for x in inputs]
    with enable_grad():
        grads = {node: g for node, g, _ in backward_steps(output, Value(1.0), VALUE_MATH)}
        return [grads[x] if x in grads else Value(0.0) for x in inputs]
