"""`Value`: one float, and the record of the operation that made it.

``a * b`` calls ``Value.__mul__``, which makes the node ``mul(a, b)``: the ``mul`` row of the
op table computes the number, and the new Value remembers the row and its parents. That record
is the whole graph; :mod:`autograd.core.backward` walks it back with the chain rule. (Nodes of
many inputs, ``sum`` or ``dot``, are rows applied the same way: :mod:`autograd.core.nary`.)

This file is what runs. Every node comes from one of two factories, both below:

* :func:`make_node`, the general one (``Value.apply``): check the row's domain, compute the
  number with the row's forward, refuse a result that is not finite, record the node;
* the operator and method factories, for rows without a domain check (``+``, ``-``, ``*``,
  ``tanh``, ``relu``, ...): the same node with fewer Python calls, since a training step
  makes millions of them. A random-program test (tests/autograd/core/test_fast_paths.py)
  holds them to ``make_node``'s graphs, numbers and errors.

Threads: building graphs is safe from any number of threads (the recording flag and the
current module are per thread and per asyncio task). ``backward()`` passes run one at a time, so
passes into shared leaves add up, and a reader of ``.grad`` never sees a partial sum; see
docs/engine.md, "Threads", for what is not safe.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Callable

from . import ops
from .backends import FLOAT_MATH
from .backward import backward
from .finite import finite_float
from .ops import Op
from .scope import (
    Scope,
    call_in_scope,
    current_scope,
    is_recording,
    module_scope,
    no_grad,
)

# Scope, call_in_scope, module_scope and no_grad are autograd.core.scope's, re-exported.
__all__ = [
    "Constant",
    "Scope",
    "Value",
    "as_value",
    "call_in_scope",
    "make_node",
    "module_scope",
    "no_grad",
]

_new = object.__new__  # a Value without __init__: the factories fill every slot themselves
_isfinite = math.isfinite


def make_node(op: Op, parents: tuple[Value, ...]) -> Value:
    """The node ``op(*parents)``: check the domain, compute the number with the row, and
    (unless inside ``no_grad``) record the row and the parents. An input outside the row's
    domain raises the row's error, a result that is not finite raises OverflowError naming
    the op and its operands; either way nothing is made."""
    xs = [p.data for p in parents]
    if op.check is not None:
        op.check(*xs)  # raises, naming the op, before anything is made
    try:
        data = op.forward(FLOAT_MATH, *xs)
    except (OverflowError, ValueError) as error:
        raise op.not_finite(xs) from error
    if not _isfinite(data):
        raise op.not_finite(xs)
    return _node(op, data, parents)


def _node(op: Op, data: float, parents: tuple[Value, ...]) -> Value:
    """A new Value holding ``data`` (a finite float a row computed), recording ``op`` and its
    ``parents`` and the module call running now; a leaf inside ``no_grad``. The slots are
    filled directly: ``Value.__init__`` would check ``data`` and the label again."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out._sum = 0.0
    out.label = ""
    if is_recording():
        out._op = op
        out._parents = parents
        out._scope = current_scope()
    else:  # inside no_grad: a leaf
        out._op = None
        out._parents = ()
        out._scope = None
    return out


def _constant(data: float) -> Constant:
    """A Constant leaf for a finite float (the number in ``2.0 * x``)."""
    out = _new(Constant)
    out.data = data
    out.grad = 0.0
    out._sum = 0.0
    out.label = ""
    out._op = None
    out._parents = ()
    out._scope = None
    return out


