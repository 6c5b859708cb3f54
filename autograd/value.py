"""`Value`: one float, and the record of the operation that made it."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar, Token
from typing import Any

from . import ops
from .ops import FLOAT_MATH, OPS, Op


class Scope:
    """Where a Value was made: inside a call of ``module`` (an ``nn`` module), itself perhaps
    inside ``parent``. Drawings use it to box or collapse neurons and layers."""

    __slots__ = ("module", "parent")

    def __init__(self, module: object, parent: Scope | None) -> None:
        self.module = module
        self.parent = parent

    @property
    def name(self) -> str:
        return str(getattr(self.module, "name", "") or type(self.module).__name__)

    def path(self) -> list[Scope]:
        """Outermost scope first, this one last."""
        chain: list[Scope] = []
        scope: Scope | None = self
        while scope is not None:
            chain.append(scope)
            scope = scope.parent
        return chain[::-1]


# One context variable answers both questions a new node asks: record parents at all (False
# inside no_grad), and inside which module call (a Scope, or True for none). Being a
# ContextVar, it is separate per thread and per asyncio task.
_state: ContextVar[bool | Scope] = ContextVar("autograd_state", default=True)


class no_grad:  # noqa: N801  (named like the PyTorch context manager users know)
    """Context manager (and decorator): Values made inside it record no parents.

    The flag lives in a :class:`contextvars.ContextVar`, so one thread or asyncio task turning
    recording off does not affect another.
    """

    __slots__ = ("_tokens",)

    def __init__(self) -> None:
        self._tokens: list = []

    def __enter__(self) -> no_grad:
        self._tokens.append(_state.set(False))
        return self

    def __exit__(self, *exc: object) -> None:
        _state.reset(self._tokens.pop())

    def __call__(self, fn):  # type: ignore[no-untyped-def]
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            with no_grad():
                return fn(*args, **kwargs)

        return wrapper


class module_scope:  # noqa: N801
    """Context manager used by ``nn.Module.__call__``: Values made inside remember ``module``."""

    __slots__ = ("_module", "_token")

    def __init__(self, module: object) -> None:
        self._module = module

    def __enter__(self) -> None:
        self._token = _enter_scope(self._module)

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _state.reset(self._token)


def _enter_scope(module: object) -> Token | None:
    """Make ``module`` the innermost scope; None inside no_grad, where nothing is tagged."""
    state = _state.get()
    if state is False:
        return None
    return _state.set(Scope(module, state if state is not True else None))


def call_in_scope(module: object, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` inside ``module_scope(module)``, without the context manager's
    object and method calls: ``nn.Module.__call__`` runs once per neuron per sample."""
    token = _enter_scope(module)
    if token is None:
        return fn(*args, **kwargs)
    try:
        return fn(*args, **kwargs)
    finally:
        _state.reset(token)


def is_recording() -> bool:
    """True unless inside :class:`no_grad`."""
    return _state.get() is not False


def _as_float(data: object, what: str = "Value") -> float:
    kind = type(data)
    if kind is float:  # the common case, without the slow numbers.Real check
        if data != data:
            raise ValueError(f"{what} got NaN; a NaN would silently poison every gradient")
        return data  # type: ignore[return-value]
    if kind is int:
        return float(data)  # type: ignore[arg-type]
    if isinstance(data, bool) or not isinstance(data, numbers.Real):
        raise TypeError(f"{what} needs an int or float, got {type(data).__name__}: {data!r:.60}")
    value = float(data)
    if value != value:
        raise ValueError(f"{what} got NaN; a NaN would silently poison every gradient")
    return value


