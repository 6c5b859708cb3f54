"""``define_op``: add an op of your own to the table, as a row like the built-ins.

A row is a forward rule and a derivative rule written against a math backend ``m`` (``m.exp``,
``m.log``, ``m.sigmoid``, ``m.step``, ... and plain arithmetic)::

    swish = define_op(
        "swish",
        forward=lambda m, x: x * m.sigmoid(x),
        derivatives=lambda m, out, x: (m.sigmoid(x) + out * (1.0 - m.sigmoid(x)),),
        math="f = x σ(x); f' = σ(x) + f (1 - σ(x))",
    )
    y = swish(x)  # a node of the graph, like x.tanh()

Because the rule only uses ``m``, it runs on floats (backward), on Values (second derivatives
with ``grad(..., create_graph=True)``) and on NumPy arrays (``autograd.compile``). The row is
registered in :data:`autograd.core.ops.OPS`, so drawings, ``explain``, ``jvp`` and gradcheck read it
like any other. Check it with :func:`autograd.testing.check_op`.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .backends import FLOAT_MATH
from .ops import OPS, Op
from .value import Constant, Value

__all__ = ["UserOp", "define_op", "redefined_ops", "remove_op"]

DEFAULT_INTERVAL = (-3.0, 3.0)

# Names of the rows made by define_op: only these can be removed again.
_USER_DEFINED: set[str] = set()
# Held while the table is checked and changed, so two threads defining one name cannot both win.
_TABLE_LOCK = threading.Lock()


@dataclass(frozen=True, eq=False, repr=False)
class UserOp(Op):
    """A row made by :func:`define_op`; calling it on Values or numbers makes a node."""

    def __call__(self, *inputs: Value | float) -> Value:
        """The node ``op(*inputs)``: numbers become constants, the domain check runs first, and a
        result that is not a finite number raises (naming the op and its operands), as for
        :meth:`Value.apply`."""
        if self.arity != -1 and len(inputs) != self.arity:
            raise TypeError(
                f"{self.name}: takes {self.arity} input{'s' * (self.arity != 1)}, got {len(inputs)}"
            )
        parents = tuple(_as_value(self, i, x) for i, x in enumerate(inputs))
        return Value.apply(self, *parents)  # the domain check, then a finite result or an error


def _as_value(op: Op, index: int, x: object) -> Value:
    if isinstance(x, Value):
        if index in op.constant_inputs and not isinstance(x, Constant) and not x.is_leaf:
            raise TypeError(
                f"{op.name}: input {index} is held constant by the op; pass a number, not a "
                "Value computed from others"
            )
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(
            f"{op.name}: input {index} must be a Value or a number, got {type(x).__name__}"
        )
    return Constant(x)


def define_op(
    name: str,
    forward: Callable[..., Any],
    derivatives: Callable[..., Sequence[Any]],
    *,
    label: str | None = None,
    math: str = "",
    domain: Sequence[tuple[float, float]] | None = None,
    check: Callable[..., None] | None = None,
    edge_points: Sequence[Sequence[float]] = (),
    constant_inputs: Sequence[int] = (),
    syntax: str | None = None,
    torch: str = "",
) -> UserOp:
    """Add the op ``name`` to the table and return it (call it on Values: ``op(x, y)``).

    Args:
        name: the row's key, what ``Value.op`` reports; must not clash with a row in the table.
        forward: ``forward(m, *xs) -> out``, using only ``m``'s functions and arithmetic.
            Its parameters after ``m`` give the arity (``*xs`` for any number of inputs; then
            ``domain`` fixes how many inputs the checks use).
        derivatives: ``derivatives(m, out, *xs) -> tuple``, d out / d x_i for each input, in
            order (``0.0`` for an input in ``constant_inputs``).
        label: text of the op's node in drawings (default: ``name``).
        math: f and f' for people (drawings, docs).
        domain: a ``(low, high)`` interval per input from which checks draw safe points
            (default: (-3, 3) for each).
        check: ``check(*xs)`` raising a clear error for inputs outside the domain; it runs before
            the forward rule, so a bad input never enters the graph.
        edge_points: extra test points (one tuple of inputs each): kinks, large magnitudes.
        constant_inputs: indices of inputs the op holds constant (such as a slope).
        syntax: how the op is written (default ``name(x)``, ``name(x, y)``, ...).
        torch: the same function in PyTorch (``x``, ``y``, ``xs``), for reference tests.

    The derivative rule is probed once at the middle of ``domain``: a rule returning the wrong
    number of derivatives, or a forward that fails there, is refused with ``ValueError``. The
    row holds both rules checked on every use (see :func:`checked_forward` and
    :func:`checked_derivatives`), so a rule that goes wrong away from that point raises an
    error naming the op in every engine instead of giving a wrong number.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"define_op: name must be an identifier such as 'swish', got {name!r}")
    _refuse_taken(name)
    for what, rule in (("forward", forward), ("derivatives", derivatives)):
        if not callable(rule):
            raise TypeError(f"define_op {name!r}: {what} must be callable")
    arity = _arity(name, forward)
    box = _domain(name, arity, domain)
    constants = tuple(constant_inputs)
    for index in constants:
        if not 0 <= index < len(box):
            raise ValueError(f"define_op {name!r}: constant input {index} is not an input")
    points = tuple(tuple(float(x) for x in point) for point in edge_points)
    for point in points:
        if len(point) != len(box):
            raise ValueError(
                f"define_op {name!r}: edge point {point} has {len(point)} inputs, not {len(box)}"
            )
    op = UserOp(
        name,
        arity,
        forward=checked_forward(name, forward),
        derivatives=checked_derivatives(name, derivatives),
        label=name if label is None else str(label),
        math=math,
        syntax=syntax or f"{name}({', '.join(_input_names(len(box)))})",
        domain=box,
        edge_points=points,
        check=check,
        constant_inputs=constants,
        torch=torch,
    )
    _probe(op, forward, derivatives)
    with _TABLE_LOCK:  # the user's rules ran above, outside the lock
        _refuse_taken(name)
        OPS[name] = op
        _USER_DEFINED.add(name)
    return op


