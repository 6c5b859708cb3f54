"""One op alone, at one point, against numerical derivatives of its own forward rule.

Used by gradcheck to find the *culprit* of a failure (the first node whose own local derivative
is wrong) and by :func:`autograd.testing.check_op` over a row's whole test domain.

- First order: the row's derivative rule on floats against Richardson extrapolation of central
  differences of the row's forward rule, input by input.
- Second order: the rule run on Values (what ``grad(..., create_graph=True)`` differentiates)
  against Richardson differences of the rule on floats. A rule that is right on floats but cuts
  the graph on Values (``math.exp`` in place of ``m.exp``) passes the first and fails this one.

The tolerance of each comparison is ``atol + rtol * |numeric| + 10 * (error estimate)``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..core.gradients import grad
from ..core.ops import Op
from ..core.value import Constant, Value
from .differences import richardson, start_step

__all__ = [
    "Mismatch",
    "check_tolerances",
    "first_order",
    "input_name",
    "is_kink",
    "row_of",
    "second_order",
]

ERROR_FACTOR = 10.0


@dataclass(frozen=True)
class Mismatch:
    """One disagreement: ``what`` was ``analytic`` (or the first backend's value) where the
    reference (a numerical derivative, or another backend) gave ``numeric``; ``names`` says
    what the two numbers are."""

    what: str
    point: tuple[float, ...]
    analytic: float
    numeric: float
    tolerance: float
    note: str = ""
    names: tuple[str, str] = ("analytic", "numeric")

    def __str__(self) -> str:
        gap = abs(self.analytic - self.numeric)
        text = (
            f"{self.what} at x = {_shown(self.point)}: {self.names[0]} {self.analytic!r}, "
            f"{self.names[1]} {self.numeric!r}, |difference| {gap:.3g} > tolerance "
            f"{self.tolerance:.3g}"
        )
        return f"{text}. {self.note}" if self.note else text


def _shown(point: tuple[float, ...]) -> str:
    """The point as a list; past 6 inputs, the first 3 and the count."""
    if len(point) <= 6:
        return str(list(point))
    return f"[{', '.join(repr(x) for x in point[:3])}, ... ({len(point)} inputs)]"


def row_of(op: Op | str, where: str) -> Op:
    """The row ``op`` names (or ``op`` itself), with an error naming ``where`` it was asked."""
    from ..core.ops import OPS

    if isinstance(op, str):
        if op not in OPS:
            raise ValueError(f"{where}: no op named {op!r} in the table")
        return OPS[op]
    if not isinstance(op, Op):
        raise TypeError(f"{where}: needs an Op (or its name), got {type(op).__name__}")
    return op


def check_tolerances(where: str, atol: object, rtol: object) -> None:
    """Refuse a tolerance that is not a finite real number >= 0 (a NaN would pass every
    comparison, a negative one fail every comparison), naming the argument."""
    for name, value in (("atol", atol), ("rtol", rtol)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{where}: {name} must be a number >= 0, got {value!r}")
        if not (math.isfinite(value) and value >= 0.0):
            raise ValueError(f"{where}: {name} must be a finite number >= 0, got {value!r}")


def input_name(op: Op, i: int) -> str:
    """How the checks call input ``i`` of ``op``: x, y (z) for small ops, x0, x1, ... else."""
    count = len(op.domain)
    return "xyz"[i] if count <= 3 else f"x{i}"


def free_inputs(op: Op, point: Sequence[float]) -> list[int]:
    return [i for i in range(len(point)) if i not in op.constant_inputs]


def moved(point: Sequence[float], i: int, t: float) -> list[float]:
    shifted = list(point)
    shifted[i] += t
    return shifted


def tolerance(numeric: float, error: float, atol: float, rtol: float) -> float:
    return atol + rtol * abs(numeric) + ERROR_FACTOR * error


def is_kink(f: Callable[[float], float], x: float) -> bool:
    """True when the one-sided slopes of f at x differ: f has no derivative there."""
    h = 1e-7 * max(abs(x), 1e-2)
    try:
        center = f(x)
        right = (f(x + h) - center) / h
        left = (center - f(x - h)) / h
    except (ValueError, ZeroDivisionError, OverflowError):
        return False  # at the edge of the domain: not a kink we can see
    return abs(right - left) > 1e-4 * max(1.0, abs(right), abs(left))


def first_order(
    op: Op, point: Sequence[float], atol: float, rtol: float, *, skip_kinks: bool = False
) -> list[Mismatch]:
    """The row's derivative rule on floats against differences of its forward rule.

    At a kink (one-sided slopes differ) the rule's value is a convention: with ``skip_kinks``
    it is not compared, else the mismatch says that it is a kink."""
    xs = [float(x) for x in point]
    local = op.float_derivatives(op.float_forward(*xs), *xs)
    found = []
    for i in free_inputs(op, xs):

        def along(t: float, i: int = i) -> list[float]:
            return [op.float_forward(*moved(xs, i, t))]

        (numeric,), (error,) = richardson(along, start_step(xs[i]))
        analytic = float(local[i])
        allowed = tolerance(numeric, error, atol, rtol)
        if abs(analytic - numeric) <= allowed:
            continue
        kink = is_kink(lambda x, i=i: op.float_forward(*moved(xs, i, x - xs[i])), xs[i])
        if kink and skip_kinks:
            continue
        note = (
            f"{op.name} has a kink here (the one-sided slopes differ): its rule picks a "
            "convention, a finite difference averages the two sides"
            if kink
            else ""
        )
        found.append(
            Mismatch(
                f"d {op.name} / d {input_name(op, i)}", tuple(xs), analytic, numeric, allowed, note
            )
        )
    return found


def second_order(op: Op, point: Sequence[float], atol: float, rtol: float) -> list[Mismatch]:
    """The derivative rule run on Values (create_graph), differentiated once more, against
    differences of the rule on floats."""
    xs = [float(x) for x in point]
    free = free_inputs(op, xs)
    leaves = [Constant(x) if i in op.constant_inputs else Value(x) for i, x in enumerate(xs)]
    out = Value.apply(op, *leaves)
    firsts = grad(out, [leaves[i] for i in free], create_graph=True)
    analytic = [[s.data for s in grad(first, [leaves[j] for j in free])] for first in firsts]
    found = []
    for column, j in enumerate(free):

        def first_derivatives(t: float, j: int = j) -> list[float]:
            shifted = moved(xs, j, t)
            local = op.float_derivatives(op.float_forward(*shifted), *shifted)
            return [float(local[i]) for i in free]

        numeric, errors = richardson(first_derivatives, start_step(xs[j]))
        for row, i in enumerate(free):
            value, reference = analytic[row][column], numeric[row]
            allowed = tolerance(reference, errors[row], atol, rtol)
            if abs(value - reference) > allowed:
                names = input_name(op, i), input_name(op, j)
                found.append(
                    Mismatch(
                        f"d² {op.name} / d{names[0]} d{names[1]} (rule on Values)",
                        tuple(xs),
                        value,
                        reference,
                        allowed,
                        "When the first derivatives are right, the rule is right on floats but "
                        "builds no graph on Values: use m.exp, m.log, ... (not math.*), and no "
                        "float() or .data, in it",
                    )
                )
    return found
