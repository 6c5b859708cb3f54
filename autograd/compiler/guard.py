"""The trace guard: while ``fn`` is traced, a Value's number is read only by the engine.

Contract
--------
*Watched reads* are the attributes of :class:`~autograd.core.value.Value` that hand out its
number, listed from ``Value`` itself by :func:`watched_reads` (and kept in :data:`WATCHED`):

* ``data``, the slot that holds the number (``Value.__slots__``; ``grad``, ``label`` and the
  private slots do not hold it);
* every method of Python's number protocol that ``Value`` defines (not inherited from
  ``object``), and ``item``: today ``item``, ``__float__``, ``__format__`` and the comparisons
  ``__lt__``, ``__le__``, ``__gt__``, ``__ge__``.

``repr``/``str`` are not watched: printing a Value while tracing shows the trace point's
numbers and changes no result.

While a trace runs in a thread, a watched read made in that thread raises :class:`TraceError`
(naming the Value, the kind of read and the line of ``fn``), unless it is the engine's own read
to compute a node: a read of ``data`` made by engine code that was not called through one of
the watched methods. Engine code is the package that defines ``Value``
(:data:`ENGINE_PACKAGE`), and any module that declares ``__autograd_engine__ = True`` at its
top (a node factory living elsewhere, such as a layer's fast path in ``nn``).
Reads of a ``Constant``'s number, and reads in other threads, are never refused.

How: for the trace's duration (and only then) ``Value.data`` is a descriptor that checks the
context variable :data:`tracing_state` and, in the tracing thread, the caller's frames. Eager
code outside a trace reads the plain slot and pays nothing.
"""

from __future__ import annotations

import sys
import threading
from contextvars import ContextVar
from typing import Any

from ..core.value import Constant, Value

__all__ = [
    "ENGINE_MARKER",
    "ENGINE_PACKAGE",
    "WATCHED",
    "TraceError",
    "guard",
    "tracing_state",
    "watched_reads",
]

# The methods by which a Python object hands out a number (the number protocol, formatting,
# ordering) and PyTorch's ``item``; a watched read when Value defines it.
_NUMBER_PROTOCOL = {
    "item": "v.item()",
    "__float__": "float(v)",
    "__int__": "int(v)",
    "__index__": "an index",
    "__bool__": "bool(v)",
    "__round__": "round(v)",
    "__trunc__": "math.trunc(v)",
    "__floor__": "math.floor(v)",
    "__ceil__": "math.ceil(v)",
    "__complex__": "complex(v)",
    "__format__": "formatting it",
    "__lt__": "a comparison",
    "__le__": "a comparison",
    "__gt__": "a comparison",
    "__ge__": "a comparison",
}
# The slots of Value that are not its number.
_NOT_THE_NUMBER = frozenset({"grad", "label"})


def watched_reads(cls: type = Value) -> tuple[str, ...]:
    """The attributes of ``cls`` that hand out its number: its public slots other than
    ``grad`` and ``label``, then the number-protocol methods it defines itself."""
    slots = [
        name
        for klass in cls.__mro__
        for name in getattr(klass, "__slots__", ())
        if not name.startswith("_") and name not in _NOT_THE_NUMBER
    ]
    methods = [
        name
        for name in _NUMBER_PROTOCOL
        if callable(getattr(cls, name, None))
        and getattr(cls, name) is not getattr(object, name, None)
    ]
    return (*slots, *methods)


WATCHED: tuple[str, ...] = watched_reads(Value)
# The package of the engine (autograd.core): its code computes the numbers of new nodes.
ENGINE_PACKAGE: str = Value.__module__.rpartition(".")[0]
# A module-level flag by which a node factory outside that package says it is engine code.
ENGINE_MARKER = "__autograd_engine__"


class TraceError(ValueError):
    """``fn`` cannot be compiled: it read a number while traced, or failed on the placeholders."""


class Trace:
    """What a running trace knows: its inputs (to name a Value read by mistake)."""

    __slots__ = ("inputs",)

    def __init__(self, inputs: list[Value]) -> None:
        self.inputs = {id(x): i for i, x in enumerate(inputs)}


tracing_state: ContextVar[Trace | None] = ContextVar("autograd_tracing", default=None)


class _GuardedData:
    """``Value.data`` while a trace runs: the slot's number for the engine, Constants and
    other threads; a :class:`TraceError` for any other read in the tracing thread."""

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
        caller = _getframe(1)
        if caller is _engine_caller[0]:  # the frame whose reads were last found the engine's
            return number  # (its callers, and so the verdict, are fixed while it runs)
        how = _hand_out(caller)
        if how is None:
            if not caller.f_code.co_flags & _RESUMABLE:  # a generator's callers change
                _engine_caller[0] = caller  # a layer reads all its weights from one frame
            return number
        raise TraceError(_read_message(trace, obj, caller, how))

    def __set__(self, obj: Value, number: float) -> None:
        self.slot.__set__(obj, number)


def _watched_codes() -> dict[Any, str]:
    """The code objects of the watched methods as ``Value`` has them now, and how each reads."""
    codes = {}
    for name in WATCHED:
        code = getattr(getattr(Value, name, None), "__code__", None)
        if code is not None:
            codes[code] = _NUMBER_PROTOCOL.get(name, ".data")
    return codes


def _is_engine(frame: Any) -> bool:
    module = frame.f_globals
    return module.get("__name__", "").startswith(ENGINE_PACKAGE + ".") or (
        module.get(ENGINE_MARKER) is True
    )


_USER = "user"  # a frame outside the engine


def _frame_kind(frame: Any) -> str | None:
    """``_USER`` for a frame outside the engine, how a watched method hands the number out
    (``.item()``, ...) for one of theirs, None for the rest of the engine's code. Kept per
    code object while the guard is on: a trace reads ``data`` hundreds of thousands of times
    from the same few functions."""
    code = frame.f_code
    try:
        return _KINDS[code]
    except KeyError:
        kind = _WATCHED_CODES.get(code) if _is_engine(frame) else _USER
        _KINDS[code] = kind
        return kind


def _hand_out(caller: Any) -> str | None:
    """How ``caller``'s read of ``data`` reaches the user (``None``: the engine's own read).

    The read is the engine's when it is made in the engine package and no watched method
    (``item``, ``__lt__``, ...) is on the way from the user's code to it."""
    kind = _frame_kind(caller)
    if kind is _USER:
        return ".data"
    frame = caller
    while kind is None:  # engine code: look further up, to the user's code
        frame = frame.f_back
        if frame is None:
            return None
        kind = _frame_kind(frame)
    return None if kind is _USER else kind


_getframe = sys._getframe
_WATCHED_CODES: dict[Any, str] = {}
_KINDS: dict[Any, str | None] = {}  # _frame_kind's verdicts for the guard now on
_engine_caller: list[Any] = [None]  # the last frame found reading as the engine (one entry)
_RESUMABLE = 0x20 | 0x80 | 0x100 | 0x200  # CO_GENERATOR, CO_COROUTINE, ..., CO_ASYNC_GENERATOR


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
    global _guard_users, _WATCHED_CODES, _KINDS
    with _guard_lock:
        if on:
            if _guard_users == 0:
                _WATCHED_CODES, _KINDS = _watched_codes(), {}
                Value.data = _GuardedData(Value.__dict__["data"])  # type: ignore[misc]
            _guard_users += 1
        else:
            _guard_users -= 1
            if _guard_users == 0:
                Value.data = Value.__dict__["data"].slot  # type: ignore[misc]
                _engine_caller[0] = None  # let the frame go
