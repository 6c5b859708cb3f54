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
    "module_scope",
    "no_grad",
    "sum",
]


def _documented_by(op: Op) -> Callable[[Callable], Callable]:
    """Decorator: the method's docstring is the row's math, written once in the table."""

    def decorate(method: Callable) -> Callable:
        method.__doc__ = op.math
        return method

    return decorate


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

    # -- operators: a number on either side becomes a Constant leaf ----------------------------

    @_documented_by(ops.ADD)
    def __add__(self, other: Value | float) -> Value:
        return _binary(ops.ADD, self, other)

    @_documented_by(ops.ADD)
    def __radd__(self, other: float) -> Value:
        return _binary(ops.ADD, other, self)

    @_documented_by(ops.SUB)
    def __sub__(self, other: Value | float) -> Value:
        return _binary(ops.SUB, self, other)

    @_documented_by(ops.SUB)
    def __rsub__(self, other: float) -> Value:
        return _binary(ops.SUB, other, self)

    @_documented_by(ops.MUL)
    def __mul__(self, other: Value | float) -> Value:
        return _binary(ops.MUL, self, other)

    @_documented_by(ops.MUL)
    def __rmul__(self, other: float) -> Value:
        return _binary(ops.MUL, other, self)

    @_documented_by(ops.DIV)
    def __truediv__(self, other: Value | float) -> Value:
        return _binary(ops.DIV, self, other)

    @_documented_by(ops.DIV)
    def __rtruediv__(self, other: float) -> Value:
        return _binary(ops.DIV, other, self)

    @_documented_by(ops.POW)
    def __pow__(self, other: Value | float) -> Value:
        """x ** c for a number c (the ``pow`` row), x ** y for a Value y (``pow_value``)."""
        exponent_is_value = isinstance(other, Value) and not isinstance(other, Constant)
        return _binary(ops.POW_VALUE if exponent_is_value else ops.POW, self, other)

    @_documented_by(ops.POW_VALUE)
    def __rpow__(self, other: float) -> Value:
        return _binary(ops.POW_VALUE, other, self)

    @_documented_by(ops.NEG)
    def __neg__(self) -> Value:
        return Value.apply(ops.NEG, self)

    def __pos__(self) -> Value:
        return self

    @_documented_by(ops.ABS)
    def __abs__(self) -> Value:
        return Value.apply(ops.ABS, self)

    # -- functions -----------------------------------------------------------------------------

    @_documented_by(ops.EXP)
    def exp(self) -> Value:
        return Value.apply(ops.EXP, self)

    @_documented_by(ops.LOG)
    def log(self) -> Value:
        return Value.apply(ops.LOG, self)

    @_documented_by(ops.SQRT)
    def sqrt(self) -> Value:
        return Value.apply(ops.SQRT, self)

    @_documented_by(ops.TANH)
    def tanh(self) -> Value:
        return Value.apply(ops.TANH, self)

    @_documented_by(ops.SIGMOID)
    def sigmoid(self) -> Value:
        return Value.apply(ops.SIGMOID, self)

    @_documented_by(ops.RELU)
    def relu(self) -> Value:
        return Value.apply(ops.RELU, self)

    @_documented_by(ops.LEAKY_RELU)
    def leaky_relu(self, slope: float = 0.01) -> Value:
        return Value.apply(ops.LEAKY_RELU, self, Constant(slope))

    @_documented_by(ops.SOFTPLUS)
    def softplus(self) -> Value:
        return Value.apply(ops.SOFTPLUS, self)

    @_documented_by(ops.SIN)
    def sin(self) -> Value:
        return Value.apply(ops.SIN, self)

    @_documented_by(ops.COS)
    def cos(self) -> Value:
        return Value.apply(ops.COS, self)

    # -- a Value as a number -------------------------------------------------------------------

    def item(self) -> float:
        """The number, ``data`` (as ``tensor.item()`` in PyTorch)."""
        return self.data

    def __float__(self) -> float:
        return self.data

    def __format__(self, spec: str) -> str:
        return format(self.data, spec) if spec else repr(self)

    def __lt__(self, other: Value | float) -> bool:
        number = _number(other)
        return NotImplemented if number is None else self.data < number

    def __le__(self, other: Value | float) -> bool:
        number = _number(other)
        return NotImplemented if number is None else self.data <= number

    def __gt__(self, other: Value | float) -> bool:
        number = _number(other)
        return NotImplemented if number is None else self.data > number

    def __ge__(self, other: Value | float) -> bool:
        number = _number(other)
        return NotImplemented if number is None else self.data >= number

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
    if isinstance(data, bool) or not isinstance(data, numbers.Real):
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


def _binary(op: Op, x: object, y: object) -> Value:
    x, y = _as_value(x), _as_value(y)
    if x is None or y is None:
        return NotImplemented  # Python then tries the other side, or raises TypeError
    return Value.apply(op, x, y)


def _number(other: object) -> float | None:
    """What a comparison compares ``other`` by: its number (None when it has none)."""
    if isinstance(other, Value):
        return other.data
    if isinstance(other, bool) or not isinstance(other, numbers.Real):
        return None
    return float(other)


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
