"""A scalar autograd engine you can watch work.

Build expressions out of :class:`Value`, call ``backward()``, read ``.grad``. Every op and its
derivative is one row of :data:`autograd.ops.OPS`.
"""

from __future__ import annotations

from typing import Any

from .backward import backward, grad, topological_order
from .chainrule import explain
from .define import define_op, remove_op
from .forward import jvp
from .gradcheck import GradcheckError, gradcheck
from .ops import OPS, Op
from .value import Constant, Value, affine, dot, is_recording, no_grad
from .value import sum as sum  # noqa: A004  (autograd.sum, an n-ary node)

__version__ = "0.1.0"

# draw_dot pulls in graphviz and compile pulls in numpy: load them on first use only.
_LAZY = {"draw_dot": ("autograd.viz.draw", "draw_dot"), "compile": ("autograd.compiled", "compile")}


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
    "Value",
    "affine",
    "backward",
    "define_op",
    "dot",
    "explain",
    "grad",
    "gradcheck",
    "is_recording",
    "jvp",
    "no_grad",
    "remove_op",
    "topological_order",
]
