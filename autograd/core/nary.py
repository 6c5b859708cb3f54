"""One node for many inputs: ``sum``, ``dot``, ``affine``, ``logsumexp`` and ``scaled_log``.

Each is one row of the op table applied to all of its inputs at once, so
``dot(w, x)`` is a single node instead of a chain of ``*`` and ``+``: smaller graphs, the
same numbers. A plain number among the inputs becomes a Constant leaf, as with operators.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from . import ops
from .ops import Op
from .value import Constant, Value, as_value, make_node

__all__ = ["affine", "dot", "logsumexp", "scaled_log", "sum"]


def sum(values: Iterable[Value | float]) -> Value:  # noqa: A001  (mirrors the builtin)
    """One n-ary node for x1 + ... + xn (d/dxi = 1): smaller graphs than a chain of ``+``."""
    parents = _values(values, "sum")
    if not parents:
        raise ValueError("sum: needs at least one value")
    return make_node(ops.SUM, parents)


def dot(weights: Sequence[Value | float], inputs: Sequence[Value | float]) -> Value:
    """One node for w1*x1 + ... + wn*xn (d/dwi = xi, d/dxi = wi)."""
    return _weighted_sum(ops.DOT, weights, inputs)


def affine(
    weights: Sequence[Value | float], inputs: Sequence[Value | float], bias: Value | float
) -> Value:
    """One node for w1*x1 + ... + wn*xn + b (d/dwi = xi, d/dxi = wi, d/db = 1): a neuron's
    pre-activation, one node instead of a ``dot`` and a ``+``."""
    return _weighted_sum(ops.AFFINE, weights, inputs, bias)


def logsumexp(values: Iterable[Value | float]) -> Value:
    """One node for ln(e^x1 + ... + e^xn) (d/dxi = softmax_i), finite for any inputs: the
    stable core of cross-entropy and softmax."""
    parents = _values(values, "logsumexp")
    if not parents:
        raise ValueError("logsumexp: needs at least one value")
    return make_node(ops.LOGSUMEXP, parents)


def scaled_log(x: Value | float, c: float) -> Value:
    """c * ln x, 0 when c = 0 even at x = 0 (d/dx = c / x): a term of weight 0 adds nothing, as
    in binary cross-entropy. ``c`` is held constant: no gradient flows to it, even when it is a
    Value (a target that ``compile`` feeds as an input column)."""
    x_value, c_value = _values([x, c], "scaled_log")
    return make_node(ops.SCALED_LOG, (x_value, c_value))


def _weighted_sum(op: Op, weights: Sequence, inputs: Sequence, bias: object = None) -> Value:
    """The node of a bilinear row (``dot``, or ``affine`` with its bias), its parents laid out
    by the row's declaration."""
    if len(weights) != len(inputs):
        raise ValueError(f"{op.name}: {len(weights)} weights but {len(inputs)} inputs")
    if not weights:
        raise ValueError(f"{op.name}: needs at least one pair")
    return make_node(op, _values(op.bilinear.parents(weights, inputs, bias), op.name))


_VALUE_TYPES = frozenset({Value, Constant})


def _values(values: Iterable[object], where: str) -> tuple[Value, ...]:
    """Each of ``values`` as a Value (a number becomes a Constant); anything else TypeError."""
    values = tuple(values)
    if _VALUE_TYPES.issuperset(map(type, values)):  # all Values already: one C-level check
        return values  # type: ignore[return-value]
    out = tuple(as_value(v) for v in values)
    for v, value in zip(values, out):
        if value is None:
            raise TypeError(f"{where}: needs Values or numbers, got {type(v).__name__}")
    return out  # type: ignore[return-value]
