"""The trace guard: while ``fn`` is traced, only the engine's node factories read a Value's
number (see :mod:`autograd.compiler`)."""

from __future__ import annotations

import sys
import threading
from contextvars import ContextVar
from typing import Any

from ..core.value import Constant, Value


class TraceError(ValueError):
    """``fn`` cannot be compiled: it read a number while traced, or failed on the placeholders."""


# ---------------------------------------------------------------------------------------------
# The guard: while fn is traced, only the engine's node factories read a Value's number.

# Modules whose code makes nodes (and so reads their parents' numbers to compute the new one).
_FACTORY_MODULES = frozenset({"autograd.core.value", "autograd.core.fast"})
# Functions in those modules that hand the number to their caller: a read through them is fn's.
_HANDS_OUT = {
    "item": "v.item()",
    "__float__": "float(v)",
    "__int__": "int(v)",
    "__index__": "an index",
    "__bool__": "bool(v)",
    "__round__": "round(v)",
    "__format__": "formatting it",
    "__lt__": "a comparison",
    "__le__": "a comparison",
    "__gt__": "a comparison",
    "__ge__": "a comparison",
    "_number": "a comparison",
    "_compare": "a comparison",
}


class Trace:
    """What a running trace knows: its inputs (to name a Value read by mistake)."""

    __slots__ = ("inputs",)

    def __init__(self, inputs: list[Value]) -> None:
        self.inputs = {id(x): i for i, x in enumerate(inputs)}


tracing_state: ContextVar[Trace | None] = ContextVar("autograd_tracing", default=None)


class _GuardedData:
    """``Value.data`` while a trace runs: the slot's number for the node factories, Constants
    and other threads; a :class:`TraceError` for any other read in the tracing thread."""

    __slots__ = ("slot",)

    def __init__(self, slot: Any) -> None:
        self.slot = slot

    def __get__(self, obj: Value | None, owner: type | None = None) -> Any:
        if obj is None:
            return self
        number = self.slot.__get__(obj, owner)
        trace = tracing_state.get()
        if trace is None or type(obj) is Constant:
            return number
        caller = sys._getframe(1)
        name = caller.f_code.co_name
        if caller.f_globals.get("__name__") in _FACTORY_MODULES and name not in _HANDS_OUT:
            return number
        raise TraceError(_read_message(trace, obj, caller, _HANDS_OUT.get(name, ".data")))

    def __set__(self, obj: Value, number: float) -> None:
        self.slot.__set__(obj, number)


def _read_message(trace: Trace, node: Value, caller: Any, how: str) -> str:
    frame = caller
    while frame is not None and frame.f_globals.get("__name__", "").startswith("autograd."):
        frame = frame.f_back  # name the line in fn (or the library it calls), not the engine's
    frame = frame or caller
    where = f"{frame.f_code.co_filename}:{frame.f_lineno}, in {frame.f_code.co_name}"
    if id(node) in trace.inputs:
        i = trace.inputs[id(node)]
        what = f"the number of input {i} (x{i})"
        advice = "a Python branch or a number computed from it is frozen at the traced input"
    elif node._op is None:
        label = f" {node.label!r}" if node.label else ""
        what = f"the number of the parameter{label} (a leaf Value fn reaches)"
        advice = (
            "its value would be frozen at trace time, while a parameter is read afresh on "
            "every call: use the Value itself (w, not w.data)"
        )
    else:
        what = f"the number of a node fn built ({node._op.name})"
        advice = "a Python branch or a number computed from it is frozen at the traced inputs"
    how = "reading .data" if how == ".data" else how
    return (
        f"compile: fn read {what} while being traced ({how}; {where}); {advice}, so the "
        "compiled program could return numbers eager would not. Write it with ops on the "
        "Values (relu, abs, logsumexp, ...) or keep this function eager."
    )


_guard_lock = threading.Lock()
_guard_users = 0


def guard(on: bool) -> None:
    """Install (or, when the last trace ends, remove) the guard on ``Value.data``."""
    global _guard_users
    with _guard_lock:
        if on:
            if _guard_users == 0:
                Value.data = _GuardedData(Value.__dict__["data"])  # type: ignore[misc]
            _guard_users += 1
        else:
            _guard_users -= 1
            if _guard_users == 0:
                Value.data = Value.__dict__["data"].slot  # type: ignore[misc]
