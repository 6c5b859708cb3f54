"""``record_calls()``: every Value made inside it remembers which of *your* functions made it.

Each new node asks the engine's ``current_scope()`` where it is being made (see
:mod:`autograd.core.scope`); outside this block that is one ContextVar read, the innermost
``nn`` module call. Inside ``record_calls()`` the node factories ask :func:`_scope_here`
instead, which walks up the Python stack from the factory to the nearest frame of *your* code
and returns that frame's :class:`Call` (made the first time one of its nodes asks). On leaving
the block the plain getter is put back, so outside it nothing is recorded and nothing costs.

Why the stack and not a profile hook (``sys.setprofile``): a profile function, even one that
does nothing, makes the interpreter run every instruction on its slow path (on CPython 3.11
the scalar GPT's build takes 1.84x as long with ``sys.setprofile(lambda *a: None)``); reading
the stack once per node costs a fraction of that, and a frame is exactly a call instance: a
generator keeps its frame (one Call across its resumptions), recursion makes a new one, each
thread has its own stack, and an exception needs no unwinding.

Your code is any function whose file lies outside ``autograd``, ``nn``, the standard library
and site-packages; module-level code and comprehensions are not calls (their Values belong to
the function around them). Only calls that made Values (themselves or inside them) are
recorded. An ``nn`` module call keeps its :class:`~autograd.core.scope.Scope`, hung under the
Call of the function that called the module: one tree.

Example::

    with autograd.record_calls() as rec:
        loss = document_loss(tokens, params, config)
    rec.roots                     # [Call(document_loss#1 at scalar_gpt.py:171)]
    loss.parents[0].scope.path()  # [Call(document_loss#1 ...)]
"""

from __future__ import annotations

import os
import site
import sys
import sysconfig
import threading
from collections.abc import Iterator
from types import CodeType, FrameType, ModuleType

from . import scope as _scope_module
from .scope import Scope, _module

__all__ = ["Call", "Recording", "record_calls"]

# Code that is not a call of its own: a script or notebook cell's top level, comprehensions.
_NOT_CALLS = frozenset({"<module>", "<genexpr>", "<listcomp>", "<dictcomp>", "<setcomp>"})


class Call:
    """One call of one of your functions made while recording: the ``number``-th call of
    ``name`` that made Values (counted from 1 per recording session), defined at
    ``file``:``line``, made inside ``parent`` (a Call, an ``nn`` module's Scope, or None at the
    top). ``children``: the calls made directly inside it, in order. It shares
    :class:`~autograd.core.scope.Scope`'s interface (``name``, ``parent``, ``path()``)."""

    __slots__ = ("children", "file", "line", "name", "number", "parent")
    module = None  # the Scope interface: a Call is no nn module

    def __init__(self, code: CodeType, number: int, parent: Call | Scope | None) -> None:
        self.name = _name(code)
        self.number = number
        self.file = code.co_filename
        self.line = code.co_firstlineno
        self.parent = parent
        self.children: list[Call] = []

    def scope_of(self, node: object) -> Call:
        """The scope of a node made in this call: the call itself (``Value.scope`` asks)."""
        return self

    @property
    def key(self) -> str:
        """``name#number``, how a path names this call: ``"gpt#3/attention#3"``."""
        return f"{self.name}#{self.number}"

    def path(self) -> list[Call | Scope]:
        """Outermost call or module scope first, this one last."""
        chain: list[Call | Scope] = []
        scope: Call | Scope | None = self
        while scope is not None:
            chain.append(scope)
            scope = scope.parent
        return chain[::-1]

    def walk(self) -> Iterator[Call]:
        """This call and every call made inside it, depth first, in call order."""
        stack = [self]
        while stack:
            call = stack.pop()
            yield call
            stack.extend(reversed(call.children))

    def __repr__(self) -> str:
        where = "/".join(getattr(s, "key", None) or s.name for s in self.path())
        return f"Call({where} at {os.path.basename(self.file)}:{self.line})"


def _name(code: CodeType) -> str:
    """The function's qualified name without ``<locals>``: ``Head.forward``, ``gpt.helper``."""
    qualname = getattr(code, "co_qualname", code.co_name)
    return qualname.replace(".<locals>", "")


