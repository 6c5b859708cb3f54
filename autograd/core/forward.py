"""Forward mode: directional derivatives pushed from the inputs to the output.

Reverse mode (``backward``) walks the graph from the output back, giving every input's
derivative at once. Forward mode walks it the other way: each node's *tangent* (how fast it
moves when the inputs move along a direction t) is the sum over its parents of
``d node / d parent * tangent(parent)``, with the local derivatives read from the same rows
of the op table. One forward walk gives one directional derivative ∇f · t; for every t the
two modes must agree up to rounding, which makes each an oracle for the other.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence

from .backward import topological_order
from .value import Value

__all__ = ["jvp", "tangents_of"]


def jvp(
    f: Callable[..., Value], primals: Sequence[float], tangents: Sequence[float]
) -> tuple[float, float]:
    """``(f(x), ∇f(x) · t)`` at ``x = primals`` along ``t = tangents``, by forward mode.

    ``f`` takes one Value per number in ``primals`` and returns a Value (as for
    :func:`autograd.gradcheck`). Leaves that ``f`` reaches besides its inputs (parameters,
    constants) are held still. No ``.grad`` is read or changed.
    """
    point = _numbers("primals", primals)
    direction = _numbers("tangents", tangents)
    if len(point) != len(direction):
        raise ValueError(
            f"jvp: {len(point)} primals but {len(direction)} tangents; give one tangent per input"
        )
    inputs = [Value(x) for x in point]
    out = f(*inputs)
    if not isinstance(out, Value):
        raise TypeError(f"jvp: f must return a Value, got {type(out).__name__}")
    (tangent,) = tangents_of([out], inputs, direction)
    return out.data, tangent


def tangents_of(
    outputs: Sequence[Value], inputs: Sequence[Value], tangents: Sequence[float]
) -> list[float]:
    """d output / d s for each output when each ``inputs[i]`` moves as ``s * tangents[i]``.

    One walk in topological order over everything the outputs depend on; a node's tangent is
    Σ_parents (d node / d parent) · tangent(parent), from the node's own row's rule on floats.
    A tangent that is not finite raises OverflowError naming the op (as ``backward`` does).
    """
    moving: dict[int, float] = {}
    for x, t in zip(inputs, tangents, strict=True):
        moving[id(x)] = moving.get(id(x), 0.0) + t
    seen: set[int] = set()
    for output in outputs:
        for node in topological_order(output):
            if id(node) in seen or node.is_leaf:
                continue
            seen.add(id(node))
            parents = node.parents
            incoming = [moving.get(id(p)) for p in parents]
            if all(t is None for t in incoming):
                continue  # nothing this node depends on moves
            local = _local_derivatives(node)
            tangent = sum(d * t for d, t in zip(local, incoming, strict=True) if t is not None)
            if not math.isfinite(tangent):
                raise OverflowError(
                    f"jvp: the tangent of the {node.op} node at ({_inputs(node)}) is not a "
                    f"finite number ({tangent}); scale the tangents down"
                )
            moving[id(node)] = tangent
    return [moving.get(id(o), 0.0) for o in outputs]


def _local_derivatives(node: Value) -> Sequence[float]:
    """The node's own row's derivatives (``node._op``: a row redefined under the same name
    since the node was made does not change its numbers)."""
    try:
        return node._op.float_derivatives(node.data, *[p.data for p in node.parents])
    except (ZeroDivisionError, OverflowError, ValueError) as error:
        raise type(error)(
            f"jvp: the derivative of {node.op} at ({_inputs(node)}) is not a finite number "
            f"({error})"
        ) from error


def _inputs(node: Value) -> str:
    return ", ".join(repr(p.data) for p in node.parents)


def _numbers(what: str, xs: Sequence[float]) -> list[float]:
    try:
        items = list(xs)
    except TypeError:
        raise TypeError(f"jvp: {what} must be a sequence of numbers") from None
    for i, x in enumerate(items):
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            raise TypeError(f"jvp: {what}[{i}] must be a number, got {type(x).__name__}")
        if not math.isfinite(x):
            raise ValueError(f"jvp: {what}[{i}] is {x!r}; give finite numbers")
    return [float(x) for x in items]
