"""Numerical derivatives: central differences and Richardson extrapolation of them.

For a smooth f the central difference D(h) = (f(x + h) - f(x - h)) / 2h has the error series
D(h) = f'(x) + c2 h^2 + c4 h^4 + ..., so combining D(h) and D(h/2) as
(4 D(h/2) - D(h)) / 3 cancels the h^2 term, and repeating cancels h^4, h^6, ... (Richardson's
table, as in Ridders' method). The difference between neighbouring entries of the table
estimates the error of the best one; rounding adds about eps |f| / h, which is counted too.
Everything works on vectors (lists of floats) so one evaluation serves every component.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence

__all__ = ["METHODS", "central", "derivative", "richardson", "start_step"]

METHODS = ("central", "richardson")
_EPSILON = sys.float_info.epsilon
_DOMAIN_ERRORS = (ValueError, ZeroDivisionError, OverflowError)

Vector = list[float]


def start_step(x: float | Sequence[float]) -> float:
    """A first step for Richardson's table: 5 % of the point's size, at least 5e-5 (so tiny
    points such as 1e-3 are not stepped over) and at most 1 (functions such as a softmax vary
    on a scale of 1 wherever they are, even at 1e4)."""
    size = max((abs(v) for v in x), default=0.0) if isinstance(x, Sequence) else abs(x)
    return min(0.05 * max(size, 1e-3), 1.0)


def central(f: Callable[[float], Vector], h: float) -> Vector:
    """(f(h) - f(-h)) / 2h for each component: the derivative of f at 0, error O(h^2)."""
    upper, lower = f(h), f(-h)
    return [(u - v) / (2.0 * h) for u, v in zip(upper, lower, strict=True)]


def richardson(
    f: Callable[[float], Vector], h: float, *, levels: int = 10, shrink: float = 2.0
) -> tuple[Vector, Vector]:
    """f'(0) for each component of f, and an estimate of each one's error.

    Central differences at h, h/shrink, h/shrink^2, ... are extrapolated in a Richardson table;
    per component the entry whose neighbours agree best is kept, its error estimate being the
    larger of the two neighbour differences plus the rounding of its step. Steps at which f
    raises (outside its domain) are retried ten times smaller, up to four times.
    """
    center = f(0.0)
    for _ in range(5):
        try:
            columns = _table(f, h, levels, shrink)
            break
        except _DOMAIN_ERRORS:
            h /= 10.0
    else:
        columns = _table(f, h, levels, shrink)  # the error, as f raises it
    estimates, errors = [], []
    for k, table in enumerate(columns):
        rounding_scale = _EPSILON * max(abs(center[k]), 1e-300)
        best, best_error = table[0][0], math.inf
        for row, entries in enumerate(table):
            step = h / shrink**row
            rounding = 4.0 * rounding_scale / step
            for column in range(1, len(entries)):
                error = max(
                    abs(entries[column] - entries[column - 1]),
                    abs(entries[column] - table[row - 1][column - 1]),
                )
                if error + rounding < best_error:
                    best, best_error = entries[column], error + rounding
        estimates.append(best)
        errors.append(best_error)
    return estimates, errors


def _table(f: Callable[[float], Vector], h: float, levels: int, shrink: float) -> list[list]:
    """Per component, the lower-triangular Richardson table of central differences."""
    first = central(f, h)
    tables: list[list[list[float]]] = [[[d]] for d in first]
    step = h
    for _ in range(1, levels):
        step /= shrink
        differences = central(f, step)
        for k, d in enumerate(differences):
            table = tables[k]
            previous = table[-1]
            row = [d]
            factor = shrink * shrink
            for column in range(1, len(previous) + 1):
                row.append(
                    row[column - 1] + (row[column - 1] - previous[column - 1]) / (factor - 1)
                )
                factor *= shrink * shrink
            table.append(row)
    return tables


def derivative(
    f: Callable[[float], Vector], method: str, eps: float, h: float
) -> tuple[Vector, Vector]:
    """f'(0) per component by ``method``, with an error estimate (0 for plain central
    differences, which give none). ``eps`` is the central step, ``h`` Richardson's first."""
    if method == "central":
        values = central(f, eps)
        return values, [0.0] * len(values)
    if method == "richardson":
        return richardson(f, h)
    raise ValueError(f"method must be one of {', '.join(map(repr, METHODS))}, got {method!r}")