def _unary(op: Op) -> Callable[[Callable[[Value], Value]], Callable[[Value], Value]]:
    """Decorator: the method (only a signature and a docstring) makes ``op(self)``.

    The same as ``Value.apply(op, self)`` for a row without a domain check, minus the list of
    inputs and the check; the number comes from the row.
    """
    if op.arity != 1 or op.check is not None:
        raise ValueError(f"{op.name}: the fast unary path is for one-input rows without a check")
    forward = op.forward

    def decorate(declared: Callable[[Value], Value]) -> Callable[[Value], Value]:
        def method(self: Value) -> Value:
            return _node(op, forward(FLOAT_MATH, self.data), (self,))

        method.__name__ = declared.__name__
        method.__qualname__ = declared.__qualname__
        method.__doc__ = declared.__doc__
        return method

    return decorate


class Value:
    """A scalar in a computation graph.

    ``data`` is the number, ``grad`` is d(root)/d(this) after ``root.backward()``, ``label`` is a
    name for drawings, ``op`` names the operation that made it ("" for a leaf) and ``parents``
    are its inputs, in order (``a + a`` has two parents).
    """

    __slots__ = ("_op", "_parents", "_scope", "data", "grad", "label")

    def __init__(self, data: float, label: str = "") -> None:
        self.data = _as_float(data)
        self.grad = 0.0
        if type(label) is not str and not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}")
        self.label = label
        self._op: Op | None = None
        self._parents: tuple[Value, ...] = ()
        self._scope: Scope | None = None

    # -- graph construction ------------------------------------------------------------------

    @staticmethod
    def apply(op: Op, *parents: Value) -> Value:
        """Make the node ``op(*parents)``, checking the op's domain first."""
        datas = [p.data for p in parents]
        if op.check is not None:
            op.check(*datas)
        return _node(op, op.forward(FLOAT_MATH, *datas), parents)

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

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # -- operators -----------------------------------------------------------------------------

    # +, - and * skip Value.apply's generic work (their rows have no domain check); see
    # _binary_operator below. The number still comes from each op's row in the table.
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = None  # set after the class

    def __truediv__(self, other: Value | float) -> Value:
        other = _coerce(other)
        return NotImplemented if other is None else Value.apply(ops.DIV, self, other)

    def __rtruediv__(self, other: float) -> Value:
        other = _coerce(other)
        return NotImplemented if other is None else Value.apply(ops.DIV, other, self)

    def __pow__(self, other: Value | float) -> Value:
        if isinstance(other, Value) and not isinstance(other, Constant):
            return Value.apply(ops.POW_VALUE, self, other)
        other = _coerce(other)
        return NotImplemented if other is None else Value.apply(ops.POW, self, other)

    def __rpow__(self, other: float) -> Value:
        other = _coerce(other)
        return NotImplemented if other is None else Value.apply(ops.POW_VALUE, other, self)

    @_unary(ops.NEG)
    def __neg__(self) -> Value:
        """-x; d/dx = -1."""

    def __pos__(self) -> Value:
        return self

    @_unary(ops.ABS)
    def __abs__(self) -> Value:
        """|x|; d/dx = sign(x) (0 at 0)."""

    # -- functions -----------------------------------------------------------------------------

    def exp(self) -> Value:
        """e^x; d/dx = e^x."""
        return Value.apply(ops.EXP, self)

    def log(self) -> Value:
        """ln x for x > 0; d/dx = 1/x."""
        return Value.apply(ops.LOG, self)

    def sqrt(self) -> Value:
        """sqrt(x) for x >= 0; d/dx = 1 / (2 sqrt x)."""
        return Value.apply(ops.SQRT, self)

    @_unary(ops.TANH)
    def tanh(self) -> Value:
        """tanh x; d/dx = 1 - tanh^2 x."""

    @_unary(ops.SIGMOID)
    def sigmoid(self) -> Value:
        """σ(x) = 1 / (1 + e^-x), computed without overflow; d/dx = σ(x)(1 - σ(x))."""

    @_unary(ops.RELU)
    def relu(self) -> Value:
        """max(0, x); d/dx = 1 for x > 0, else 0."""

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x for x > 0, else slope * x; d/dx = 1 for x > 0, else slope."""
        return Value.apply(ops.LEAKY_RELU, self, Constant(slope))

    @_unary(ops.SOFTPLUS)
    def softplus(self) -> Value:
        """ln(1 + e^x), computed without overflow; d/dx = σ(x)."""

    @_unary(ops.SIN)
    def sin(self) -> Value:
        """sin x; d/dx = cos x."""

    @_unary(ops.COS)
    def cos(self) -> Value:
        """cos x; d/dx = -sin x."""

    def backward(self) -> None:
        """Backpropagate from this Value (seeded with 1.0); see :func:`autograd.backward`."""
        from .backward import backward

        backward(self)


class Constant(Value):
    """A number that entered the graph from an expression such as ``2 * x``.

    It is a leaf like any other, but it is not a parameter: the batched executor does not treat
    it as trainable and drawings mark it as a constant.
    """

    __slots__ = ()

    def __init__(self, data: float, label: str = "") -> None:
        super().__init__(data, label)


def _binary_operator(op: Op, reflected: bool) -> Callable[[Value, object], Value]:
    """``x <op> y`` (or ``y <op> x`` when ``reflected``) on Values, built once per op.

    Equivalent to ``Value.apply(op, x, Constant(y) if y is a number else y)`` for an op without
    a domain check, with the node made in place: these three operators are most of a graph.
    """
    forward = op.forward

    def operator_method(self: Value, other: object) -> Value:
        kind = type(other)
        if kind is Value or kind is Constant:  # the commonest case, without isinstance
            pass
        elif kind is float and other == other:  # a plain number: a Constant leaf
            other = _constant(other)
        elif not isinstance(other, Value):
            other = _coerce(other)
            if other is None:
                return NotImplemented
        # _node's body, inlined: one Python call less on the commonest nodes of every graph.
        out = _new(Value)
        if reflected:
            parents = (other, self)
            out.data = forward(FLOAT_MATH, other.data, self.data)  # type: ignore[union-attr]
        else:
            parents = (self, other)
            out.data = forward(FLOAT_MATH, self.data, other.data)  # type: ignore[union-attr]
        out.grad = 0.0
        out.label = ""
        state = _get_state()
        if state is False:  # inside no_grad: a leaf
            out._op = None
            out._parents = ()
            out._scope = None
        else:
            out._op = op
            out._parents = parents
            out._scope = None if state is True else state
        return out

    operator_method.__name__ = f"__{'r' if reflected else ''}{op.name}__"  # __add__, __radd__
    operator_method.__qualname__ = f"Value.{operator_method.__name__}"
    operator_method.__doc__ = op.math
    return operator_method


def _node(op: Op, data: float, parents: tuple[Value, ...]) -> Value:
    """A new Value made by ``op`` from ``parents`` (recorded unless inside no_grad)."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    state = _get_state()
    if state is False:  # inside no_grad: a leaf
        out._op = None
        out._parents = ()
        out._scope = None
    else:
        out._op = op
        out._parents = parents
        out._scope = None if state is True else state
    return out


