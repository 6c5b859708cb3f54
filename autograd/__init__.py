"""A scalar autograd engine you can watch work.

Build expressions out of :class:`Value`, call ``backward()``, read ``.grad``. Every op and its
derivative is one row of :data:`autograd.ops.OPS`.
"""

from __future__ import annotations

from typing import Any

from . import fast
from .chainrule import explain
from .define import define_op, remove_op
from .fast import affine, backward, dot, topological_order
from .fast import sum as sum  # noqa: A004  (autograd.sum, an n-ary node)
from .forward import jvp
from .gradcheck import GradcheckError, gradcheck
from .gradients import grad
from .nary import logsumexp, scaled_log
from .ops import OPS, Op
from .scope import enable_grad, is_recording, no_grad
from .value import Constant, Value

fast.install()  # the fast paths of autograd/fast.py; the readable engine is value.py + backward.py

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
    "enable_grad",
    "explain",
    "grad",
    "gradcheck",
    "is_recording",
    "jvp",
    "logsumexp",
    "no_grad",
    "remove_op",
    "scaled_log",
    "topological_order",
]