def _library_roots() -> tuple[str, ...]:
    """Folders whose code is not the user's: autograd, nn, the standard library, packages."""
    autograd_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    roots = {autograd_dir, os.path.join(os.path.dirname(autograd_dir), "nn")}
    nn = sys.modules.get("nn")
    if nn is not None and getattr(nn, "__file__", None):
        roots.add(os.path.dirname(os.path.abspath(nn.__file__)))
    paths = sysconfig.get_paths()
    roots.update(
        paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths
    )
    for getter in ("getsitepackages", "getusersitepackages"):
        try:
            found = getattr(site, getter)()
        except AttributeError:  # some virtualenvs' site module lacks these
            continue
        roots.update([found] if isinstance(found, str) else found)
    return tuple(os.path.join(os.path.realpath(r), "") for r in roots if r)


class _Session:
    """State shared by the open recordings: which code is the user's, the per-function call
    counts, each seen frame's Call, and the plain getter to put back."""

    def __init__(self) -> None:
        self.library = _library_roots()
        self.user: dict[CodeType, bool] = {}  # code -> is it the user's? (decided once)
        self.counts: dict[CodeType, int] = {}
        # id(frame) -> (frame, Call). The frame is kept so that its id is not reused meanwhile.
        self.calls: dict[int, tuple[FrameType, Call | None]] = _seen
        self.recordings: list[Recording] = []
        self.ignored_threads: set[int] = set()  # threads running before the first recording
        self.lock = threading.RLock()
        self.patched: list[ModuleType] = []

    def is_user(self, code: CodeType) -> bool:
        file = code.co_filename
        if code.co_name in _NOT_CALLS or file.startswith("<frozen"):
            verdict = False
        else:
            real = os.path.realpath(file) if os.path.isabs(file) else file
            verdict = not real.startswith(self.library)
        self.user[code] = verdict
        return verdict

    def user_frame(self, frame: FrameType | None) -> FrameType | None:
        """The nearest frame of the user's code at or above ``frame``."""
        user = self.user
        while frame is not None:
            code = frame.f_code
            mine = user.get(code)
            if mine is None:
                mine = self.is_user(code)
            if mine:
                return frame
            frame = frame.f_back
        return None

    def call_of(self, frame: FrameType) -> Call | None:
        """The Call of a user frame, made (with its callers' Calls) on first sight; None for a
        frame that was already running when the outermost recording began."""
        seen = self.calls.get(id(frame))
        if seen is not None and seen[0] is frame:
            return seen[1]
        with self.lock:
            seen = self.calls.get(id(frame))
            if seen is not None and seen[0] is frame:
                return seen[1]
            if any(frame is f for r in self.recordings[:1] for f in r.frames_before):
                self.calls[id(frame)] = (frame, None)
                return None
            above = self.user_frame(frame.f_back)
            parent = self.call_of(above) if above is not None else None
            code = frame.f_code
            number = self.counts.get(code, 0) + 1
            self.counts[code] = number
            call = Call(code, number, parent)
            if parent is not None:
                parent.children.append(call)
            for recording in self.recordings:
                if above is None or any(above is f for f in recording.frames_before):
                    recording.roots.append(call)
            self.calls[id(frame)] = (frame, call)
            return call


_session: _Session | None = None
_session_lock = threading.Lock()
_plain_scope = _scope_module.current_scope  # the getter the node factories use outside
_seen: dict[int, tuple[FrameType, Call | None]] = {}  # the open session's calls
_getframe = sys._getframe


def _scope_here() -> Call | Scope | None:
    """Where a node is being made: the Call of the nearest frame of user code, or the
    innermost nn module call if one is running (its outermost module scope hung under the
    calling function's Call). The node factories call this in place of ``current_scope``.

    A binary op makes its node two frames up from the user's code, so that frame is tried
    first: a frame already seen answers at once (``_getframe(n)`` makes no frame objects for
    the frames it skips). A deeper guess could skip a nearer user frame, so others search.
    """
    scope = _module.get()
    if scope is None:
        try:
            frame = _getframe(2)
            seen = _seen.get(id(frame))
            if seen is not None and seen[0] is frame:
                return seen[1]
        except ValueError:  # a shallow stack
            pass
    return _scope_slow(scope)