def _constant(data: float) -> Constant:
    out = _new(Constant)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._op = None
    out._parents = ()
    out._scope = None
    return out


def _coerce(other: object) -> Value | None:
    if isinstance(other, Value):
        return other
    if type(other) is float and other == other:  # NaN goes the slow way, to its error
        return _constant(other)  # type: ignore[arg-type]
    if isinstance(other, bool) or not isinstance(other, numbers.Real):
        return None
    return Constant(other)


def sum(values: Iterable[Value | float]) -> Value:  # noqa: A001  (mirrors the builtin)
    """One n-ary node for x1 + ... + xn (d/dxi = 1): smaller graphs than a chain of ``+``."""
    parents = _values(values, "sum")
    if not parents:
        raise ValueError("sum: needs at least one value")
    return _node(_SUM, _sum(FLOAT_MATH, *[p.data for p in parents]), parents)


def dot(weights: Sequence[Value | float], inputs: Sequence[Value | float]) -> Value:
    """One node for w1*x1 + ... + wn*xn (d/dwi = xi, d/dxi = wi)."""
    return _weighted_sum(_DOT, weights, inputs, ())


def affine(
    weights: Sequence[Value | float], inputs: Sequence[Value | float], bias: Value | float
) -> Value:
    """One node for w1*x1 + ... + wn*xn + b (d/dwi = xi, d/dxi = wi, d/db = 1): a neuron's
    pre-activation, one node instead of a ``dot`` and a ``+``."""
    return _weighted_sum(_AFFINE, weights, inputs, (bias,))