def _refuse_taken(name: str) -> None:
    if name in OPS:
        kind = "an op you defined" if name in _USER_DEFINED else "a built-in op"
        raise ValueError(
            f"define_op: {name!r} is already in the table ({kind}); choose another name"
            + (" or remove_op it first" if name in _USER_DEFINED else "")
        )


def remove_op(op: Op | str) -> None:
    """Take a row made by :func:`define_op` out of the table (a built-in row cannot be removed).

    Nodes already made with it keep working for backward; drawings need the row."""
    name = op.name if isinstance(op, Op) else op
    with _TABLE_LOCK:
        if name not in _USER_DEFINED:
            what = "a built-in op" if name in OPS else "not in the table"
            raise ValueError(f"remove_op: {name!r} is {what}; only ops made by define_op can go")
        del OPS[name]
        _USER_DEFINED.discard(name)


def user_defined() -> list[str]:
    """Names of the rows currently in the table that were made by :func:`define_op`."""
    return sorted(_USER_DEFINED)


def redefined_ops(nodes: Sequence[Value]) -> list[str]:
    """Names of the ops that made some of ``nodes`` but are no longer the table's row under that
    name (removed, or defined again since). Such a node still computes with its own row
    (``node._op``); whatever looks rows up by name (the explorer page's JavaScript forms) must
    not be used for it."""
    return sorted({v.op for v in nodes if v._op is not None and OPS.get(v.op) is not v._op})


def _arity(name: str, forward: Callable[..., Any]) -> int:
    try:
        parameters = list(inspect.signature(forward).parameters.values())
    except (TypeError, ValueError):
        raise ValueError(
            f"define_op {name!r}: cannot read the signature of forward; write it as "
            "forward(m, x, ...)"
        ) from None
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return -1
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(positional) < 2:
        raise ValueError(
            f"define_op {name!r}: forward must take the math backend and at least one input, "
            "forward(m, x, ...)"
        )
    return len(positional) - 1


def _domain(
    name: str, arity: int, domain: Sequence[tuple[float, float]] | None
) -> tuple[tuple[float, float], ...]:
    if domain is None:
        if arity == -1:
            raise ValueError(
                f"define_op {name!r}: forward takes any number of inputs (*xs); give a domain "
                "with one (low, high) interval per input the checks should use"
            )
        return (DEFAULT_INTERVAL,) * arity
    box = []
    for interval in domain:
        try:
            low, high = (float(bound) for bound in interval)
        except (TypeError, ValueError):
            raise ValueError(
                f"define_op {name!r}: domain must be (low, high) pairs, got {interval!r}"
            ) from None
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ValueError(
                f"define_op {name!r}: domain interval {interval!r} must be finite, low < high"
            )
        box.append((low, high))
    if arity != -1 and len(box) != arity:
        raise ValueError(
            f"define_op {name!r}: forward takes {arity} inputs but domain has {len(box)} intervals"
        )
    return tuple(box)


def _input_names(count: int) -> list[str]:
    return ["x", "y", "z"][:count] if count <= 3 else [f"x{i}" for i in range(1, count + 1)]


