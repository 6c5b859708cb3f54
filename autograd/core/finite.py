"""No NaN and no infinity in a graph: the checks, and errors that name the op and its inputs.

A Value's number is always finite, and so is every gradient ``backward`` writes: a NaN or an
infinity would spread (inf - inf, 0 * inf) into NaN gradients far from their cause.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

__all__ = ["derivative_error", "finite_float", "finite_gradient"]


def finite_float(data: object, what: str = "Value") -> float:
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


def derivative_error(node: Any, error: ArithmeticError) -> ArithmeticError:
    """``error`` again, its message naming the op and the inputs of ``node``."""
    inputs = ", ".join(repr(p.data) for p in node._parents)
    return type(error)(
        f"the derivative of {node.op} at ({inputs}) is not a finite number ({error}); "
        "no gradient was changed"
    )


def finite_gradient(g: Any, node: Any, how: str) -> Any:
    """``g``, a gradient at ``node``, if it is finite (a Value always is)."""
    if type(g) is float and not math.isfinite(g):
        inputs = ", ".join(repr(p.data) for p in node._parents)
        where = f"the {node.op} node at ({inputs})" if node._parents else f"the leaf {node!r}"
        raise OverflowError(
            f"backward: the gradient {how} by {where} is not a finite number ({g}); "
            "no gradient was changed"
        )
    return g
