"""A scalar autograd engine you can watch work.

Build expressions out of :class:`Value`, call ``backward()``, read ``.grad``. Every op and its
derivative is one row of :data:`autograd.core.ops.OPS`.
"""

from __future__ import annotations

from typing import Any

from .check.gradcheck import GradcheckError, gradcheck
from .core.backward import backward, topological_order
from .core.calls import record_calls
from .core.define import define_op, remove_op
from .core.forward import jvp
from .core.gradients import grad
from .core.nary import affine, dot, logsumexp, scaled_log
from .core.nary import sum as sum  # noqa: A004  (autograd.sum, an n-ary node)
from .core.ops import OPS, Op
from .core.scope import (
    Scope,
    call_in_scope,
    current_scope,
    enable_grad,
    is_recording,
    module_scope,
    no_grad,
)
from .core.value import Constant, Value
from .viz.explain import explain

__version__ = "0.1.0"

# draw_dot pulls in graphviz and compile pulls in numpy: load them on first use only.
_LAZY = {
    "draw_dot": ("autograd.viz.draw", "draw_dot"),
    "compile": ("autograd.compiler", "compile"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")


# `compile` and `sum` are left out of star-imports so they never shadow the builtins.
__all__ = [
    "OPS",
    "Constant",
    "GradcheckError",
    "Op",
    "Scope",
    "Value",
    "affine",
    "backward",
    "call_in_scope",
    "current_scope",
    "define_op",
    "dot",
    "enable_grad",
    "explain",
    "grad",
    "gradcheck",
    "is_recording",
    "jvp",
    "logsumexp",
    "module_scope",
    "no_grad",
    "record_calls",
    "remove_op",
    "scaled_log",
    "topological_order",
]