def _probe(op: Op, forward: Callable[..., Any], derivatives: Callable[..., Any]) -> None:
    """Run the user's rules once, on floats, at the middle of the domain."""
    point = tuple((low + high) / 2.0 for low, high in op.domain)
    at = f"at {point} (the middle of its domain)"
    try:
        if op.check is not None:
            op.check(*point)
        out = forward(FLOAT_MATH, *point)
        local = derivatives(FLOAT_MATH, out, *point)
    except Exception as error:
        raise ValueError(
            f"define_op {op.name!r}: the rules fail {at}: {type(error).__name__}: {error}"
        ) from error
    if isinstance(out, bool) or not isinstance(out, numbers.Real):
        raise ValueError(
            f"define_op {op.name!r}: forward returned {type(out).__name__} {at}, not a number"
        )
    try:
        count = len(local)
    except TypeError:
        raise ValueError(
            f"define_op {op.name!r}: derivatives must return a tuple (one derivative per "
            f"input), got {type(local).__name__} {at}"
        ) from None
    if count != len(point):
        raise ValueError(
            f"define_op {op.name!r}: derivatives returned {count} derivative"
            f"{'s' * (count != 1)} for {len(point)} input{'s' * (len(point) != 1)} {at}; "
            "return one d out / d x_i per input, in order"
        )
    for i, d in enumerate(local):
        if isinstance(d, bool) or not isinstance(d, numbers.Real) or not math.isfinite(d):
            raise ValueError(
                f"define_op {op.name!r}: derivative {i} is {d!r} {at}, not a finite number"
            )


# ---------------------------------------------------------------------------------------------
# A user's rules, checked on every use. Built-in rows are trusted (tests check each of them), so
# only rows made by define_op pay for this: one extra Python call around each rule.


def checked_forward(name: str, forward: Callable[..., Any]) -> Callable[..., Any]:
    """``forward`` returning what it returns, but a complex number (or anything that is not a
    real number, on floats) raises TypeError naming the op; on floats the result is a float."""

    @functools.wraps(forward)
    def checked(m: Any, *xs: Any) -> Any:
        out = forward(m, *xs)
        if type(out) is float:
            return out
        return _forward_result(name, m, out, xs)

    return checked


def _forward_result(name: str, m: Any, out: Any, xs: tuple) -> Any:
    if m is FLOAT_MATH:
        if isinstance(out, bool) or not isinstance(out, numbers.Real):
            raise TypeError(
                f"{name}: forward returned {_kind(out)} at {_where(xs)}, not a real number"
            )
        return float(out)
    if _is_complex(out):
        raise TypeError(f"{name}: forward returned {_kind(out)}, not a real number")
    return out


def checked_derivatives(name: str, derivatives: Callable[..., Any]) -> Callable[..., Any]:
    """``derivatives`` with its result checked: one derivative per input (else TypeError naming
    the op, the count and the point), each a real number on floats (returned as floats)."""

    @functools.wraps(derivatives)
    def checked(m: Any, out: Any, *xs: Any) -> Any:
        local = derivatives(m, out, *xs)
        try:
            count = len(local)
        except TypeError:
            raise TypeError(
                f"{name}: the derivative rule returned {_kind(local)} at {_where(xs)}; it must "
                "return a tuple, one d out / d x_i per input"
            ) from None
        if count != len(xs):
            raise TypeError(
                f"{name}: the derivative rule returned {count} derivative{'s' * (count != 1)} "
                f"for {len(xs)} input{'s' * (len(xs) != 1)} at {_where(xs)}; it must return "
                "one d out / d x_i per input, in order"
            )
        if m is FLOAT_MATH:
            return tuple(_real_derivative(name, i, d, xs) for i, d in enumerate(local))
        for i, d in enumerate(local):
            if _is_complex(d):
                raise TypeError(f"{name}: derivative {i} is {_kind(d)}, not a real number")
        return local

    return checked


def _real_derivative(name: str, i: int, d: Any, xs: tuple) -> float:
    if type(d) is float:
        return d
    if isinstance(d, bool) or not isinstance(d, numbers.Real):
        raise TypeError(f"{name}: derivative {i} is {_kind(d)} at {_where(xs)}, not a real number")
    return float(d)


def _is_complex(x: Any) -> bool:
    """A complex number, or an array of them (NumPy's dtype kind "c")."""
    if isinstance(x, numbers.Complex) and not isinstance(x, numbers.Real):
        return True
    return getattr(getattr(x, "dtype", None), "kind", None) == "c"


def _kind(x: Any) -> str:
    return f"{type(x).__name__} {x!r:.60}"


def _where(xs: tuple) -> str:
    """The inputs as ``(1.0, 2.0)``: numbers as they are, Values by their data."""
    shown = [repr(x.data) if isinstance(x, Value) else f"{x!r:.40}" for x in xs]
    return f"({', '.join(shown)})"