def _operator(
    op: Op, arithmetic: Callable[[float, float], float], reflected: bool = False
) -> Callable[[Value, object], Value]:
    """The operator ``x <op> y`` (``y <op> x`` when ``reflected``), a number made a Constant.

    :func:`make_node` written out, one Python call per node instead of four: ``arithmetic`` is
    the row's forward on two floats as one C function (``operator.add`` for ``x + y``), the
    row's domain check (``/``) runs on the numbers, the node is made inline. The errors are the
    row's: its check's, or its ``not_finite`` for an overflow.
    """
    check = op.check

    def binary(self: Value, other: object) -> Value:
        kind = type(other)
        if kind is Value or kind is Constant:  # the commonest case, without isinstance
            pass
        elif kind is float and _isfinite(other):  # type: ignore[arg-type]
            other = _constant(other)  # type: ignore[arg-type]
        else:
            other = as_value(other)
            if other is None:
                return NotImplemented  # Python then tries the other side, or raises TypeError
        if reflected:
            parents = (other, self)
            x, y = other.data, self.data  # type: ignore[union-attr]
        else:
            parents = (self, other)
            x, y = self.data, other.data  # type: ignore[union-attr]
        if check is not None:
            check(x, y)  # raises, naming the op, before anything is made
        try:
            data = arithmetic(x, y)
        except (OverflowError, ValueError) as error:  # 1e300 / 1e-300
            raise op.not_finite([x, y]) from error
        if not _isfinite(data):  # an overflow: finite inputs give no NaN here
            raise op.not_finite([x, y])
        out = _new(Value)  # _node's body, inline
        out.data = data
        out.grad = 0.0
        out._sum = 0.0
        out.label = ""
        if is_recording():
            out._op = op
            out._parents = parents
            out._scope = current_scope()
        else:
            out._op = None
            out._parents = ()
            out._scope = None
        return out

    binary.__doc__ = op.math
    return binary


def _method(op: Op, function: Callable[[float], float] | None = None) -> Callable[[Value], Value]:
    """The method ``x.f()`` for a one-input row, documented by the row: :func:`make_node`
    written out, as :func:`_operator`. ``function`` is the row's forward on a float as one C
    function (``math.exp`` for ``exp``), else the row's own forward runs. A row with a domain
    check (exp, log, sqrt) runs it first; the others (tanh, relu, sin, ...) are finite for
    every finite input, so neither check is needed."""
    check = op.check
    forward = op.float_forward if function is None else function

    def unary(self: Value) -> Value:
        x = self.data
        if check is not None:
            check(x)  # raises, naming the op, before anything is made
            try:
                data = forward(x)
            except (OverflowError, ValueError) as error:
                raise op.not_finite([x]) from error
            if not _isfinite(data):
                raise op.not_finite([x])
        else:
            data = forward(x)
        out = _new(Value)  # _node's body, inline
        out.data = data
        out.grad = 0.0
        out._sum = 0.0
        out.label = ""
        if is_recording():
            out._op = op
            out._parents = (self,)
            out._scope = current_scope()
        else:
            out._op = None
            out._parents = ()
            out._scope = None
        return out

    unary.__doc__ = op.math
    return unary