def _weighted_sum(
    op: Op, weights: Sequence[Value | float], inputs: Sequence[Value | float], bias: tuple
) -> Value:
    """The node of ``dot`` (no bias) or ``affine`` (one bias): parents w..., x..., [b]."""
    if len(weights) != len(inputs):
        raise ValueError(f"{op.name}: {len(weights)} weights but {len(inputs)} inputs")
    if not weights:
        raise ValueError(f"{op.name}: needs at least one pair")
    parents = (*weights, *inputs, *bias)
    if not _VALUE_TYPES.issuperset(map(type, parents)):  # C-level check of the common case
        parents = tuple(_require(v, op.name) for v in parents)
    return _node(op, op.forward(FLOAT_MATH, *[p.data for p in parents]), parents)


def _values(values: Iterable[object], where: str) -> tuple[Value, ...]:
    """``values`` as a tuple of Values, numbers made Constants."""
    parents = tuple(values)
    if _VALUE_TYPES.issuperset(map(type, parents)):  # C-level check of the common case
        return parents  # type: ignore[return-value]
    return tuple(_require(v, where) for v in parents)


def _require(v: object, where: str) -> Value:
    out = _coerce(v)
    if out is None:
        raise TypeError(f"{where}: needs Values or numbers, got {type(v).__name__}")
    return out


Value.__add__ = _binary_operator(ops.ADD, reflected=False)  # type: ignore[method-assign]
Value.__radd__ = _binary_operator(ops.ADD, reflected=True)  # type: ignore[method-assign]
Value.__sub__ = _binary_operator(ops.SUB, reflected=False)  # type: ignore[method-assign]
Value.__rsub__ = _binary_operator(ops.SUB, reflected=True)  # type: ignore[method-assign]
Value.__mul__ = _binary_operator(ops.MUL, reflected=False)  # type: ignore[method-assign]
Value.__rmul__ = _binary_operator(ops.MUL, reflected=True)  # type: ignore[method-assign]

# Bound once: the node factory and the rows' own forward rules used by the fast paths above.
_new = object.__new__
_VALUE_TYPES = frozenset({Value, Constant})
_get_state = _state.get
_SUM, _DOT, _AFFINE = ops.SUM, ops.DOT, ops.AFFINE
_sum = _SUM.forward


class ValueMath:
    """The math backend on Values: derivative rules run here build differentiable graphs."""

    exp = staticmethod(Value.exp)
    log = staticmethod(Value.log)
    sqrt = staticmethod(Value.sqrt)
    tanh = staticmethod(Value.tanh)
    sin = staticmethod(Value.sin)
    cos = staticmethod(Value.cos)
    sigmoid = staticmethod(Value.sigmoid)
    softplus = staticmethod(Value.softplus)
    relu = staticmethod(Value.relu)
    abs = staticmethod(Value.__abs__)
    sum = staticmethod(sum)

    @staticmethod
    def step(x: Value) -> float:
        # The step's own derivative is 0 almost everywhere, so a plain number is exact.
        return 1.0 if x.data > 0.0 else 0.0

    @staticmethod
    def sign(x: Value) -> float:
        return ops.FLOAT_MATH.sign(x.data)

    @staticmethod
    def const(x: Value) -> float:
        return x.data

    @staticmethod
    def pow(x: Value, y: Value | float) -> Value:
        return x**y


VALUE_MATH = ValueMath()

__all__ = [
    "OPS",
    "VALUE_MATH",
    "Constant",
    "Scope",
    "Value",
    "affine",
    "dot",
    "is_recording",
    "module_scope",
    "no_grad",
    "sum",
]
