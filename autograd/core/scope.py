"""Two things a new node asks when it is made: record my parents at all? inside which module?

Each is a flag of its own, a :class:`contextvars.ContextVar`, so it is separate per thread and
per asyncio task:

* *recording* (a bool): False inside :class:`no_grad`, where new Values are plain leaves;
* *the current module* (a :class:`Scope` or None): set while an ``nn`` module runs, so drawings
  can box or collapse the nodes of a neuron or a layer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

__all__ = [
    "Scope",
    "call_in_scope",
    "current_scope",
    "enable_grad",
    "is_recording",
    "module_scope",
    "no_grad",
]

F = TypeVar("F", bound=Callable[..., Any])


class Scope:
    """Where a Value was made: inside a call of ``module`` (an ``nn`` module), itself perhaps
    inside ``parent``. Drawings use it to box or collapse neurons and layers.

    A node's ``_scope`` holds a Scope, None, or any object with a ``scope_of(node)`` method
    that gives the node's Scope when first asked (``nn`` records one such object for a whole
    layer call instead of one Scope per neuron); ``Value.scope`` resolves it.
    """

    __slots__ = ("module", "parent")

    def __init__(self, module: object, parent: Scope | None) -> None:
        self.module = module
        self.parent = parent

    @property
    def name(self) -> str:
        return str(getattr(self.module, "name", "") or type(self.module).__name__)

    def path(self) -> list[Scope]:
        """Outermost scope first, this one last."""
        chain: list[Scope] = []
        scope: Scope | None = self
        while scope is not None:
            chain.append(scope)
            scope = scope.parent
        return chain[::-1]


_recording: ContextVar[bool] = ContextVar("autograd_recording", default=True)
_module: ContextVar[Scope | None] = ContextVar("autograd_module", default=None)

#: True unless inside :class:`no_grad` (a bound method: the node factories call it per node).
is_recording: Callable[[], bool] = _recording.get
#: The innermost module call running now, or None.
current_scope: Callable[[], Scope | None] = _module.get


class _SetRecording:
    """Context manager and decorator setting the recording flag for its block."""

    __slots__ = ("_tokens",)
    _value = True

    def __init__(self) -> None:
        self._tokens: list = []

    def __enter__(self) -> _SetRecording:
        self._tokens.append(_recording.set(self._value))
        return self

    def __exit__(self, *exc: object) -> None:
        _recording.reset(self._tokens.pop())

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)():
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_SetRecording):  # noqa: N801  (named like the PyTorch context manager users know)
    """Context manager (and decorator): Values made inside it record no parents."""

    __slots__ = ()
    _value = False


class enable_grad(_SetRecording):  # noqa: N801
    """Context manager (and decorator): record parents even inside :class:`no_grad`
    (``grad(..., create_graph=True)`` and ``compile`` tracing need the graph they build)."""

    __slots__ = ()
    _value = True


class module_scope:  # noqa: N801
    """Context manager used by ``nn.Module.__call__``: Values made inside remember ``module``.

    Inside :class:`no_grad` it does nothing: the Values made there are leaves, and a leaf
    belongs to no module call.
    """

    __slots__ = ("_module", "_token")

    def __init__(self, module: object) -> None:
        self._module = module

    def __enter__(self) -> None:
        self._token = _module.set(Scope(self._module, _module.get())) if is_recording() else None

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _module.reset(self._token)


def call_in_scope(module: object, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` inside ``module_scope(module)``, without the context manager's
    object and method calls: ``nn.Module.__call__`` runs once per neuron per sample."""
    if not is_recording():
        return fn(*args, **kwargs)
    token = _module.set(Scope(module, _module.get()))
    try:
        return fn(*args, **kwargs)
    finally:
        _module.reset(token)
