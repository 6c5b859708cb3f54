"""Tracing: run ``fn`` once on placeholder Values under the guard, and list the graph it built."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from ..core.backward import topological_order
from ..core.scope import enable_grad
from ..core.value import Value
from .guard import Trace, guard, tracing_state


def default_point(n_inputs: int) -> list[float]:
    # Distinct, positive, away from 0 and 1: defined for log, sqrt, division, ...
    return [0.5 + 0.2 * math.sin(1.7 * i + 1.0) for i in range(n_inputs)]


def trace(fn: Callable[[list[Value]], Any], point: Sequence[float]) -> tuple[list, list, bool]:
    """Run ``fn`` on placeholder Values under the guard: the inputs, its output(s) as a list,
    and whether it returned a single Value."""
    inputs = [Value(float(x), label=f"x{i}") for i, x in enumerate(point)]
    tracing = tracing_state.set(Trace(inputs))
    guard(True)
    try:
        with enable_grad():  # record even when compile() is called inside no_grad
            out = fn(inputs)
    finally:
        guard(False)
        tracing_state.reset(tracing)
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    if not outs or not all(isinstance(o, Value) for o in outs):
        raise TypeError(
            f"compile: fn must return one Value (or a list of Values), got {_describe(out)}"
        )
    return inputs, outs, not isinstance(out, (list, tuple))


def _describe(out: object) -> str:
    if isinstance(out, (list, tuple)):
        kinds = sorted({type(o).__name__ for o in out})
        return f"a {type(out).__name__} of {', '.join(kinds) or 'nothing'}"
    return type(out).__name__


class _AllOutputs:
    """A stand-in inner node whose parents are the outputs: one walk from it covers them all."""

    __slots__ = ("_op", "_parents")

    def __init__(self, outs: list[Value]) -> None:
        self._op = "outputs"  # not a leaf (a walk expands a node whose _op is not None)
        self._parents = tuple(outs)


def graph(outs: list[Value]) -> list[Value]:
    """Every node the outputs depend on, parents first: one depth-first walk from all of them
    (the engine's own, from a node whose parents are the outputs, that node left out)."""
    return topological_order(_AllOutputs(outs))[:-1]