def _scope_slow(scope: Scope | None) -> Call | Scope | None:
    session = _session
    if session is None or threading.get_ident() in session.ignored_threads:
        return scope
    user, seen = session.user, _seen
    frame: FrameType | None = _getframe(2)  # the factory (skipping this and _scope_here)
    depth, caller, call = 1, None, None  # caller: the frame that called the factory
    while frame is not None:
        if depth == 2:
            caller = frame
        hit = seen.get(id(frame))
        if hit is not None and hit[0] is frame:
            call = hit[1]
            break
        mine = user.get(frame.f_code)
        if mine is None:
            mine = session.is_user(frame.f_code)
        if mine:
            call = session.call_of(frame)
            break
        frame, depth = frame.f_back, depth + 1
    if frame is not None:
        if caller is not None and caller is not frame and caller.f_code.co_flags & 0x20:
            seen[id(caller)] = (caller, call)  # a generator expression: ask once
    if scope is None:
        return call
    top = scope
    while top.parent is not None:
        top = top.parent
    if type(top) is Scope and call is not None and not _above(top, call):
        top.parent = call  # the module call was made inside this user call
    return scope


def _above(scope: Scope, call: Call) -> bool:
    """Is ``scope`` among ``call``'s ancestors (a module whose forward is user code)?"""
    node: Call | Scope | None = call
    while node is not None:
        if node is scope:
            return True
        node = node.parent
    return False


class Recording:
    """What :func:`record_calls` gives: ``roots``, the top-level calls that made Values
    inside the block (in any thread started inside it), in order of their first Value."""

    def __init__(self) -> None:
        self.roots: list[Call] = []
        self.frames_before: list[FrameType] = []  # the stack when the block began
        self._open = False

    def calls(self) -> Iterator[Call]:
        """Every call recorded, depth first, in call order."""
        for root in self.roots:
            yield from root.walk()

    def find(self, path: str) -> list[Call]:
        """The calls a path names, such as ``"gpt#3/attention#3"``: the path's steps are the
        last calls of theirs (so ``"attention#3"`` alone will do); a step without ``#n``
        matches every call of that name."""
        steps = [s for s in path.split("/") if s]
        if not steps:
            raise ValueError("record_calls: an empty path names no call")
        found = []
        for call in self.calls():
            tail = [s for s in call.path() if isinstance(s, Call)][-len(steps) :]
            if len(tail) == len(steps) and all(
                step in (c.key, c.name) for step, c in zip(steps, tail)
            ):
                found.append(call)
        return found

    def __enter__(self) -> Recording:
        global _session
        if self._open:
            raise RuntimeError("record_calls: this recording is already open")
        frames, frame = [], sys._getframe(1)
        while frame is not None:
            frames.append(frame)
            frame = frame.f_back
        with _session_lock:
            session = _session
            if session is None:
                session = _Session()
                me = threading.get_ident()
                session.ignored_threads = {t.ident for t in threading.enumerate()} - {me}
            with session.lock:
                self.frames_before = frames
                session.recordings.append(self)
            if _session is None:
                session.patched = _swap_getter(_plain_scope, _scope_here)
                _session = session
            self._open = True
        return self

    def __exit__(self, *exc: object) -> None:
        global _session
        with _session_lock:
            self._open = False
            session = _session
            if session is None or self not in session.recordings:
                return
            with session.lock:
                session.recordings.remove(self)
            if not session.recordings:
                _session = None
                _swap_getter(_scope_here, _plain_scope, session.patched)
                session.calls.clear()  # let the frames go (it is _seen)
        self.frames_before = []

    def __repr__(self) -> str:
        return f"<record_calls: {len(self.roots)} top-level calls>"


def _swap_getter(old: object, new: object, modules: list[ModuleType] | None = None) -> list:
    """Rebind ``current_scope`` from ``old`` to ``new`` in the engine modules that use it."""
    if modules is None:
        modules = [
            m
            for name, m in list(sys.modules.items())
            if (name == "autograd" or name.startswith(("autograd.", "nn.")))
            and getattr(m, "current_scope", None) is old
            and m is not _scope_module
        ]
    for module in modules:
        module.current_scope = new  # type: ignore[attr-defined]
    return modules


def record_calls() -> Recording:
    """Context manager: Values made inside remember the calls of your own functions that were
    running (``value.scope`` is a :class:`Call` or an ``nn`` Scope; ``.path()`` lists them
    from the outermost). ``rec.roots`` lists the top-level calls. Numbers are unchanged: only
    the scope each node records is. Recordings nest, and threads started inside are recorded,
    each on its own stack (threads already running are not)."""
    return Recording()
