"""Two things a new node asks when it is made: record my parents at all? inside which module?

Each is a flag of its own, a :class:`contextvars.ContextVar`, so it is separate per thread and
per asyncio task:

* *recording* (a bool): False inside :class:`no_grad`, where new Values are plain leaves;
* *the current module* (a :class:`Scope` or None): set while an ``nn`` module runs, so drawings
  can box or collapse the nodes of a neuron or a layer.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

__all__ = [
    "LayerCall",
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
    inside ``parent``. Drawings use it to box or collapse neurons and layers."""

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


class LayerCall:
    """One call of a layer whose neurons' nodes were made together (``autograd.core.fast``'s
    ``affine_layer``): it stands in every such node's scope, and each neuron call's
    :class:`Scope` (``Scope(neuron, parent)``) is made the first time a node asks for it,
    found by the bias the node's weighted sum adds (one per neuron). A training step then
    makes three small objects per layer call (this and its two tuples) instead of one Scope
    per neuron: fewer objects for Python's cyclic collector to walk.
    """

    __slots__ = ("_made", "biases", "modules", "parent")
    _lock = threading.Lock()

    def __init__(self, modules: tuple, biases: tuple, parent: Scope | None) -> None:
        self.modules, self.biases, self.parent = modules, biases, parent
        self._made: dict[int, Scope] | None = None

    def scope_of(self, node: Any) -> Scope:
        """The Scope of the neuron call that made ``node`` (its weighted sum, or the
        activation of it); the same object every time."""
        weighted = node if node._op is not None and node._op.bilinear else node._parents[0]
        k = self.biases.index(weighted._parents[-1])  # by identity: Values compare so
        made = self._made
        if made is not None and k in made:
            return made[k]
        with self._lock:  # two threads asking at once get the same Scope
            if self._made is None:
                self._made = {}
            return self._made.setdefault(k, Scope(self.modules[k], self.parent))


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