class Value:
    """A scalar in a computation graph.

    ``data`` is the number, ``grad`` is d(root)/d(this) after ``root.backward()``, ``label`` is a
    name for drawings, ``op`` names the operation that made it ("" for a leaf) and ``parents``
    are its inputs, in order (``a + a`` has two parents). ``data`` is always finite.

    ``==`` and ``hash`` are by identity (a Value is a graph node, and graphs keep Values in sets
    and dicts); ``<``, ``<=``, ``>``, ``>=`` compare ``data``, so ``max`` and ``sorted`` work.
    """

    # _sum: the float backward pass's scratch sum of this node's gradient, 0.0 between passes
    # (the pass writes .grad once, whole: see autograd/core/backward.py).
    __slots__ = ("_op", "_parents", "_scope", "_sum", "data", "grad", "label")

    def __init__(self, data: float, label: str = "") -> None:
        self.data = finite_float(data)
        self.grad = 0.0
        self._sum = 0.0
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}")
        self.label = label
        self._op: Op | None = None  # the row that made this Value; None for a leaf
        self._parents: tuple[Value, ...] = ()
        self._scope: object = None  # a Scope, or an object resolving it: see the scope property

    @staticmethod
    def apply(op: Op, *parents: Value) -> Value:
        """The node ``op(*parents)``: :func:`make_node` (the domain checked, the number
        computed with the row, and, unless inside ``no_grad``, the row and parents recorded)."""
        return make_node(op, parents)

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
        """The innermost nn module call (or, inside ``record_calls()``, your function's call)
        that made this Value, if any."""
        scope = self._scope
        if scope is None or type(scope) is Scope:
            return scope
        return scope.scope_of(self)  # one record for many calls (an nn layer's neurons)

    @property
    def is_leaf(self) -> bool:
        return self._op is None

    def backward(self) -> None:
        """Backpropagate from this Value (seeded with 1.0):
        :func:`autograd.core.backward.backward`."""
        backward(self)

    # -- each op is its row applied: a number on either side becomes a Constant leaf ---------
    # (the factories above give each method its row's math as docstring; ``_name`` below
    # gives it its name)

    # (the C function beside each row is that row's forward on floats; the random-program
    # test in tests/autograd/core/test_fast_paths.py holds each pair to the same bits)
    __add__ = _operator(ops.ADD, operator.add)
    __radd__ = _operator(ops.ADD, operator.add, reflected=True)
    __sub__ = _operator(ops.SUB, operator.sub)
    __rsub__ = _operator(ops.SUB, operator.sub, reflected=True)
    __mul__ = _operator(ops.MUL, operator.mul)
    __rmul__ = _operator(ops.MUL, operator.mul, reflected=True)
    __truediv__ = _operator(ops.DIV, operator.truediv)
    __rtruediv__ = _operator(ops.DIV, operator.truediv, reflected=True)
    __rpow__ = _operator(ops.POW_VALUE, operator.pow, reflected=True)
    __neg__, __abs__ = _method(ops.NEG, operator.neg), _method(ops.ABS, abs)
    exp, log = _method(ops.EXP, math.exp), _method(ops.LOG, math.log)
    sqrt = _method(ops.SQRT, math.sqrt)
    tanh, sigmoid = _method(ops.TANH, math.tanh), _method(ops.SIGMOID)
    softplus = _method(ops.SOFTPLUS)
    sin, cos = _method(ops.SIN, math.sin), _method(ops.COS, math.cos)

    def __pow__(self, other: Value | float) -> Value:
        """x ** c for a number c (the ``pow`` row), x ** y for a Value y (``pow_value``)."""
        x = self.data
        if type(other) is float and x > 0.0 and _isfinite(other):
            # The commonest case, written out: for a positive base the row's check can only
            # refuse an overflow, which computing x ** c finds (the check then words it).
            try:
                data = x**other
            except OverflowError:
                ops.POW.check(x, other)  # type: ignore[misc]
                raise
            if not _isfinite(data):
                raise ops.POW.not_finite([x, other])
            exponent = _constant(other)
            out = _new(Value)  # _node's body, inline
            out.data = data
            out.grad = 0.0
            out._sum = 0.0
            out.label = ""
            if is_recording():
                out._op = ops.POW
                out._parents = (self, exponent)
                out._scope = current_scope()
            else:
                out._op = None
                out._parents = ()
                out._scope = None
            return out
        if isinstance(other, Value) and not isinstance(other, Constant):
            return _pow_value(self, other)
        return _pow_number(self, other)

    def relu(self) -> Value:
        x = self.data
        out = _new(Value)  # _method's body with the row's forward inline: max(x, 0)
        out.data = x if x > 0.0 else 0.0
        out.grad = 0.0
        out._sum = 0.0
        out.label = ""
        if is_recording():
            out._op = ops.RELU
            out._parents = (self,)
            out._scope = current_scope()
        else:
            out._op = None
            out._parents = ()
            out._scope = None
        return out

    relu.__doc__ = ops.RELU.math

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


_pow_number = _operator(ops.POW, operator.pow)  # x ** c, c a number or a Constant
_pow_value = _operator(ops.POW_VALUE, operator.pow)  # x ** y, y a Value


def as_value(x: object) -> Value | None:
    """``x`` itself if a Value, a Constant leaf if a number, None for anything else."""
    if isinstance(x, Value):
        return x
    if type(x) is float and _isfinite(x):
        return _constant(x)
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return None
    return Constant(x)  # checks the number: NaN and infinities raise


def _compare(compare: Callable[[float, float], bool], x: Value, y: object) -> bool:
    """``compare`` on the numbers of ``x`` and ``y`` (a Value or a number)."""
    if isinstance(y, Value):
        return compare(x.data, y.data)
    if isinstance(y, bool) or not isinstance(y, numbers.Real):
        return NotImplemented
    return compare(x.data, y)


def _name(cls: type) -> None:
    """Give each method the factories made its attribute name (``help(Value.__mul__)``)."""
    for name, attribute in vars(cls).items():
        function = attribute.__func__ if isinstance(attribute, staticmethod) else attribute
        if callable(function) and function.__qualname__.startswith(("_operator.", "_method.")):
            function.__name__, function.__qualname__ = name, f"{cls.__name__}.{name}"


_name(Value)
