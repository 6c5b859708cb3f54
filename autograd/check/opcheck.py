"""``check_op``: one row of the op table against numerical derivatives and across backends.

Three checks, over random points of the row's test domain and its edge points:

1. first derivatives: the rule on floats against Richardson-extrapolated central differences
   of the forward rule (the extrapolation's error estimate sets the tolerance);
2. second derivatives: the rule run on Values (what ``grad(..., create_graph=True)``
   differentiates) against differences of the rule on floats;
3. backends: forward and derivative rules on floats, on Values and on NumPy arrays give the
   same numbers, at those points and at the kinks (each input set to 0 where the domain allows),
   where a convention such as relu'(0) = 0 must be the same everywhere.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

from ..core.backends import FLOAT_MATH, VALUE_MATH, numpy_math
from ..core.ops import Op
from ..core.value import Constant, Value
from . import localcheck
from .gradcheck import GradcheckError
from .localcheck import Mismatch

__all__ = ["BACKEND_RTOL", "check_op", "test_points"]

# Backends compute the same formula with different libraries (math vs NumPy): a few ulps.
BACKEND_RTOL = 1e-12
_ERRORS = (ValueError, ZeroDivisionError, OverflowError, TypeError, AttributeError)


def test_points(op: Op, samples: int, seed: int = 0) -> list[tuple[float, ...]]:
    """``samples`` random points of the row's domain (seeded by its name), then its edge points."""
    rng = random.Random(f"{op.name}-{seed}")
    points = [tuple(rng.uniform(low, high) for low, high in op.domain) for _ in range(samples)]
    return points + [tuple(float(x) for x in point) for point in op.edge_points]


test_points.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def kink_points(op: Op, points: Sequence[tuple[float, ...]]) -> list[tuple[float, ...]]:
    """Each of ``points`` with one free input moved to 0, where 0 is inside its interval."""
    kinks = []
    for point in points[:3]:
        for i in localcheck.free_inputs(op, point):
            low, high = op.domain[i]
            if low <= 0.0 <= high:
                kinks.append(tuple(0.0 if k == i else x for k, x in enumerate(point)))
    return kinks


def check_op(
    op: Op | str,
    *,
    samples: int = 20,
    second_order_samples: int = 6,
    seed: int = 0,
    atol: float = 1e-10,
    rtol: float = 1e-8,
) -> bool:
    """Check ``op``'s rules; True, or :class:`~autograd.GradcheckError` listing every failing
    point (``error.failures``).

    Args:
        op: a row of the table (or its name), built-in or made by ``define_op``.
        samples: random points drawn from the row's domain for the first-derivative and backend
            checks (its edge points are always added); at least 1.
        second_order_samples: how many of those points also check second derivatives (>= 0).
        atol, rtol: added to 10 times the extrapolation's error estimate in each comparison;
            finite numbers >= 0.
    """
    op = localcheck.row_of(op, "check_op")
    _check_counts(samples, second_order_samples)
    localcheck.check_tolerances("check_op", atol, rtol)
    points = test_points(op, samples, seed)
    failures: list[Mismatch] = []
    problems: list[str] = []
    usable = []
    for point in points:
        try:
            if op.check is not None:
                op.check(*point)
            failures += localcheck.first_order(op, point, atol, rtol, skip_kinks=True)
        except _ERRORS as error:
            problems.append(f"at x = {list(point)} the rules raise {type(error).__name__}: {error}")
            continue
        usable.append(point)
    accepted = set(usable)
    second = [p for p in points[:second_order_samples] + points[samples:] if p in accepted]
    for point in dict.fromkeys(second):
        try:
            failures += localcheck.second_order(op, point, atol, rtol)
        except _ERRORS as error:
            problems.append(
                f"at x = {list(point)} the rule on Values (create_graph) raises "
                f"{type(error).__name__}: {error}"
            )
    agreement = list(
        dict.fromkeys(usable + [p for p in kink_points(op, usable) if _accepted(op, p)])
    )
    failures += _backend_mismatches(op, agreement, problems)
    if failures or problems:
        lines = [str(m) for m in failures] + problems
        shown = lines[:12] + ([f"... and {len(lines) - 12} more"] if len(lines) > 12 else [])
        raise GradcheckError(
            f"check_op({op.name!r}) failed at {len(lines)} of its checks over "
            f"{len(points)} points:\n- " + "\n- ".join(shown),
            failures,
        )
    return True


def _check_counts(samples: object, second_order_samples: object) -> None:
    """``samples`` >= 1 (with none, only the edge points would be checked: a wrong rule could
    pass having been tried nowhere), ``second_order_samples`` >= 0."""
    for name, value, least in (
        ("samples", samples, 1),
        ("second_order_samples", second_order_samples, 0),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ValueError(f"check_op: {name} must be an int >= {least}, got {value!r}")


def _accepted(op: Op, point: tuple[float, ...]) -> bool:
    if op.check is None:
        return True
    try:
        op.check(*point)
    except _ERRORS:
        return False
    return True


def _float_rules(op: Op, point: tuple[float, ...]) -> list[float]:
    out = op.forward(FLOAT_MATH, *point)
    return [float(out)] + [float(d) for d in op.derivatives(FLOAT_MATH, out, *point)]


def _value_rules(op: Op, point: tuple[float, ...]) -> list[float]:
    leaves = [Constant(x) if i in op.constant_inputs else Value(x) for i, x in enumerate(point)]
    out = op.forward(VALUE_MATH, *leaves)
    local = op.derivatives(VALUE_MATH, out, *leaves)
    return [_number(out)] + [_number(d) for d in local]


def _number(x: Any) -> float:
    return x.data if isinstance(x, Value) else float(x)


def _numpy_rules(op: Op, points: list[tuple[float, ...]]) -> list[list[float]]:
    """Forward and derivatives at every point at once, one column per point."""
    import numpy as np

    columns = [np.array(column, dtype=np.float64) for column in zip(*points)]
    m = numpy_math()
    out = op.forward(m, *columns)
    local = op.derivatives(m, out, *columns)
    shape = (len(points),)
    return [np.broadcast_to(np.asarray(r, dtype=np.float64), shape).tolist() for r in (out, *local)]


def _backend_mismatches(
    op: Op, points: list[tuple[float, ...]], problems: list[str]
) -> list[Mismatch]:
    if not points:
        return []
    names = ["forward"] + [
        f"d {op.name} / d {localcheck.input_name(op, i)}" for i in range(len(points[0]))
    ]
    try:
        on_arrays = _numpy_rules(op, points)
    except _ERRORS as error:
        problems.append(f"the rules fail on NumPy arrays ({type(error).__name__}: {error})")
        on_arrays = None
    found = []
    for k, point in enumerate(points):
        reference = _float_rules(op, point)
        others = []
        try:
            others.append(("Values", _value_rules(op, point)))
        except _ERRORS as error:
            problems.append(
                f"at x = {list(point)} the rules fail on Values ({type(error).__name__}: {error})"
            )
        if on_arrays is not None:
            others.append(("NumPy", [row[k] for row in on_arrays]))
        for backend, results in others:
            for name, mine, theirs in zip(names, reference, results):
                allowed = BACKEND_RTOL * max(abs(mine), abs(theirs))
                if mine == theirs or abs(mine - theirs) <= allowed:
                    continue
                if math.isnan(mine) and math.isnan(theirs):
                    continue
                found.append(
                    Mismatch(
                        f"{name}: floats against {backend}",
                        point,
                        mine,
                        theirs,
                        allowed,
                        "The backends disagree (a kink convention such as the value at 0?)",
                        ("floats", backend),
                    )
                )
    return found
